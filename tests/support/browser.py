"""Debian's Chromium driven by Python Playwright.

Never run ``playwright install``: its browser download cannot work on these machines. Playwright's
Python package drives the system browser from the ``chromium`` Debian package instead.

Example::

    from playwright.sync_api import sync_playwright
    from tests.support.browser import launch_chromium

    @pytest.fixture(scope="session")
    def browser():
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            yield browser
            browser.close()

    def test_page(browser, tmp_path):
        context = browser.new_context()
        page = context.new_page()
        ...
        context.close()
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM = Path(os.environ.get("LEADPACK_CHROMIUM", "/usr/bin/chromium"))

# --disable-background-networking & co: this machine's network is closed; without them Chromium
# keeps trying (and failing) to reach Google's services at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def chromium_available() -> bool:
    return CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is not None


def launch_chromium(playwright, *, headless: bool = True, args: list[str] | None = None, **kwargs):
    """Return a Playwright ``Browser`` running /usr/bin/chromium (headless by default).

    ``playwright`` is the object from ``sync_playwright()`` (or ``async_playwright()``, in which
    case the return value must be awaited). Extra keyword arguments go to ``chromium.launch``.
    """
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} not found: run scripts/setup.sh --test (installs Debian's chromium)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=headless,
        args=[*CHROMIUM_ARGS, *(args or [])],
        **kwargs,
    )
