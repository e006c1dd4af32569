"""Issue 15: `leadpack new` writes a small working course, and `leadpack new --set ID` adds a set to one.

The course uses every kind of block, builds and passes `check` at once; nothing is ever overwritten.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from lxml import etree

from leadpack import formats
from leadpack.pipeline.load import load_series
from leadpack.pipeline.markdown_ext.blocks import BLOCK_KINDS
from tests.conftest import run_cli, unzip

SET = Path("content") / "first-set"


@pytest.fixture()
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "my-course"
    result = run_cli("new", folder)
    assert result.exit_code == 0, result.output
    return folder


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_new_writes_a_course_that_checks_clean_and_builds(course):
    assert sorted(file_bytes(course)) == [
        "content/first-set/getting-started.md", "content/first-set/media/action-plan.txt",
        "content/first-set/media/chime.mp3", "content/first-set/media/how-it-works.svg",
        "content/first-set/media/welcome.mp4", "content/first-set/set.toml", "leadpack.toml"]
    checked = run_cli("check", root=course)
    assert checked.exit_code == 0 and checked.stderr == ""
    assert checked.stdout.strip() == "checked 1 set(s): 0 error(s), 0 warning(s)"
    built = run_cli("build", root=course)
    assert built.exit_code == 0, built.output
    assert built.stdout.splitlines()[-1].endswith(", no warnings")
    assert sorted(p.name for p in (course / "dist").glob("*.zip")) == [
        f"first-set-0.1.0-{fmt}.zip" for fmt in sorted(formats.names())]
    series = tomllib.loads((course / "leadpack.toml").read_text("utf-8"))["series"]
    assert series["title"] == "My course" and series["sets"] == ["first-set"]


def test_the_new_module_uses_every_kind_of_block(course):
    series = load_series(course)
    blocks = [block for module in series.sets[0].modules for page in module.pages for block in page.blocks]
    assert {block.kind for block in blocks} >= set(BLOCK_KINDS)


def test_the_media_it_writes_are_real_files_of_their_kind(course):
    media = course / SET / "media"
    svg = etree.parse(str(media / "how-it-works.svg")).getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("role") == "img"
    assert svg.findtext("{http://www.w3.org/2000/svg}title") == "Write, then check, then build"
    assert (media / "welcome.mp4").read_bytes()[4:8] == b"ftyp"
    mp3 = (media / "chime.mp3").read_bytes()
    assert mp3[:3] == b"ID3" or (mp3[0] == 0xFF and mp3[1] & 0xE0 == 0xE0)
    assert "What I will do:" in (media / "action-plan.txt").read_text("utf-8")


def test_the_video_and_audio_play_in_the_browser(course, page, site):
    assert run_cli("-q", "build", "--format", "scorm12", root=course).exit_code == 0
    unzip(course / "dist" / "first-set-0.1.0-scorm12.zip", site.directory)
    page.goto(site.url + "index.html#/getting-started/media")
    page.wait_for_function("(shown => shown && shown.dataset.page === 'getting-started/media')"
                           "(document.querySelector('.lp-page:not([hidden])'))")
    for selector in ("video", "audio"):
        duration = page.evaluate("""selector => new Promise((resolve, reject) => {
            const media = document.querySelector('.lp-page:not([hidden]) ' + selector);
            if (media.readyState >= 1) return resolve(media.duration);
            media.addEventListener('loadedmetadata', () => resolve(media.duration));
            media.addEventListener('error', () => reject(new Error(selector + ' error ' + media.error.code)));
            media.load();
        })""", selector)
        assert duration > 1, selector


def test_new_never_overwrites_a_file(course):
    before = file_bytes(course)
    again = run_cli("new", course)
    assert again.exit_code == 1
    assert "leadpack.toml already exists; nothing was written (to add a set to this course: leadpack new --set " \
           "ID)" in again.stderr
    assert file_bytes(course) == before

    started = course.parent / "started"
    (started / SET).mkdir(parents=True)
    (started / SET / "set.toml").write_text("title = 'mine'\n", "utf-8")
    refused = run_cli("new", started)
    assert refused.exit_code == 1
    assert "the set 'first-set' already exists" in refused.stderr and "nothing was written" in refused.stderr
    assert file_bytes(started) == {"content/first-set/set.toml": b"title = 'mine'\n"}


def test_new_set_adds_a_set_and_lists_it_last_in_sets(course):
    result = run_cli("new", "--set", "second-set", root=course)
    assert result.exit_code == 0, result.output
    assert "added the set 'second-set' (listed last in sets in " in result.stdout
    text = (course / "leadpack.toml").read_text("utf-8")
    assert 'sets = ["first-set", "second-set"]' in text
    assert "# Settings for the whole course." in text, "comments are kept"
    sets = json.loads(run_cli("list", "--json", root=course).stdout)["sets"]
    assert [(s["id"], s["title"]) for s in sets] == [("first-set", "First set"), ("second-set", "Second set")]
    assert run_cli("check", root=course).stdout.strip() == "checked 2 set(s): 0 error(s), 0 warning(s)"
    assert f"built {2 * len(formats.names())} packages in " in run_cli("build", root=course).stdout

    again = run_cli("new", "--set", "second-set", root=course)
    assert again.exit_code == 1 and "the set 'second-set' already exists" in again.stderr


def test_new_set_keeps_the_layout_of_a_sets_list_over_several_lines(course):
    config = course / "leadpack.toml"
    text = config.read_text("utf-8").replace('sets = ["first-set"]', 'sets = [\n  "first-set",  # the start\n]')
    config.write_text(text, "utf-8")
    assert run_cli("new", "--set", "next-steps", root=course).exit_code == 0
    assert 'sets = [\n  "first-set",  # the start\n  "next-steps",\n]' in config.read_text("utf-8")
    assert tomllib.loads(config.read_text("utf-8"))["series"]["sets"] == ["first-set", "next-steps"]


def test_new_set_leaves_a_course_without_a_sets_order_untouched(course):
    config = course / "leadpack.toml"
    config.write_text("\n".join(line for line in config.read_text("utf-8").splitlines()
                                if not line.startswith("sets =")) + "\n", "utf-8")
    before = config.read_bytes()
    result = run_cli("new", "--set", "another", root=course)
    assert result.exit_code == 0
    assert "lists no sets order, so sets are built in folder-name order" in result.stdout
    assert config.read_bytes() == before
    assert [s["id"] for s in json.loads(run_cli("list", "--json", root=course).stdout)["sets"]] == [
        "another", "first-set"]


def test_new_set_refuses_an_id_that_is_not_one(course):
    result = run_cli("new", "--set", "Leading Change", root=course)
    assert result.exit_code == 2
    assert "'Leading Change' is not a set id: use lower-case letters, digits and hyphens (for example " \
           "'leading-change')" in result.stderr
    assert not (course / "content" / "Leading Change").exists()


def test_new_with_a_set_id_in_an_empty_folder_names_the_first_set(tmp_path):
    result = run_cli("new", "--set", "induction", root=tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "content" / "induction" / "set.toml").is_file()
    assert tomllib.loads((tmp_path / "leadpack.toml").read_text("utf-8"))["series"]["sets"] == ["induction"]
    assert run_cli("check", root=tmp_path).exit_code == 0
