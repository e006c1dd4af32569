"""`leadpack preview` in Chromium (issues 8, 11): the LMS page, its strict SCORM APIs, the LRS and the live panel.

One preview server per format serves the fixture course for the whole module; each test starts from a reset
learner in a fresh browser context. The package under test is the real build, run by the real runtime. What both
SCORM versions do alike runs for each (``Api`` says what each calls things); what only SCORM 2004 has follows.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import Request, urlopen

import pytest

from leadpack import formats
from leadpack.formats.base import PreviewServices
from leadpack.tools.preview.server import PreviewServer
from tests.conftest import FIXTURE_COURSE, run_cli
from tests.support.learner_page import press_next, visible_page

SAVE_FAILED = "could not be saved yet"
SAVED = "All progress saved."
API_FORMATS = [name for name in formats.names()
               if formats.get(name).preview_side(PreviewServices(lambda kind, data: None, "")).kind == "api"]


@dataclass(frozen=True)
class Api:
    """One SCORM version's API as these tests call it and read it in the panel."""

    global_name: str
    initialize: str
    get: str
    set: str
    commit: str
    finish: str
    last_error: str
    entry: str
    location: str
    status: str  # set to "incomplete" at the first launch
    ended: str  # the session's state once finished
    refused: str  # the error code of a commit the LMS refuses
    finished: dict[str, str] = field(default_factory=dict)  # what a whole passing run leaves in the record


APIS = {
    "scorm12": Api("API", "LMSInitialize", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSFinish", "LMSGetLastError",
                   "cmi.core.entry", "cmi.core.lesson_location", "cmi.core.lesson_status", "finished", "101",
                   {"cmi.core.lesson_status": "passed", "cmi.core.score.raw": "67", "cmi.core.exit": ""}),
    "scorm2004": Api("API_1484_11", "Initialize", "GetValue", "SetValue", "Commit", "Terminate", "GetLastError",
                     "cmi.entry", "cmi.location", "cmi.completion_status", "terminated", "391",
                     {"cmi.completion_status": "completed", "cmi.success_status": "passed", "cmi.score.raw": "67",
                      "cmi.score.scaled": "0.67", "cmi.exit": "normal"}),
}


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
        """The runtime has started its session and shows a page (or offers to resume); on the set's start page the
        learner begins."""
        self.frame.locator("body[data-started=true]").wait_for(state="attached")
        if self.frame.locator("#lp-resume").is_hidden() and self.current_page() == "start":
            self.next()

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




@pytest.fixture(scope="module", params=API_FORMATS)
def api_preview(request):
    """`leadpack preview` of the fixture course in each format whose LMS side is an API object."""
    with PreviewServer(FIXTURE_COURSE, format_name=request.param) as server:
        yield server


@pytest.fixture
def lms(page, api_preview) -> Lms:
    fresh(api_preview)
    return Lms(page, api_preview).open()


@pytest.fixture
def api(api_preview) -> Api:
    return APIS[api_preview.builder.format.name]


def test_panel_lists_the_calls_made_while_walking_pages(lms, api):
    assert lms.next() == "first-steps/doing"
    assert lms.next() == "first-steps/quiz"
    page_panel = lms.page.locator("#pv-calls")
    page_panel.get_by_text(f'{api.set}("{api.location}", "first-steps/quiz") → "true"').wait_for()
    calls = lms.calls()
    assert calls[0] == f'{api.initialize}("") → "true"'
    assert f'{api.get}("{api.entry}") → "ab-initio"' in calls
    assert f'{api.set}("{api.status}", "incomplete") → "true"' in calls
    assert not [c for c in calls if c.startswith(api.last_error)], "error checks are hidden unless asked for"
    locations = [c for c in calls if c.startswith(f'{api.set}("{api.location}"')]
    assert locations == [f'{api.set}("{api.location}", "{page}") → "true"'
                         for page in ("first-steps/welcome", "first-steps/doing", "first-steps/quiz")]
    assert calls.count(f'{api.commit}("") → "true"') == 3
    assert lms.errors() == []
    # First reads of elements never set are notes where the standard has a code for it (SCORM 2004: 403).
    not_set = lms.server.side.info().get("notSet")
    unset = lms.page.locator("#pv-calls li.pv-unset").all_inner_texts()
    assert bool(unset) == bool(not_set) and all(f"[error {not_set}:" in line for line in unset)
    lms.expect_model(api.location, "first-steps/quiz")
    done = lms.page.locator("#pv-saved-pages li[data-done=true]")
    done.nth(2).wait_for()
    assert [done.nth(i).get_attribute("data-id") for i in range(done.count())] == [
        "first-steps/welcome", "first-steps/doing", "first-steps/quiz"]


