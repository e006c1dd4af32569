"""Issue 6 acceptance: every broken source in tests/fixtures/bad gives exactly one clear message, exit 1, and no
output. Each case is the good fixture course with one mistake laid over it (see tests/fixtures/bad/README.md)."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_COURSE, FIXTURES, run_cli

BAD = FIXTURES / "bad"
CASES = sorted(path for path in BAD.iterdir() if (path / "case.toml").is_file())


def named(name: str) -> Path:
    return next(case for case in CASES if case.name.split("-", 1)[1] == name)


def spec_of(case: Path) -> dict:
    return tomllib.loads((case / "case.toml").read_text("utf-8"))


def course_with(case: Path, into: Path) -> Path:
    """The good fixture course with the case's files laid over it."""
    course = into / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    for path in case.rglob("*"):
        relative = path.relative_to(case)
        if path.is_file() and relative.as_posix() != "case.toml":
            (course / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, course / relative)
    for link, target in spec_of(case).get("symlinks", {}).items():
        (course / link).symlink_to(target)
    return course


def test_there_are_at_least_forty_broken_sources():
    assert len(CASES) >= 40
    assert all(spec_of(case)["mistake"] and spec_of(case)["expect"] for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_broken_source_gives_one_exact_message(case, tmp_path, monkeypatch):
    expected = spec_of(case)["expect"]
    course = course_with(case, tmp_path)
    monkeypatch.chdir(course)

    checked = run_cli("check")
    assert checked.exit_code == 1
    assert checked.stderr.splitlines() == [expected]
    assert "Traceback" not in checked.output

    built = run_cli("build", "--out", "dist")
    assert built.exit_code == 1
    assert built.stderr.splitlines() == [expected, "1 problem found; nothing was written."]
    assert not (course / "dist").exists()


def test_json_output_carries_the_location(tmp_path, monkeypatch):
    case = named("html-onclick")
    monkeypatch.chdir(course_with(case, tmp_path))
    result = run_cli("check", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["problems"] == [{
        "path": "content/every-block/second-steps.md", "line": 15, "col": 7, "severity": "error",
        "message": "an event-handler attribute (onclick=) is not allowed",
        "hint": "remove it: course text cannot run code",
    }]


def test_every_mistake_in_a_file_is_reported_in_one_run(tmp_path, monkeypatch):
    """Several mistakes in one module, its front matter and its set: one run lists them all, in file order."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    module = course / "content" / "every-block" / "second-steps.md"
    module.write_text(
        '+++\ntitle = "Second steps"\nminutes = "five"\noutcomes = ["Finish"]\n+++\n\n'
        "# Looking back\n\n::: reflexion\nWhat now?\n:::\n\n![](media/square.svg)\n\n"
        "# Wrapping up\n\n::: question\nIs this the last page?\n\n- [ ] Yes\n  > Right.\n- [ ] No\n\n:::\n\n"
        "<script>alert(1)</script>\n\n[back](#nowhere)\n", "utf-8")
    settings = course / "content" / "every-block" / "set.toml"
    settings.write_text(settings.read_text().replace('language = "en-GB"', 'language = "British"'))
    monkeypatch.chdir(course)
    result = run_cli("check")
    assert result.exit_code == 1
    lines = [line.split(": error: ")[0] + ": " + line.split(": error: ")[1].split(" (")[0]
             for line in result.stderr.splitlines()]
    path = "content/every-block/second-steps.md"
    assert lines == [
        f"{path}:3:1: 'minutes' must be a whole number, not text",
        f"{path}:9:1: unknown block '::: reflexion'",
        f"{path}:13:1: the image has no alt text",
        f"{path}:17:1: the question has no correct option",
        f"{path}:22:1: this option has no feedback",
        f"{path}:26:1: a <script> element is not allowed",
        f"{path}:28:7: link to '#nowhere' matches no page",
        "content/every-block/set.toml:4:1: 'British' is not a language tag",
    ]


def test_debug_shows_a_traceback_and_plain_mode_does_not(tmp_path, monkeypatch):
    monkeypatch.chdir(course_with(named("html-script"), tmp_path))
    plain = run_cli("build", "--out", "dist")
    debug = run_cli("--debug", "build", "--out", "dist")
    assert plain.exit_code == debug.exit_code == 1
    assert "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr


def unlisted_module_and_unused_file(course: Path) -> None:
    (course / "content" / "every-block" / "draft.md").write_text(
        '+++\ntitle = "Draft"\nminutes = 1\noutcomes = ["x"]\n+++\n\n# Draft\n\nText.\n')
    (course / "content" / "every-block" / "media" / "unused.png").write_bytes(b"\x89PNG")


def modules_without_set_toml_and_an_all_correct_question(course: Path) -> None:
    (course / "content" / "stray").mkdir()
    (course / "content" / "stray" / "notes.md").write_text("# Notes\n\nText.\n")
    module = course / "content" / "every-block" / "first-steps.md"
    text = module.read_text("utf-8")
    assert "- [ ] B\n  > B is a consonant." in text
    module.write_text(text.replace("- [ ] B\n  > B is a consonant.", "- [x] B\n  > B is a consonant."), "utf-8")


WARNED = {
    "unlisted-module-and-unused-file": (unlisted_module_and_unused_file, [
        "content/every-block/draft.md:1:1: warning: draft.md is not listed in set.toml, so it is left out of the "
        'packages (add "draft" to modules in set.toml, or move the file out of the set folder)',
        "content/every-block/media/unused.png:1:1: warning: no page uses this file, so it is left out of the packages "
        "(show it with ::: figure, ::: video, ::: audio or ::: download, or delete it)"]),
    "modules-without-set-toml-and-all-correct-question": (modules_without_set_toml_and_an_all_correct_question, [
        "content/every-block/first-steps.md:60:1: warning: every option of this question is marked correct (mark the "
        "wrong options with [ ])",
        "content/stray:1:1: warning: the folder 'stray' holds module files but no set.toml, so it is not built (add a "
        "set.toml (see docs/authoring.md §3), or move the files into a set)"]),
}


@pytest.mark.parametrize("case", sorted(WARNED))
def test_documented_warnings_are_listed_at_their_line_and_only_strict_stops_the_build(case, tmp_path, monkeypatch):
    edit, expected = WARNED[case]
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    edit(course)
    monkeypatch.chdir(course)
    result = run_cli("check")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == expected
    assert f"0 error(s), {len(expected)} warning(s)" in result.stdout
    built = run_cli("build", "--json", "--out", "dist")
    assert built.exit_code == 0
    assert {p["set"] for p in json.loads(built.stdout)["packages"]} == {"every-block"}  # the stray folder is left out
    assert run_cli("-q", "build", "--strict", "--out", "strict").exit_code == 1 and not (course / "strict").exists()


def test_the_repository_course_checks_clean(monkeypatch):
    from tests.conftest import REPO

    monkeypatch.chdir(REPO)
    result = run_cli("check")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
