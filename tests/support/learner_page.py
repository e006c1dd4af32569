"""What every browser test does to a launched package: read the visible page and press Next.

``where`` is a Playwright Page or Frame (the package may sit in an LMS iframe or a window of its own).
"""

from __future__ import annotations

VISIBLE_PAGE = ".lp-page:not([hidden])"
# The app has begun: it has shown the start page, a page from the address, or the offer to resume.
READY = "document.body.dataset.started === 'true'"


def visible_page(where) -> str:
    """The id of the page the learner sees (``module/page`` or ``reflections``)."""
    return where.locator(VISIBLE_PAGE).get_attribute("data-page")


def press_next(where) -> str:
    """Press Next and wait for the hash route to show the following page (hashchange is asynchronous)."""
    before = visible_page(where)
    where.locator("#lp-next").click()
    where.wait_for_function(
        "before => document.querySelector('.lp-page:not([hidden])').dataset.page !== before", arg=before)
    return visible_page(where)


def go(where, page_id: str) -> None:
    """Go to a page by its address, as a contents link does, and wait until it is the one shown."""
    where.evaluate("id => { location.hash = '#/' + id; }", page_id)
    where.wait_for_function("id => document.querySelector('.lp-page:not([hidden])').dataset.page === id",
                            arg=page_id)