def test_relaunch_resumes_at_the_bookmark(lms, api):
    lms.next()
    lms.next()
    lms.answer("first-steps/pick-b", "b")
    lms.page.click("#pv-relaunch")
    lms.frame.locator("#lp-resume").wait_for()
    assert "Quiz" in lms.frame.locator("#lp-resume-page").inner_text()
    lms.expect_model(api.entry, "resume")
    assert lms.page.locator("#pv-session").inner_text().startswith("Launch 2")
    lms.frame.locator("#lp-resume-continue").click()
    lms.content.wait_for_function("() => location.hash === '#/first-steps/quiz'")
    assert lms.current_page() == "first-steps/quiz"
    assert lms.frame.locator('form[data-question="first-steps/pick-b"] input[value="b"]').is_checked()
    assert lms.errors() == []
    lms.page.click("#pv-reset")
    lms.expect_model(api.entry, "ab-initio")
    lms.wait_ready()
    assert lms.current_page() == "first-steps/welcome" and lms.frame.locator("#lp-resume").is_hidden()
    assert not lms.frame.locator('form[data-question="first-steps/pick-b"] input[value="b"]').is_checked()


def test_refused_commits_show_the_notice_then_deliver(lms, api):
    lms.page.check("#pv-refuse-commits")
    lms.next()
    lms.frame.locator("#lp-notice").get_by_text(SAVE_FAILED).wait_for()
    assert "lp-save-failed" in lms.frame.locator("#lp-save").get_attribute("class")
    refused = [c for c in lms.errors() if c.startswith(f'{api.commit}("") → "false"')]
    assert refused and f"[error {api.refused}: the LMS refused" in refused[0]
    doing = next(p.key for p in lms.server.builder.sets["every-block"].units[0].data.pages
                 if p.id == "first-steps/doing")
    assert doing not in lms.record()["values"]["cmi.suspend_data"]
    lms.page.uncheck("#pv-refuse-commits")
    lms.frame.locator("#lp-save").get_by_text(SAVED).wait_for(timeout=15000)
    assert lms.frame.locator("#lp-notice").inner_text() == ""
    record = lms.record()
    assert doing in json.loads(record["values"]["cmi.suspend_data"])["p"]
    assert record["values"][api.location] == "first-steps/doing"


