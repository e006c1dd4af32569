"""A strict test LMS for SCORM content: scorm-again's Scorm12API or Scorm2004API in a parent page, our package in an
iframe. ``Dialect`` says which (``SCORM12``, ``SCORM2004``): the API's global name and class, its method names and
the suspend_data limit.

scorm-again 3.4 accepts calls after the session has finished (LMSFinish, Terminate) and suspend_data over the
standard's limit, so this page wraps its API and flags both itself (``window.lmsFlags``). It also logs every call
(``window.lmsLog``: ``[method, element, value, result, error code]``), snapshots the data model at every
successful commit and at finish (``window.lmsCommits``), can refuse commits (``window.lmsControl.failCommits``)
and can pretend optional elements are unsupported (``window.lmsControl.unsupported``, answered with error 401).
``window.__lmsControl`` (an init script) sets these before the content starts.

Stored data for a relaunch is passed through ``window.__lmsStored`` (an init script), loaded with scorm-again's
``loadFromJSON`` before the session starts, as an LMS would from its database.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from tests.conftest import unzip
from tests.support import SCORM12_JS, SCORM2004_JS
from tests.support.learner_page import READY, press_next, visible_page


class Outcome(NamedTuple):
    """What a session left in the LMS, in SCORM 2004's words (SCORM 1.2's one lesson_status read as both)."""

    completion: str
    success: str
    score_raw: str
    exit: str  # as the version spells it: an ended attempt is "" in 1.2, "normal" in 2004
    location: str


class Scorm12Model:
    """Where SCORM 1.2 keeps each tracked fact (cmi.core.*) and what an LMS hands back on relaunch."""

    tracking_elements = frozenset({"cmi.core.lesson_status", "cmi.core.score.raw", "cmi.core.exit"})
    success_element = "cmi.core.lesson_status"
    ended_exit = ""
    wrong_result = "wrong"  # cmi.interactions.n.result

    def outcome(self, cmi: dict) -> Outcome:
        core = cmi["core"]
        status = core["lesson_status"]
        completion = "completed" if status in ("passed", "failed", "completed") else status
        success = status if status in ("passed", "failed") else "unknown"
        return Outcome(completion, success, core["score"]["raw"], core.get("exit", ""),
                       core.get("lesson_location", ""))

    def interactions(self, cmi: dict) -> list[dict]:
        return _listed(cmi.get("interactions", {}))

    def learner(self) -> dict:
        """The LMS's record for a first launch by a named learner."""
        return {"core": {"student_name": LEARNER_NAME, "student_id": LEARNER_ID}}

    def stored_after(self, cmi: dict, before: dict | None) -> dict:
        """The LMS's record for a new session after this one (launched with ``before``): the same learner, the
        bookmark, status, score, saved state and entry."""
        core = cmi["core"]
        same = {key: value for key, value in (before or {}).get("core", {}).items() if key in ("student_id",
                                                                                             "student_name")}
        score = {"score": core["score"]} if core.get("score", {}).get("raw") else {}
        return {"core": {**same, "lesson_location": core.get("lesson_location", ""),
                         "lesson_status": core["lesson_status"], **score,
                         "entry": "resume" if core.get("exit") == "suspend" else ""},
                "suspend_data": cmi.get("suspend_data", "")}

    def stored_in_mode(self, mode: str, record: dict | None = None) -> dict:
        """A launch in ``mode`` ("browse", "review"), of ``record`` or of a course never attempted."""
        record = record or {"core": {"lesson_status": "not attempted"}, "suspend_data": ""}
        return {**record, "core": {**record["core"], "lesson_mode": mode}}

    def is_error(self, entry: list) -> bool:
        """A refused call ("false"; a value read is never one: an element may hold the word)."""
        return entry[3] == "false" and entry[0] != "LMSGetValue"


