"""Issue 7: every interface string comes from one catalogue per language (leadpack/locales/<lang>.toml).

The proof is a pseudo-translation: a test catalogue whose every string is ⟦its key⟧, used for a set whose language
is "xx". Walked through every page and state in Chromium (under the test LMS, and as an xAPI launch that fails), every
piece of text the learner can see or hear must then either be pseudo-translated or come from the course's own
sources (or be what the learner typed). An English word left in a template or in the runtime shows up at once.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode

import lxml.html
import pytest

from leadpack.pipeline import render
from tests.conftest import FIXTURE_COURSE, REPO, run_cli, unzip
from tests.support.scorm_lms import LmsRun, install_package

LOCALES = REPO / "leadpack" / "locales"
ENGLISH = tomllib.loads((LOCALES / "en.toml").read_text("utf-8"))
PLACEHOLDER = re.compile(r"\{(\w+)\}")
PSEUDO = re.compile(r"⟦[^⟧]*⟧")
LEARNER_TEXT = "I will ask one open question a day."
LEARNER_NAME = "Ffion Jones"  # the name the LMS gives ("Jones, Ffion"), shown on the certificate and downloads

# Everything the learner can see or hear: text (also hidden or visually hidden), names and descriptions given in
# attributes, the document title and everything said through the announcer since launch.
COLLECT_JS = """() => {
  var out = [document.title].concat(window.__said || []);
  var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (var node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("script, style")) continue;
    /* noscript holds its markup as text while scripts run */
    var text = node.parentElement.closest("noscript") ? node.textContent.replace(/<[^>]*>/g, " ") : node.textContent;
    if (text.trim()) out.push(text);
  }
  document.querySelectorAll("[aria-label], [title], [alt], [placeholder], [aria-valuetext]").forEach(function (e) {
    ["aria-label", "title", "alt", "placeholder", "aria-valuetext"].forEach(function (name) {
      if (e.getAttribute(name)) out.push(e.getAttribute(name));
    });
  });
  return out;
}"""

# Keeps every announcement, including those replaced before the test could read them.
RECORD_ANNOUNCEMENTS = """
window.__said = [];
document.addEventListener("DOMContentLoaded", function () {
  var region = document.getElementById("lp-announcer");
  if (region) new MutationObserver(function () { window.__said.push(region.textContent); })
    .observe(region, { childList: true, characterData: true, subtree: true });
});
"""


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def locale_problems(path: Path) -> list[str]:
    """What is wrong with a translated catalogue: unknown or missing keys (a missing one would show in English),
    missing or extra {placeholders}, empty strings."""
    try:
        strings = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return [f"{path.name}: not valid TOML: {exc}"]
    problems = []
    for key, value in strings.items():
        if key not in ENGLISH:
            problems.append(f"{path.name}: {key} is not in en.toml")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{path.name}: {key} is empty")
        elif placeholders(value) != placeholders(ENGLISH[key]):
            problems.append(f"{path.name}: {key} needs exactly {sorted(placeholders(ENGLISH[key]))}")
    problems += [f"{path.name}: {key} is missing" for key in ENGLISH if key not in strings]
    return problems


def test_every_catalogue_matches_the_english_one(tmp_path):
    for path in sorted(LOCALES.glob("*.toml")):
        assert locale_problems(path) == []
    welsh = tomllib.loads((LOCALES / "cy.toml").read_text("utf-8"))
    assert sorted(welsh) == sorted(ENGLISH), "cy.toml has every string, so no Welsh page falls back to English"
    broken = {**welsh, "page_of": "Tudalen {n}", "bogus": "x", "print": ""}
    del broken["finish_title"]
    path = tmp_path / "cy.toml"
    path.write_text("".join(f"{key} = {json.dumps(value)}\n" for key, value in broken.items()), "utf-8")
    assert locale_problems(path) == [
        "cy.toml: page_of needs exactly ['n', 'total']", "cy.toml: print is empty", "cy.toml: bogus is not in en.toml",
        "cy.toml: finish_title is missing"]


def test_a_catalogue_lacking_strings_is_a_warning_naming_them_for_a_set_in_its_language(tmp_path, monkeypatch):
    """A Welsh set whose catalogues (interface strings, statement sentences) lack keys still builds, with English
    in the gaps, but check and build say which keys, once per catalogue, and --strict refuses it."""
    from leadpack.pipeline import accessibility

    for folder, module, name, dropped in ((LOCALES, render, "LOCALES_DIR", ["finish_title", "next"]),
                                          (LOCALES / "statement", accessibility, "PHRASES_DIR", ["enforcement"])):
        copy = tmp_path / name
        copy.mkdir()
        shutil.copy(folder / "en.toml", copy / "en.toml")
        welsh = {k: v for k, v in tomllib.loads((folder / "cy.toml").read_text("utf-8")).items() if k not in dropped}
        (copy / "cy.toml").write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in welsh.items()), "utf-8")
        monkeypatch.setattr(module, name, copy)
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    set_file = course / "content" / "every-block" / "set.toml"
    set_file.write_text(set_file.read_text("utf-8").replace('language = "en-GB"', 'language = "cy-GB"'), "utf-8")
    result = run_cli("check", "--json", root=course)
    warned = [(Path(p["path"]).parent.name, p["message"], p["hint"]) for p in json.loads(result.stdout)["problems"]]
    hint = "add them to cy.toml, in cy, with the placeholders en.toml gives them"
    assert result.exit_code == 0 and warned == [
        ("LOCALES_DIR", "cy.toml lacks 2 of the interface strings in en.toml (next, finish_title), so cy pages show "
         "them in English", hint),
        ("PHRASES_DIR", "cy.toml lacks 1 of the accessibility statement sentences in en.toml (enforcement), so cy "
         "pages show them in English", hint)]
    assert run_cli("-q", "build", "--out", tmp_path / "out", root=course).exit_code == 0
    strict = run_cli("-q", "build", "--strict", "--out", tmp_path / "strict", root=course)
    assert strict.exit_code == 1 and not (tmp_path / "strict").exists()


def test_every_string_the_runtime_and_templates_ask_for_is_in_the_catalogue():
    runtime = "".join(p.read_text("utf-8") for p in (REPO / "leadpack" / "runtime").glob("lp-*.js"))
    templates = "".join(p.read_text("utf-8") for p in (REPO / "templates").glob("*.html"))
    asked = set(re.findall(r'\bt\("(\w+)"', runtime)) | set(re.findall(r"\bt\.(\w+)\b", templates)) - {"get"}
    assert asked, "the runtime and templates use the catalogue"
    assert sorted(asked - set(ENGLISH)) == []


@pytest.fixture
def pseudo_build(tmp_path, monkeypatch):
    """The fixture course in the pseudo-language "xx", both formats."""
    locales = tmp_path / "locales"
    locales.mkdir()
    shutil.copy(LOCALES / "en.toml", locales / "en.toml")
    lines = [f"{key} = {json.dumps('⟦' + key + ''.join(f' {{{p}}}' for p in sorted(placeholders(value))) + '⟧')}"
             for key, value in ENGLISH.items()]
    (locales / "xx.toml").write_text("\n".join(lines) + "\n", "utf-8")
    monkeypatch.setattr(render, "LOCALES_DIR", locales)
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    set_file = course / "content" / "every-block" / "set.toml"
    set_file.write_text(set_file.read_text("utf-8").replace('language = "en-GB"', 'language = "xx"'), "utf-8")
    out = tmp_path / "out"
    result = run_cli("-q", "build", "--out", out, root=course)
    assert result.exit_code == 0, result.output
    sources = " ".join(p.read_text("utf-8") for p in course.rglob("*") if p.suffix in (".md", ".toml"))
    return {fmt: next(out.glob(f"*-{fmt}.zip")) for fmt in ("scorm12", "xapi")}, " ".join(sources.split())


def leaks(texts: list[str], sources: str) -> list[str]:
    """Text that is neither pseudo-translated nor the course's own words nor the learner's: hard-coded."""
    found = []
    for text in texts:
        rest = PSEUDO.sub("·", text)
        for chunk in re.split(r"[·:()]", rest):
            chunk = " ".join(chunk.split())
            if re.search(r"[^\W\d_]", chunk) and chunk not in sources and chunk not in (LEARNER_TEXT, LEARNER_NAME):
                found.append(f"{chunk!r} in {text!r}")
    return sorted(set(found))


def test_no_interface_string_is_hard_coded_in_templates_or_runtime(page, site, pseudo_build, browser):
    packages, sources = pseudo_build
    page.add_init_script(RECORD_ANNOUNCEMENTS)
    install_package(packages["scorm12"], site)
    run = LmsRun(page, site, stored={"core": {"student_id": "s1", "student_name": "Jones, Ffion"}})
    run.open()
    frame, texts = run.frame, []

    def collect() -> None:
        texts.extend(frame.evaluate(COLLECT_JS))

    data = run.course_data()
    assert data["language"] == "xx" and frame.evaluate("document.documentElement.lang") == "xx"
    last = len(data["pages"]) - 1
    collect()  # the start page
    for number in range(len(data["pages"])):
        if number == last:
            run.evaluate("lmsControl.failCommits = true")  # the LMS refuses the last page's commit
        run.next()
        collect()
        forms = frame.locator(".lp-page:not([hidden]) form.lp-question")
        for index in range(forms.count()):
            forms.nth(index).locator("button[type=submit]").click()  # nothing chosen
            forms.nth(index).locator("input").first.check()
            forms.nth(index).locator("button[type=submit]").click()
        areas = frame.locator(".lp-page:not([hidden]) textarea")
        for index in range(areas.count()):
            areas.nth(index).fill(LEARNER_TEXT)
        collect()
    frame.wait_for_function("document.getElementById('lp-notice').textContent.length > 0")
    frame.evaluate("document.getElementById('lp-toc-toggle').click()")  # Show/Hide contents (narrow screens)
    frame.locator("#lp-next").click()  # to My reflections and action plan
    collect()
    with page.expect_download() as download:
        frame.locator("#lp-download").click()
    saved = lxml.html.fromstring(Path(download.value.path()).read_bytes())
    texts += [saved.findtext(".//title")] + [t for t in saved.find("body").itertext() if t.strip()]
    frame.locator("#lp-clear").click()
    collect()
    frame.locator("#lp-clear").click()
    collect()
    frame.locator("#lp-next").click()  # to the results
    frame.wait_for_function("document.querySelector('.lp-page:not([hidden])').dataset.page === 'finish'")
    collect()
    run.evaluate("lmsControl.failCommits = false")
    frame.locator("#lp-exit").click()
    collect()
    assert leaks(texts, sources) == []
    assert any("⟦save_failed⟧" in t for t in texts), texts
    assert any("⟦exited⟧" in t for t in texts), texts
    assert any("⟦score_so_far" in t for t in texts) and any("⟦page_changed" in t for t in texts)
    assert any("⟦start_counting⟧" in t for t in texts) and any("⟦finish_title⟧" in t for t in texts)

    stored = {"core": {"student_id": "s1", "student_name": "Jones, Ffion", "entry": "resume", "lesson_mode": "browse"},
              "suspend_data": run.last_data()["suspend_data"]}
    again = browser.new_page()
    again.add_init_script(RECORD_ANNOUNCEMENTS)
    run = LmsRun(again, site, stored=stored)
    run.open()
    frame = run.frame
    assert frame.locator("#lp-resume").is_visible()
    texts = []
    collect()

    unzip(packages["xapi"], Path(site.directory) / "xapi")  # a launch link that names no learner
    query = urlencode({"endpoint": site.url + "nowhere/", "actor": json.dumps({"name": "Nobody"})}, quote_via=quote)
    again.goto(site.url + f"xapi/index.html?{query}")
    frame = again.main_frame
    frame.wait_for_function("document.getElementById('lp-notice').textContent.length > 0")
    collect()
    assert leaks(texts, sources) == []
    assert any("⟦resume_title⟧" in t for t in texts) and any("⟦browse_mode⟧" in t for t in texts)
    assert any("⟦start_failed⟧" in t for t in texts) and any("⟦standalone⟧" in t for t in texts)
    again.close()


def test_the_leak_finder_finds_english():
    sources = "Welcome to the course"
    assert leaks(["⟦next⟧", "Welcome", "⟦module_of 1 2⟧: Welcome", "3 ⟦bytes⟧", LEARNER_TEXT], sources) == []
    assert leaks(["Next", "⟦page_of 1 2⟧ (visited)", "12 bytes"], sources) == [
        "'12 bytes' in '12 bytes'", "'Next' in 'Next'", "'visited' in '⟦page_of 1 2⟧ (visited)'"]
