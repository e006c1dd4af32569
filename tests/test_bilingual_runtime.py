"""Issue 16 acceptance, in every format: the Introduction, which holds English and Welsh, starts in Welsh because the
platform says the learner prefers it; the learner switches to English in the middle of the module, answers a
question, switches back and leaves; at the next launch their place, answer and reflection are all there, and what
the platform was told carries the language the learner saw at the time (the preference written back in SCORM,
every statement's context.language in xAPI and cmi5).

Each format plays against its own test platform: scorm-again for both SCORM versions, a State-API LRS for the Tin
Can launch, the cmi5 LMS in front of Ralph for cmi5.
"""

from __future__ import annotations

import json
import shutil
import tomllib
import uuid
from pathlib import Path

import pytest

from leadpack import formats
from tests.conftest import REPO, run_cli, unzip
from tests.support import wait_until
from tests.support.cmi5_lms import Cmi5LMS, learner
from tests.support.fixtures import require_node_modules
from tests.support.http import StaticServer
from tests.support.learner_page import READY
from tests.support.ralph import RalphLRS
from tests.support.scorm_lms import SCORM12, SCORM2004, LmsRun, install_package
from tests.support.state_lrs import StateLRS
from tests.support.xapi_learner import TinCanLaunch

REFLECTION = "introduction/think-of-a-moment-in-the-last-month"
QUESTION = "introduction/jo-works-saturdays-on-the-front-desk"
CHECKS_PAGE = "introduction/check-your-understanding"
WRITTEN = "Dechreuais glwb darllen gyda dau wirfoddolwr."
IN_WELSH = "Cywir. Eich sgôr hyd yma: 1 o 1 yn gywir. Cwestiynau ar ôl: 4."  # the same feedback, said in Welsh
SAVED = "document.getElementById('lp-save').classList.contains('lp-save-saved')"
SHOWS = "id => (document.querySelector('.lp-page:not([hidden])') || {dataset: {}}).dataset.page === id"
ACTOR = {"objectType": "Agent", "name": "Ffion Jones", "mbox": "mailto:ffion.jones@example.org"}


# ---- the platforms ------------------------------------------------------------------------------------------------

class Scorm:
    """scorm-again as the LMS, the learner's preference in the data model it starts the SCO with."""

    def __init__(self, fmt: str, browser, site, zip_path):
        self.dialect = {"scorm12": SCORM12, "scorm2004": SCORM2004}[fmt]
        self.preference = "cmi.student_preference.language" if fmt == "scorm12" else "cmi.learner_preference.language"
        self.browser, self.site, self.run, self.told, self.kept = browser, site, None, [], {}
        install_package(zip_path, site)

    def open(self, first: bool):
        learner_ids = {"core": {"student_id": "s1", "student_name": "Jones, Ffion"}} \
            if self.dialect is SCORM12 else {"learner_id": "s1", "learner_name": "Jones, Ffion"}
        stored = {**learner_ids, self.preference.split(".")[1]: {"language": "cy"}} if first else self.kept
        self.run = LmsRun(self.browser.new_page(), self.site, stored=stored, dialect=self.dialect)
        self.run.open()
        return self.run.frame

    def _stored(self) -> dict:
        """What the LMS keeps of the last session, as it starts the next one."""
        data = self.run.last_data()
        if self.dialect is SCORM12:
            return {"core": {"lesson_location": data["core"]["lesson_location"], "lesson_status": "incomplete",
                             "entry": "resume", "student_id": "s1", "student_name": "Jones, Ffion"},
                    "suspend_data": data["suspend_data"], "student_preference": data["student_preference"]}
        return {"location": data["location"], "completion_status": "incomplete", "entry": "resume",
                "learner_id": "s1", "learner_name": "Jones, Ffion", "suspend_data": data["suspend_data"],
                "learner_preference": data["learner_preference"]}

    def shown_until(self, language: str, done, what: str) -> None:  # noqa: ANN001
        """SCORM makes no statements: the preference written back says which language the learner saw."""

    def leave(self, frame) -> None:
        frame.locator("#lp-exit").click()
        self.run.page.wait_for_function(f"window.lmsLog.some(e => e[0] === {json.dumps(self.dialect.finish)})")
        self.told += [entry[2] for entry in self.run.log() if entry[1] == self.preference and entry[3] == "true"]
        assert self.run.flags() == []
        self.kept = self._stored()
        self.run.page.context.close()


