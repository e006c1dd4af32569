"""Issue 17, point 2: an LMS hand-off sheet beside each package (HTML and Markdown), in every format of the
registry: the file and its sha256, the settings for Moodle, Totara and any LMS of the standard, what the package
records about learners, republishing, and a question key that matches the package's own interaction ids."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib
import zipfile
from pathlib import Path

import lxml.html
import pytest

from leadpack import formats
from leadpack.formats.base import LMS_SETTINGS
from leadpack.tools.diff import read_release
from tests.conftest import FIXTURE_COURSE, REPO, course_version, run_cli

KEY_LINE = re.compile(r"^`(?P<id>[^`]+)` \(right: `(?P<right>[^`]+)`(?P<several>; more than one option is right)?\): "
                      r"(?P<text>.+)$")
OPTION_LINE = re.compile(r"^- `(?P<letter>[a-j])` (?P<tick>✓ )?(?P<text>.+)$")


def sheets_of(zip_path: Path) -> tuple[Path, Path]:
    stem = zip_path.name.removesuffix(".zip")
    return zip_path.with_name(f"{stem}-handoff.html"), zip_path.with_name(f"{stem}-handoff.md")


def unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def section(markdown: str, title: str) -> str:
    """The Markdown from the level-two heading ``title`` to the next level-two heading."""
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert found, title
    return found.group(1)


def question_key(markdown: str) -> dict[str, tuple[str, str, bool, dict[str, tuple[str, bool]]]]:
    """id → (question text, right response as recorded, several right, {letter: (option text, ticked)})."""
    key: dict = {}
    current = None
    for line in section(markdown, "Question key").splitlines():
        found = KEY_LINE.match(line)
        if found:
            current = {}
            key[found["id"]] = (unescaped(found["text"]), found["right"], bool(found["several"]), current)
        elif current is not None and OPTION_LINE.match(line):
            option = OPTION_LINE.match(line)
            current[option["letter"]] = (unescaped(option["text"]), bool(option["tick"]))
    return key


@pytest.mark.parametrize("mode", ["set", "module"])
@pytest.mark.parametrize("fmt", formats.names())
def test_the_sheet_names_the_file_its_checksum_and_the_settings_of_every_lms(fixture_build, fmt, mode):
    zip_path = fixture_build[mode][fmt]
    html_path, md_path = sheets_of(zip_path)
    markdown, document = md_path.read_text("utf-8"), lxml.html.fromstring(html_path.read_bytes())
    data = zip_path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    for text in (markdown, document.text_content()):
        assert f"sha256: {digest}".replace(" ", "") in text.replace("`", "").replace(" ", "")
        assert f"Size: {len(data):,} bytes" in text and zip_path.name in text
    assert document.findtext(".//h1").startswith("LMS hand-off: Every Block (version 1.2.0), ")
    assert document.get("lang") == "en-GB"

    settings = section(markdown, "Settings that make tracking work")
    lms_names = re.findall(r"^### (.+)$", settings, re.M)
    assert lms_names[:2] == ["Moodle", "Totara"] and len(lms_names) == 3, lms_names
    for block in re.split(r"^### .+$", settings, flags=re.M)[1:]:
        rows = dict(re.findall(r"^\| ([^|]+?) \| (.+) \|$", block, re.M))
        assert [name for name in rows if name not in ("Setting", "---")] == list(LMS_SETTINGS)
        assert "50%" in rows["Pass mark"] or "0.5 (50%)" in rows["Pass mark"]  # the fixture's pass mark
        assert all(value.strip() for value in rows.values())
    tables = document.xpath("//h2[.='Settings that make tracking work']/following::table")
    assert len(tables) >= 3
    for table in tables[:3]:
        assert [row.findtext("td") for row in table.iter("tr")][1:] == list(LMS_SETTINGS)


@pytest.mark.parametrize("fmt", formats.names())
def test_the_privacy_summary_says_what_is_recorded_and_that_reflections_leave_the_device(fixture_build, fmt):
    markdown = sheets_of(fixture_build["set"][fmt])[1].read_text("utf-8")
    records = section(markdown, "What the package records about learners")
    assert "Reflections and action plans leave the device" in records
    element = formats.get(fmt).state_element
    assert f"`{element}`" in records if element else "`leadpack-progress`" in records
    assert len(re.findall(r"^- ", records, re.M)) >= 3
    republish = section(markdown, "Republishing without losing progress")
    assert f"leadpack diff {fixture_build['set'][fmt].name} NEW.zip" in republish


@pytest.mark.parametrize("mode", ["set", "module"])
@pytest.mark.parametrize("fmt", formats.names())
def test_the_question_key_matches_the_package(fixture_build, fmt, mode):
    """Every question of the package under the id its adapter records, with each option's letter and text and the
    right ones ticked; the identifiers the LMS keys on are those of the package's manifest."""
    zip_path = fixture_build[mode][fmt]
    markdown = sheets_of(zip_path)[1].read_text("utf-8")
    release, format_ = read_release(zip_path), formats.get(fmt)
    key = question_key(markdown)
    assert list(key) == [format_.reported_id(q) for q in release.data.questions]
    for question in release.data.questions:
        text, right, several, options = key[format_.reported_id(question)]
        assert text == question.text and several == question.multiple
        assert right == format_.reported_response(question.correct)
        assert options == {letter: (option, letter in question.correct) for letter, option in question.options.items()}
    republish = unescaped(section(markdown, "Republishing without losing progress"))
    for value in (*release.identity.values(), *release.items):
        assert f"`{value}`" in republish


