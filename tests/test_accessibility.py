"""Issue 7 acceptance: WCAG 2.2 AA in every built package, proven with axe-core, a keyboard and a 320 px screen.

Every page of every package of the course, in both formats, runs under its real adapter (SCORM 1.2 inside the
scorm-again test LMS, xAPI against a Ralph LRS) and is checked with axe-core's WCAG 2.0, 2.1 and 2.2 A and AA rules,
then again in states reached by interaction: an answered knowledge check, the reflections page with text, the
resume prompt and the notice shown when progress cannot be saved. The same sweep checks the heading outline, that
focus lands on each new page's h1 and that the change is announced.

Speed: one browser; one page per package, visited by hash without reloading; the SCORM and xAPI packages of a set
swept at the same time in two renderer processes (a machine with two cores).
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
import uuid
import zipfile
from pathlib import Path
from urllib.parse import quote, urlencode

import lxml.html
import pytest

from leadpack import formats
from tests.conftest import FIXTURE_COURSE, REPO, run_cli, unzip
from tests.support import AXE_JS, SCORM12_JS
from tests.support.fixtures import require_node_modules
from tests.support.http import StaticServer
from tests.support.ralph import RalphLRS
from tests.support.scorm_lms import LMS_HTML, SCORM12, LmsRun, install_package

SETS = sorted(p.name for p in (REPO / "content").iterdir() if (p / "set.toml").is_file())
ARTIFACTS = REPO / "tests" / "artifacts" / "accessibility"
READY = "body[data-started=true]"
PHONE = {"width": 320, "height": 640}  # CSS pixels: a phone, or a 1280-pixel screen at 400% zoom
SAVE_FAILED_SHOWN = "document.getElementById('lp-notice').textContent === LP.t('save_failed')"
# Notices reach screen readers: #lp-notice is a polite live region, present (and so watched) from the start.
NOTICE_IS_LIVE = "(n => n.getAttribute('role') === 'status' && n.getAttribute('aria-live') === 'polite' && " \
    "!n.closest('[hidden], [aria-hidden=true]'))(document.getElementById('lp-notice'))"
DATE = r"\d{1,2} \w+ \d{4}"  # today in the set's language (en-GB): 1 December 2026
LEARNER = {"objectType": "Agent", "name": "Ffion Jones", "mbox": "mailto:ffion.jones@example.org"}

# In-page helpers, injected after axe-core. lpAudit.sweep(ids) visits pages by hash, as the contents links do, and
# returns every problem: axe violations, heading outline faults, focus not on the new h1, a change not announced.
AUDIT_JS = r"""
(function () {
  "use strict";
  var TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
  async function until(test, limit) {
    for (var waited = 0; waited < (limit || 3000); waited += 10) { if (test()) return true; await sleep(10); }
    return test();
  }
  function visible() { return document.querySelector(".lp-page:not([hidden])"); }
  /* whole: the whole document, with the style sheets loaded for the rules that read them (css-orientation-lock).
     Otherwise, to save time on each page: the hidden pages are left out (axe skips hidden content anyway; each
     page is tested when it is the one shown) and the style sheets, the same for every page, are not fetched again. */
  async function axeProblems(label, whole) {
    var context = whole ? document : { exclude: [[".lp-page[hidden]"]] };
    var result = await axe.run(context, { runOnly: { type: "tag", values: TAGS }, resultTypes: ["violations"],
      preload: !!whole });
    return result.violations.map(function (v) {
      return label + ": " + v.id + " (" + v.impact + ") " + v.nodes.slice(0, 3).map(function (n) {
        return n.target.join(" ") + " -> " + String(n.failureSummary).replace(/\s+/g, " ");
      }).join(" | ");
    });
  }
  /* The headings a learner can reach: exactly one h1, first, and no level skipped going down. */
  function outlineProblems(label) {
    var levels = Array.prototype.filter.call(document.querySelectorAll("h1, h2, h3, h4, h5, h6"), function (h) {
      return h.getClientRects().length > 0;
    }).map(function (h) { return Number(h.tagName.charAt(1)); });
    var problems = [];
    if (levels.filter(function (l) { return l === 1; }).length !== 1 || levels[0] !== 1) {
      problems.push(label + ": needs exactly one h1, first; headings are " + levels.join(","));
    }
    for (var i = 1; i < levels.length; i++) {
      if (levels[i] > levels[i - 1] + 1) {
        problems.push(label + ": heading level skipped: " + levels.join(","));
        break;
      }
    }
    return problems;
  }
  async function sweep(ids) {
    var problems = await axeProblems("whole document at launch", true);
    for (var i = 0; i < ids.length; i++) {
      var id = ids[i];
      location.hash = "#/" + id;
      await until(function () { return visible() && visible().dataset.page === id; });
      var page = visible();
      if (!page || page.dataset.page !== id) { problems.push(id + ": not shown"); continue; }
      problems = problems.concat(await axeProblems(id), outlineProblems(id));
      var heading = page.querySelector("h1");
      if (document.activeElement !== heading) problems.push(id + ": focus is not on the page heading");
      var title = heading.textContent.trim();
      var said = await until(function () {
        return document.getElementById("lp-announcer").textContent.indexOf(title) >= 0; }, 1000);
      if (!said) problems.push(id + ": the page change was not announced");
    }
    return problems;
  }
  /* At the current viewport no page may scroll sideways; a table too wide scrolls in its own box, which a
     keyboard can reach. Returns the problems and how many table boxes scrolled. */
  /* WCAG 1.4.12: the text spacing a learner may set (in a user style sheet or an extension) */
  var TEXT_SPACING = "* { line-height: 1.5 !important; letter-spacing: 0.12em !important; " +
    "word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }";
  /* Elements that cut off their own text: overflow hidden or clip, with more inside than they show (a visually
     hidden label, one pixel wide, is meant to be so). */
  function clipped(label) {
    var found = [];
    document.querySelectorAll("header *, nav *, main *, footer *, .lp-language-version *").forEach(function (e) {
      var box = e.getBoundingClientRect(), s = getComputedStyle(e);
      if (box.width <= 1 || box.height <= 1 || !e.textContent.trim()) return;
      var x = /hidden|clip/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1;
      var y = /hidden|clip/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1;
      if (x || y) found.push(label + ": " + e.tagName.toLowerCase() + "." + e.className + " cuts off '" +
        e.textContent.trim().slice(0, 40) + "'");
    });
    return found;
  }
  /* Each page shown by hash: the document wider than the screen, tables that scroll in their box (and can take
     focus to be scrolled by keyboard), and, with `spacing`, text cut off under the 1.4.12 text spacing. */
  async function reflow(ids, spacing) {
    var wide = [], scrolling = 0, cut = [];
    if (spacing) {
      document.head.appendChild(Object.assign(document.createElement("style"), { textContent: TEXT_SPACING }));
    }
    for (var i = 0; i < ids.length; i++) {
      var id = ids[i];
      location.hash = "#/" + id;
      await until(function () { return visible() && visible().dataset.page === id; });
      var root = document.documentElement;
      if (root.scrollWidth > root.clientWidth) wide.push(id + ": " + root.scrollWidth + "px wide");
      visible().querySelectorAll(".lp-table").forEach(function (box) {
        if (box.scrollWidth <= box.clientWidth) return;
        scrolling++;
        if (box.tabIndex !== 0) wide.push(id + ": a table scrolls but cannot take keyboard focus");
      });
      if (spacing) cut = cut.concat(clipped(id));
    }
    return { wide: wide, scrolling: scrolling, clipped: cut };
  }
  window.lpAudit = { sweep: sweep, axe: axeProblems, outline: outlineProblems, reflow: reflow, clipped: clipped,
    start: function (ids) { window.__sweep = sweep(ids); return true; } };
})();
"""


# ---- fixtures: every package of the course, served once, with an LMS page per set and one LRS ----

@pytest.fixture(scope="module")
def served(course_build, tmp_path_factory):
    """Every package unzipped under <set>-<format>/, the test LMS at lms/<set>.html; one static server."""
    require_node_modules("axe-core", "scorm-again")
    root = tmp_path_factory.mktemp("a11y-site")
    lms = root / "lms"
    lms.mkdir()
    shutil.copy(SCORM12_JS, lms / "scorm.js")
    for (set_id, fmt), zip_path in course_build.items():
        unzip(zip_path, root / f"{set_id}-{fmt}")
        if fmt == "scorm12":
            page = LMS_HTML.replace("__DIALECT__", SCORM12.config())
            page = page.replace("../pkg/__LAUNCH__", f"../{set_id}-scorm12/index.html")
            (lms / f"{set_id}.html").write_text(page)
    with StaticServer(root) as server:
        yield server


@pytest.fixture(scope="module")
def ralph(served, tmp_path_factory):
    lrs = RalphLRS(tmp_path_factory.mktemp("a11y-lrs"), cors_origins=[served.origin])
    lrs.start()
    yield lrs
    lrs.stop()


class Launch:
    """A package launched in its own browser context; ``doc`` is the frame holding the course. ``open`` launches
    again in the same page, as a learner coming back on the same computer."""

    def __init__(self, browser, url: str, viewport=None, in_lms=False, init_scripts: tuple[str, ...] = (),
                 color_scheme: str = "light", locale: str | None = None):
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900},
                                           color_scheme=color_scheme, locale=locale)
        self.page = self.context.new_page()
        self.in_lms = in_lms
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.open(url, init_scripts)

    def open(self, url: str, init_scripts: tuple[str, ...] = ()) -> None:
        for script in init_scripts:
            self.page.add_init_script(script)
        self.page.goto(url)
        self.doc = self.page.frame("sco") if self.in_lms else self.page.main_frame
        self.doc.wait_for_selector(READY)
        self.doc.add_script_tag(path=str(AXE_JS))
        self.doc.add_script_tag(content=AUDIT_JS)

    def data(self) -> dict:
        return json.loads(self.doc.locator("#lp-data").text_content())

    def sweep_ids(self) -> list[str]:
        """Every page, the start page last: the app shows it at launch, so it is only 'changed to' at the end."""
        return [p["id"] for p in self.data()["pages"]] + ["reflections", "finish", "start"]

    def axe(self, label: str, whole: bool = False) -> list[str]:
        return self.doc.evaluate("([label, whole]) => lpAudit.axe(label, whole)", [label, whole])

    def outline(self, label: str) -> list[str]:
        return self.doc.evaluate("label => lpAudit.outline(label)", label)

    def go(self, page_id: str) -> None:
        self.doc.evaluate("id => { location.hash = '#/' + id; }", page_id)
        self.doc.wait_for_function("id => { var s = document.querySelector('.lp-page:not([hidden])');"
                                   " return s && s.dataset.page === id; }", arg=page_id)

    def t(self, name: str) -> str:
        """An interface string in the language the page is in."""
        return self.doc.evaluate("name => LP.t(name)", name)

    def languages(self) -> dict:
        """The lang attributes a screen reader goes by: the document's, the language version's, each button's."""
        return self.doc.evaluate("""() => ({ page: document.documentElement.lang,
          version: document.querySelector('.lp-language-version').lang,
          buttons: Array.from(document.querySelectorAll('.lp-language')).map(b => [b.lang, b.dataset.language]) })""")

    def announced(self, text: str) -> None:
        self.doc.wait_for_function("t => document.getElementById('lp-announcer').textContent.indexOf(t) >= 0",
                                   arg=text)

    def close(self) -> None:
        self.context.close()


