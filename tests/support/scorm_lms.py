"""A strict test LMS for SCORM 1.2 content: scorm-again's Scorm12API in a parent page, our package in an iframe.

scorm-again 3.4 in SCORM 1.2 mode accepts calls after LMSFinish and suspend_data over 4,096 characters, so this
page wraps its API and flags both itself (``window.lmsFlags``). It also logs every call with its result
(``window.lmsLog``), snapshots the data model at every successful commit and at finish (``window.lmsCommits``),
can refuse commits (``window.lmsControl.failCommits``) and can pretend optional elements are unsupported
(``window.lmsControl.unsupported``, answered with error 401). ``window.__lmsControl`` (an init script) sets
these before the content starts.

Stored data for a relaunch is passed through ``window.__lmsStored`` (an init script), loaded with scorm-again's
``loadFromJSON`` before ``LMSInitialize`` as an LMS would from its database.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import unzip
from tests.support import SCORM12_JS
from tests.support.learner_page import press_next, visible_page

LMS_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test LMS</title>
<script src="scorm12.js"></script>
<script>
(function () {
  var real = new Scorm12API({ autocommit: false, logLevel: 5 });
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
  function call(name, a, b) {
    if (finished && !/^LMSGet(LastError|ErrorString|Diagnostic)$/.test(name)) {
      flags.push("call after LMSFinish: " + name + "(" + (a || "") + ")");
    }
    if (name === "LMSSetValue" && a === "cmi.suspend_data" && String(b).length > 4096) {
      flags.push("suspend_data over 4096 characters: " + String(b).length);
    }
    var result;
    if (name === "LMSGetLastError" && forced) { result = forced; }
    else if (name === "LMSCommit" && control.failCommits) { forced = "101"; result = "false"; }
    else if ((name === "LMSGetValue" || name === "LMSSetValue") && control.unsupported.indexOf(a) >= 0) {
      forced = "401"; result = name === "LMSSetValue" ? "false" : "";
    } else {
      if (name !== "LMSGetLastError") forced = null;
      result = String(real[name](a, b));
    }
    if (name !== "LMSGetLastError") log.push([name, a === undefined ? null : a, b === undefined ? null : b, result]);
    if (name === "LMSCommit" && result === "true") snapshot("commit");
    if (name === "LMSFinish") { if (result === "true") snapshot("finish"); finished = true; }
    return result;
  }
  window.API = {};
  ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError",
   "LMSGetErrorString", "LMSGetDiagnostic"].forEach(function (name) {
    window.API[name] = function (a, b) { return call(name, a, b); };
  });
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

    def open(self) -> None:
        root = Path(self.site.directory)
        lms = root / "lms"
        lms.mkdir(exist_ok=True)
        shutil.copy(SCORM12_JS, lms / "scorm12.js")
        (lms / "index.html").write_text(LMS_HTML.replace("../pkg/__LAUNCH__", "about:blank" if self.popup
                                                         else "../pkg/" + self.launch))
        self.site.headers["/lms/index.html"] = {"Permissions-Policy": "unload=()", **self.extra_headers}
        if self.stored is not None:
            self.page.add_init_script(f"window.__lmsStored = {json.dumps(self.stored)};")
        self.page.goto(self.site.url + "lms/index.html")
        if self.popup:
            with self.page.expect_popup() as opened:
                self.page.evaluate(f"window.open('../pkg/{self.launch}', 'sco-window')")
            self.window = opened.value
        self.frame.wait_for_function(  # the app has started: a page is counted, or resume is offered
            "document.getElementById('lp-page-count').textContent !== ''"
            " || !document.getElementById('lp-resume').hidden")

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

    def last_data(self) -> dict:
        commits = self.commits()
        assert commits, "nothing was committed"
        return commits[-1]["data"]["cmi"]

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
            question = data[form.get_attribute("data-question")]
            keys = question["correct"] if correct else _wrong(question)
            for key in keys:
                form.locator(f'input[value="{key}"]').check()
            form.locator("button[type=submit]").click()
        return forms.count()

    def write_visible_reflections(self, text: str) -> int:
        areas = self.frame.locator(".lp-page:not([hidden]) [data-reflection] textarea")
        for index in range(areas.count()):
            areas.nth(index).fill(text)
            areas.nth(index).blur()
        return areas.count()

    def next(self) -> None:
        press_next(self.frame)

    def walk(self, correct: bool = True, reflection: str = "", stop_after: int | None = None) -> list[str]:
        """Visit pages in order with Next, answering and reflecting on each; returns the page ids seen."""
        seen = []
        total = len(self.course_data()["pages"])
        for number in range(total):
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


def install_package(zip_path: Path, site) -> Path:
    target = Path(site.directory) / "pkg"
    if target.exists():
        shutil.rmtree(target)
    return unzip(zip_path, target)
