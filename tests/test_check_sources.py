"""Issue 6: sources in any ordinary state build: UTF-8 with or without BOM, CRLF or CR line endings, tabs, and
Welsh letters (ŵ, ŷ, â) in titles and in folder, module and media file names. Ids stay slugs and zip entries
stay URL-safe ASCII; the text keeps its letters."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

from lxml import etree

from leadpack import formats
from tests.conftest import FIXTURE_COURSE, REPO, run_cli

SET_FOLDER = "Arweinyddiaeth Ŵyl"
MODULE_FILE = "camau-ŷd"
PICTURE = "sgwâr ŵyn.svg"
URL_SAFE = re.compile(r"^[A-Za-z0-9._/-]+$")


def welsh_course(root: Path, bom: bool = False, newline: str = "\n", tabs: bool = False,
                 form: str = "NFC") -> Path:
    """The fixture course with a Welsh set folder, module file and picture, written in the given state."""
    course = root / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    folder = course / "content" / unicodedata.normalize(form, SET_FOLDER)
    (course / "content" / "every-block").rename(folder)
    (folder / "second-steps.md").unlink()
    shutil.copyfile(folder / "media" / "square.svg", folder / "media" / unicodedata.normalize(form, PICTURE))
    settings = (FIXTURE_COURSE / "content" / "every-block" / "set.toml").read_text("utf-8")
    settings = settings.replace('"second-steps"]', f'"{MODULE_FILE}"]').replace('"Every Block"', '"Pob bloc â ŵ ŷ"')
    module = (FIXTURE_COURSE / "content" / "every-block" / "second-steps.md").read_text("utf-8")
    module = module.replace("# Looking back", "# Edrych yn ôl ar yr ŵyl").replace(
        "# Wrapping up\n", f'# Wrapping up\n\n::: figure src="media/{PICTURE}" alt="Sgwâr glas"\nSgwâr glas.\n:::\n\n'
        f"![Sgwâr ŵyn](<media/{PICTURE}>)\n\n[Lawrlwytho](media/sgw%C3%A2r%20%C5%B5yn.svg)\n")
    if tabs:
        module = module.replace("\n  > ", "\n\t> ").replace("\n- [", "\n-\t[")
    for path, text in ((folder / "set.toml", settings),
                       (folder / f"{unicodedata.normalize(form, MODULE_FILE)}.md", module)):
        data = text.replace("\n", newline).encode("utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)
    return course


def build(course: Path, out: Path) -> dict[str, Path]:
    assert run_cli("check", root=course).exit_code == 0
    result = run_cli("-q", "build", "--out", out, root=course)
    assert result.exit_code == 0, result.output
    return {path.name: path for path in out.glob("*.zip")}


def test_welsh_names_give_slug_ids_and_url_safe_entries(tmp_path):
    packages = build(welsh_course(tmp_path), tmp_path / "dist")
    assert sorted(packages) == [f"arweinyddiaeth-wyl-1.2.0-{fmt}.zip" for fmt in sorted(formats.names())]
    with zipfile.ZipFile(packages["arweinyddiaeth-wyl-1.2.0-scorm12.zip"]) as archive:
        names = archive.namelist()
        page = archive.read("index.html").decode("utf-8")
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    assert all(URL_SAFE.match(name) for name in names), names
    assert "media/sgwar-wyn.svg" in names
    assert page.count('src="media/sgwar-wyn.svg"') == 2 and 'href="media/sgwar-wyn.svg"' in page
    assert 'data-page="camau-yd/edrych-yn-ol-ar-yr-wyl"' in page
    assert "Edrych yn ôl ar yr ŵyl" in page and "Sgwâr glas" in page
    hrefs = {element.get("href") for element in manifest.iter("{*}file")}
    assert "media/sgwar-wyn.svg" in hrefs and all(URL_SAFE.match(href) for href in hrefs)
    assert manifest.findtext("{*}organizations/{*}organization/{*}title") == "Pob bloc â ŵ ŷ"
    schemas = REPO / "leadpack" / "formats" / "scorm12" / "schemas"
    validated = run_cli("validate", "--schemas", schemas, *packages.values())
    assert validated.exit_code == 0, validated.stderr


def test_bom_crlf_tabs_and_decomposed_names_build_the_same_bytes(tmp_path):
    plain = build(welsh_course(tmp_path / "plain"), tmp_path / "plain-dist")
    for name, state in {"windows": {"bom": True, "newline": "\r\n", "tabs": True},
                        "old-mac": {"newline": "\r"}, "macos-names": {"form": "NFD"}}.items():
        other = build(welsh_course(tmp_path / name, **state), tmp_path / f"{name}-dist")
        assert sorted(other) == sorted(plain), name
        for package in plain:
            assert other[package].read_bytes() == plain[package].read_bytes(), (name, package)


def test_list_shows_welsh_titles(tmp_path):
    result = run_cli("list", root=welsh_course(tmp_path))
    assert result.exit_code == 0
    assert "Pob bloc â ŵ ŷ" in result.stdout and "arweinyddiaeth-wyl" in result.stdout


def test_a_heading_that_skips_a_level_is_a_warning_at_its_line(tmp_path):
    """WCAG 1.3.1: headings go down one level at a time, from the page's title (#) and a box's title (an h2):
    '####' straight under the page's title is a warning at its line; '###' inside an activity box is not."""
    course = shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    module = course / "content" / "every-block" / "second-steps.md"
    added = "#### Too deep\n\nText.\n\n::: activity title=\"Try it\"\n### A step\n\nDo it.\n:::\n"
    module.write_text(module.read_text("utf-8").replace("# Wrapping up\n", "# Wrapping up\n\n" + added, 1), "utf-8")
    result = run_cli("check", "--json", root=course)
    assert result.exit_code == 0, result.output
    warnings = [p for p in json.loads(result.stdout)["problems"] if "headings skips a level" in p["message"]]
    line = module.read_text("utf-8").split("\n").index("#### Too deep") + 1
    assert [(p["line"], p["message"]) for p in warnings] == [
        (line, "a level-4 heading follows a level-1 one, so screen readers' list of headings skips a level")]
    assert warnings[0]["hint"].startswith("write it with ##")