def xapi_url(served, set_id: str, endpoint: str, auth: str, registration: str, language: str = "") -> str:
    query = urlencode({"endpoint": endpoint, "auth": auth, "actor": json.dumps(LEARNER),
                       "registration": registration, **({"language": language} if language else {})}, quote_via=quote)
    return served.url + f"{set_id}-xapi/index.html?{query}"


# Every set in the language the browser asks for, and the Introduction in Welsh too, as the platform asks for it.
LANGUAGES = [(set_id, "") for set_id in SETS] + [("introduction", "cy")]


# ---- axe on every page, both formats, and the states reached by interaction ----

@pytest.mark.parametrize(("set_id", "language"), LANGUAGES, ids=[f"{s}-{lang}" if lang else s for s, lang in LANGUAGES])
def test_axe_finds_no_violations_on_any_page_in_either_format(set_id, language, browser, served, ralph):
    """The SCORM launch in the light colour scheme on a wide screen, the xAPI one in the dark at 320 CSS pixels
    (a phone, or 400% zoom): every format's pages are the same (test_no_page_scrolls_sideways_at_320px...), so
    every page is checked light, dark and at 320 px. With a language, each platform says the learner prefers it,
    and every lang attribute must say it too."""
    launch_url = xapi_url(served, set_id, ralph.endpoint, ralph.auth_header, str(uuid.uuid4()), language)
    preference = (f"window.__lmsStored = {json.dumps({'student_preference': {'language': language}})};",) \
        if language else ()
    scorm = Launch(browser, served.url + f"lms/{set_id}.html", in_lms=True, init_scripts=preference)
    xapi = Launch(browser, launch_url, color_scheme="dark", viewport=PHONE)
    try:
        assert scorm.doc.evaluate("LP.app.adapter.name") == "scorm12"
        assert xapi.doc.evaluate("LP.app.adapter.name") == "xapi"
        if language:
            for launch in (scorm, xapi):
                found = launch.languages()
                assert (found["page"], found["version"]) == (language, language)
                assert found["buttons"] and all(lang == code for lang, code in found["buttons"])
        ids = scorm.sweep_ids()
        assert ids == xapi.sweep_ids()
        for launch in (scorm, xapi):  # both sweeps run at once, each in its own renderer
            launch.doc.evaluate("ids => lpAudit.start(ids)", ids)
        problems = [f"scorm12 {p}" for p in scorm.doc.evaluate("() => window.__sweep")]
        problems += [f"xapi {p}" for p in xapi.doc.evaluate("() => window.__sweep")]
        for name, launch in (("scorm12", scorm), ("xapi", xapi)):
            problems += [f"{name} {p}" for p in answered_and_reflected(launch)]
        problems += [f"scorm12 {p}" for p in scorm_resume_and_save_failure(scorm, served, set_id)]
        problems += [f"xapi {p}" for p in xapi_resume_and_unreachable_lrs(xapi, served, set_id, launch_url, language)]
        assert scorm.errors == [] and xapi.errors == []
    finally:
        scorm.close()
        xapi.close()
    assert problems == []