class Statements:
    """Shared by the xAPI launch and cmi5: every statement the course made, with the language on screen meanwhile."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, dict]] = []  # (the language on screen, a statement made while it was)

    def shown_until(self, language: str, done, what: str) -> None:  # noqa: ANN001 - done(new statements) -> bool
        """``language`` has been on screen since the last call: wait until the statements the LRS holds that are
        new since then are ``done`` (statements go out in the order they are made, so once the last of a step is
        there, every earlier one is too), and put each of them down as made while ``language`` was shown."""
        seen = {s["id"] for _, s in self.shown}

        def new() -> list[dict]:
            return [s for s in self.statements() if s["id"] not in seen]

        wait_until(lambda: done(new()), f"the LRS never got {what}")
        self.shown += [(language, s) for s in new()]

    def languages(self) -> list[tuple[str, str | None]]:
        """Each statement's verb and context.language (None where it has none), in the order they were made."""
        return [(verb(s), s.get("context", {}).get("language")) for _, s in self.shown]

    def leave(self, frame) -> None:
        frame.locator("#lp-exit").click()
        frame.wait_for_function("() => document.getElementById('lp-notice').textContent === LP.t('exited')")
        frame.wait_for_function(SAVED)
        self.page.context.close()


class TinCan(Statements):
    def __init__(self, fmt: str, browser, site, zip_path, lrs: StateLRS):
        super().__init__()
        unzip(zip_path, site.directory / "tincan")
        self.browser, self.site, self.lrs = browser, site, lrs
        self.launch = TinCanLaunch(lrs.endpoint, lrs.auth_header, ACTOR)

    def open(self, first: bool):
        self.page = self.browser.new_page()
        self.page.goto(self.site.url + f"tincan/index.html?{self.launch.query()}&language=cy")
        self.page.wait_for_function(READY)
        return self.page.main_frame

    def statements(self) -> list[dict]:
        return self.lrs.statements_for(self.launch.registration)


class Cmi5(Statements):
    def __init__(self, fmt: str, browser, site, zip_path, lms: Cmi5LMS):
        super().__init__()
        unzip(zip_path, site.directory / "cmi5")
        self.browser, self.site, self.lms, self.actor = browser, site, lms, learner("Ffion Jones")
        self.registration = str(uuid.uuid4())

    def open(self, first: bool):
        launch = self.lms.launch(self.site.url + "cmi5/index.html", "https://learning.leading-libraries.example/"
                                 "series/introduction/au", self.actor, self.registration, mastery_score=0.6,
                                 preferences={"languagePreference": "cy-GB,en-GB", "audioPreference": "on"})
        self.page = self.browser.new_page()
        self.page.goto(launch.url)
        self.page.wait_for_function(READY)
        return self.page.main_frame

    def statements(self) -> list[dict]:
        """The AU's statements (not those the LMS makes itself: launched, abandoned)."""
        return [s for s in self.lms.statements(self.registration) if s["id"] not in self.lms.made]


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """One static server, one State-API LRS and the cmi5 LMS (with Ralph) for the whole module."""
    require_node_modules("scorm-again")
    root = tmp_path_factory.mktemp("bilingual")
    with StaticServer(root) as site, StateLRS(cors_origins=[site.origin]) as lrs, \
            RalphLRS(tmp_path_factory.mktemp("ralph")) as ralph, Cmi5LMS(ralph, cors_origins=[site.origin]) as lms:
        yield site, lrs, lms


def platform_for(fmt: str, browser, servers, zip_path):
    site, lrs, lms = servers
    if fmt.startswith("scorm"):
        return Scorm(fmt, browser, site, zip_path)
    return TinCan(fmt, browser, site, zip_path, lrs) if fmt == "xapi" else Cmi5(fmt, browser, site, zip_path, lms)


# ---- what the learner does and sees -------------------------------------------------------------------------------

def verb(statement: dict) -> str:
    return statement["verb"]["id"].rsplit("/", 1)[1]