# (label, "live" session or a "fresh" API never initialized, method, arguments, answer, error code)
REFUSALS = {
    "scorm12": [
        ("status done", "live", "LMSSetValue", ["cmi.core.lesson_status", "done"], "false", "405"),
        ("status not attempted", "live", "LMSSetValue", ["cmi.core.lesson_status", "not attempted"], "false", "405"),
        ("set learner id", "live", "LMSSetValue", ["cmi.core.student_id", "someone-else"], "false", "403"),
        ("get exit", "live", "LMSGetValue", ["cmi.core.exit"], "", "404"),
        ("get session_time", "live", "LMSGetValue", ["cmi.core.session_time"], "", "404"),
        ("set _children", "live", "LMSSetValue", ["cmi.core._children", "x"], "false", "402"),
        ("count of a leaf", "live", "LMSGetValue", ["cmi.core._count"], "", "203"),
        ("children of a leaf", "live", "LMSGetValue", ["cmi.core.lesson_status._children"], "", "202"),
        ("the other version's name", "live", "LMSGetValue", ["cmi.location"], "", "401"),
        ("unknown", "live", "LMSGetValue", ["cmi.core.nickname"], "", "201"),
        ("session time format", "live", "LMSSetValue", ["cmi.core.session_time", "0:00:05"], "false", "405"),
        ("location over its limit", "live", "LMSSetValue", ["cmi.core.lesson_location", "x" * 256], "false", "405"),
        ("suspend_data over its limit", "live", "LMSSetValue", ["cmi.suspend_data", "x" * 4097], "false", "405"),
        ("score out of range", "live", "LMSSetValue", ["cmi.core.score.raw", "101"], "false", "405"),
        ("interaction gap", "live", "LMSSetValue", ["cmi.interactions.5.id", "q"], "false", "201"),
        ("commit argument", "live", "LMSCommit", ["now"], "false", "201"),
        ("second initialize", "live", "LMSInitialize", [""], "false", "101"),
        ("before initialize", "fresh", "LMSGetValue", ["cmi.core.student_id"], "", "301"),
    ],
    "scorm2004": [
        ("status done", "live", "SetValue", ["cmi.completion_status", "done"], "false", "406"),
        ("status from the other vocabulary", "live", "SetValue", ["cmi.success_status", "completed"], "false", "406"),
        ("set learner id", "live", "SetValue", ["cmi.learner_id", "someone-else"], "false", "404"),
        ("get exit", "live", "GetValue", ["cmi.exit"], "", "405"),
        ("get session_time", "live", "GetValue", ["cmi.session_time"], "", "405"),
        ("set _children", "live", "SetValue", ["cmi.interactions._children", "x"], "false", "404"),
        ("count of a leaf", "live", "GetValue", ["cmi.location._count"], "", "301"),
        ("children of a leaf", "live", "GetValue", ["cmi.location._children"], "", "301"),
        ("the other version's name", "live", "GetValue", ["cmi.core.lesson_location"], "", "401"),
        ("unknown", "live", "GetValue", ["cmi.nickname"], "", "401"),
        ("session time format", "live", "SetValue", ["cmi.session_time", "00:00:05"], "false", "406"),
        ("location over its limit", "live", "SetValue", ["cmi.location", "x" * 1001], "false", "406"),
        ("suspend_data over its limit", "live", "SetValue", ["cmi.suspend_data", "x" * 64001], "false", "406"),
        ("score out of range", "live", "SetValue", ["cmi.score.scaled", "1.5"], "false", "407"),
        ("interaction gap", "live", "SetValue", ["cmi.interactions.5.id", "q"], "false", "351"),
        ("commit argument", "live", "Commit", ["now"], "false", "201"),
        ("second initialize", "live", "Initialize", [""], "false", "103"),
        ("before initialize", "fresh", "GetValue", ["cmi.learner_id"], "", "122"),
    ],
}
# The panel's diagnostic for "status done": (error code, what it says)
VOCABULARY_DIAGNOSTIC = {"scorm12": ("405", "is not one of: passed, completed, failed, incomplete, browsed"),
                         "scorm2004": ("406", "is not one of: completed, incomplete, not attempted, unknown")}
# With relaxed limits: suspend_data just over the strict limit, then far over the relaxed one (SCORM 2004: none)
RELAXED = {"scorm12": [("suspend_data 4,097", "live", "LMSSetValue", ["cmi.suspend_data", "x" * 4097], "true", "0"),
                       ("suspend_data 64,001", "live", "LMSSetValue", ["cmi.suspend_data", "x" * 64001], "false",
                        "405"),
                       ("finish", "live", "LMSFinish", [""], "true", "0"),
                       ("after finish", "live", "LMSGetValue", ["cmi.core.student_id"], "", "101")],
           "scorm2004": [("suspend_data 64,001", "live", "SetValue", ["cmi.suspend_data", "x" * 64001], "true", "0"),
                         ("suspend_data 200,000", "live", "SetValue", ["cmi.suspend_data", "x" * 200000], "true",
                          "0"),
                         ("finish", "live", "Terminate", [""], "true", "0"),
                         ("after finish", "live", "GetValue", ["cmi.learner_id"], "", "123")]}
RUN_CASES = """([api, apiClass, lastError, cases]) => {
    const live = window[api];
    const fresh = new window[apiClass]({}, { onCall() {}, persist() {}, controls: () => ({}) });
    return cases.map(([label, which, method, args]) => {
        const target = which === "fresh" ? fresh : live;
        return [label, which, method, args, target[method](...args), target[lastError]()];
    });
}"""


def run_cases(lms: Lms, api: Api, cases: list) -> list:
    """Each case's call, made in the LMS page, with what it answered and the API's last error."""
    sent = [list(case[:4]) for case in cases]
    answered = lms.page.evaluate(RUN_CASES, [api.global_name, lms.server.side.info()["apiClass"], api.last_error, sent])
    return [tuple(case) for case in answered]