def answered_and_reflected(launch: Launch) -> list[str]:
    """A knowledge check sent empty, then one answered wrong and one right; a reflection written and read back."""
    check_page = launch.doc.evaluate("document.querySelector('form[data-question]').closest('.lp-page').dataset.page")
    launch.go(check_page)
    forms = launch.doc.locator(f'.lp-page[data-page="{check_page}"] form.lp-question')
    questions = {q["id"]: q for q in launch.data()["questions"]}
    forms.nth(0).locator("button[type=submit]").click()  # nothing chosen yet
    launch.announced(launch.t("choose_first"))
    first = questions[forms.nth(0).get_attribute("data-question")]
    wrong = next(key for key in first["options"] if key not in first["correct"])
    forms.nth(0).locator(f'input[value="{wrong}"]').check()
    forms.nth(0).locator("button[type=submit]").click()
    launch.announced(launch.t("incorrect"))
    second = questions[forms.nth(1).get_attribute("data-question")]
    for key in second["correct"]:
        forms.nth(1).locator(f'input[value="{key}"]').check()
    forms.nth(1).locator("button[type=submit]").click()
    launch.announced(launch.t("correct"))
    problems = launch.axe("answered knowledge check")
    problems += launch.outline("answered knowledge check")

    reflection = launch.data()["reflections"][0]
    box = launch.doc.locator(f'[data-reflection="{reflection["id"]}"]')
    launch.go(box.evaluate("b => b.closest('.lp-page').dataset.page"))
    box.locator("textarea").fill("Ask one open question a day.\nNotice who has not spoken <yet> & why.")
    problems += launch.axe("written reflection")
    launch.go("reflections")
    written = launch.doc.locator(".lp-written")
    assert written.first.text_content() == "Ask one open question a day.\nNotice who has not spoken <yet> & why."
    problems += launch.axe("reflections page with text")
    problems += launch.outline("reflections page with text")
    launch.doc.locator("#lp-clear").click()  # the first press asks for confirmation
    return problems + launch.axe("clear reflections confirmation")


