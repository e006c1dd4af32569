"""`leadpack explain`: a learner's saved state, as copied from an LMS, in plain words (issue 8)."""

from __future__ import annotations

import html
import json
import re

import pytest

from leadpack.pipeline.runtime_data import RuntimeData
from leadpack.tools.explain import units_in_package
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def package(fixture_build):
    return fixture_build["set"]["scorm12"]


@pytest.fixture(scope="module")
def unit(package) -> RuntimeData:
    return units_in_package(package)[0]


def keys(unit: RuntimeData, kind: str) -> dict[str, str]:
    return {item.id: item.key for item in getattr(unit, kind)}


def state_text(unit: RuntimeData, pages: list[str], answers: dict[str, str], reflections: dict[str, str],
               done: str = "") -> str:
    """State encoded as the runtime's encodeState writes it (pipeline/state.py defines the format)."""
    page_keys, question_keys, reflection_keys = keys(unit, "pages"), keys(unit, "questions"), keys(unit, "reflections")
    state = {"v": 1, "l": page_keys[pages[-1]] if pages else "", "p": "".join(page_keys[p] for p in pages),
             "a": {question_keys[q]: r for q, r in answers.items()},
             "r": {reflection_keys[r]: t for r, t in reflections.items()}}
    if done:
        state["d"] = done
    return json.dumps(state, separators=(",", ":"))


def explain(*args: str):
    return run_cli("explain", *args)


def test_names_pages_answers_and_reflections_from_the_package(unit, package):
    text = state_text(unit, ["first-steps/welcome", "first-steps/doing", "first-steps/quiz"],
                      {"first-steps/pick-b": "b", "first-steps/which-of-these-are-vowels": "ab"},
                      {"first-steps/what-brings-you-to-this-course": "To lead better."})
    result = explain(text, "--package", package)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Bookmark: First steps › Quiz (first-steps/quiz)" in out
    assert "Pages: 3 of 5 done" in out
    assert "  done     First steps › Welcome (first-steps/welcome)" in out
    assert "  missing  Second steps › Wrapping up (second-steps/wrapping-up)" in out
    assert "Questions: 2 of 3 answered, 1 right (pass mark 50%)" in out
    assert "right         Which letter comes second? (first-steps/pick-b): answered B" in out
    assert "wrong         Which of these are vowels? (first-steps/which-of-these-are-vowels): answered A; B; " \
           "the answer is A; E" in out
    assert "not answered  Is this the last page? (second-steps/is-this-the-last-page)" in out
    assert "Reflections: 1 of 2 hold text" in out
    assert re.search(r"^  15 characters +What brings you to this course\?", out, re.M)
    assert "Finished: not yet" in out


def test_json_output_carries_the_same_facts(unit, package):
    text = state_text(unit, ["first-steps/welcome"], {"second-steps/is-this-the-last-page": "a"}, {}, done="p")
    result = explain(text, "--package", package, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["id"] for p in data["pages"] if p["done"]] == ["first-steps/welcome"]
    answered = {a["id"]: a["right"] for a in data["answers"] if a["response"]}
    assert answered == {"second-steps/is-this-the-last-page": True}
    assert data["finished"] == "passed" and data["bookmark"] == "first-steps/welcome"


def test_copies_from_a_report_page_or_the_xapi_state_document_are_read(unit, package):
    text = state_text(unit, ["first-steps/welcome", "first-steps/doing"], {}, {})
    for copied in (f"  {html.escape(text)}\n", json.dumps({"state": text})):
        result = explain(copied, "--package", package)
        assert result.exit_code == 0, result.output
        assert "Pages: 2 of 5 done" in result.stdout


def test_reads_standard_input_with_a_dash(unit, package):
    from click.testing import CliRunner

    from leadpack.cli import main

    text = state_text(unit, ["first-steps/welcome"], {}, {})
    result = CliRunner().invoke(main, ["explain", "-", "--package", str(package)], input=text)
    assert result.exit_code == 0, result.output
    assert "Pages: 1 of 5 done" in result.stdout


def test_without_the_package_decodes_keys_and_says_names_need_it(unit):
    text = state_text(unit, ["first-steps/welcome", "first-steps/doing"], {"first-steps/pick-b": "b"},
                      {"first-steps/what-brings-you-to-this-course": "Twelve chars"})
    result = explain(text)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Names need the package" in out and "--package" in out
    assert f"Bookmark: page key {keys(unit, 'pages')['first-steps/doing']}" in out
    assert "Pages done: 2" in out
    assert f"question key {keys(unit, 'questions')['first-steps/pick-b']}: chose B" in out
    assert "Reflections holding text: 1" in out and "12 characters" in out


def test_a_module_sco_package_explains_with_the_sco_that_knows_the_keys(fixture_build):
    package = fixture_build["module"]["scorm12"]
    second = next(u for u in units_in_package(package) if u.unit_id == "second-steps")
    text = state_text(second, ["second-steps/looking-back"], {}, {})
    result = explain(text, "--package", package)
    assert result.exit_code == 0, result.output
    assert "SCO second-steps" in result.stdout and "Pages: 1 of 2 done" in result.stdout


@pytest.mark.parametrize(("text", "message"), [
    ("v=1;p=abc", "it is not JSON"),
    ("[1, 2]", "no version field"),
    ('{"v":2,"p":""}', "format version 2"),
    ('{"v":1,"p":"abcd"}', "5-character page keys"),
    ('{"v":1,"p":"ABCDE"}', "is not a page key"),
    ('{"v":1,"a":{"abcde":"z"}}', "option letters"),
    ('{"v":1,"d":"x"}', "finished marker"),
    ('{"v":1,"x":1}', "unknown field(s) x"),
    ("   ", "empty"),
])
def test_malformed_state_is_refused_clearly(text, message):
    result = explain(text)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_state_from_another_package_is_refused(package):
    result = explain('{"v":1,"l":"zzzzz","p":"zzzzzyyyyy"}', "--package", package)
    assert result.exit_code == 1
    assert "2 key(s) in the saved state are not in 'Every Block' 1.2.0" in result.stderr
    assert "another package or another version" in result.stderr


def test_a_file_that_is_not_a_package_is_refused(tmp_path):
    bogus = tmp_path / "notes.zip"
    bogus.write_text("not a zip")
    result = explain('{"v":1}', "--package", bogus)
    assert result.exit_code == 1 and "cannot read the package" in result.stderr


def test_bytes_on_standard_input_that_are_not_utf8_give_one_line(tmp_path):
    """Run as a real process, whose standard input is bytes: no traceback, one line, exit 1."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "leadpack", "explain", "-"], input=b'\xff\xfe{"v":1}',
                            capture_output=True, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in lines[0], lines
