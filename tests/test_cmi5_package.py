"""Issue 12, build and tooling side: cmi5.xml as the LMS imports it, `validate` on cmi5 packages (ours, the shared
hand-made examples and defects), and `diff` telling which changes make the LMS treat a republished AU as new."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import FIXTURE_COURSE, run_cli
from tests.test_validate_packages import make_zip

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
C = f"{{{NS}}}"
SETS = ("introduction", "leading-for-resilience", "leading-for-dialogue", "leading-for-inclusion",
        "leading-for-innovation")
BASE = "https://learning.leading-libraries.example/series/"


def structure(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("cmi5.xml"))


def langstrings(element: etree._Element, name: str) -> list[tuple[str, str]]:
    return [(s.get("lang"), s.text) for s in element.findall(f"{C}{name}/{C}langstring")]


def runtime_data(path: Path, page: str) -> dict:
    with zipfile.ZipFile(path) as archive:
        html = archive.read(page).decode()
    return json.loads(re.search(r'id="lp-data">(.*?)</script>', html, re.S).group(1))


# -- cmi5.xml -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("set_id", SETS)
def test_each_set_is_one_course_with_one_au(course_build, shared, set_id):
    path = course_build[(set_id, "cmi5")]
    root = structure(path)
    schema = etree.XMLSchema(etree.parse(str(shared / "schemas" / "cmi5" / "CourseStructure.xsd")))
    assert schema.validate(root), schema.error_log
    data = runtime_data(path, "index.html")
    course = root.find(f"{C}course")
    assert course.get("id") == BASE + set_id
    translations = [entry for entry in data.get("languages", []) if entry["texts"]]  # a set in several languages
    assert langstrings(course, "title") == [(data["language"], data["set"]["title"])] + [
        (entry["code"], entry["texts"]["set"]) for entry in translations]
    descriptions = langstrings(course, "description")
    assert descriptions[0] == (data["language"], data["set"]["description"])
    assert [(code, text.startswith(entry["texts"]["set.description"]) and (entry["status"] != "draft" or
             text.endswith(f"({entry['strings']['draft_translation']})"))) for (code, text), entry in
            zip(descriptions[1:], translations, strict=True)] == [(entry["code"], True) for entry in translations]
    (au,) = root.findall(f"{C}au")
    assert au.get("id") == f"{BASE}{set_id}/au" and au.findtext(f"{C}url") == "index.html"
    assert au.get("launchMethod") == "AnyWindow"
    pass_mark = data["completion"]["passMark"]
    assert pass_mark is not None and data["questions"], "every set of the course has checks and a pass mark"
    assert (au.get("moveOn"), au.get("masteryScore")) == ("CompletedAndPassed", f"{pass_mark / 100:g}")


def test_one_au_per_module_sits_in_a_block(fixture_build):
    root = structure(fixture_build["module"]["cmi5"])
    assert root.findall(f"{C}au") == []
    (block,) = root.findall(f"{C}block")
    assert block.get("id") == "https://learning.example.org/fixture/every-block/modules"
    assert [(au.get("id").rsplit("/", 1)[1], au.findtext(f"{C}url"), au.get("moveOn"), au.get("masteryScore"))
            for au in block.findall(f"{C}au")] == [
        ("first-steps", "first-steps.html", "CompletedAndPassed", "0.5"),
        ("second-steps", "second-steps.html", "CompletedAndPassed", "0.5")]


def test_without_a_pass_mark_the_au_moves_on_when_completed(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    set_toml = course / "content" / "every-block" / "set.toml"
    set_toml.write_text(set_toml.read_text().replace("pass_mark = 50\n", ""))
    result = run_cli("-q", "build", "--format", "cmi5", "--out", tmp_path / "dist", root=course)
    assert result.exit_code == 0, result.output
    (au,) = structure(next((tmp_path / "dist").glob("*-cmi5.zip"))).iter(f"{C}au")
    assert au.get("moveOn") == "Completed" and au.get("masteryScore") is None


def test_the_runtime_ships_the_lrs_client_before_the_cmi5_adapter(fixture_build):
    with zipfile.ZipFile(fixture_build["set"]["cmi5"]) as archive:
        html = archive.read("index.html").decode()
        names = set(archive.namelist())
    scripts = re.findall(r'<script src="assets/([^"]+)"', html)
    assert scripts.index("lp-lrs.js") < scripts.index("lp-cmi5.js") < scripts.index("lp-app.js")
    assert {"assets/lp-lrs.js", "assets/lp-cmi5.js"} <= names and "assets/lp-xapi.js" not in names


# -- validate ---------------------------------------------------------------------------------------------------
def cmi5_zip(tmp_path: Path, xml: str | bytes, name: str = "course.zip") -> Path:
    return make_zip(tmp_path / name, {"cmi5.xml": xml, "index.html": b"<!doctype html><title>x</title>"})


def validate(path: Path, *options: str) -> tuple[int, str, str]:
    result = run_cli("validate", *options, path)
    return result.exit_code, result.stdout, result.stderr


def test_the_shared_examples_are_judged_as_their_names_say(tmp_path, shared):
    examples = shared / "tools" / "examples" / "cmi5"
    schemas = ("--schemas", str(shared / "schemas"))
    code, output, _ = validate(cmi5_zip(tmp_path, (examples / "cmi5.xml").read_bytes()), *schemas)
    assert code == 0 and output.endswith("course.zip: cmi5: valid\n")
    code, _, errors = validate(cmi5_zip(tmp_path, (examples / "bad-duplicate-id.xml").read_bytes()))
    assert code == 1 and "cmi5.xml:13:1: error: au id 'https://example.com/leadpack/courses/demo/au/1' is used " \
        "twice (first on line 8)" in errors
    code, _, errors = validate(cmi5_zip(tmp_path, (examples / "bad-missing-url.xml").read_bytes()), *schemas)
    assert code == 1 and "has no url" in errors and "schema: Element 'au': Missing child element(s)" in errors
    code, _, errors = validate(cmi5_zip(tmp_path, (examples / "bad-moveon.xml").read_bytes()))
    assert code == 1 and "moveOn 'Completed or Passed', not a cmi5 value" in errors


AU = """<?xml version="1.0" encoding="UTF-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="{course}">
    <title><langstring lang="en-GB">Course</langstring></title>
    <description><langstring lang="en-GB">A course.</langstring></description>
  </course>
  <au id="https://example.org/c/au" {attributes}>
    <title><langstring lang="en-GB">Lesson</langstring></title>
    <description><langstring lang="en-GB">A lesson.</langstring></description>
    <url>{url}</url>
  </au>