def scorm_resume_and_save_failure(launch: Launch, served, set_id: str) -> list[str]:
    """The LMS launches the SCO again with what it stored; then it refuses to commit."""
    cmi = launch.page.evaluate("lmsCommits[lmsCommits.length - 1].data.cmi")
    stored = {"core": {"lesson_location": cmi["core"]["lesson_location"], "lesson_status": "incomplete",
                       "entry": "resume", "student_id": "learner-1", "student_name": "Jones, Ffion"},
              "suspend_data": cmi["suspend_data"]}
    launch.open(served.url + f"lms/{set_id}.html", (f"window.__lmsStored = {json.dumps(stored)};",))
    assert launch.doc.locator("#lp-resume").is_visible()
    problems = launch.axe("resume prompt") + launch.outline("resume prompt")
    launch.page.evaluate("lmsControl.failCommits = true")
    launch.doc.locator("#lp-resume-continue").click()
    launch.doc.wait_for_function(SAVE_FAILED_SHOWN)
    assert launch.doc.evaluate(NOTICE_IS_LIVE)
    return problems + launch.axe("save-failed notice")


def xapi_resume_and_unreachable_lrs(launch: Launch, served, set_id: str, launch_url: str,
                                    language: str = "") -> list[str]:
    """The same launch link again (progress rebuilt from the LRS); then a link to an LRS that does not answer."""
    launch.doc.wait_for_selector("#lp-save.lp-save-saved")  # everything reached the LRS
    launch.open(launch_url)
    assert launch.doc.locator("#lp-resume").is_visible()
    problems = launch.axe("resume prompt") + launch.outline("resume prompt")
    with StaticServer(served.directory) as gone:  # an address where nothing answers once it has stopped
        endpoint = gone.url + "xAPI/"
    launch.open(xapi_url(served, set_id, endpoint, "Basic eDp5", str(uuid.uuid4()), language))
    launch.doc.wait_for_function(SAVE_FAILED_SHOWN)
    assert launch.doc.evaluate(NOTICE_IS_LIVE)
    return problems + launch.axe("save-failed notice")


def test_theme_colours_at_the_contrast_limit_still_pass_axe(browser, tmp_path):
    """Any pair of theme colours the build accepts (4.5:1 on white) keeps every page and state at AA."""
    require_node_modules("axe-core")
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    config = course / "leadpack.toml"
    config.write_text(re.sub(r'primary = "#\w+"\naccent = "#\w+"', 'primary = "#767676"\naccent = "#757575"',
                             config.read_text()))
    module = course / "content/every-block/first-steps.md"  # links on tints too: a table's header cells
    table = "| [The quiz](#quiz) | Notes |\n| --- | --- |\n| one | two |\n\n"
    module.write_text(module.read_text().replace("Plain **Markdown** with", table + "Plain **Markdown** with", 1))
    out = tmp_path / "out"
    assert run_cli("-q", "build", "--format", "scorm12", "--out", out, root=course).exit_code == 0
    unzip(next(out.glob("*.zip")), tmp_path / "site")
    problems = []
    with StaticServer(tmp_path / "site") as server:
        for scheme in ("light", "dark"):
            launch = Launch(browser, server.url + "index.html", color_scheme=scheme)
            try:
                assert launch.doc.evaluate("getComputedStyle(document.body).getPropertyValue('--lp-accent')"
                                           ).strip() == "#757575"
                found = launch.doc.evaluate("ids => lpAudit.sweep(ids)", launch.sweep_ids())
                found += answered_and_reflected(launch)
                found += finished_with_a_certificate(launch)
                launch.page.set_viewport_size(PHONE)
                launch.doc.locator("#lp-toc-toggle").click()
                found += launch.axe("contents open at 320px")
                problems += [f"{scheme}: {p}" for p in found]
            finally:
                launch.close()
    assert problems == []