@pytest.mark.parametrize("fmt", formats.names())
def test_the_sheet_says_why_this_format(fixture_build, fmt):
    """Under the file to upload, a paragraph of why this format (and when to upload another of the set's packages
    instead): a heading left with nothing under it, or the paragraph lost from one format, would go unnoticed."""
    html_path, md_path = sheets_of(fixture_build["set"][fmt])
    upload = section(md_path.read_text("utf-8"), "The file to upload")
    headings = re.findall(r"^#+ .+$", upload, re.M)
    assert headings == ["### Why this format"], headings
    why = unescaped(upload.split("### Why this format\n", 1)[1]).strip()
    assert why.startswith(formats.get(fmt).title + " ") and len(why.split()) >= 20, why
    document = lxml.html.fromstring(html_path.read_bytes())
    heading = document.xpath("//h2[.='The file to upload']/following-sibling::*[2]")
    assert [element.tag for element in heading] == ["h3"] and heading[0].text_content() == "Why this format"
    paragraph = heading[0].getnext()
    assert paragraph.tag == "p" and " ".join(paragraph.text_content().split()) == " ".join(why.split())


@pytest.mark.parametrize("mode", ["set", "module"])
@pytest.mark.parametrize("fmt", formats.names())
def test_the_question_key_is_grouped_by_module_in_the_packages_order(fixture_build, fmt, mode):
    """The key's module headings are the package's modules in its own order (its launch pages' runtime data), and
    under each only that module's questions: an LMS administrator reads a report module by module, and a question
    filed under the wrong module, or a module out of place, would send them to the wrong page."""
    zip_path = fixture_build[mode][fmt]
    key = section(sheets_of(zip_path)[1].read_text("utf-8"), "Question key")
    data, format_ = read_release(zip_path).data, formats.get(fmt)
    with zipfile.ZipFile(zip_path) as archive:  # the launch pages' own data, beside diff's reading of it
        embedded = [json.loads(re.search(r'<script type="application/json" id="lp-data">(.*?)</script>',
                                         archive.read(name).decode("utf-8"), re.S)[1])
                    for name in archive.namelist() if name.endswith(".html") and b'id="lp-data"' in archive.read(name)]
    assert sorted((question["id"], question["module"]) for unit in embedded for question in unit["questions"]) == \
        sorted((question.id, question.module) for question in data.questions)
    titles = {module["id"]: module["title"] for unit in embedded for module in unit["modules"]}
    expected = [(titles[module.id], [format_.reported_id(question) for question in data.questions
                                     if question.module == module.id])
                for module in data.modules if any(question.module == module.id for question in data.questions)]
    assert len(expected) >= 2  # the fixture's two modules both have questions
    parts = re.split(r"^### Module: (.+)$", key, flags=re.M)
    found = [(unescaped(title), [line.group("id") for line in map(KEY_LINE.match, body.splitlines()) if line])
             for title, body in zip(parts[1::2], parts[2::2], strict=True)]
    assert found == expected
    assert not any(map(KEY_LINE.match, parts[0].splitlines()))  # no question before the first module's heading


