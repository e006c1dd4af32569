"""`leadpack preview` in Chromium (issue 8): the LMS page, its strict SCORM 1.2 API, the LRS and the live panel.

One preview server per format serves the fixture course for the whole module; each test starts from a reset
learner in a fresh browser context. The package under test is the real build, run by the real runtime.
"""

from __future__ import annotations

import json
import shutil
import time
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import Request, urlopen

import pytest

from leadpack.tools.preview.server import PreviewServer
from tests.conftest import FIXTURE_COURSE, run_cli
from tests.support.learner_page import press_next, visible_page

SAVE_FAILED = "could not be saved yet"
SAVED = "All progress saved."


def post(server: PreviewServer, path: str, body: dict) -> dict:
    request = Request(server.url + path.lstrip("/"), json.dumps(body).encode(), method="POST",
                      headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=10) as response:
        return json.load(response)


def get(server: PreviewServer, path: str, headers: dict | None = None):
    with urlopen(Request(server.url + path.lstrip("/"), headers=headers or {}), timeout=10) as response:
        return json.load(response)


class Lms:
    """The preview's LMS page in a browser tab, with the package in its frame."""

    def __init__(self, page, server: PreviewServer):
        self.page, self.server = page, server
        self.frame = page.frame_locator("#pv-frame")

    def open(self) -> Lms:
        self.page.goto(self.server.url)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        """The runtime has started its session and shows a page (or offers to resume)."""
        self.frame.locator(".lp-toc a[aria-current=page], #lp-resume:not([hidden])").first.wait_for(state="attached")

    @property
    def content(self):
        return self.page.frame("pv-frame")

    def current_page(self) -> str:
        return visible_page(self.frame)

    def next(self) -> str:
        return press_next(self.content)

    def answer(self, question: str, keys: str) -> None:
        form = self.frame.locator(f'form[data-question="{question}"]')
        for key in keys:
            form.locator(f'input[value="{key}"]').check()
        form.locator("button[type=submit]").click()
        form.locator(".lp-feedback").filter(has_text="").first.wait_for()

    def calls(self) -> list[str]:
        return self.page.locator("#pv-calls li:not(.pv-check):not(.pv-launch)").all_inner_texts()

    def errors(self) -> list[str]:
        return self.page.locator("#pv-calls li.pv-bad").all_inner_texts()

    def settled(self) -> None:
        """Wait until every commit the API accepted has reached the preview server."""
        self.page.evaluate("() => window.leadpackPreview.writes()")

    def record(self) -> dict:
        self.settled()
        return get(self.server, "/api/record?set=every-block&learner=learner-1")

    def expect_model(self, element: str, value: str) -> None:
        """The data model table shows ``value`` (it redraws shortly after each call)."""
        from playwright.sync_api import expect

        expect(self.page.locator(f'#pv-model tr[data-element="{element}"] td').nth(1)).to_have_text(value)

    def runtime_state(self) -> dict:
        return self.content.evaluate("""() => { const s = LP.app.state();
            return { visited: Object.keys(s.visited).sort(), answers: s.answers, location: s.location }; }""")


def fresh(server: PreviewServer) -> None:
    post(server, "/api/reset", {"learner": "learner-1"})
    post(server, "/api/controls", {"refuseCommits": False, "lrsOffline": False, "lrsLenient": False, "relaxed": False})




@pytest.fixture
def lms(page, scorm_preview) -> Lms:
    fresh(scorm_preview)
    return Lms(page, scorm_preview).open()


def test_panel_lists_the_calls_made_while_walking_pages(lms):
    assert lms.next() == "first-steps/doing"
    assert lms.next() == "first-steps/quiz"
    page_panel = lms.page.locator("#pv-calls")
    page_panel.get_by_text('LMSSetValue("cmi.core.lesson_location", "first-steps/quiz") → "true"').wait_for()
    calls = lms.calls()
    assert calls[0] == 'LMSInitialize("") → "true"'
    assert 'LMSGetValue("cmi.core.entry") → "ab-initio"' in calls
    assert 'LMSSetValue("cmi.core.lesson_status", "incomplete") → "true"' in calls
    locations = [c for c in calls if c.startswith('LMSSetValue("cmi.core.lesson_location"')]
    assert locations == [f'LMSSetValue("cmi.core.lesson_location", "{page}") → "true"'
                         for page in ("first-steps/welcome", "first-steps/doing", "first-steps/quiz")]
    assert calls.count('LMSCommit("") → "true"') == 3
    assert lms.errors() == []
    lms.expect_model("cmi.core.lesson_location", "first-steps/quiz")
    done = lms.page.locator("#pv-saved-pages li[data-done=true]")
    done.nth(2).wait_for()
    assert [done.nth(i).get_attribute("data-id") for i in range(done.count())] == [
        "first-steps/welcome", "first-steps/doing", "first-steps/quiz"]