def finished_with_a_certificate(launch: Launch) -> list[str]:
    """Every page read and every question answered right: the results page shows the certificate."""
    for question in launch.data()["questions"]:
        form = launch.doc.locator(f'form[data-question="{question["id"]}"]')
        launch.go(form.evaluate("f => f.closest('.lp-page').dataset.page"))
        if form.locator("button[type=submit]").is_hidden():
            continue
        for key in question["correct"]:
            form.locator(f'input[value="{key}"]').check()
        form.locator("button[type=submit]").click()
    for page_id in [p["id"] for p in launch.data()["pages"]] + ["finish"]:
        launch.go(page_id)
    certificate = launch.doc.locator("#lp-certificate")
    certificate.wait_for()
    assert "Certificate of completion" in certificate.text_content()
    return launch.axe("results page with the certificate") + launch.outline("results page with the certificate")


def test_one_h1_shows_before_the_runtime_starts(course_build):
    """Only the start page is shown by the HTML itself, so even the first paint has one h1 and one page."""
    for zip_path in course_build.values():
        with zipfile.ZipFile(zip_path) as archive:
            document = lxml.html.fromstring(archive.read("index.html"))
        shown = [h for h in document.iter("h1")  # a <template> (another language's version) is never shown
                 if not any(a.get("hidden") is not None or a.tag == "template" for a in h.iterancestors())]
        assert len(shown) == 1, zip_path.name
        assert shown[0].getparent().get("data-page") == "start"


# ---- 320 px: nothing scrolls sideways; screenshots for review ----

WIDEST_TABLE = "leading-for-dialogue"  # its table is too wide for 320 px, so it scrolls in its own box


@pytest.fixture(scope="module")
def shots() -> Path:
    """The screenshots folder, emptied once for the module: each set and language adds its own."""
    folder = ARTIFACTS / "screenshots"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


@pytest.mark.parametrize(("set_id", "language"), LANGUAGES, ids=[f"{s}-{lang}" if lang else s for s, lang in LANGUAGES])
def test_no_page_scrolls_sideways_at_320px_and_screenshots_are_written(set_id, language, browser, served, shots):
    """Every page of every set (and of the Introduction in Welsh, the language the browser asks for) at 320 px."""
    assert_same_pages_in_every_format(Path(served.directory), set_id)
    launch = Launch(browser, served.url + f"{set_id}-scorm12/index.html", viewport={"width": 320, "height": 640},
                    locale=language or None)
    label = f"{set_id}-{language}" if language else set_id
    try:
        assert launch.languages()["page"] == (language or launch.data()["language"])
        reflow = launch.doc.evaluate("ids => lpAudit.reflow(ids)", launch.sweep_ids())
        wide = reflow["wide"]
        launch.doc.locator("#lp-toc-toggle").click()
        assert launch.doc.locator("#lp-toc-list").is_visible()
        if launch.doc.evaluate("document.documentElement.scrollWidth > 320"):
            wide.append("contents open")
        wide += [f"contents open at 320px: {p}" for p in launch.axe("contents open")]
        launch.doc.locator("#lp-toc-toggle").click()
        screenshots(launch, label, shots)
    finally:
        launch.close()
    assert wide == []
    if set_id == WIDEST_TABLE:
        assert reflow["scrolling"] >= 1, "the course's widest table scrolls in its box (the check is exercised)"
    assert [name for name in (f"{label}-{kind}-{width}.png" for kind in ("content", "check") for width in (320, 1280))
            if not (shots / name).is_file()] == []


@pytest.mark.parametrize(("set_id", "language"), LANGUAGES, ids=[f"{s}-{lang}" if lang else s for s, lang in LANGUAGES])
@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_text_spacing_loses_nothing(set_id, language, viewport, browser, served):
    """WCAG 1.4.12: with the line, paragraph, letter and word spacing a learner may set, every page of every set
    (the Introduction in Welsh too, whose words run longer) still fits the screen and cuts off no text. A box
    that hides its overflow is the control that the check finds clipping."""
    launch = Launch(browser, served.url + f"{set_id}-scorm12/index.html", viewport=viewport, locale=language or None)
    try:
        result = launch.doc.evaluate("ids => lpAudit.reflow(ids, true)", launch.sweep_ids())
        assert result["wide"] == [] and result["clipped"] == [], result
        control = launch.doc.evaluate("""() => {
          var h1 = document.querySelector('.lp-page:not([hidden]) h1');
          h1.style.cssText = 'height: 1em; overflow: hidden';
          return lpAudit.clipped('control'); }""")
        assert control and control[0].startswith("control: h1"), control
    finally:
        launch.close()


def assert_same_pages_in_every_format(root: Path, set_id: str) -> None:
    """Every format's pages are the same, byte for byte, but for the course data, the runtime scripts and the
    longest reflection each format's saved-state limit allows: laying out one format at 320 px lays out all."""
    def pages(fmt: str) -> str:
        html = (root / f"{set_id}-{fmt}" / "index.html").read_text("utf-8")
        html = re.sub(r'<script type="application/json" id="lp-data">.*?</script>', "", html, flags=re.S)
        html = re.sub(r'maxlength="\d+"', 'maxlength="N"', html)
        html = re.sub(r"Up to \d+ characters", "Up to N characters", html)
        return re.sub(r'<script src="assets/[^"]+"></script>\n', "", html)

    first, *others = formats.names()
    for fmt in others:
        assert pages(fmt) == pages(first), fmt
        for asset in ("leadpack.css", "theme.css"):
            assert (root / f"{set_id}-{first}/assets" / asset).read_bytes() == \
                (root / f"{set_id}-{fmt}/assets" / asset).read_bytes()


