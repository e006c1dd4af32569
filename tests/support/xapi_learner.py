"""A learner driving a built xAPI package in Chromium, launched the way an LMS with a Tin Can launch does it.

Example::

    launch = TinCanLaunch(endpoint=lrs.endpoint, auth=lrs.auth_header, actor={"mbox": "mailto:a@example.org"})
    learner = Learner(context.new_page())
    learner.open(site.url + "fixture/index.html", launch)   # waits until the course shows a page or resume offer
    learner.next(); learner.answer("first-steps/pick-b", "b"); learner.save_and_exit(); learner.wait_saved()

``Learner.sent`` lists every statement the page POSTed (a retry appears again), ``Learner.lrs_requests`` each
request to the LRS as ``(method, url, headers)``, ``Learner.errors`` uncaught exceptions in the page and
``Learner.console`` its console messages.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.support.learner_page import READY, press_next, visible_page


@dataclass
class TinCanLaunch:
    """The query string an LMS appends to the package's launch URL (Rustici's launch rules)."""

    endpoint: str
    auth: str
    actor: dict
    registration: str = field(default_factory=lambda: str(uuid.uuid4()))
    activity_id: str = ""

    def query(self) -> str:
        params = {"endpoint": self.endpoint, "auth": self.auth, "actor": json.dumps(self.actor),
                  "registration": self.registration}
        if self.activity_id:
            params["activity_id"] = self.activity_id
        return urlencode(params)


class Learner:
    def __init__(self, page, lrs_origin: str = ""):
        self.page = page
        self.lrs_origin = lrs_origin
        self.sent: list[dict] = []
        self.lrs_requests: list[tuple[str, str, dict[str, str]]] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(message.text))
        self._data: dict | None = None
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", self._record)

    def _record(self, request) -> None:
        if not self.lrs_origin or not request.url.startswith(self.lrs_origin):
            return
        self.lrs_requests.append((request.method, request.url, request.headers))
        if request.method == "POST" and request.url.split("?")[0].endswith("/statements"):
            body = json.loads(request.post_data)
            self.sent.extend(body if isinstance(body, list) else [body])

    # -- navigation -------------------------------------------------------------------------------
    def open(self, url: str, launch: TinCanLaunch | None = None) -> None:
        self.page.goto(url + ("?" + launch.query() if launch else ""))
        self.page.wait_for_function(READY)
        self.data()
        shown = self.page.evaluate("(document.querySelector('.lp-page:not([hidden])') || {dataset: {}}).dataset.page")
        if shown == "start":  # a first launch opens at the set's start page: the learner begins
            self.next()

    def data(self) -> dict:
        """The course data built into the launch page (kept, so it can be read after the page is closed)."""
        if self._data is None:
            self._data = json.loads(self.page.locator("#lp-data").text_content())
        return self._data

    def current_page(self) -> str:
        return visible_page(self.page)

    def next(self) -> None:
        press_next(self.page)

    def continue_from_bookmark(self) -> None:
        self.page.locator("#lp-resume-continue").click()
        self.page.wait_for_function("document.querySelectorAll('.lp-page:not([hidden])').length === 1")

    def answer(self, question_id: str, keys: str) -> None:
        form = self.page.locator(f'form[data-question="{question_id}"]')
        for key in keys:
            form.locator(f'input[value="{key}"]').check()
        form.locator("button[type=submit]").click()

    def reflect(self, reflection_id: str, text: str) -> None:
        area = self.page.locator(f'[data-reflection="{reflection_id}"] textarea')
        area.fill(text)
        area.blur()

    def walk(self, correct: bool = True, confirm: bool = False) -> list[str]:
        """Visit every page with Next, answering each question (rightly or wrongly); returns the page ids. With
        ``confirm``, each page's progress is confirmed by the LRS before the learner moves on."""
        questions = {q["id"]: q for q in self.data()["questions"]}
        seen = []
        for number in range(len(self.data()["pages"])):
            seen.append(self.current_page())
            forms = self.page.locator(".lp-page:not([hidden]) form.lp-question")
            for index in range(forms.count()):
                question = questions[forms.nth(index).get_attribute("data-question")]
                wrong = [k for k in question["options"] if k not in question["correct"]][:1]
                self.answer(question["id"], question["correct"] if correct else "".join(wrong))
                forms.nth(index).locator(".lp-feedback:not(:empty)").wait_for()  # the answer is in the outbox
            if confirm:
                self.wait_saved()
            if number + 1 < len(self.data()["pages"]):
                self.next()
        return seen

    def fail_retry_and_leave(self) -> None:
        """Every question answered wrongly, Retry pressed on the results, then Save and exit: a try taken, and no
        question answered again."""
        self.walk(correct=False)
        self.page.evaluate("location.hash = '#/finish'")
        self.page.locator("#lp-retry").click()
        self.wait_saved()
        self.save_and_exit()
        self.wait_saved()

    def assert_retry_kept(self) -> None:
        """The try taken and nothing answered since: no answers, one try, every question open."""
        state = self.page.evaluate("LP.app.state()")
        assert (state["answers"], state["tries"]) == ({}, 1)
        assert self.page.evaluate("Array.from(document.querySelectorAll('form.lp-question input'))"
                                  ".every(input => !input.disabled && !input.checked)")

    def save_and_exit(self) -> None:
        """Press "Save and exit" and wait for its notice, which the page shows once the exit statement is queued and
        the save status says so: a ``wait_saved()`` after this waits for the LRS to confirm the exit."""
        self.page.locator("#lp-exit").click()
        self.page.wait_for_function("text => document.getElementById('lp-notice').textContent === text",
                                    arg=self.text("exited"))

    # -- what the learner sees --------------------------------------------------------------------
    def save_status(self) -> str:
        return self.page.locator("#lp-save").text_content()

    def notice(self) -> str:
        return self.page.locator("#lp-notice").text_content()

    def text(self, name: str) -> str:
        """An interface string as the course shows it (locales/<language>.toml, built into the page)."""
        return self.data()["strings"][name]

    def wait_status(self, name: str, timeout: float = 20_000) -> None:
        """Wait until the save status (#lp-save) shows the string ``name`` ("saved", "not_saved", ...)."""
        self.page.wait_for_function("text => document.getElementById('lp-save').textContent === text",
                                    arg=self.text(name), timeout=timeout)

    def wait_saved(self, timeout: float = 20_000) -> None:
        self.wait_status("saved", timeout)

    def watch_statuses(self) -> None:
        """From now on, keep every text the save status (#lp-save) is given, however briefly, for statuses_seen()."""
        self.page.evaluate("""() => {
            if (!window.lpStatuses) new MutationObserver(records => records.forEach(r => r.addedNodes.forEach(
                node => window.lpStatuses.push(node.textContent))))
              .observe(document.getElementById('lp-save'), {childList: true});
            window.lpStatuses = []; }""")

    def statuses_seen(self) -> list[str]:
        return self.page.evaluate("window.lpStatuses")

    def storage(self) -> dict[str, dict[str, str]]:
        """Everything the page keeps in localStorage and sessionStorage."""
        return self.page.evaluate("""() => {
            const dump = s => Object.fromEntries(
                Array.from({length: s.length}, (_, i) => [s.key(i), s.getItem(s.key(i))]));
            return {local: dump(localStorage), session: dump(sessionStorage)};
        }""")

    def assert_kept_on_this_device(self, text: str, statements: list[dict], document: bytes | None) -> None:
        """``text``, written with reflections = "device", stayed here: it is in this browser's storage, and in
        neither the statements nor the State API document, which holds no reflections at all."""
        assert document and "r" not in json.loads(document)
        assert text not in json.dumps(statements) + document.decode()
        assert text in json.dumps(self.storage()["local"])  # kept here, as the learner was told