def test_relaunch_resumes_at_the_bookmark(lms):
    lms.next()
    lms.next()
    lms.answer("first-steps/pick-b", "b")
    lms.page.click("#pv-relaunch")
    lms.frame.locator("#lp-resume").wait_for()
    assert "Quiz" in lms.frame.locator("#lp-resume-page").inner_text()
    lms.expect_model("cmi.core.entry", "resume")
    assert lms.page.locator("#pv-session").inner_text().startswith("Launch 2")
    lms.frame.locator("#lp-resume-continue").click()
    lms.content.wait_for_function("() => location.hash === '#/first-steps/quiz'")
    assert lms.current_page() == "first-steps/quiz"
    assert lms.frame.locator('form[data-question="first-steps/pick-b"] input[value="b"]').is_checked()
    assert lms.errors() == []
    lms.page.click("#pv-reset")
    lms.expect_model("cmi.core.entry", "ab-initio")
    lms.wait_ready()
    assert lms.current_page() == "first-steps/welcome" and lms.frame.locator("#lp-resume").is_hidden()
    assert not lms.frame.locator('form[data-question="first-steps/pick-b"] input[value="b"]').is_checked()


def test_refused_commits_show_the_notice_then_deliver(lms):
    lms.page.check("#pv-refuse-commits")
    lms.next()
    lms.frame.locator("#lp-notice").get_by_text(SAVE_FAILED).wait_for()
    assert "lp-save-failed" in lms.frame.locator("#lp-save").get_attribute("class")
    refused = [c for c in lms.errors() if c.startswith('LMSCommit("") → "false"')]
    assert refused and "[error 101: the LMS refused" in refused[0]
    doing = next(p.key for p in lms.server.builder.sets["every-block"].units[0].data.pages
                 if p.id == "first-steps/doing")
    assert doing not in lms.record()["values"]["cmi.suspend_data"]
    lms.page.uncheck("#pv-refuse-commits")
    lms.frame.locator("#lp-save").get_by_text(SAVED).wait_for(timeout=15000)
    assert lms.frame.locator("#lp-notice").inner_text() == ""
    record = lms.record()
    assert doing in json.loads(record["values"]["cmi.suspend_data"])["p"]
    assert record["values"]["cmi.core.lesson_location"] == "first-steps/doing"


def test_the_api_rejects_invalid_values_with_the_right_error_codes(lms):
    results = lms.page.evaluate("""() => {
        const api = window.API, out = {};
        const run = (label, call) => { const value = call(); out[label] = [value, api.LMSGetLastError()]; };
        run("status done", () => api.LMSSetValue("cmi.core.lesson_status", "done"));
        run("status not attempted", () => api.LMSSetValue("cmi.core.lesson_status", "not attempted"));
        run("set student_id", () => api.LMSSetValue("cmi.core.student_id", "someone-else"));
        run("get exit", () => api.LMSGetValue("cmi.core.exit"));
        run("get session_time", () => api.LMSGetValue("cmi.core.session_time"));
        run("set _children", () => api.LMSSetValue("cmi.core._children", "x"));
        run("count of a leaf", () => api.LMSGetValue("cmi.core._count"));
        run("children of a leaf", () => api.LMSGetValue("cmi.core.lesson_status._children"));
        run("scorm 2004 name", () => api.LMSGetValue("cmi.location"));
        run("unknown", () => api.LMSGetValue("cmi.core.nickname"));
        run("timespan", () => api.LMSSetValue("cmi.core.session_time", "0:00:05"));
        run("location 256", () => api.LMSSetValue("cmi.core.lesson_location", "x".repeat(256)));
        run("suspend 4097", () => api.LMSSetValue("cmi.suspend_data", "x".repeat(4097)));
        run("score 101", () => api.LMSSetValue("cmi.core.score.raw", "101"));
        run("interaction gap", () => api.LMSSetValue("cmi.interactions.5.id", "q"));
        run("commit argument", () => api.LMSCommit("now"));
        run("second initialize", () => api.LMSInitialize(""));
        const fresh = new PreviewScorm12API({}, { onCall() {}, persist() {}, controls: () => ({}) });
        out["before initialize"] = [fresh.LMSGetValue("cmi.core.student_id"), fresh.LMSGetLastError()];
        return out;
    }""")
    assert results == {
        "status done": ["false", "405"], "status not attempted": ["false", "405"], "set student_id": ["false", "403"],
        "get exit": ["", "404"], "get session_time": ["", "404"], "set _children": ["false", "402"],
        "count of a leaf": ["", "203"], "children of a leaf": ["", "202"], "scorm 2004 name": ["", "401"],
        "unknown": ["", "201"], "timespan": ["false", "405"], "location 256": ["false", "405"],
        "suspend 4097": ["false", "405"], "score 101": ["false", "405"], "interaction gap": ["false", "201"],
        "commit argument": ["false", "201"], "second initialize": ["false", "101"],
        "before initialize": ["", "301"]}
    bad = lms.page.locator('#pv-calls li[data-error="405"]').filter(has_text='"done"')
    assert "is not one of: passed, completed, failed, incomplete, browsed" in bad.inner_text()
    lms.page.select_option("#pv-limits", "relaxed")
    relaxed = lms.page.evaluate("""() => [API.LMSSetValue("cmi.suspend_data", "x".repeat(4097)),
        API.LMSSetValue("cmi.suspend_data", "x".repeat(64001)), API.LMSGetLastError(),
        API.LMSFinish(""), API.LMSGetValue("cmi.core.student_id"), API.LMSGetLastError()]""")
    assert relaxed == ["true", "false", "405", "true", "", "101"]