def has(verb_name: str, object_id: str):  # noqa: ANN201 - a test of the new statements
    return lambda new: any(verb(s) == verb_name and s["object"]["id"] == object_id for s in new)


def go(frame, page_id: str) -> None:
    frame.evaluate("id => { location.hash = '#/' + id; }", page_id)
    frame.wait_for_function(SHOWS, arg=page_id)


def switch(frame, language: str) -> None:
    """Press the language's button, as a keyboard user would (focus it, then Enter)."""
    button = frame.locator(f'.lp-language[data-language="{language}"]')
    button.focus()
    button.press("Enter")
    frame.wait_for_function("code => document.documentElement.lang === code", arg=language)


def shown(frame) -> dict:
    """The language the page is in, the language version shown, the page, its heading, and the focused element."""
    return frame.evaluate("""() => {
      var page = document.querySelector('.lp-page:not([hidden])');
      var live = document.querySelectorAll('.lp-language-version');
      return { lang: document.documentElement.lang, versions: live.length, version: live[0].lang,
               page: page && page.dataset.page, heading: page && page.querySelector('h1').textContent,
               focused: document.activeElement.dataset.language || '',
               pressed: document.activeElement.getAttribute('aria-pressed') };
    }""")


def answer_shown(frame) -> dict:
    form = frame.locator(f'form[data-question="{QUESTION}"]')
    return {"chosen": [i.get_attribute("value") for i in form.locator("input:checked").all()],
            "locked": form.locator("input").first.is_disabled(),
            "feedback": form.locator(".lp-feedback").text_content()}


def complete_every_check(frame, data: dict) -> None:
    """Every page read and every question answered right, as a learner finishing the set would."""
    for entry in data["pages"]:
        go(frame, entry["id"])
    for question in data["questions"]:
        form = frame.locator(f'form[data-question="{question["id"]}"]')
        go(frame, form.evaluate("f => f.closest('.lp-page').dataset.page"))
        for key in question["correct"]:
            form.locator(f'input[value="{key}"]').check()
        form.locator("button[type=submit]").click()
        form.locator(".lp-feedback:not(:empty)").wait_for()


@pytest.mark.parametrize("fmt", formats.names())
def test_welsh_from_the_platform_english_mid_module_and_back_keeps_place_answers_and_reflections(
        fmt, browser, servers, course_build):
    platform = platform_for(fmt, browser, servers, course_build[("introduction", fmt)])
    frame = platform.open(first=True)
    data = json.loads(frame.locator("#lp-data").text_content())
    welsh = next(entry for entry in data["languages"] if entry["code"] == "cy")
    page_title = welsh["texts"][f"page:{CHECKS_PAGE}"]
    assert shown(frame)["lang"] == "cy" and shown(frame)["version"] == "cy" and shown(frame)["versions"] == 1

    go(frame, "introduction/welcome-to-leading-libraries")
    box = frame.locator(f'[data-reflection="{REFLECTION}"] textarea')
    box.fill(WRITTEN)
    box.blur()
    if fmt in ("xapi", "cmi5"):
        frame.wait_for_function(SAVED)  # the reflection's statement has gone, in Welsh
    go(frame, CHECKS_PAGE)
    assert shown(frame)["heading"] == page_title
    checks_iri = next(p["iri"] for p in data["pages"] if p["id"] == CHECKS_PAGE)
    platform.shown_until("cy", has("experienced", checks_iri), f"the visit to {CHECKS_PAGE}")

    switch(frame, "en-GB")
    now = shown(frame)
    assert (now["lang"], now["version"], now["page"], now["focused"], now["pressed"]) == (
        "en-GB", "en-GB", CHECKS_PAGE, "en-GB", "true")
    assert now["heading"] == "Check your understanding"
    question = next(q for q in data["questions"] if q["id"] == QUESTION)
    form = frame.locator(f'form[data-question="{QUESTION}"]')
    form.locator(f'input[value="{question["correct"]}"]').check()
    form.locator("button[type=submit]").click()
    form.locator(".lp-feedback:not(:empty)").wait_for()
    assert answer_shown(frame)["feedback"] == "Correct. Score so far: 1 of 1 right. Questions left: 4."
    platform.shown_until("en-GB", has("answered", question["iri"]), f"the answer to {QUESTION}")

    switch(frame, "cy")
    assert (shown(frame)["page"], shown(frame)["heading"], shown(frame)["focused"]) == (CHECKS_PAGE, page_title, "cy")
    assert answer_shown(frame) == {"chosen": [question["correct"]], "locked": True, "feedback": IN_WELSH}
    assert box.input_value() == WRITTEN
    platform.leave(frame)

    frame = platform.open(first=False)
    assert shown(frame)["lang"] == "cy"
    assert frame.locator("#lp-resume-title").text_content() == "Croeso'n ôl"
    frame.locator("#lp-resume-continue").click()
    frame.wait_for_function(SHOWS, arg=CHECKS_PAGE)
    assert answer_shown(frame) == {"chosen": [question["correct"]], "locked": True, "feedback": IN_WELSH}
    assert frame.locator(f'[data-reflection="{REFLECTION}"] textarea').input_value() == WRITTEN
    state = frame.evaluate("LP.encodeState(LP.app.state(), true)")
    assert json.loads(state)["g"] == "cy"
    platform.leave(frame)

    if isinstance(platform, Scorm):  # the learner's choices, written back as their preference
        assert platform.told == ["en-GB", "cy"]
        return
    platform.shown_until("cy", lambda new: sum(verb(s) in ("suspended", "terminated") for s in new) == 2,
                         "both sessions' last statements")
    assert {s["id"] for _, s in platform.shown} == {s["id"] for s in platform.statements()}
    wrong = [(verb(s), s.get("context", {}).get("language"), on_screen) for on_screen, s in platform.shown
             if s.get("context", {}).get("language") != on_screen]
    assert wrong == [], "every statement carries context.language, the language on screen when it was made"
    languages = platform.languages()
    assert ("answered", "en-GB") in languages and languages[0] == ("initialized", "cy")
    assert ("responded", "cy") in languages and ("resumed" if fmt == "xapi" else "initialized", "cy") in languages


