"""Where leadpack keeps what it can make again between runs (compiled templates, minified scripts), so that a
small build does not pay for them each time. What is kept never changes what is built.

$LEADPACK_CACHE names the folder, else the user's cache folder ($XDG_CACHE_HOME or ~/.cache) has leadpack/;
LEADPACK_CACHE="" turns keeping off, and so does a folder that cannot be written.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "LEADPACK_CACHE"


def cache_folder(kind: str) -> Path | None:
    """The folder for one kind of kept thing, made if need be; None when nothing is to be kept."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is None:
        chosen = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "leadpack")
    if not chosen:
        return None
    folder = Path(chosen) / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None