def test_the_api_rejects_invalid_values_with_the_right_error_codes(lms, api):
    fmt = lms.server.builder.format.name
    assert run_cases(lms, api, REFUSALS[fmt]) == [tuple(case) for case in REFUSALS[fmt]]
    code, message = VOCABULARY_DIAGNOSTIC[fmt]
    bad = lms.page.locator(f'#pv-calls li[data-error="{code}"]').filter(has_text='"done"')
    assert message in bad.inner_text()
    lms.page.select_option("#pv-limits", "relaxed")
    assert lms.page.locator("#pv-limits option:checked").inner_text() == lms.server.side.info()["limits"]["relaxed"]
    assert run_cases(lms, api, RELAXED[fmt]) == [tuple(case) for case in RELAXED[fmt]]


def test_a_whole_run_passes_the_strict_api_and_explain_reads_back_what_it_did(lms, api):
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
    lms.page.locator(f"#pv-session[data-state={api.ended}]").wait_for()
    assert lms.errors() == [], f"the runtime broke a {lms.server.side.info()['title']} rule"
    values = lms.record()["values"]
    assert {name: values.get(name) for name in api.finished} == api.finished
    assert values["cmi.interactions.2.result"] == "correct"
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


# ---- SCORM 2004 only --------------------------------------------------------------------------------------------

SCORM2004 = pytest.mark.parametrize("api_preview", ["scorm2004"], indirect=True)
ON_A_FRESH_API = """([model, calls, controls]) => {
    const stored = [], navigated = [];
    const api = new PreviewScorm2004API(model, { onCall() {}, controls: () => controls,
        persist(values, final) { stored.push([values, final]); }, navigable: request => request === "continue",
        navigate(request) { navigated.push(request); } });
    const answers = calls.map(([method, ...args]) => [method, ...args, api[method](...args), api.GetLastError()]);
    return { answers, stored, navigated };
}"""
LAUNCHED = {"cmi.learner_id": "learner-1", "cmi.completion_status": "unknown", "cmi.success_status": "unknown",
            "cmi.entry": "ab-initio", "adl.nav.request": "_none_"}


def on_a_fresh_api(lms: Lms, calls: list, model: dict | None = None, relaxed: bool = False) -> dict:
    """Make ``calls`` ([method, *args, answer, code]) on a new SCORM 2004 API in the LMS page; what each answered."""
    sent = [call[:-2] for call in calls]
    result = lms.page.evaluate(ON_A_FRESH_API, [model or LAUNCHED, sent, {"relaxed": relaxed}])
    result["answers"] = [tuple(answer) for answer in result["answers"]]
    return result


def expected(calls: list) -> list:
    return [tuple(call) for call in calls]


@SCORM2004
def test_scorm2004_session_states_answer_with_their_own_codes(lms):
    calls = [["Terminate", "", "false", "112"], ["GetValue", "cmi.learner_id", "", "122"],
             ["SetValue", "cmi.location", "x", "false", "132"], ["Commit", "", "false", "142"],
             ["Initialize", "now", "false", "201"], ["Initialize", "", "true", "0"], ["Initialize", "", "false", "103"],
             ["GetValue", "", "", "301"], ["SetValue", "", "x", "false", "351"], ["Terminate", "now", "false", "201"],
             ["Terminate", "", "true", "0"], ["Terminate", "", "false", "113"],
             ["GetValue", "cmi.learner_id", "", "123"], ["SetValue", "cmi.location", "x", "false", "133"],
             ["Commit", "", "false", "143"], ["Initialize", "", "false", "104"],
             ["GetErrorString", "104", "Content Instance Terminated", "104"],
             ["GetDiagnostic", "", "the session has terminated; relaunch to start another", "104"]]
    result = on_a_fresh_api(lms, calls)
    assert result["answers"] == expected(calls)
    assert [final for _, final in result["stored"]] == [True], "one Terminate stored the session, once"