WELSH_MONTHS = ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
                "Tachwedd", "Rhagfyr"]


def test_a_browser_that_prefers_welsh_gets_the_results_and_certificate_in_welsh(browser, servers, course_build):
    """No LMS (the package opened on its own): the browser's language chooses Welsh; the results page and the
    certificate are in Welsh, dated the Welsh way even where the browser's Intl has no Welsh."""
    site = servers[0]
    unzip(course_build[("introduction", "xapi")], site.directory / "alone")
    context = browser.new_context(locale="cy-GB")
    page = context.new_page()
    page.goto(site.url + "alone/index.html")
    page.wait_for_function(READY)
    frame = page.main_frame
    assert shown(frame)["lang"] == "cy"
    complete_every_check(frame, json.loads(frame.locator("#lp-data").text_content()))
    go(frame, "finish")
    assert frame.locator("#h-finish").text_content() == "Eich canlyniadau"
    assert frame.locator("#lp-finish-result").text_content() == \
        "Rydych wedi pasio, gyda sgôr o 100%. Y marc pasio yw 60%."
    assert frame.locator("#lp-certificate-title").text_content() == "Tystysgrif cwblhau"
    day, month, year = frame.evaluate("(d => [d.getDate(), d.getMonth(), d.getFullYear()])(new Date())")
    dated = frame.locator("#lp-certificate-date").text_content()
    assert dated == f"Dyddiad: {day} {WELSH_MONTHS[month]} {year}"
    context.close()


@pytest.fixture(scope="module")
def welsh_first(tmp_path_factory) -> Path:
    """A copy of the course whose Introduction lists Welsh first (languages = ["cy", "en-GB"]), in SCORM 1.2."""
    root = tmp_path_factory.mktemp("welsh-first")
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "leadpack.toml", root / "leadpack.toml")
    settings = root / "content" / "introduction" / "set.toml"
    text = settings.read_text("utf-8")
    assert 'languages = ["en-GB", "cy"]' in text
    settings.write_text(text.replace('languages = ["en-GB", "cy"]', 'languages = ["cy", "en-GB"]'), "utf-8")
    result = run_cli("-q", "build", "introduction", "--format", "scorm12", "--out", root / "out", root=root)
    assert result.exit_code == 0, result.output
    return next((root / "out").glob("*-scorm12.zip"))