</courseStructure>
"""


@pytest.mark.parametrize(("course", "attributes", "url", "expected"), [
    ("https://example.org/c", 'moveOn="Completed"', "index.html?fetch=1&amp;lang=cy",
     "error: AU url 'index.html?fetch=1&lang=cy' uses the launch parameter name(s) fetch"),
    ("https://example.org/c", 'moveOn="Completed"', "lesson.html", "error: AU url 'lesson.html' is not in the zip"),
    ("course-1", 'moveOn="Completed"', "index.html", "error: course id 'course-1' is not a fully qualified IRI"),
    ("https://example.org/c", 'moveOn="Passed" masteryScore="1.5"', "index.html",
     "error: AU 'https://example.org/c/au' has masteryScore '1.5', not a decimal from 0 to 1"),
    ("https://example.org/c", 'moveOn="Passed" masteryScore="0.12345"', "index.html",
     "has masteryScore '0.12345', not a decimal from 0 to 1 with at most 4 decimal places"),
    ("https://example.org/c", 'moveOn="Completed" masteryScore="0.8"', "index.html",
     "warning: AU 'https://example.org/c/au' has a masteryScore but moveOn 'Completed' never asks for a pass"),
    ("https://example.org/c", 'moveOn="CompletedAndPassed"', "index.html",
     "warning: AU 'https://example.org/c/au' has moveOn 'CompletedAndPassed' but no masteryScore"),
])
def test_cmi5_rules_beyond_the_schema(tmp_path, course, attributes, url, expected):
    code, _, errors = validate(cmi5_zip(tmp_path, AU.format(course=course, attributes=attributes, url=url)))
    assert expected in errors, errors
    assert code == (0 if "warning:" in expected else 1)
    assert "cmi5.xml:" in errors and "Traceback" not in errors


# -- diff -------------------------------------------------------------------------------------------------------
def rebuilt(tmp_path: Path, change) -> Path:  # noqa: ANN001 - change: (course folder) -> None
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    change(course)
    result = run_cli("-q", "build", "--format", "cmi5", "--out", tmp_path / "dist", root=course)
    assert result.exit_code == 0, result.output
    return next((tmp_path / "dist").glob("*-cmi5.zip"))


def test_diff_tells_which_changes_make_the_lms_start_an_au_anew(tmp_path, fixture_build):
    old = fixture_build["set"]["cmi5"]

    def new_base(course: Path) -> None:
        config = course / "leadpack.toml"
        config.write_text(config.read_text().replace("https://learning.example.org/fixture/",
                                                     "https://learning.example.net/fixture/"))

    result = run_cli("diff", old, rebuilt(tmp_path / "base", new_base))
    assert result.exit_code == 1, result.output
    assert "the course id changed from 'https://learning.example.org/fixture/every-block' to " \
        "'https://learning.example.net/fixture/every-block'" in result.output
    assert "the item 'https://learning.example.org/fixture/every-block/au' (Every Block) is gone" in result.output

    result = run_cli("diff", old, fixture_build["module"]["cmi5"])
    assert result.exit_code == 1
    assert "a new item 'https://learning.example.org/fixture/every-block/modules/first-steps'" in result.output

    def new_wording(course: Path) -> None:
        page = course / "content" / "every-block" / "first-steps.md"
        page.write_text(page.read_text().replace("A tip", "A helpful tip"))

    result = run_cli("diff", old, rebuilt(tmp_path / "wording", new_wording))
    assert "course id" not in result.output and "is gone" not in result.output, result.output