def test_a_whole_run_passes_the_strict_api_and_explain_reads_back_what_it_did(lms, tmp_path):
    answers = {"first-steps/pick-b": "a", "first-steps/which-of-these-are-vowels": "ac",
               "second-steps/is-this-the-last-page": "a"}
    reflection = "I will ask one open question a day."
    lms.frame.locator('[data-reflection="first-steps/what-brings-you-to-this-course"] textarea').fill(reflection)
    while True:
        for form in lms.frame.locator(".lp-page:not([hidden]) form[data-question]").all():
            lms.answer(form.get_attribute("data-question"), answers[form.get_attribute("data-question")])
        if lms.current_page() == "second-steps/wrapping-up":
            break
        lms.next()
    runtime = lms.runtime_state()
    lms.frame.locator("#lp-exit").click()
    lms.page.locator("#pv-session[data-state=finished]").wait_for()
    assert lms.errors() == [], "the runtime broke a SCORM 1.2 rule"
    values = lms.record()["values"]
    assert values["cmi.core.lesson_status"] == "passed" and values["cmi.core.score.raw"] == "67"
    assert values["cmi.core.exit"] == "" and values["cmi.interactions.2.result"] == "correct"
    # What the LMS stored, explained against the very package the preview built.
    package = lms.server.builder.sets["every-block"].package
    result = run_cli("explain", values["cmi.suspend_data"], "--package", package, "--json")
    assert result.exit_code == 0, result.output
    explained = json.loads(result.stdout)
    data = lms.server.builder.sets["every-block"].units[0].data
    keys = {p.id: p.key for p in data.pages}
    assert sorted(keys[p["id"]] for p in explained["pages"] if p["done"]) == runtime["visited"]
    assert all(p["done"] for p in explained["pages"])
    assert {a["id"]: a["response"] for a in explained["answers"]} == answers
    assert {a["id"]: a["right"] for a in explained["answers"]} == {
        "first-steps/pick-b": False, "first-steps/which-of-these-are-vowels": True,
        "second-steps/is-this-the-last-page": True}
    assert {r["id"]: r["length"] for r in explained["reflections"]} == {
        "first-steps/what-brings-you-to-this-course": len(reflection), "second-steps/looking-back": 0}
    assert explained["bookmark"] == "second-steps/wrapping-up" and explained["finished"] == "passed"
    text = run_cli("explain", values["cmi.suspend_data"], "--package", package).stdout
    assert "Pages: 5 of 5 done" in text and "Questions: 3 of 3 answered, 2 right" in text