def test_responses_in_the_key_take_the_form_the_adapters_record():
    """The forms the adapters write (lp-scorm12.js joins letters with ",", the others with "[,]"), read from the
    shipped scripts, so the key cannot drift from the runtime."""
    for fmt in formats.every():
        scripts = "".join(path.read_text("utf-8") for path in fmt.scripts)
        separator = fmt.reported_response("ab")[1:-1]
        assert f'response.split("").join("{separator}")' in scripts or \
            f'response.split("").sort().join("{separator}")' in scripts, fmt.name


LANGUAGE_FROM = {"scorm12": "`cmi.student_preference.language`, which the package writes with each choice",
                 "scorm2004": "`cmi.learner_preference.language`, which the package writes with each choice",
                 "xapi": "a `language` parameter on the launch link", "cmi5": "`languagePreference` in the learner's"}


@pytest.mark.parametrize("fmt", formats.names())
def test_a_sheet_for_a_set_in_two_languages_says_how_each_learners_language_is_chosen(course_build, fmt):
    """The Introduction holds English and Welsh: its sheet names both, the order a learner's language is chosen in
    (with the element or parameter this format's platform gives it by) and, for SCORM, that the choice is written
    to the learner's record; a set in English alone has no such section, and SCORM only reads the element."""
    markdown = sheets_of(course_build[("introduction", fmt)])[1].read_text("utf-8")
    languages = section(markdown, "Languages")
    assert "This package holds the set in English (en-GB) and Cymraeg (cy)." in languages
    status = tomllib.loads((REPO / "content/introduction/cy/set.toml").read_text("utf-8")).get("status", "draft")
    assert ("Cymraeg (cy) is a draft translation awaiting review" in languages) == (status == "draft")
    starts = re.findall(r"^- (.+)$", languages, re.M)
    assert starts[0].startswith("the language they chose last in this course")
    assert starts[1].startswith("else the one the platform names: " + LANGUAGE_FROM[fmt])
    assert starts[2:] == ["else their browser's language;", "else English (en-GB), the set's first language."]
    with zipfile.ZipFile(course_build[("introduction", fmt)]) as archive:
        page = archive.read(next(n for n in archive.namelist() if n.endswith(".html") and
                                 b'id="lp-data"' in archive.read(n))).decode("utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="lp-data">(.*?)</script>', page, re.S)[1])
    objectives = [entry["objective"] for entry in data["languages"] if entry["objective"]]
    if fmt.startswith("scorm"):  # SCORM: an objective per language, shown by Moodle's report
        assert len(objectives) == 2 and all(f"`{objective}`" in languages for objective in objectives)
        assert "Moodle's Objectives report" in languages
    else:  # xAPI and cmi5: the statements say it
        assert objectives == [] and "`context.language`" in languages
    english = sheets_of(course_build[("leading-for-dialogue", fmt)])[1].read_text("utf-8")
    assert "## Languages" not in english
    element = {"scorm12": "cmi.student_preference.language", "scorm2004": "cmi.learner_preference.language"}.get(fmt)
    if element:
        written = f"- `{element}`: the language the learner chose"
        records, english_records = (section(text, "What the package records about learners")
                                    for text in (markdown, english))
        read_only = [line for line in english_records.splitlines() if line.startswith("- Read only: ")]
        assert written in records and written not in english_records
        assert read_only and read_only[0].endswith(f" and `{element}`.")


@pytest.mark.parametrize("fmt", formats.names())
def test_the_question_key_of_a_package_in_two_languages_gives_each_text_in_both(course_build, fmt):
    """Each question of the Introduction with its Welsh text below it, and each option with its Welsh words,
    read from the package's own data (the Welsh of every question and option is there)."""
    package = course_build[("introduction", fmt)]
    markdown = sheets_of(package)[1].read_text("utf-8")
    with zipfile.ZipFile(package) as archive:
        page = archive.read(next(n for n in archive.namelist() if n.endswith(".html") and
                                 b'id="lp-data"' in archive.read(n))).decode("utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="lp-data">(.*?)</script>', page, re.S)[1])
    welsh = next(entry for entry in data["languages"] if entry["code"] == "cy")["texts"]
    key = unescaped(section(markdown, "Question key"))
    for question in data["questions"]:
        assert f"Cymraeg (cy): {welsh['question:' + question['id']]}" in key
        for letter, text in question["options"].items():
            assert f"{text} · Cymraeg: {welsh['option:' + question['id'] + ':' + letter]}" in key
    english_only = unescaped(section(sheets_of(course_build[("leading-for-dialogue", fmt)])[1].read_text("utf-8"),
                                     "Question key"))
    assert "Cymraeg" not in english_only and " · " not in english_only


def test_a_sheet_for_one_language_built_apart_names_the_other_languages_package(tmp_path):
    result = run_cli("build", "introduction", "--languages", "apart", "--format", "scorm12", "--out", tmp_path,
                     root=REPO)
    assert result.exit_code == 0, result.output
    welsh, english = (tmp_path / f"introduction-{course_version()}-{code}-scorm12.zip" for code in ("cy", "en-GB"))
    languages = section(sheets_of(welsh)[1].read_text("utf-8"), "Languages")
    assert f"This package holds the set in Cymraeg (cy) only. It is also built in English (en-GB): `{english.name}`." \
        in languages
    assert f"in English (en-GB) only. It is also built in Cymraeg (cy): `{welsh.name}`." in section(
        sheets_of(english)[1].read_text("utf-8"), "Languages")


def test_a_raised_saved_state_limit_tells_the_admin_to_turn_standards_mode_off(tmp_path, fixture_build):
    """With [build] suspend_data_limit above SCORM 1.2's 4,096, the package saves more than Standards mode keeps:
    the sheet says Standards mode must be off (Moodle, Totara) and an LMS needs relaxed limits; at the default
    it says strict SCORM 1.2 works."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    (course / "leadpack.toml").write_text((course / "leadpack.toml").read_text()
                                          + "\n[build]\nsuspend_data_limit = 8192\n")
    result = run_cli("build", "--format", "scorm12", "--out", tmp_path / "out", root=course)
    assert result.exit_code == 0, result.output
    raised = sheets_of(next((tmp_path / "out").glob("*-scorm12.zip")))[1].read_text("utf-8")
    standards = [line for line in raised.splitlines() if line.startswith("| Standards mode |")]
    assert len(standards) == 3 and all("8,192 characters" in line for line in standards)
    assert sum("Off (required)" in line for line in standards) == 2, "Moodle and Totara"
    assert "Relaxed limits required" in standards[2]
    default = sheets_of(fixture_build["set"]["scorm12"])[1].read_text("utf-8")
    assert "Strict SCORM 1.2 works" in default and "Off (required)" not in default


def test_sheets_are_listed_in_json_reproducible_escaped_and_cleaned(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    set_file = course / "content" / "every-block" / "set.toml"
    set_file.write_text(set_file.read_text().replace('title = "Every Block"', 'title = "Tea & <Biscuits> *now*"'))
    (course / "leadpack.toml").write_text((course / "leadpack.toml").read_text()
                                          + '\n[build]\nreflections = "device"\n')
    out = tmp_path / "out"
    first = json.loads(run_cli("build", "--out", out, "--json", root=course).stdout)
    snapshot = {path.name: path.read_bytes() for path in out.iterdir()}
    for package in first["packages"]:
        html_path, md_path = sheets_of(Path(package["path"]))
        assert package["handoff"] == {"html": str(html_path), "markdown": str(md_path)}
        html, markdown = html_path.read_text("utf-8"), md_path.read_text("utf-8")
        assert "LMS hand-off: Tea &amp; &lt;Biscuits&gt; *now* (version 1.2.0)" in html and "<Biscuits>" not in html
        assert "# LMS hand-off: Tea & \\<Biscuits\\> \\*now\\* (version 1.2.0)" in markdown
        assert "Reflections and action plans never leave the device" in markdown
    run_cli("build", "--out", out, root=course)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == snapshot  # byte-reproducible

    set_file.write_text(set_file.read_text().replace('version = "1.2.0"', 'version = "1.3.0"'))
    result = run_cli("build", "--out", out, "--clean", root=course)
    assert result.exit_code == 0, result.output
    left = sorted(path.name for path in out.iterdir())
    assert not [name for name in left if "1.2.0" in name]
    assert sum(name.endswith("-handoff.md") for name in left) == len(formats.names())
    assert "every-block-1.2.0-scorm12-handoff.html (this build did not write it)" in result.stdout
