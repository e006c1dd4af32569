"""The learner runtime as packages ship it: our readable ES5 sources minified, with local names shortened.

calmjs.parse parses each script and prints it back without comments, whitespace or long local names (globals
such as ``LP`` and every property keep theirs, so the scripts still meet each other and the page's data). Parsing
is slow next to the rest of a build (about 0.2 s a format), so each result is kept in the user's cache folder,
named by a hash of the source and the minifier's version: a build with a warm cache only reads the file, and the
output is the same bytes either way. A cache that cannot be written only costs time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from importlib import metadata
from pathlib import Path

MINIFIER = "calmjs.parse"
CACHE_ENV = "LEADPACK_CACHE_DIR"


def cache_dir() -> Path:
    """Where minified scripts are kept: $LEADPACK_CACHE_DIR, else the XDG cache folder's leadpack/runtime."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "leadpack" / "runtime"


@functools.cache
def _minifier_version() -> str:
    return metadata.version(MINIFIER)


def _minify(source: str) -> str:
    from calmjs.parse import es5  # imported on a cache miss only: it costs start-up time
    from calmjs.parse.unparsers.es5 import minify_print

    return minify_print(es5(source), obfuscate=True, obfuscate_globals=False)


def _entry(source: str) -> Path:
    digest = hashlib.sha256(f"{MINIFIER} {_minifier_version()}\n{source}".encode()).hexdigest()
    return cache_dir() / f"{digest}.js"


def _read_entry(entry: Path) -> bytes | None:
    """A cached script, or None when it is missing or damaged: its first line holds the sha256 of the rest."""
    try:
        check, _, script = entry.read_bytes().partition(b"\n")
    except OSError:
        return None
    return script if hashlib.sha256(script).hexdigest().encode() == check else None


def _write_entry(entry: Path, script: bytes) -> None:
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(hashlib.sha256(script).hexdigest().encode() + b"\n" + script)
        os.replace(temporary, entry)  # whole or not at all, even with --jobs writing the same entry
    except OSError:
        pass


def minified(source: str) -> bytes:
    """``source`` (one of our runtime scripts) minified, from the cache when it holds it."""
    entry = _entry(source)
    script = _read_entry(entry)
    if script is None:
        script = _minify(source).encode("utf-8")
        _write_entry(entry, script)
    return script