def test_lrs_offline_shows_the_notice_then_delivers(page, xapi_preview):
    fresh(xapi_preview)
    lms = Lms(page, xapi_preview).open()
    page.locator("#pv-statements li[data-verb$='/experienced']").first.wait_for()
    page.check("#pv-lrs-offline")
    lms.next()
    lms.frame.locator("#lp-notice").get_by_text(SAVE_FAILED).wait_for()
    assert page.locator('#pv-calls li[data-error="503"]').count() >= 1
    doing = "https://learning.example.org/fixture/every-block/first-steps/doing"
    assert doing not in [s["object"]["id"] for s in xapi_preview.side.lrs.statements()]
    page.uncheck("#pv-lrs-offline")
    lms.frame.locator("#lp-save").get_by_text(SAVED).wait_for(timeout=15000)
    assert lms.frame.locator("#lp-notice").inner_text() == ""
    page.locator(f"#pv-statements li[data-object='{doing}']").wait_for()
    experienced = [s for s in xapi_preview.side.lrs.statements() if s["object"]["id"] == doing]
    assert len(experienced) == 1 and experienced[0]["actor"]["mbox"] == "mailto:learner-1@preview.invalid"
    # The state document the runtime keeps in the LRS explains like suspend_data does.
    lms.next()
    page.locator("#pv-saved-pages li[data-id='first-steps/quiz'][data-done=true]").wait_for()
    launch = get(xapi_preview, "/api/launch?set=every-block&learner=learner-1")
    query = {k: v for k, v in (p.split("=", 1) for p in launch["url"].split("?", 1)[1].split("&"))}
    document = get(xapi_preview, f"/xapi/activities/state?activityId={query['activity_id']}&agent={query['actor']}"
                   f"&registration={query['registration']}&stateId=leadpack-progress",
                   {"Authorization": xapi_preview.auth, "X-Experience-API-Version": "1.0.3"})
    result = run_cli("explain", json.dumps(document), "--package", xapi_preview.builder.sets["every-block"].package,
                     "--json")
    assert result.exit_code == 0, result.output
    assert [p["id"] for p in json.loads(result.stdout)["pages"] if p["done"]] == [
        "first-steps/welcome", "first-steps/doing", "first-steps/quiz"]
    page.click("#pv-relaunch")
    lms.frame.locator("#lp-resume").wait_for()
    assert "Quiz" in lms.frame.locator("#lp-resume-page").inner_text()
    # Expected refusals only: no state document yet (404), a resent statement (409), the LRS offline (503).
    codes = page.locator("#pv-calls li.pv-bad").evaluate_all("items => items.map(i => i.dataset.error)")
    assert set(codes) <= {"404", "409", "503"}
    # The preview's LRS checks ETags: each state write the LRS answered (not the offline 503s) was taken.
    writes = [c for c in lms.calls() if c.startswith("PUT activities/state") and "→ 503" not in c]
    assert writes and all(c.endswith("→ 204") for c in writes), writes


def test_the_lenient_lrs_control_turns_etag_checks_off_and_on(page, xapi_preview):
    fresh(xapi_preview)
    Lms(page, xapi_preview).open()
    actor = json.dumps({"mbox": "mailto:lenient@preview.invalid"})
    url = (xapi_preview.url + "xapi/activities/state?activityId=https%3A%2F%2Fexample.org%2Fc&stateId=s&agent="
           + quote(actor))

    def unconditional_put() -> int:
        request = Request(url, b"{}", method="PUT", headers={"Authorization": xapi_preview.auth,
                                                             "X-Experience-API-Version": "1.0.3",
                                                             "Content-Type": "application/json"})
        try:
            with urlopen(request, timeout=10) as response:
                return response.status
        except HTTPError as error:
            return error.code

    def control_is(value: bool) -> None:
        deadline = time.monotonic() + 10
        while get(xapi_preview, "/api/state")["controls"]["lrsLenient"] is not value:
            assert time.monotonic() < deadline, "the control never reached the server"
            time.sleep(0.05)

    assert unconditional_put() == 204, "creating a document needs no ETag"
    assert unconditional_put() == 409, "strict by default, as ADL's LRS"
    page.check("#pv-lrs-lenient")
    control_is(True)
    assert unconditional_put() == 204
    page.uncheck("#pv-lrs-lenient")
    control_is(False)
    assert unconditional_put() == 409


def test_watch_reloads_the_edited_page_without_restarting(page, tmp_path):
    course = shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    with PreviewServer(course, watch=True) as server:
        lms = Lms(page, server).open()
        page.locator("body[data-events=open]").wait_for()
        page.evaluate("() => { window.sameLmsPage = true; }")
        lms.next()
        assert "Ask a colleague one open question today." in lms.frame.locator("#lp-main").inner_text()
        module = course / "content" / "every-block" / "first-steps.md"
        module.write_text(module.read_text().replace("Ask a colleague one open question today.",
                                                     "Ask two colleagues one open question each."))
        lms.frame.get_by_text("Ask two colleagues one open question each.").wait_for(timeout=10000)
        assert lms.current_page() == "first-steps/doing", "the reload keeps the learner on the page"
        assert page.evaluate("() => window.sameLmsPage") is True
        assert page.locator("#pv-build").get_attribute("data-serial") == str(server.builder.sets["every-block"].serial)
        assert "first-steps.md" in page.locator("#pv-build").inner_text()