def screenshots(launch: Launch, label: str, folder: Path) -> None:
    """A content page and a knowledge-check page (one question answered) at 320 and 1280 px wide."""
    content = launch.data()["pages"][0]["id"]
    check = launch.doc.evaluate("document.querySelector('form[data-question]').closest('.lp-page').dataset.page")
    launch.go(check)
    form = launch.doc.locator(f'.lp-page[data-page="{check}"] form.lp-question').first
    form.locator("input").first.check()
    form.locator("button[type=submit]").click()
    for width in (320, 1280):
        launch.page.set_viewport_size({"width": width, "height": 900})
        for kind, page_id in (("content", content), ("check", check)):
            launch.go(page_id)
            launch.page.screenshot(path=str(folder / f"{label}-{kind}-{width}.png"), full_page=True)


# ---- keyboard alone ----

def focus_of(frame) -> dict:
    """The focused element: what it is, whether it shows a focus ring (2.4.7) and whether any of it can be seen,
    on screen and not covered by something else such as a sticky part of the layout (2.4.11, Focus Not Obscured):
    its centre or a point near a corner is the element itself (or its label) at the top of the page."""
    return frame.evaluate("""() => { var e = document.activeElement, s = getComputedStyle(e);
      var r = e.getBoundingClientRect(), inset = 2;
      var points = [[(r.left + r.right) / 2, (r.top + r.bottom) / 2], [r.left + inset, r.top + inset],
                    [r.right - inset, r.top + inset], [r.left + inset, r.bottom - inset],
                    [r.right - inset, r.bottom - inset]];
      var seen = points.some(function (p) {
        if (p[0] < 0 || p[1] < 0 || p[0] >= innerWidth || p[1] >= innerHeight) return false;
        var top = document.elementFromPoint(p[0], p[1]);
        return !!top && (top === e || e.contains(top) || top.contains(e) || top === (e.labels || [])[0]);
      });
      return { tag: e.tagName.toLowerCase(), id: e.id, text: (e.textContent || '').trim().slice(0, 60),
               visible: e.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
               seen: seen, page: e.closest('.lp-page') ? e.closest('.lp-page').dataset.page : '' }; }""")


