"""The learner runtime as packages ship it: our readable ES5 sources minified, with local names shortened.

calmjs.parse parses each script and prints it back without comments, whitespace or long local names (globals
such as ``LP`` and every property keep theirs, so the scripts still meet each other and the page's data). Parsing
is slow next to the rest of a build (about 0.4 s for all of them), so each result is kept (cache.py), named by a
hash of the source and the installed minifier: a build with a warm cache only reads the file, and the output is
the same bytes either way. A cache that cannot be written only costs time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from importlib import util
from pathlib import Path

from leadpack.pipeline.cache import cache_folder

MINIFIER = "calmjs.parse"


@functools.cache
def _minifier_identity() -> str:
    """The installed minifier, told apart cheaply (reading its version from package metadata takes about 12 ms,
    a tenth of a warm build): where its files are and when they were written, so an upgrade makes new entries."""
    found = util.find_spec(MINIFIER)
    origin = Path(found.origin) if found and found.origin else None
    if origin is None:
        return "missing"
    written = origin.stat()
    return f"{origin} {written.st_mtime_ns} {written.st_size}"


def _minify(source: str) -> str:
    from calmjs.parse import es5  # imported on a cache miss only: it costs start-up time
    from calmjs.parse.unparsers.es5 import minify_print

    return minify_print(es5(source), obfuscate=True, obfuscate_globals=False)


def _entry(source: str) -> Path | None:
    folder = cache_folder("runtime")
    if folder is None:
        return None
    digest = hashlib.sha256(f"{MINIFIER} {_minifier_identity()}\n{source}".encode()).hexdigest()
    return folder / f"{digest}.js"


def _read_entry(entry: Path) -> bytes | None:
    """A cached script, or None when it is missing or damaged: its first line holds the sha256 of the rest."""
    try:
        check, _, script = entry.read_bytes().partition(b"\n")
    except OSError:
        return None
    return script if hashlib.sha256(script).hexdigest().encode() == check else None


def _write_entry(entry: Path, script: bytes) -> None:
    """Whole or not at all, even with --jobs writing the same entry at once."""
    try:
        handle, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".part")
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(hashlib.sha256(script).hexdigest().encode() + b"\n" + script)
        os.replace(temporary, entry)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def minified(source: str) -> bytes:
    """``source`` (one of our runtime scripts) minified, from the cache when it holds it."""
    entry = _entry(source)
    script = _read_entry(entry) if entry else None
    if script is None:
        script = _minify(source).encode("utf-8")
        if entry:
            _write_entry(entry, script)
    return script