@SCORM2004
def test_scorm2004_elements_answer_403_to_408_and_351(lms):
    interaction = "cmi.interactions.0"
    calls = [
        ["Initialize", "", "true", "0"],
        ["GetValue", "cmi.location", "", "403"], ["GetValue", "cmi.suspend_data", "", "403"],
        ["GetValue", "cmi.score.raw", "", "403"], ["GetValue", "cmi.scaled_passing_score", "", "403"],
        ["SetValue", "cmi.credit", "no-credit", "false", "404"], ["SetValue", "cmi.entry", "resume", "false", "404"],
        ["SetValue", "cmi.interactions._count", "1", "false", "404"], ["SetValue", "cmi._version", "2", "false", "404"],
        ["SetValue", "adl.nav.request_valid.continue", "true", "false", "404"],
        ["GetValue", "cmi.exit", "", "405"], ["GetValue", "cmi.session_time", "", "405"],
        ["SetValue", "cmi.score.raw", "lots", "false", "406"],
        ["SetValue", "cmi.score.raw", "1.12345678", "false", "406"],  # real(10,7): at most 7 decimals
        ["SetValue", "cmi.exit", "logged out", "false", "406"], ["SetValue", "cmi.session_time", "PT", "false", "406"],
        ["SetValue", "cmi.session_time", "PT1H2M3.456S", "false", "406"],
        ["SetValue", "cmi.session_time", "PT1H2M3.45S", "true", "0"],
        ["SetValue", "cmi.learner_preference.language", "en_GB", "false", "406"],
        ["SetValue", "cmi.learner_preference.language", "cy-GB", "true", "0"],
        ["SetValue", "cmi.learner_preference.audio_captioning", "2", "false", "406"],
        ["SetValue", "cmi.progress_measure", "1.2", "false", "407"],
        ["SetValue", "cmi.learner_preference.delivery_speed", "-1", "false", "407"],
        ["SetValue", "cmi.location", "x" * 1000, "true", "0"], ["GetValue", "cmi.location", "x" * 1000, "0"],
        ["SetValue", "adl.nav.request", "jump", "false", "406"],
        ["SetValue", "adl.nav.request", "{target=ITEM-2}choice", "true", "0"],
        ["SetValue", f"{interaction}.type", "choice", "false", "408"],
        ["SetValue", f"{interaction}.id", "urn:leadpack:set:q 1", "false", "406"],
        ["SetValue", f"{interaction}.id", "urn:lead_pack:q1", "false", "406"],
        ["SetValue", f"{interaction}.id", "urn:leadpack:set:q1", "true", "0"],
        ["SetValue", f"{interaction}.learner_response", "a", "false", "408"],
        ["SetValue", f"{interaction}.correct_responses.0.pattern", "a", "false", "408"],
        ["SetValue", f"{interaction}.type", "multiple-choice", "false", "406"],
        ["SetValue", f"{interaction}.type", "choice", "true", "0"],
        ["GetValue", f"{interaction}.result", "", "403"],
        ["SetValue", f"{interaction}.result", "wrong", "false", "406"],
        ["SetValue", f"{interaction}.result", "incorrect", "true", "0"],
        ["SetValue", f"{interaction}.timestamp", "2024-05-01T10:00:33Z", "false", "406"],
        ["SetValue", f"{interaction}.timestamp", "2039-05-01T10:00:33.5Z", "false", "406"],
        ["SetValue", f"{interaction}.timestamp", "2024-05-01T10:00:33.45Z", "true", "0"],
        ["SetValue", f"{interaction}.latency", "00:00:05", "false", "406"],
        ["SetValue", f"{interaction}.description", "{lang=en-GB}Which letter comes second?", "true", "0"],
        ["SetValue", f"{interaction}.description", "x" * 251, "false", "406"],
        ["SetValue", f"{interaction}.id", "urn:leadpack:set:q2", "false", "351"],
        ["SetValue", "cmi.interactions.1.id", "urn:leadpack:set:q1", "true", "0"],  # repeated ids: journaling
        ["SetValue", "cmi.interactions.3.id", "urn:leadpack:set:q3", "false", "351"],
        ["GetValue", "cmi.interactions.2.id", "", "301"], ["GetValue", "cmi.interactions._count", "2", "0"],
        ["GetValue", "cmi.score._children", "scaled,raw,min,max", "0"], ["GetValue", "cmi.score._count", "", "301"],
        ["GetValue", "cmi.core.score.raw", "", "401"], ["GetValue", "cmi.interactions.0.student_response", "", "401"],
        ["SetValue", "cmi.objectives.0.id", "obj-1", "true", "0"],
        ["SetValue", "cmi.objectives.1.id", "obj-1", "false", "351"],
        ["SetValue", "cmi.objectives.1.score.scaled", "0.5", "false", "408"],
    ]
    assert on_a_fresh_api(lms, calls)["answers"] == expected(calls)
    diagnostics = on_a_fresh_api(lms, [["Initialize", "", "true", "0"],
                                       ["GetValue", "cmi.core.lesson_location", "", "401"],
                                       ["GetDiagnostic", "", "", "401"]])["answers"]
    assert "is a SCORM 1.2 element; this is a SCORM 2004 LMS: use cmi.location" in diagnostics[-1][2]


