"""Issue 6 acceptance: `leadpack diff` tells safe edits (an inserted page) from ones that reset or misattribute
learners' progress (a renamed module or question, reordered options, a new state encoding, a new base IRI)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from leadpack import formats
from leadpack.tools.explain import units_in_package
from tests.conftest import FIXTURE_COURSE, run_cli

MODULE = Path("content") / "every-block" / "first-steps.md"
SET = Path("content") / "every-block" / "set.toml"


def build(course: Path, out: Path, *options: str) -> dict[str, Path]:
    result = run_cli("-q", "build", "--out", out, *options, root=course)
    assert result.exit_code == 0, result.output
    return {fmt: next(out.glob(f"*-{fmt}.zip")) for fmt in formats.names() if list(out.glob(f"*-{fmt}.zip"))}


@pytest.fixture(scope="module")
def old_release(tmp_path_factory) -> dict[str, dict[str, Path]]:
    out = tmp_path_factory.mktemp("old")
    return {"set": build(FIXTURE_COURSE, out / "set"),
            "module": build(FIXTURE_COURSE, out / "module", "--sco-per", "module", "--format", "scorm12")}


def edited(tmp_path: Path, edit) -> Path:
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    edit(course)
    return course


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def diff(old: Path, new: Path, *options: str):
    return run_cli("diff", *options, old, new)


def insert_page(course: Path) -> None:
    replace_in(course / MODULE, "# Quiz {#quiz}", "# A new page\n\nNew text.\n\n# Quiz {#quiz}")


def reflection_cap(package: Path) -> int:
    return units_in_package(package)[0].reflection_max


def test_inserting_a_page_keeps_every_id_but_a_lower_reflection_cap_affects_learners(old_release, tmp_path):
    new = build(edited(tmp_path, insert_page), tmp_path / "new")
    assert sorted(new) == sorted(formats.names())
    lowered = 0
    for fmt in formats.names():
        result = diff(old_release["set"][fmt], new[fmt])
        assert "  + page 'first-steps/a-new-page' \"A new page\" was added" in result.stdout
        report = json.loads(diff(old_release["set"][fmt], new[fmt], "--json").stdout)
        assert (report["changes"][0]["subject"], report["changes"][0]["change"]) == ("first-steps/a-new-page", "added")
        before, after = reflection_cap(old_release["set"][fmt]), reflection_cap(new[fmt])
        if after == before:  # a roomy saved-state limit: the cap is the setting, and nothing else changed
            assert result.exit_code == 0 and report["safe"] is True and len(report["changes"]) == 1, result.output
            continue
        lowered += 1
        assert result.exit_code == 1, result.output
        assert f"  ! the longest reflection saved changed from {before} to {after}" in result.stdout
        assert "Verdict: affects learners. 1 change would reset, misattribute or cut what learners saved" \
            in result.stdout
        assert f"  - the longest reflection saved: a saved reflection longer than {after} characters is kept whole, " \
            "and the learner told so, until they edit it; from then the LMS keeps its first" in result.stdout
        assert report["safe"] is False and report["verdict"] == "affects learners"
        assert [(c["area"], c["change"], c["subject"], c["affects_progress"]) for c in report["changes"]] == [
            ("pages", "added", "first-steps/a-new-page", False),
            ("settings", "changed", "reflectionMax", True)]  # one more page key leaves a little less room
    assert lowered >= 1, "SCORM 1.2's 4,096 characters are tight enough to show a lower cap"


def test_inserting_a_page_under_a_set_reflection_cap_is_safe(tmp_path):
    def capped(course: Path) -> None:
        (course / "leadpack.toml").write_text((course / "leadpack.toml").read_text("utf-8")
                                              + "\n[build]\nreflection_max_chars = 500\n", "utf-8")

    old = build(edited(tmp_path / "old", capped), tmp_path / "old" / "dist")
    new = build(edited(tmp_path / "new", lambda c: (capped(c), insert_page(c))), tmp_path / "new" / "dist")
    result = diff(old["scorm12"], new["scorm12"])
    assert result.exit_code == 0, result.stdout
    assert "  + page 'first-steps/a-new-page' \"A new page\" was added (learners part-way through will meet it)" \
        in result.stdout
    assert not [line for line in result.stdout.splitlines() if line.startswith("  !")]
    assert "Verdict: safe. Uploading every-block-1.2.0-scorm12.zip over every-block-1.2.0-scorm12.zip" not in \
        result.stdout  # two files of one name are named by their paths
    assert "Verdict: safe. Uploading " in result.stdout and "What to do: upload " in result.stdout


def test_renaming_a_module_affects_progress(old_release, tmp_path):
    def rename(course: Path) -> None:
        (course / MODULE).rename(course / MODULE.with_name("getting-started.md"))
        replace_in(course / SET, '"first-steps"', '"getting-started"')

    course = edited(tmp_path, rename)
    new = build(course, tmp_path / "new")
    result = diff(old_release["set"]["scorm12"], new["scorm12"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    module_line = "  ! module 'first-steps' is now 'getting-started': the ids of 3 pages, 2 questions and 1 " \
                  "reflection in it changed"
    assert lines.count(module_line) == 1  # each change once: not again under the verdict
    assert lines[lines.index(module_line) - 1] == 'Module first-steps → getting-started, "First steps":'
    assert '  - first-steps: pin the old id: add id = "first-steps" to the front matter of getting-started.md' \
        in lines
    assert "Welcome" not in result.stdout  # the pages that only follow the module are counted on its line
    assert "Verdict: affects learners. 1 change would reset" in result.stdout
    assert len(lines) <= 12, result.stdout
    report = json.loads(diff(old_release["set"]["scorm12"], new["scorm12"], "--json").stdout)
    welcome = next(c for c in report["changes"] if c["subject"] == "first-steps/welcome")
    assert welcome["message"] == "page \"Welcome\" changed id from 'first-steps/welcome' to 'getting-started/welcome'"
    assert (welcome["module"], welcome["follows_from"], welcome["affects_progress"]) == ("first-steps", "first-steps",
                                                                                       True)

    per_module = build(course, tmp_path / "new-module", "--sco-per", "module", "--format", "scorm12")
    result = diff(old_release["module"]["scorm12"], per_module["scorm12"])
    assert result.exit_code == 1
    assert "the item 'ITEM-first-steps' (First steps) is gone" in result.stdout
    assert "the launchable resource 'RES-first-steps' (first-steps.html) is gone" in result.stdout


def test_pinning_the_old_module_id_makes_the_rename_safe(old_release, tmp_path):
    def rename_and_pin(course: Path) -> None:
        (course / MODULE).rename(course / MODULE.with_name("getting-started.md"))
        replace_in(course / SET, '"first-steps"', '"getting-started"')
        replace_in(course / MODULE.with_name("getting-started.md"), 'title = "First steps"',
                   'id = "first-steps"\ntitle = "First steps"')

    new = build(edited(tmp_path, rename_and_pin), tmp_path / "new")
    result = diff(old_release["set"]["scorm12"], new["scorm12"])
    assert result.exit_code == 0, result.stdout


def test_renaming_a_question_id_affects_progress(old_release, tmp_path):
    course = edited(tmp_path, lambda c: replace_in(c / MODULE, 'id="pick-b"', 'id="second-letter"'))
    new = build(course, tmp_path / "new")
    result = diff(old_release["set"]["xapi"], new["xapi"])
    assert result.exit_code == 1
    assert "  ! question \"Which letter comes second?\" changed id from 'first-steps/pick-b' to " \
           "'first-steps/second-letter'" in result.stdout
    assert "  - first-steps/pick-b: learners' answer to it is lost; pin the old id: ::: question id=\"pick-b\"" \
        in result.stdout.splitlines()


def test_reordered_options_misattribute_answers(old_release, tmp_path):
    course = edited(tmp_path, lambda c: replace_in(
        c / MODULE, "- [ ] A\n  > A comes first.\n- [x] B\n  > Yes, B is second.",
        "- [x] B\n  > Yes, B is second.\n- [ ] A\n  > A comes first."))
    new = build(course, tmp_path / "new")
    result = diff(old_release["set"]["scorm12"], new["scorm12"])
    assert result.exit_code == 1
    assert "  ! question 'first-steps/pick-b' has different options or correct answers" in result.stdout


def test_removing_a_page_and_wording_changes(old_release, tmp_path):
    def edit(course: Path) -> None:
        replace_in(course / MODULE, "Which letter comes second?", "Which letter is the second one?")
        replace_in(course / MODULE.with_name("second-steps.md"), "# Looking back", "# Looking back again")

    new = build(edited(tmp_path, edit), tmp_path / "new")
    result = diff(old_release["set"]["scorm12"], new["scorm12"], "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1 and report["safe"] is False
    changes = {(c["area"], c["change"], c["subject"]): c["affects_progress"] for c in report["changes"]}
    assert changes == {
        ("questions", "changed", "first-steps/pick-b"): False,
        ("pages", "renamed", "second-steps/looking-back"): True,
    }


def test_a_new_state_encoding_or_base_iri_affects_progress(old_release, tmp_path):
    old = old_release["set"]["xapi"]
    bumped = tmp_path / "bumped.zip"
    with zipfile.ZipFile(old) as source, zipfile.ZipFile(bumped, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "index.html":
                assert b'"stateVersion":1' in data
                data = data.replace(b'"stateVersion":1', b'"stateVersion":2')
            target.writestr(info, data)
    result = diff(old, bumped)
    assert result.exit_code == 1
    assert "  ! the saved-state encoding version changed from 1 to 2" in result.stdout

    course = edited(tmp_path, lambda c: replace_in(c / "leadpack.toml", "https://learning.example.org/fixture/",
                                                   "https://learning.example.net/fixture/"))
    new = build(course, tmp_path / "new")
    result = diff(old, new["xapi"])
    assert result.exit_code == 1
    assert "the launch activity id changed from 'https://learning.example.org/fixture/every-block' to " \
           "'https://learning.example.net/fixture/every-block'" in result.stdout


def test_packages_that_cannot_be_compared(old_release, tmp_path):
    result = diff(old_release["set"]["scorm12"], old_release["set"]["xapi"])
    assert result.exit_code == 2
    assert "compare two packages of the same format" in result.stderr
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip")
    assert diff(junk, old_release["set"]["xapi"]).exit_code == 2


def test_an_option_added_at_the_end_is_safe(old_release, tmp_path):
    course = edited(tmp_path, lambda c: replace_in(c / MODULE, "- [ ] C\n  > C is third.",
                                                   "- [ ] C\n  > C is third.\n- [ ] D\n  > D is fourth."))
    new = build(course, tmp_path / "new")
    result = diff(old_release["set"]["scorm12"], new["scorm12"])
    assert result.exit_code == 0, result.stdout
    assert "  ~ question 'first-steps/pick-b' has a new option at the end" in result.stdout


def test_foreign_packages_are_compared_by_their_identifiers(tmp_path):
    from tests.test_validate_packages import CONTENT, MANIFEST, make_zip

    old = make_zip(tmp_path / "old.zip", {"imsmanifest.xml": MANIFEST, **CONTENT})
    same = make_zip(tmp_path / "same.zip", {"imsmanifest.xml": MANIFEST, **CONTENT})
    result = diff(old, same)
    assert result.exit_code == 0
    assert "note: no leadpack runtime data in one of the packages: only identifiers were compared" in result.stdout
    renamed = make_zip(tmp_path / "renamed.zip", {"imsmanifest.xml": MANIFEST.replace("ITEM-1", "ITEM-A"), **CONTENT})
    result = diff(old, renamed)
    assert result.exit_code == 1
    assert "  ! the item 'ITEM-1' (Lesson 1) is gone" in result.stdout


def test_changes_are_grouped_by_module_after_the_package_and_settings(old_release, tmp_path):
    def edit(course: Path) -> None:
        replace_in(course / SET, 'version = "1.2.0"', 'version = "1.3.0"')
        replace_in(course / MODULE.with_name("second-steps.md"), "# Wrapping up", "# Wrapping up for now")
        replace_in(course / MODULE, "Which letter comes second?", "Which letter is the second one?")

    new = build(edited(tmp_path, edit), tmp_path / "new")
    result = diff(old_release["set"]["xapi"], new["xapi"])
    lines = result.stdout.splitlines()
    headings = [line for line in lines if line and not line.startswith(" ") and line.endswith(":")]
    assert headings == ["Package and settings:", 'Module first-steps, "First steps":',
                        'Module second-steps, "Second steps":', "What to do:"]
    first, second = lines.index(headings[1]), lines.index(headings[2])
    assert '  ~ the version changed from "1.2.0" to "1.3.0"' in lines[:first]
    assert "  ~ question 'first-steps/pick-b' has new wording" in lines[first:second]
    assert any("second-steps/wrapping-up" in line for line in lines[second:])
    assert not any(line.startswith("warning: both packages are version") for line in lines)
    assert json.loads(diff(old_release["set"]["xapi"], new["xapi"], "--json").stdout)["warnings"] == []


def test_both_packages_with_one_version_are_warned_about(old_release, tmp_path):
    new = build(edited(tmp_path, lambda c: replace_in(c / MODULE, "Ask a colleague", "Ask a friend")),
                tmp_path / "new")
    result = diff(old_release["set"]["scorm12"], new["scorm12"])
    assert result.exit_code == 0, result.stdout
    assert "warning: both packages are version 1.2.0: raise version in set.toml for a new release" in result.stdout
    report = json.loads(diff(old_release["set"]["scorm12"], new["scorm12"], "--json").stdout)
    assert report["verdict"] == "safe" and report["warnings"] == [
        "both packages are version 1.2.0: raise version in set.toml for a new release, so that the LMS and the "
        "people who run it can tell the two apart"]


def test_reflections_moving_from_the_lms_to_the_device_affect_learners_and_back_is_safe(tmp_path):
    """Reflections saved in the LMS are no longer read once a release keeps them on the device only; the other way
    round loses nothing. The reflection cap is set low enough that it stays the same in both modes."""
    def capped(course: Path) -> None:
        with (course / "leadpack.toml").open("a", encoding="utf-8") as config:
            config.write('\n[build]\nreflection_max_chars = 500\nreflections = "lms"\n')

    course = edited(tmp_path, capped)
    in_lms = build(course, tmp_path / "lms")
    replace_in(course / "leadpack.toml", 'reflections = "lms"', 'reflections = "device"')
    replace_in(course / SET, 'version = "1.2.0"', 'version = "1.3.0"')
    on_device = build(course, tmp_path / "device")
    for fmt in formats.names():
        result = diff(in_lms[fmt], on_device[fmt])
        assert result.exit_code == 1, result.stdout
        assert '  ! where reflections are saved changed from "lms" to "device"' in result.stdout
        assert "  - where reflections are saved: reflections learners saved in the LMS are no longer read, and are " \
            "dropped at their next save" in result.stdout
        report = json.loads(diff(in_lms[fmt], on_device[fmt], "--json").stdout)
        assert [(c["subject"], c["affects_progress"]) for c in report["changes"]] == [
            ("storage", True), ("set.version", False)]
        back = diff(on_device[fmt], in_lms[fmt])
        assert back.exit_code == 0, back.stdout
        assert '  ~ where reflections are saved changed from "device" to "lms" (reflections are saved in the LMS ' \
            "from now on)" in back.stdout


def test_a_changed_learner_runtime_is_said_and_keeps_progress(old_release, tmp_path):
    """The same course built by another leadpack: only a script differs. Progress is safe (the saved state's
    format is a setting of its own), but the LMS team is told the runtime changed, so they try it first."""
    old = old_release["set"]["xapi"]
    new = tmp_path / old.name
    with zipfile.ZipFile(old) as source, zipfile.ZipFile(new, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, data + b";" if info.filename == "assets/lp-app.js" else data)
    result = diff(old, new, "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["safe"] is True, result.output
    assert [(c["area"], c["subject"], c["message"], c["affects_progress"]) for c in report["changes"]] == [
        ("settings", "scripts", "the learner runtime changed (lp-app.js)", False)]
    assert "the learner runtime changed (lp-app.js) (try the new package in the LMS's test course" in \
        diff(old, new).stdout
    assert json.loads(diff(old, old, "--json").stdout)["changes"] == [], "the same scripts: nothing to say"
