"""pytest fixtures for end-to-end tests with real components (loaded by tests/conftest.py).

- ``browser``  (session)  Debian's Chromium through Playwright (``tests.support.browser``).
- ``page``     (function) a page in a fresh browser context; ``page.console_log`` collects
               ``(type, text)`` console messages and ``page.page_errors`` uncaught exceptions.
- ``site``     (function) a ``StaticServer`` on ``tmp_path / "site"`` (write files there, then
               ``page.goto(site.url + "index.html")``); set ``site.headers[path] = {...}`` at any time.
- ``lrs``      (function) a started ``RalphLRS`` on ``tmp_path / "lrs"`` that accepts CORS requests
               from ``site.origin``; about 2-3 s to start.

When Chromium or ``node_modules`` is missing these skip locally but fail under CI (``CI`` set),
so that a missing install step in ``scripts/setup.sh --test`` can't turn CI green by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest

from . import NODE_MODULES
from .browser import CHROMIUM, launch_chromium
from .http import StaticServer
from .ralph import RalphLRS


def require(condition: bool, what: str) -> None:
    """Skip (locally) or fail (in CI) when a component installed by setup.sh --test is missing."""
    if condition:
        return
    message = f"{what} missing: run scripts/setup.sh --test"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_node_modules(*packages: str) -> None:
    require(shutil.which("node") is not None, "node")
    for name in packages:
        require((NODE_MODULES / name).is_dir(), f"node_modules/{name}")


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM.exists(), str(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Python package playwright")
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.console_log = []
    page.page_errors = []
    page.on("console", lambda msg: page.console_log.append((msg.type, msg.text)))
    page.on("pageerror", lambda exc: page.page_errors.append(str(exc)))
    yield page
    context.close()


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir(exist_ok=True)
    with StaticServer(root) as server:
        yield server


@pytest.fixture
def lrs(tmp_path, site):
    server = RalphLRS(tmp_path / "lrs", cors_origins=[site.origin])
    server.start()
    yield server
    server.stop()