@pytest.mark.parametrize("preference", ["", "fr"], ids=["no-preference", "the-platform-asks-for-french"])
def test_a_set_listing_welsh_first_opens_in_welsh_when_nothing_asks_for_a_language_it_has(
        preference, browser, servers, welsh_first):
    """The browser prefers German, and the platform prefers nothing, or French, which the set does not have: the
    set's first language, Welsh, is shown (the document is Welsh before the runtime starts, too), first in the
    switch and pressed, and written back as the learner's preference."""
    site = servers[0]
    install_package(welsh_first, site)
    assert (site.directory / "pkg" / "index.html").read_text("utf-8").startswith('<!DOCTYPE html>\n<html lang="cy">')
    welsh_title = tomllib.loads((REPO / "content" / "introduction" / "cy" / "set.toml").read_text("utf-8"))["title"]
    stored = {"core": {"student_id": "s1", "student_name": "Jones, Ffion"},
              **({"student_preference": {"language": preference}} if preference else {})}
    context = browser.new_context(locale="de-DE")
    run = LmsRun(context.new_page(), site, stored=stored)
    try:
        run.open()
        frame = run.frame
        assert frame.evaluate("navigator.languages") == ["de-DE"]
        asked = [e[3] for e in run.log() if e[:2] == [SCORM12.get, "cmi.student_preference.language"]]
        assert asked[:1] == [preference], "the platform's preference, as the package read it"
        assert (shown(frame)["lang"], shown(frame)["version"]) == ("cy", "cy")
        assert frame.evaluate("Array.from(document.querySelectorAll('.lp-language'))"
                              ".map(b => [b.dataset.language, b.getAttribute('aria-pressed')])") == [
            ["cy", "true"], ["en-GB", "false"]]
        assert frame.locator("#h-start").text_content() == welsh_title
        told = [e[2] for e in run.log() if e[:2] == [SCORM12.set, "cmi.student_preference.language"] and e[3] == "true"]
        assert told == ["cy"]
    finally:
        context.close()


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_scorm_records_the_language_a_learner_finished_in_as_an_objective(fmt, browser, servers, course_build):
    """Issue 16's report of completions by language, in SCORM: a learner who passes the Introduction in Welsh
    leaves an objective named for Welsh with that status, found after the one the LMS already held (as Moodle
    pre-fills a manifest's objectives), and switching to English afterwards adds none for English."""
    site = servers[0]
    install_package(course_build[("introduction", fmt)], site)
    dialect = {"scorm12": SCORM12, "scorm2004": SCORM2004}[fmt]
    held = {"id": "already-held"}
    stored = {"core": {"student_id": "s1", "student_name": "Jones, Ffion"}, "student_preference": {"language": "cy"},
              "objectives": {"0": held}} if fmt == "scorm12" else \
        {"learner_id": "s1", "learner_name": "Jones, Ffion", "learner_preference": {"language": "cy"},
         "objectives": {"0": held}}
    run = LmsRun(browser.new_page(), site, stored=stored, dialect=dialect)
    try:
        run.open()
        frame = run.frame
        data = json.loads(frame.locator("#lp-data").text_content())
        objective_of = {entry["code"]: entry["objective"] for entry in data["languages"]}
        welsh, english = objective_of["cy"], objective_of["en-GB"]
        assert shown(frame)["lang"] == "cy"
        complete_every_check(frame, data)
        switch(frame, "en-GB")
        go(frame, "finish")
        frame.locator("#lp-exit").click()
        run.page.wait_for_function(f"window.lmsLog.some(e => e[0] === {json.dumps(dialect.finish)})")
        objectives = run.last_data()["objectives"]
        records = [objectives[key] for key in sorted(objectives, key=int)] if isinstance(objectives, dict) \
            else objectives
        assert [record["id"] for record in records] == ["already-held", welsh]
        if fmt == "scorm12":
            assert records[1]["status"] == "passed"
        else:
            assert (records[1]["completion_status"], records[1]["success_status"]) == ("completed", "passed")
        assert english not in json.dumps(run.last_data())
        assert run.flags() == []
    finally:
        run.page.context.close()
