"""Issue 15: the command line behaves like the tools authors already use.

Global options before or after the subcommand, "did you mean", warnings printed during a build (coloured only
on a terminal, NO_COLOR respected), --strict, --verbose, the closing summary line, --json and --clean.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadpack import formats
from leadpack.cli import main
from tests.conftest import FIXTURE_COURSE, run_cli, zip_names

SET_FOLDER = Path("content") / "every-block"
ZIPS = [f"every-block-1.2.0-{fmt}.zip" for fmt in sorted(formats.names())]
UNUSED = "no page uses this file, so it is left out of the packages"
UNLISTED = "draft.md is not listed in set.toml, so it is left out of the packages"


def invoke(*args: object, color: bool = False, env: dict[str, str] | None = None):
    """The CLI as a terminal (color=True) or a pipe (color=False) would see it."""
    return CliRunner().invoke(main, [str(a) for a in args], color=color, env=env, catch_exceptions=False)


@pytest.fixture()
def warned_course(tmp_path: Path) -> Path:
    """The fixture course with two warnings: a media file no page uses and a module set.toml does not list."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    (course / SET_FOLDER / "media" / "unused.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")
    (course / SET_FOLDER / "draft.md").write_text((course / SET_FOLDER / "second-steps.md").read_text("utf-8"))
    return course


def test_global_options_work_after_the_subcommand_as_before_it(tmp_path):
    before = run_cli("-q", "build", "--out", tmp_path / "a", root=FIXTURE_COURSE)
    after = run_cli("build", "--out", tmp_path / "b", "-q", "--root", FIXTURE_COURSE)
    assert before.exit_code == after.exit_code == 0
    assert before.stdout == after.stdout == ""
    assert sorted(p.name for p in (tmp_path / "b").glob("*.zip")) == ZIPS
    listed = run_cli("list", "--json", "--root", FIXTURE_COURSE)
    assert [s["id"] for s in json.loads(listed.stdout)["sets"]] == ["every-block"]
    assert "stages: load " in run_cli("build", "--out", tmp_path / "c", "--verbose", root=FIXTURE_COURSE).stdout


def test_debug_after_the_subcommand_shows_the_traceback(tmp_path):
    plain = run_cli("check", "--root", tmp_path)
    traced = run_cli("check", "--root", tmp_path, "--debug")
    assert plain.exit_code == traced.exit_code == 1
    assert "no leadpack.toml here" in plain.stderr and "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in traced.stderr


def test_a_mistyped_command_gets_a_suggestion():
    result = run_cli("biuld")
    assert result.exit_code == 2
    assert "No such command 'biuld'. Did you mean 'build'?" in result.stderr
    far = run_cli("xyzzy")
    assert far.exit_code == 2 and "No such command 'xyzzy'." in far.stderr and "Did you mean" not in far.stderr


def test_a_mistyped_set_gets_a_suggestion_and_the_list_of_sets():
    result = run_cli("build", "leading-for-resilence")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no set 'leading-for-resilence': did you mean 'leading-for-resilience'?" in result.stderr
    assert "sets are: introduction, leading-for-dialogue" in result.stderr
    far = run_cli("check", "xyzzy")
    assert far.exit_code == 1 and "no set 'xyzzy' (sets are:" in far.stderr