# (interaction type, learner_response or pattern, which, accepted)
RESPONSES = [
    ("true-false", "true", "learner_response", True), ("true-false", "t", "learner_response", False),
    ("choice", "a[,]c", "learner_response", True), ("choice", "a,c", "learner_response", False),
    ("choice", "a[,]a", "learner_response", False), ("choice", "b", "correct_responses.0.pattern", True),
    ("fill-in", "{lang=en}library[,]archive", "learner_response", True),
    ("fill-in", "{case_matters=true}{order_matters=false}Library", "correct_responses.0.pattern", True),
    ("fill-in", "x" * 251, "learner_response", False),
    ("long-fill-in", "x" * 4000, "learner_response", True), ("long-fill-in", "x" * 4001, "learner_response", False),
    ("likert", "agree", "learner_response", True), ("likert", "agree[,]disagree", "learner_response", False),
    ("matching", "a[.]1[,]b[.]2", "learner_response", True), ("matching", "a.1", "learner_response", False),
    ("performance", "step_1[.]open[,][.]close", "learner_response", True),
    ("performance", "step 1[.]open", "learner_response", False),
    ("sequencing", "c[,]a[,]b", "learner_response", True),
    ("numeric", "3.5", "learner_response", True), ("numeric", "three", "learner_response", False),
    ("numeric", "1[:]5", "correct_responses.0.pattern", True), ("numeric", "[:]5", "correct_responses.0.pattern", True),
    ("numeric", "5[:]1", "correct_responses.0.pattern", False),
    ("other", "anything at all, with spaces", "learner_response", True),
]


@SCORM2004
def test_scorm2004_responses_are_checked_per_interaction_type(lms):
    for kind, response, element, accepted in RESPONSES:
        calls = [["Initialize", "", "true", "0"], ["SetValue", "cmi.interactions.0.id", "q1", "true", "0"],
                 ["SetValue", "cmi.interactions.0.type", kind, "true", "0"],
                 ["SetValue", f"cmi.interactions.0.{element}", response, *(["true", "0"] if accepted else
                                                                             ["false", "406"])]]
        assert on_a_fresh_api(lms, calls)["answers"] == expected(calls), (kind, response)
    too_many = [["Initialize", "", "true", "0"], ["SetValue", "cmi.interactions.0.id", "q1", "true", "0"],
                ["SetValue", "cmi.interactions.0.type", "true-false", "true", "0"],
                ["SetValue", "cmi.interactions.0.correct_responses.0.pattern", "true", "true", "0"],
                ["SetValue", "cmi.interactions.0.correct_responses.1.pattern", "false", "false", "351"]]
    assert on_a_fresh_api(lms, too_many)["answers"] == expected(too_many)
    relaxed = [["Initialize", "", "true", "0"], ["SetValue", "cmi.interactions.0.id", "q1", "true", "0"],
               ["SetValue", "cmi.interactions.0.type", "choice", "true", "0"],
               ["SetValue", "cmi.interactions.0.learner_response", "urn:x:a,1[,]b", "true", "0"]]
    assert on_a_fresh_api(lms, relaxed, relaxed=True)["answers"] == expected(relaxed)


