"""Issue 17, point 3: ``leadpack release OLD_DIR NEW_DIR`` writes release notes per edition and set from ``diff``
and an index of every package; exit 0 all safe, 1 any change affects learners, 2 folders it cannot compare."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from leadpack import formats
from tests.conftest import FIXTURE_COURSE, run_cli

SAME_VERSION = "both packages are version 1.2.0: raise version in set.toml"
RENAMED = ("! question \"Which letter comes second?\" changed id from 'first-steps/pick-b' to "
           "'first-steps/second-letter'")


def two_set_course(folder: Path) -> Path:
    """The fixture course with a second set, a copy of the first under another folder name."""
    shutil.copytree(FIXTURE_COURSE, folder)
    shutil.copytree(folder / "content" / "every-block", folder / "content" / "other-block")
    return folder


def build(course: Path, out: Path) -> None:
    result = run_cli("build", "--out", out, root=course)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> tuple[Path, Path]:
    """Two releases, each with one edition folder: other-block gains a renamed question and version 1.3.0;
    every-block is rebuilt unchanged, still 1.2.0."""
    root = tmp_path_factory.mktemp("releases")
    course = two_set_course(root / "course")
    build(course, root / "old" / "council-a")
    module = course / "content" / "other-block" / "first-steps.md"
    module.write_text(module.read_text("utf-8").replace('id="pick-b"', 'id="second-letter"'), "utf-8")
    set_file = course / "content" / "other-block" / "set.toml"
    set_file.write_text(set_file.read_text("utf-8").replace('version = "1.2.0"', 'version = "1.3.0"'), "utf-8")
    build(course, root / "new" / "council-a")
    return root / "old", root / "new"


def test_release_notes_per_edition_and_set(releases, tmp_path):
    old, new = releases
    result = run_cli("release", old, new, "--out", tmp_path / "notes")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert f"council-a/every-block 1.2.0: safe ({len(formats.names())} packages)" in lines
    assert f"council-a/other-block 1.3.0: affects learners ({len(formats.names())} packages)" in lines
    assert f"  {RENAMED}" in lines
    assert any(line.startswith(f"  warning: {SAME_VERSION}") for line in lines)
    assert lines[-3].startswith("Verdict: affects learners.")

    notes = re.sub(r"\\(.)", r"\1", (tmp_path / "notes" / "council-a" / "release-notes.md").read_text("utf-8"))
    assert notes.startswith("# Release notes: council-a\n")
    safe, affected = notes.split("## Every Block (other-block)")
    assert "## Every Block (every-block) 1.2.0 → 1.2.0: safe" in safe and f"Warning: {SAME_VERSION}" in safe
    assert "No changes to pages, questions, reflections, settings or identifiers." in safe
    assert affected.startswith(" 1.2.0 → 1.3.0: affects learners")
    assert "In every package:" in affected and f"- {RENAMED}" in affected
    assert "What to do before uploading:" in affected
    assert "- first-steps/pick-b: learners' answer to it is lost; pin the old id: ::: question id=\"pick-b\"" \
        in affected
    assert SAME_VERSION not in affected


def test_the_index_lists_every_package_with_checksum_and_verdict(releases, tmp_path):
    old, new = releases
    result = run_cli("release", old, new, "--json", "--out", tmp_path / "notes")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    index = json.loads((tmp_path / "notes" / "packages.json").read_text("utf-8"))
    assert {key: value for key, value in report.items() if key != "written"} == index
    assert report["written"] == [str(tmp_path / "notes" / "council-a" / "release-notes.md"),
                                 str(tmp_path / "notes" / "packages.json")]
    assert index["safe"] is False and index["verdict"] == "affects learners" and index["removed"] == []
    zips = sorted((new / "council-a").glob("*.zip"))
    assert [p["path"] for p in index["packages"]] == [f"council-a/{path.name}" for path in zips]
    for package, path in zip(index["packages"], zips, strict=True):
        data = path.read_bytes()
        assert package["sha256"] == hashlib.sha256(data).hexdigest() and package["size"] == len(data)
        assert package["edition"] == "council-a" and package["format"] in formats.names()
        assert path.name == f"{package['set']}-{package['version']}-{formats.get(package['format']).suffix}.zip"
        if package["set"] == "other-block":
            assert (package["version"], package["previous_version"], package["verdict"]) == \
                ("1.3.0", "1.2.0", "affects learners")
            assert package["previous"] == f"council-a/other-block-1.2.0-{package['format']}.zip"
            assert package["affecting"] >= 1
        else:
            assert (package["verdict"], package["changes"]) == ("safe", 0)
            assert package["warnings"][0].startswith(SAME_VERSION)


def test_an_unchanged_release_is_safe_and_a_new_or_dropped_set_is_listed(tmp_path):
    course = two_set_course(tmp_path / "course")
    build(course, tmp_path / "old")
    result = run_cli("release", tmp_path / "old", tmp_path / "old")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"Verdict: safe. {2 * len(formats.names())} packages, 0 affecting " \
                                             "learners."

    shutil.rmtree(course / "content" / "other-block")
    shutil.copytree(course / "content" / "every-block", course / "content" / "third-block")
    build(course, tmp_path / "new")
    result = run_cli("release", tmp_path / "old", tmp_path / "new", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {p["set"]: p["verdict"] for p in report["packages"]} == {"every-block": "safe", "third-block": "new"}
    assert sorted(p["path"] for p in report["removed"]) == sorted(
        f"other-block-1.2.0-{fmt.suffix}.zip" for fmt in formats.every())


def test_folders_that_cannot_be_compared_are_usage_errors(releases, tmp_path):
    old, new = releases
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a package")
    result = run_cli("release", old, empty)
    assert result.exit_code == 2 and "holds no packages leadpack built" in result.output
    assert run_cli("release", old, tmp_path / "missing").exit_code == 2

    damaged = tmp_path / "damaged"
    shutil.copytree(new, damaged)
    next((damaged / "council-a").glob("*-scorm12.zip")).write_bytes(b"not a zip")
    result = run_cli("release", old, damaged, "--out", tmp_path / "notes")
    assert result.exit_code == 2 and "is not a readable zip file" in result.output
    assert not (tmp_path / "notes").exists()
