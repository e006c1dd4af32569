"""Test support for leadpack's end-to-end tests with real components.

- ``tests.support.ralph``   -- a real Ralph LRS (xAPI) on 127.0.0.1, filesystem backend, basic auth.
- ``tests.support.http``    -- a threaded static HTTP server for built packages (optional per-path headers).
- ``tests.support.browser`` -- Debian's Chromium (/usr/bin/chromium) launched through Python Playwright.

Everything is installed by ``scripts/setup.sh --test`` (apt chromium, ``pip install -e '.[test]'``,
``npm ci`` for scorm-again / axe-core / xapi-validation under ``node_modules/``).
"""

import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"

# Browser-side files installed by `npm ci` (see package.json / package-lock.json).
# scorm-again 3.x: classic script, sets `window.Scorm12API` (a class: `new Scorm12API(settings)`).
SCORM12_JS = NODE_MODULES / "scorm-again" / "dist" / "scorm12.js"
SCORM2004_JS = NODE_MODULES / "scorm-again" / "dist" / "scorm2004.js"  # window.Scorm2004API
# axe-core 4.x: classic script, sets `window.axe` (`await axe.run(document, options)`).
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"


def wait_until(condition, message: str, seconds: float = 15.0) -> None:  # noqa: ANN001 - a callable
    """Poll ``condition`` until it holds (a server-side event, such as a statement reaching the LRS); fail with
    ``message`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.05)