@pytest.mark.parametrize("out", ["content", "content/every-block/dist", "templates/x", "from-settings"])
def test_a_build_into_the_courses_sources_is_refused_and_writes_nothing(tmp_path, out):
    """Packages and Markdown hand-off sheets in content/ or templates/ would mix with what maintainers edit (and a
    --clean there would tidy it): refused, whether --out or leadpack.toml's [build] out names the folder."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    (course / "templates").mkdir(exist_ok=True)
    before = sorted(str(p.relative_to(course)) for p in course.rglob("*"))
    if out == "from-settings":
        config = course / "leadpack.toml"
        config.write_text(config.read_text() + '\n[build]\nout = "content/packages"\n')
        before = sorted(str(p.relative_to(course)) for p in course.rglob("*"))
        result = run_cli("build", root=course)
    else:
        result = run_cli("build", "--out", course / out, root=course)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "which holds the course's sources" in result.stderr
    assert sorted(str(p.relative_to(course)) for p in course.rglob("*")) == before


def test_warnings_print_during_the_build_in_a_compact_form(warned_course, tmp_path):
    result = invoke("--root", warned_course, "build", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert len(warnings) == 2, result.stderr
    assert warnings[0].endswith(f"every-block/draft.md:1:1: warning: {UNLISTED} (add \"draft\" to modules in "
                                "set.toml, or move the file out of the set folder)")
    assert warnings[1].endswith(f"every-block/media/unused.svg:1:1: warning: {UNUSED} (show it with ::: figure, "
                                "::: video, ::: audio or ::: download, or delete it)")
    assert "\x1b[" not in result.stderr, "no colour codes when the output is not a terminal"
    assert sorted(p.name for p in (tmp_path / "out").glob("*.zip")) == ZIPS


def test_warnings_are_coloured_on_a_terminal_unless_no_color_is_set(warned_course, tmp_path):
    terminal = invoke("--root", warned_course, "build", "--out", tmp_path / "a", color=True)
    assert terminal.exit_code == 0
    assert "\x1b[33m\x1b[1mwarning\x1b[0m" in terminal.stderr
    assert f"warning\x1b[0m: {UNUSED}" in terminal.stderr
    no_color = invoke("--root", warned_course, "build", "--out", tmp_path / "b", color=True, env={"NO_COLOR": "1"})
    assert no_color.exit_code == 0
    assert f": warning: {UNUSED}" in no_color.stderr and "\x1b[" not in no_color.stderr + no_color.stdout


def test_strict_fails_on_warnings_and_writes_nothing(warned_course, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "every-block-1.1.0-xapi.zip").write_bytes(b"an older release")
    result = run_cli("build", "--strict", "--clean", "--out", out, root=warned_course)
    assert result.exit_code == 1
    assert f": warning: {UNUSED}" in result.stderr
    assert result.stderr.rstrip().endswith("2 warnings, which --strict treats as errors; nothing was written.")
    assert sorted(p.name for p in out.iterdir()) == ["every-block-1.1.0-xapi.zip"], "nothing written or removed"
    assert run_cli("build", "--strict", "--out", out, root=FIXTURE_COURSE).exit_code == 0, "no warnings: it builds"


def test_the_build_ends_with_a_summary_line(warned_course, tmp_path):
    warned = run_cli("build", "--out", tmp_path / "a", root=warned_course).stdout.splitlines()
    assert re.fullmatch(rf"built {len(ZIPS)} packages in \d+\.\d s, 2 warnings", warned[-1]), warned[-1]
    clean = run_cli("build", "--format", "xapi", "--out", tmp_path / "b", root=FIXTURE_COURSE).stdout.splitlines()
    assert re.fullmatch(r"built 1 package in \d+\.\d s, no warnings", clean[-1]), clean[-1]


def test_verbose_shows_stage_timings_and_the_files_in_each_package(tmp_path):
    out = tmp_path / "out"
    lines = run_cli("--verbose", "build", "--out", out, root=FIXTURE_COURSE).stdout.splitlines()
    stages = next(line for line in lines if line.startswith("stages: "))
    assert re.fullmatch(r"stages: load \d+\.\d\d s, check \d+\.\d\d s, render \d+\.\d\d s, package \d+\.\d\d s, "
                        r"zip \d+\.\d\d s, handoff \d+\.\d\d s, write \d+\.\d\d s", stages), stages
    assert "links learners may follow to the web:" in lines
    for name in ZIPS:
        names = zip_names(out / name)
        start = lines.index(f"{name}: {len(names)} files")
        listed = [line.split()[0] for line in lines[start + 1:start + 1 + len(names)]]
        assert listed == sorted(names)
        assert all(re.search(r"  \d+\.\d KB$", line) for line in lines[start + 1:start + 1 + len(names)])
    assert not any(line.startswith("stages: ") for line in run_cli("build", "--out", out, root=FIXTURE_COURSE)
                   .stdout.splitlines()), "only with --verbose"


def test_json_is_unchanged_apart_from_a_warnings_list(warned_course, tmp_path):
    report = json.loads(run_cli("build", "--json", "--out", tmp_path / "out", root=warned_course).stdout)
    assert set(report) == {"ok", "packages", "external_links", "warnings"}
    assert report["ok"] is True and report["external_links"] == ["https://example.org/reading"]
    assert {key for package in report["packages"] for key in package} == {
        "set", "format", "path", "size", "files", "sha256", "suspend_data", "accessibility_statement", "handoff",
        "languages", "edition"}
    assert [(w["severity"], w["message"]) for w in report["warnings"]] == [("warning", UNLISTED),
                                                                          ("warning", UNUSED)]
    assert report["warnings"][1]["path"].endswith("every-block/media/unused.svg")


def test_clean_removes_only_leadpack_outputs_this_build_did_not_write(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = ["every-block-1.1.0-scorm12.zip", "every-block-1.1.0-accessibility.html",
             "every-block-1.1.0-accessibility.md", "old-set-2.0-xapi.zip", "every-block-1.1.0-scorm12-handoff.md",
             "old-set-2.0-cmi5-handoff.html"]
    kept = ["notes.txt", "every-block-1.1.0-scorm12.zip.bak", "photo.zip", "every-block-1.1.0-scorm2005.zip",
            "Every-Block-1.1.0-xapi.zip", "every-block-1.1.0-handoff.md", "every-block-1.1.0-scorm12-handoff.txt"]
    for name in stale + kept:
        (out / name).write_bytes(b"x")
    (tmp_path / "elsewhere.zip").write_bytes(b"the target of a link")
    (out / "linked-1.0.0-xapi.zip").symlink_to(tmp_path / "elsewhere.zip")

    result = run_cli("build", "--clean", "--out", out, root=FIXTURE_COURSE)
    assert result.exit_code == 0, result.output
    for name in stale:
        assert f"removed {out / name} (this build did not write it)" in result.stdout
        assert not (out / name).exists()
    written = ZIPS + ["every-block-1.2.0-accessibility.html", "every-block-1.2.0-accessibility.md"] + [
        name.replace(".zip", f"-handoff.{end}") for name in ZIPS for end in ("html", "md")]
    assert sorted(p.name for p in out.iterdir()) == sorted(kept + written + ["linked-1.0.0-xapi.zip"])
    assert (tmp_path / "elsewhere.zip").read_bytes() == b"the target of a link"

    (out / "old-set-2.0-xapi.zip").write_bytes(b"x")
    assert run_cli("build", "--out", out, root=FIXTURE_COURSE).exit_code == 0
    assert (out / "old-set-2.0-xapi.zip").exists(), "without --clean nothing is removed"
    report = json.loads(run_cli("build", "--clean", "--json", "--out", out, root=FIXTURE_COURSE).stdout)
    assert report["removed"] == [str(out / "old-set-2.0-xapi.zip")]


def test_clean_for_named_sets_leaves_other_sets_alone(tmp_path):
    course = tmp_path / "course"
    assert run_cli("new", course).exit_code == 0
    assert run_cli("new", "--set", "second-set", root=course).exit_code == 0
    out = course / "dist"
    out.mkdir()
    for name in ("first-set-0.0.1-xapi.zip", "second-set-0.0.1-xapi.zip"):
        (out / name).write_bytes(b"x")
    result = run_cli("build", "first-set", "--clean", root=course)
    assert result.exit_code == 0, result.output
    assert not (out / "first-set-0.0.1-xapi.zip").exists()
    assert (out / "second-set-0.0.1-xapi.zip").exists()


def test_a_set_left_out_of_the_sets_order_is_a_warning(tmp_path):
    """Listed sets come first; one the list forgets is built after them, and check says so."""
    course = shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    shutil.copytree(course / "content" / "every-block", course / "content" / "second-set")
    config = course / "leadpack.toml"
    config.write_text(config.read_text().replace('[series]\n', '[series]\nsets = ["every-block"]\n', 1))
    result = run_cli("check", root=course)
    assert "warning: the set 'second-set' is not in sets, so it comes after the listed sets" in result.stderr
    assert result.exit_code == 0


# command -> (its arguments for a bad input, whether the mistake is an error raised (which --debug traces) or a
# finding the command reports (validate, diff and release say what is wrong with the packages they were given))
BAD_INPUTS = {
    "validate": (lambda tmp: ["validate", _file(tmp, "not-a.zip", b"plain text")], False),
    "diff": (lambda tmp: ["diff", _file(tmp, "a.zip", b"PK\x03\x04 broken"), _file(tmp, "b.zip", b"\x00" * 64)],
             False),
    "release": (lambda tmp: ["release", _folder(tmp, "old"), _folder(tmp, "new")], False),
    "explain": (lambda tmp: ["explain", '{"v": 1, "p": [[[[]]]]}'], True),
    "translate import": (lambda tmp: ["--root", FIXTURE_COURSE, "translate", "import",
                                      _file(tmp, "cy.xlf", b"<xliff><unclosed>")], True),
    "list": (lambda tmp: ["--root", _folder(tmp, "not-a-course"), "list"], True),
    "new --set": (lambda tmp: ["--root", _course_with(tmp, b'[series\ntitle = "x"\n'), "new", "--set", "extra"], True),
}


def _file(folder: Path, name: str, data: bytes) -> Path:
    (folder / name).write_bytes(data)
    return folder / name


def _folder(folder: Path, name: str) -> Path:
    (folder / name).mkdir(exist_ok=True)
    return folder / name


def _course_with(folder: Path, config: bytes) -> Path:
    _file(_folder(folder, "course"), "leadpack.toml", config)
    return folder / "course"


@pytest.mark.parametrize("command", sorted(BAD_INPUTS))
def test_every_command_gives_bad_input_one_line_and_a_traceback_only_with_debug(tmp_path, command):
    """Issue 14: a user mistake in any command is one clear 'error:' line and a non-zero exit, never a traceback;
    --debug (after the command, as global options may be) adds the traceback where the mistake was raised."""
    make_args, raised = BAD_INPUTS[command]
    args = make_args(tmp_path)
    plain = invoke(*args)
    assert plain.exit_code in (1, 2), plain.output
    assert "Traceback" not in plain.output
    errors = [line for line in plain.stderr.splitlines() if line.startswith("error: ") or ": error: " in line]
    assert len(errors) >= 1 and len(plain.stderr.splitlines()) <= 3, plain.stderr
    traced = invoke(*args, "--debug")
    assert traced.exit_code == plain.exit_code
    assert ("Traceback (most recent call last)" in traced.stderr) is raised, traced.stderr