class Scorm2004Model:
    """Where SCORM 2004 keeps each tracked fact (cmi.*) and what an LMS hands back on relaunch."""

    tracking_elements = frozenset({"cmi.completion_status", "cmi.success_status", "cmi.score.scaled", "cmi.exit"})
    success_element = "cmi.success_status"
    ended_exit = "normal"
    wrong_result = "incorrect"
    # Reading an element the LMS has not set yet answers 403 ("not initialized"): normal on a first launch.
    unset = re.compile(r"^cmi\.(location|suspend_data|score\.\w+|scaled_passing_score|progress_measure)$")

    def outcome(self, cmi: dict) -> Outcome:
        return Outcome(cmi["completion_status"], cmi["success_status"], cmi["score"]["raw"], cmi.get("exit", ""),
                       cmi.get("location", ""))

    def interactions(self, cmi: dict) -> list[dict]:
        return _listed(cmi.get("interactions", {}))

    def learner(self) -> dict:
        """The LMS's record for a first launch by a named learner."""
        return {"learner_name": LEARNER_NAME, "learner_id": LEARNER_ID}

    def stored_after(self, cmi: dict, before: dict | None) -> dict:
        """The LMS's record for a new session after this one (launched with ``before``): the same learner, what
        the session recorded (score included), and "resume" after an exit with "suspend"."""
        same = {key: value for key, value in (before or {}).items() if key in ("learner_id", "learner_name")}
        kept = {key: cmi[key] for key in ("location", "suspend_data", "completion_status", "success_status",
                                          "score", "interactions") if cmi.get(key)}
        return {**same, **kept, "entry": "resume" if cmi.get("exit") == "suspend" else ""}

    def stored_in_mode(self, mode: str, record: dict | None = None) -> dict:
        """A launch in ``mode`` ("browse", "review"), of ``record`` or of a course never attempted."""
        return {**(record or {}), "mode": mode}

    def is_error(self, entry: list) -> bool:
        """A refused call (a value read is never one: adl.nav.request_valid.* reads "false"), or an error code
        other than a first read of an unset element."""
        return entry[3] == "false" and entry[0] != "GetValue" or entry[4] != "0" and not (
            entry[0] == "GetValue" and entry[4] == "403" and self.unset.match(entry[1] or ""))


def _listed(interactions: dict | list) -> list[dict]:
    """scorm-again renders interactions as an object keyed by index or as a list, depending on the version."""
    return list(interactions.values()) if isinstance(interactions, dict) else list(interactions)


LEARNER_ID = "learner-1"
LEARNER_NAME = "Jones, Ffion"


@dataclass(frozen=True)
class Dialect:
    """One SCORM version as the test LMS page speaks it."""

    name: str  # the leadpack format that speaks it
    script: Path  # scorm-again's build of that version
    api: str  # the global the content looks for
    api_class: str
    initialize: str
    finish: str
    get: str
    set: str
    commit: str
    last_error: str
    others: tuple[str, ...]
    suspend_limit: int
    model: Scorm12Model | Scorm2004Model

    def config(self) -> str:
        return json.dumps({"api": self.api, "apiClass": self.api_class, "initialize": self.initialize,
                           "finish": self.finish, "get": self.get, "set": self.set, "commit": self.commit,
                           "lastError": self.last_error, "others": list(self.others),
                           "suspendLimit": self.suspend_limit})


SCORM12 = Dialect("scorm12", SCORM12_JS, "API", "Scorm12API", "LMSInitialize", "LMSFinish", "LMSGetValue",
                  "LMSSetValue", "LMSCommit", "LMSGetLastError", ("LMSGetErrorString", "LMSGetDiagnostic"), 4096,
                  Scorm12Model())
SCORM2004 = Dialect("scorm2004", SCORM2004_JS, "API_1484_11", "Scorm2004API", "Initialize", "Terminate", "GetValue",
                    "SetValue", "Commit", "GetLastError", ("GetErrorString", "GetDiagnostic"), 64000,
                    Scorm2004Model())
DIALECTS = {dialect.name: dialect for dialect in (SCORM12, SCORM2004)}