def tab_to(page, frame, selector: str, back: bool = False, limit: int = 80) -> list[dict]:
    """Press Tab (or Shift+Tab) until the focused element matches; every stop on the way shows a focus ring and
    is not hidden by anything else on the page."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        stop = focus_of(frame)
        stops.append(stop)
        assert stop["visible"], f"no visible focus indicator on {stop}"
        assert stop["seen"], f"the focused element is off screen or covered: {stop}"
        if frame.evaluate("s => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"{selector} not reached by {'Shift+Tab' if back else 'Tab'}: {stops[-5:]}")


def shown(frame) -> str:
    return frame.evaluate("document.querySelector('.lp-page:not([hidden])').dataset.page")


def wait_shown(frame, page_id: str) -> None:
    frame.wait_for_function("id => document.querySelector('.lp-page:not([hidden])').dataset.page === id", arg=page_id)
    assert frame.evaluate("document.activeElement === document.querySelector('.lp-page:not([hidden]) h1')")


def test_keyboard_alone_completes_a_module_with_a_check_and_a_reflection(page, site, fixture_build, tmp_path):
    """Tab, Shift+Tab, Enter and Space (and typing) through the first module, launched by the test LMS."""
    install_package(fixture_build["module"]["scorm12"], site)
    run = LmsRun(page, site, launch="first-steps.html")
    run.open()
    frame, keys = run.frame, page.keyboard
    said = lambda text: frame.wait_for_function(  # noqa: E731
        "t => document.getElementById('lp-announcer').textContent.indexOf(t) >= 0", arg=text)

    tab_to(page, frame, "a.lp-skip", limit=1)
    assert frame.locator("a.lp-skip").bounding_box()["y"] >= 0, "the skip link shows when focused"
    keys.press("Enter")
    assert focus_of(frame)["id"] == "lp-main"
    tab_to(page, frame, "#lp-begin")  # the set's start page comes first
    keys.press("Enter")
    wait_shown(frame, "first-steps/welcome")
    said("Welcome")

    tab_to(page, frame, "textarea")
    keys.type("Ask one open question a day.")
    tab_to(page, frame, "#lp-next")
    keys.press("Enter")
    wait_shown(frame, "first-steps/doing")
    said("Doing things")

    tab_to(page, frame, ".lp-figure summary")
    keys.press("Enter")
    assert frame.locator(".lp-figure details").first.get_attribute("open") is not None
    tab_to(page, frame, '.lp-toc a[data-page="first-steps/quiz"]', back=True)
    keys.press("Enter")
    wait_shown(frame, "first-steps/quiz")
    said("Quiz")

    tab_to(page, frame, "input[type=radio]")
    keys.press("Space")  # the first option, A: a wrong answer
    tab_to(page, frame, "form.lp-question:nth-of-type(1) button[type=submit]")
    keys.press("Enter")
    said("Not quite.")  # a try is left, so the right answer is not given away
    said("A comes first.")  # with the explanation of the option chosen, which shows above the verdict
    assert "second" not in frame.evaluate("document.getElementById('lp-announcer').textContent")
    assert "Not quite" in frame.locator("form.lp-question .lp-feedback").first.text_content()
    assert frame.evaluate("document.activeElement.classList.contains('lp-feedback')"), "focus moves to the feedback"
    keys.press("Tab")  # focus carries on after the answered question, not back at the top of the page
    assert frame.evaluate("document.activeElement.matches('input[type=checkbox][value=a]')"), focus_of(frame)
    keys.press("Space")
    keys.press("Tab")
    keys.press("Tab")
    assert frame.evaluate("document.activeElement.value") == "c"  # the third option, E
    keys.press("Space")
    tab_to(page, frame, "button[type=submit]")
    keys.press("Space")
    said("Correct.")

    tab_to(page, frame, "#lp-next")
    keys.press("Enter")
    wait_shown(frame, "reflections")
    assert frame.locator(".lp-written").all_text_contents() == ["Ask one open question a day."]
    tab_to(page, frame, "#lp-download")
    with page.expect_download() as download:
        keys.press("Enter")
    assert "Ask one open question a day." in Path(download.value.path()).read_text("utf-8")

    tab_to(page, frame, "#lp-exit")
    keys.press("Enter")
    frame.wait_for_function("document.getElementById('lp-notice').textContent.length > 0")
    data = run.last_data()
    assert data["core"]["lesson_status"] == "passed" and data["core"]["score"]["raw"] == "50"
    assert "Ask one open question a day." in data["suspend_data"]
    assert run.flags() == []


def test_the_language_switch_is_reached_by_tab_from_the_page_start_and_enter_switches(browser, served):
    """A keyboard user on the Introduction (English and Welsh) tabs from the top of the page to Cymraeg (each stop
    with a focus ring), presses Enter and has the page in Welsh with the focus kept on the button; Shift+Tab to
    English and Enter bring the English back."""
    welsh_title = tomllib.loads((REPO / "content" / "introduction" / "cy" / "set.toml").read_text("utf-8"))["title"]
    launch = Launch(browser, served.url + "introduction-scorm12/index.html", locale="en-GB")
    page, frame = launch.page, launch.doc
    try:
        assert frame.evaluate("document.activeElement === document.body"), "nothing is focused: the page's start"
        english_title = frame.locator("#h-start").text_content()
        assert launch.languages()["page"] == "en-GB"
        stops = tab_to(page, frame, '.lp-language[data-language="cy"]')
        assert stops[0]["text"] == launch.t("skip_to_content")
        page.keyboard.press("Enter")
        frame.wait_for_function("document.documentElement.lang === 'cy'")
        pressed = "[document.activeElement.dataset.language, document.activeElement.getAttribute('aria-pressed')]"
        assert frame.evaluate(pressed) == ["cy", "true"]
        assert frame.locator("#h-start").text_content() == welsh_title != english_title
        tab_to(page, frame, '.lp-language[data-language="en-GB"]', back=True, limit=1)
        page.keyboard.press("Enter")
        frame.wait_for_function("document.documentElement.lang === 'en-GB'")
        assert frame.evaluate(pressed) == ["en-GB", "true"]
        assert frame.locator("#h-start").text_content() == english_title
        assert launch.errors == []
    finally:
        launch.close()


def test_contents_button_works_by_keyboard_on_a_phone(browser, served):
    set_id = SETS[0]
    launch = Launch(browser, served.url + f"{set_id}-scorm12/index.html", viewport={"width": 320, "height": 640})
    try:
        page, frame = launch.page, launch.doc
        toggle = frame.locator("#lp-toc-toggle")
        assert toggle.is_visible() and not frame.locator("#lp-toc-list").is_visible()
        tab_to(page, frame, "#lp-toc-toggle")
        page.keyboard.press("Space")
        assert toggle.get_attribute("aria-expanded") == "true" and frame.locator("#lp-toc-list").is_visible()
        second = launch.data()["pages"][1]["id"]
        tab_to(page, frame, f'.lp-toc a[data-page="{second}"]')
        page.keyboard.press("Enter")
        wait_shown(frame, second)
        page.keyboard.press("Shift+Tab")
        assert focus_of(frame)["visible"]
    finally:
        launch.close()


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def test_no_stop_of_a_page_is_hidden_from_a_keyboard_user(browser, served, viewport):
    """WCAG 2.4.11: Tab goes through every stop of a page with a knowledge check (the header, the contents, the
    options, the check's button, the pager), and each is on screen and not covered. A bar fixed over the page is
    caught, so the check can fail."""
    launch = Launch(browser, served.url + "introduction-scorm12/index.html", viewport=viewport)
    try:
        page, frame = launch.page, launch.doc
        question = frame.evaluate("document.querySelector('form[data-question]').closest('.lp-page').dataset.page")
        frame.evaluate("id => { location.hash = '#/' + id; }", question)
        wait_shown(frame, question)
        stops: list[dict] = []  # from the h1 on to the end of the page, then round from its start to the h1
        for _ in range(150):
            page.keyboard.press("Tab")
            stop = focus_of(frame)
            if stops and stop == stops[0]:
                break
            if stop["tag"] != "body":  # between the page's last stop and its first, the browser's own
                stops.append(stop)
        assert {"input", "button", "a"} <= {stop["tag"] for stop in stops}
        assert any(stop["page"] == question and stop["tag"] == "input" for stop in stops)
        hidden = [stop for stop in stops if not (stop["seen"] and stop["visible"])]
        assert hidden == [], hidden
        frame.evaluate("""() => { var bar = document.createElement('div');
          bar.style.cssText = 'position:fixed;inset:0;background:#fff;z-index:9';
          document.body.appendChild(bar); }""")
        page.keyboard.press("Tab")
        assert not focus_of(frame)["seen"]
    finally:
        launch.close()


# ---- My reflections and action plan: print and download ----

@pytest.fixture
def standalone(browser, fixture_build, tmp_path):
    unzip(fixture_build["set"]["scorm12"], tmp_path / "site")
    with StaticServer(tmp_path / "site") as server:
        launch = Launch(browser, server.url + "index.html")
        launch.server = server
        yield launch
        launch.close()


HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">\nPlan: ask "why?" & <b>listen</b>'


def test_reflections_download_is_one_safe_readable_html_file(page, site, fixture_build, tmp_path):
    """In the test LMS, which gives the learner's name: the file says whose reflections they are, and when."""
    install_package(fixture_build["set"]["scorm12"], site)
    run = LmsRun(page, site, stored=SCORM12.model.learner())
    run.open()
    frame = run.frame
    first = run.course_data()["pages"][0]["id"]
    frame.evaluate("id => { location.hash = '#/' + id; }", first)
    wait_shown(frame, first)
    frame.locator(".lp-page:not([hidden]) [data-reflection] textarea").first.fill(HOSTILE)
    frame.evaluate("location.hash = '#/reflections'")
    wait_shown(frame, "reflections")
    with page.expect_download() as download:
        frame.locator("#lp-download").click()
    assert download.value.suggested_filename == "every-block-reflections.html"
    saved = tmp_path / "site" / "downloaded.html"
    download.value.save_as(saved)
    raw = saved.read_text("utf-8")
    document = lxml.html.fromstring(raw)
    assert document.get("lang") == "en-GB" and document.findtext(".//title")
    assert [h.text_content() for h in document.iter("h1")] == ["My reflections and action plan"]
    assert "&lt;script&gt;" in raw and "<script" not in raw and "<img" not in raw
    assert not any(attribute.startswith("on") for element in document.iter() for attribute in element.attrib)
    assert not [e for e in document.iter() if e.get("src") or e.get("href")], "one file: nothing loaded from outside"
    answers = [p.text_content() for p in document.iter("p") if "Plan:" in p.text_content()]
    assert answers == [HOSTILE]
    byline = document.find(".//h1").getnext().text_content()
    assert re.fullmatch(rf"Fixture Series · Every Block · Ffion Jones · {DATE}", byline), byline

    page.goto(site.url + "downloaded.html")
    assert page.evaluate("window.pwned") is None
    assert page.locator("p", has_text="Plan:").inner_text() == HOSTILE
    page.add_script_tag(path=str(AXE_JS))
    page.add_script_tag(content=AUDIT_JS)
    assert page.evaluate("lpAudit.axe('downloaded reflections', true)") == []


def test_print_shows_the_page_alone_with_web_addresses(standalone):
    launch = standalone
    launch.go(launch.data()["pages"][0]["id"])
    launch.doc.locator("[data-reflection] textarea").first.fill("Print me.")
    assert launch.doc.evaluate("getComputedStyle(document.querySelector('a[rel~=noopener]'), '::after').content") \
        == "none"
    launch.page.emulate_media(media="print")
    after = "getComputedStyle(document.querySelector('a[rel~=noopener]'), '::after').content"
    assert launch.doc.evaluate(after) == '" (https://example.org/reading)"'  # web addresses are printed
    launch.go("reflections")
    for hidden in (".lp-header", "#lp-toc", ".lp-pager", ".lp-footer", "#lp-download"):
        assert not launch.doc.locator(hidden).is_visible(), hidden
    assert launch.doc.locator(".lp-written").is_visible()
    # launched alone, the package has no learner's name: the set and the date
    assert re.fullmatch(rf"Fixture Series · Every Block · {DATE}", launch.doc.locator(".lp-print-only").inner_text())


def test_motion_only_when_the_learner_allows_it(standalone):
    fill = "getComputedStyle(document.querySelector('.lp-progress-fill')).transitionDuration"
    launch = standalone
    launch.page.emulate_media(reduced_motion="no-preference")
    assert launch.doc.evaluate(fill) == "0.3s"
    launch.page.emulate_media(reduced_motion="reduce")
    assert launch.doc.evaluate(fill) == "0s"