@SCORM2004
def test_scorm2004_the_lms_judges_completion_and_success_from_the_launch(lms):
    judged = {**LAUNCHED, "cmi.completion_threshold": "0.8", "cmi.scaled_passing_score": "0.5"}
    calls = [["Initialize", "", "true", "0"],
             ["SetValue", "cmi.completion_status", "completed", "true", "0"],
             ["SetValue", "cmi.success_status", "passed", "true", "0"],
             ["GetValue", "cmi.completion_status", "unknown", "0"],  # no progress_measure yet, whatever the SCO says
             ["GetValue", "cmi.success_status", "unknown", "0"],  # no score.scaled yet
             ["SetValue", "cmi.progress_measure", "0.75", "true", "0"],
             ["SetValue", "cmi.score.scaled", "0.4", "true", "0"],
             ["GetValue", "cmi.completion_status", "incomplete", "0"],
             ["GetValue", "cmi.success_status", "failed", "0"],
             ["SetValue", "cmi.progress_measure", "0.8", "true", "0"],
             ["SetValue", "cmi.score.scaled", "0.5", "true", "0"],
             ["GetValue", "cmi.completion_status", "completed", "0"], ["GetValue", "cmi.success_status", "passed", "0"],
             ["SetValue", "cmi.score.scaled", "0.2", "true", "0"],
             ["Terminate", "", "true", "0"]]
    result = on_a_fresh_api(lms, calls, judged)
    assert result["answers"] == expected(calls)
    stored, final = result["stored"][0]
    assert final and stored["cmi.completion_status"] == "completed" and stored["cmi.success_status"] == "failed"
    # Without a threshold or passing score, what the SCO says stands.
    own = [["Initialize", "", "true", "0"], ["SetValue", "cmi.success_status", "passed", "true", "0"],
           ["SetValue", "cmi.score.scaled", "0.1", "true", "0"], ["GetValue", "cmi.success_status", "passed", "0"]]
    assert on_a_fresh_api(lms, own)["answers"] == expected(own)


@SCORM2004
def test_scorm2004_refused_commits_leave_the_session_open(lms):
    lms.page.check("#pv-refuse-commits")
    answers = lms.page.evaluate("""() => [API_1484_11.Commit(""), API_1484_11.GetLastError(),
        API_1484_11.Terminate(""), API_1484_11.GetLastError(), API_1484_11.preview.session()]""")
    assert answers == ["false", "391", "false", "391", "running"]
    lms.page.uncheck("#pv-refuse-commits")
    assert lms.page.evaluate("() => [API_1484_11.Terminate(''), API_1484_11.preview.session()]") == [
        "true", "terminated"]


@pytest.fixture
def module_preview(tmp_path):
    """A SCORM 2004 preview of the fixture course built with one SCO per module."""
    course = shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    with (course / "leadpack.toml").open("a") as toml:
        toml.write('\n[build]\nsco_per = "module"\n')
    with PreviewServer(course, format_name="scorm2004") as server:
        yield server


def test_scorm2004_nav_request_continue_opens_the_next_module_sco(page, module_preview):
    assert [u.id for u in module_preview.builder.sets["every-block"].units] == ["first-steps", "second-steps"]
    lms = Lms(page, module_preview).open()
    assert page.evaluate("() => API_1484_11.GetValue('adl.nav.request_valid.continue')") == "true"
    assert page.evaluate("() => API_1484_11.GetValue('adl.nav.request_valid.previous')") == "false"
    lms.next()
    lms.next()
    lms.answer("first-steps/pick-b", "b")  # with a pass mark, completing the module takes its checks answered
    lms.answer("first-steps/which-of-these-are-vowels", "ac")
    lms.next()
    lms.next()
    assert lms.current_page() == "finish"  # the module's results page, after its reflections page
    lms.frame.locator("#lp-next").click()  # the package sets adl.nav.request "continue" and terminates
    page.locator("#pv-session").filter(has_text="Launch 2").wait_for()
    lms.wait_ready()
    assert page.locator("#pv-unit").input_value() == "second-steps"
    assert lms.current_page() == module_preview.builder.sets["every-block"].unit("second-steps").data.pages[0].id
    assert page.evaluate("() => API_1484_11.GetValue('adl.nav.request_valid.continue')") == "false"
    lms.settled()
    first = get(module_preview, "/api/record?set=every-block&unit=first-steps&learner=learner-1")
    assert first["values"]["adl.nav.request"] == "continue"
    assert first["values"]["cmi.completion_status"] == "completed" and first["values"]["cmi.exit"] == "normal"
    assert get(module_preview, "/api/record?set=every-block&unit=second-steps&learner=learner-1")["launches"] == 1
    assert lms.errors() == []


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