LMS_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test LMS</title>
<script src="scorm.js"></script>
<script>
(function () {
  var dialect = __DIALECT__;
  var real = new window[dialect.apiClass]({ autocommit: false, logLevel: 5 });
  var stored = window.__lmsStored || null;
  if (stored) real.loadFromJSON(stored);
  var log = window.lmsLog = [], flags = window.lmsFlags = [], commits = window.lmsCommits = [];
  var control = window.lmsControl = Object.assign({ failCommits: false, unsupported: [] }, window.__lmsControl || {});
  var finished = false, forced = null;
  window.lmsReal = real;
  function snapshot(kind) {
    var data = JSON.parse(JSON.stringify(real.renderCommitCMI(true)));
    commits.push({ kind: kind, data: data });
  }
  var always = [dialect.lastError].concat(dialect.others);
  function call(name, a, b) {
    if (finished && always.indexOf(name) < 0) {
      flags.push("call after " + dialect.finish + ": " + name + "(" + (a || "") + ")");
    }
    if (name === dialect.set && a === "cmi.suspend_data" && String(b).length > dialect.suspendLimit) {
      flags.push("suspend_data over " + dialect.suspendLimit + " characters: " + String(b).length);
    }
    var result;
    if (name === dialect.lastError && forced) { result = forced; }
    else if (name === dialect.commit && control.failCommits) { forced = "101"; result = "false"; }
    else if ((name === dialect.get || name === dialect.set) && control.unsupported.indexOf(a) >= 0) {
      forced = "401"; result = name === dialect.set ? "false" : "";
    } else {
      if (name !== dialect.lastError) forced = null;
      result = String(real[name](a, b));
    }
    var code = forced || String(real[dialect.lastError]());
    if (name !== dialect.lastError) log.push([name, a === undefined ? null : a, b === undefined ? null : b, result,
                                              code]);
    if (name === dialect.commit && result === "true") snapshot("commit");
    if (name === dialect.finish) { if (result === "true") snapshot("finish"); finished = true; }
    return result;
  }
  var api = window[dialect.api] = {};
  var methods = [dialect.initialize, dialect.finish, dialect.get, dialect.set, dialect.commit].concat(always);
  methods.forEach(function (name) { api[name] = function (a, b) { return call(name, a, b); }; });
})();
</script></head>
<body><h1>Test LMS</h1>
<iframe id="sco" name="sco" title="Course" style="width:1200px;height:900px" src="../pkg/__LAUNCH__"></iframe>
</body></html>
"""


@dataclass
class LmsRun:
    """Drives one launch of a SCORM package inside the test LMS."""

    page: object
    site: object
    launch: str = "index.html"
    stored: dict | None = None
    extra_headers: dict = field(default_factory=dict)
    popup: bool = False  # launch in a new window, as Moodle's "New window" display does
    window: object = None
    dialect: Dialect = SCORM12

    def open(self) -> None:
        root = Path(self.site.directory)
        lms = root / "lms"
        lms.mkdir(exist_ok=True)
        shutil.copy(self.dialect.script, lms / "scorm.js")
        page = LMS_HTML.replace("__DIALECT__", self.dialect.config())
        (lms / "index.html").write_text(page.replace("../pkg/__LAUNCH__", "about:blank" if self.popup
                                                     else "../pkg/" + self.launch))
        self.site.headers["/lms/index.html"] = {"Permissions-Policy": "unload=()", **self.extra_headers}
        if self.stored is not None:
            self.page.add_init_script(f"window.__lmsStored = {json.dumps(self.stored)};")
        self.page.goto(self.site.url + "lms/index.html")
        if self.popup:
            with self.page.expect_popup() as opened:
                self.page.evaluate(f"window.open('../pkg/{self.launch}', 'sco-window')")
            self.window = opened.value
        self.frame.wait_for_function(READY)

    @property
    def frame(self):
        if self.window is not None:
            return self.window.main_frame
        return self.page.frame("sco") or self.page.frames[1]

    def evaluate(self, script: str, arg=None):
        return self.page.evaluate(script, arg)

    def log(self) -> list:
        return self.evaluate("window.lmsLog")

    def flags(self) -> list:
        return self.evaluate("window.lmsFlags")

    def commits(self) -> list:
        return self.evaluate("window.lmsCommits")

    def wait_for_commit(self, holds: str, arg=None, timeout_ms: int = 20000) -> dict:
        """The first data model the LMS committed that ``holds`` (a JS function of the cmi object and ``arg``),
        waited for: the content commits in batches, a few seconds apart, so the default is generous."""
        found = self.page.wait_for_function(
            f"arg => window.lmsCommits.map(c => c.data.cmi).filter(cmi => ({holds})(cmi, arg))[0]", arg=arg,
            timeout=timeout_ms)
        return found.json_value()

    def last_data(self) -> dict:
        commits = self.commits()
        assert commits, "nothing was committed"
        return commits[-1]["data"]["cmi"]

    def outcome(self) -> Outcome:
        return self.dialect.model.outcome(self.last_data())

    def success_history(self) -> list[str]:
        """Every pass/fail status the package set in the LMS, in order."""
        return [entry[2] for entry in self.log() if entry[0] == self.dialect.set
                and entry[1] == self.dialect.model.success_element and entry[2] in ("passed", "failed")]

    def interactions(self) -> list[dict]:
        return self.dialect.model.interactions(self.last_data())

    def stored_for_relaunch(self) -> dict:
        return self.dialect.model.stored_after(self.last_data(), self.stored)

    def assert_clean(self) -> None:
        """Every call succeeded and the LMS flagged nothing (no call after finish, no oversized suspend_data)."""
        assert self.flags() == []
        assert [entry for entry in self.log() if self.dialect.model.is_error(entry)] == []

    def close(self) -> None:
        """The LMS removes the frame, as Moodle does when the learner leaves the player (or the learner closes
        the content's window)."""
        if self.window is not None:
            self.window.close(run_before_unload=True)
            self.page.wait_for_timeout(100)
            return
        self.evaluate("document.getElementById('sco').remove()")
        self.page.wait_for_timeout(100)

    def course_data(self) -> dict:
        return json.loads(self.frame.locator("#lp-data").text_content())

    def current_page(self) -> str:
        return visible_page(self.frame)

    def answer_visible_questions(self, correct: bool = True) -> int:
        data = {q["id"]: q for q in self.course_data()["questions"]}
        forms = self.frame.locator(".lp-page:not([hidden]) form.lp-question")
        for index in range(forms.count()):
            form = forms.nth(index)
            if form.locator("button[type=submit]").is_hidden():
                continue  # answered in an earlier session
            question = data[form.get_attribute("data-question")]
            keys = question["correct"] if correct else _wrong(question)
            for key in keys:
                form.locator(f'input[value="{key}"]').check()
            form.locator("button[type=submit]").click()
        return forms.count()

    def write_visible_reflections(self, text: str) -> int:
        areas = self.frame.locator(".lp-page:not([hidden]) [data-reflection]:not(.lp-action-plan) textarea")
        for index in range(areas.count()):
            areas.nth(index).fill(text)
            areas.nth(index).blur()
        return areas.count()

    def next(self) -> None:
        press_next(self.frame)

    def next_unit(self) -> None:
        """Next at the end of a module SCO: the package asks the LMS for the next one and ends its session."""
        self.frame.locator("#lp-next").click()
        self.page.wait_for_function(f"window.lmsLog.some(entry => entry[0] === {json.dumps(self.dialect.finish)})")

    def walk(self, correct: bool = True, reflection: str = "", stop_after: int | None = None) -> list[str]:
        """Visit pages in order with Next from the one shown, answering and reflecting on each, and press Next on
        the last (to the reflections page) unless ``stop_after`` pages were seen first; returns the page ids seen."""
        seen = []
        pages = [p["id"] for p in self.course_data()["pages"]]
        if self.current_page() == "start":  # a first launch opens at the set's start page
            self.next()
        shown = self.current_page()
        for number in range(len(pages) - (pages.index(shown) if shown in pages else 0)):
            seen.append(self.current_page())
            self.answer_visible_questions(correct)
            if reflection:
                self.write_visible_reflections(reflection)
            if stop_after is not None and number + 1 >= stop_after:
                break
            self.next()
        return seen


def _wrong(question: dict) -> str:
    wrong = [key for key in question["options"] if key not in question["correct"]]
    return wrong[0]


def launch(page, site, zip_path: Path, dialect: Dialect = SCORM12, stored: dict | None = None,
           launch_file: str = "index.html") -> LmsRun:
    """Install a package on the test site and open it in the test LMS, past the package's first page load."""
    install_package(zip_path, site)
    run = LmsRun(page, site, launch=launch_file, stored=stored, dialect=dialect)
    run.open()
    return run


def install_package(zip_path: Path, site) -> Path:
    target = Path(site.directory) / "pkg"
    if target.exists():
        shutil.rmtree(target)
    return unzip(zip_path, target)
