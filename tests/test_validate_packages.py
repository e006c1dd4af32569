"""Issue 6 acceptance: `leadpack validate` on packages the tests make, ours and foreign, clean and with hand-made
defects (zip slip, missing files, dangling references, wrong SCORM values, tincan.xml rules, XSD errors)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.demo" version="1.0"
          xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="ORG-1">
    <organization identifier="ORG-1">
      <title>Demo course</title>
      <item identifier="ITEM-1" identifierref="RES-1" isvisible="true">
        <title>Lesson 1</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
      <file href="media/photo.jpg"/>
      <dependency identifierref="RES-2"/>
    </resource>
    <resource identifier="RES-2" type="webcontent" adlcp:scormtype="asset">
      <file href="shared/app.js"/>
    </resource>
  </resources>
</manifest>
"""
TINCAN = """<?xml version="1.0" encoding="UTF-8"?>
<tincan xmlns="http://projecttincan.com/tincan.xsd">
  <activities>
    <activity id="https://example.com/courses/demo" type="http://adlnet.gov/expapi/activities/course">
      <name lang="en">Demo course</name>
      <description lang="en">A Tin Can course.</description>
      <launch lang="en">index.html</launch>
    </activity>
    <activity id="https://example.com/courses/demo/q1" type="http://adlnet.gov/expapi/activities/cmi.interaction">
      <name lang="en">Question 1</name>
      <description lang="en">Pick one.</description>
      <interactionType>choice</interactionType>
    </activity>
  </activities>
</tincan>
"""
CONTENT = {"index.html": b"<!doctype html><title>x</title>", "media/photo.jpg": b"\xff\xd8",
           "shared/app.js": b"// app"}


def make_zip(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return path


def scorm(tmp_path: Path, manifest: str = MANIFEST, **changes: bytes | None) -> Path:
    files: dict[str, bytes | str] = {"imsmanifest.xml": manifest, **CONTENT}
    for name, data in changes.items():
        name = name.replace("__", "/")
        if data is None:
            files.pop(name)
        else:
            files[name] = data
    return make_zip(tmp_path / "package.zip", files)


def problems(path: Path, *options: str) -> tuple[int, list[str]]:
    result = run_cli("validate", *options, path)
    return result.exit_code, result.stderr.splitlines()


def test_hand_made_scorm_and_tincan_packages_are_clean(tmp_path):
    assert problems(scorm(tmp_path)) == (0, [])
    tincan = make_zip(tmp_path / "xapi.zip", {"tincan.xml": TINCAN, "index.html": b"<p>hi</p>"})
    result = run_cli("validate", tincan)
    assert result.exit_code == 0 and result.stderr == ""
    assert "xapi.zip: xapi: valid" in result.stdout


def test_our_packages_validate_with_the_official_schemas(course_build, fixture_build, shared):
    paths = [*course_build.values(), *[p for mode in fixture_build.values() for p in mode.values()]]
    result = run_cli("validate", "--schemas", shared / "schemas", *paths)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.count(": valid") == len(paths)


@pytest.mark.parametrize(("entry", "reason"), [
    ("../evil.sh", "'..' (it climbs out of the package folder)"),
    ("media/../../../etc/cron.d/job", "'..' (it climbs out of the package folder)"),
    ("/etc/passwd", "an absolute path"),
    ("C:/Windows/evil.dll", "a drive letter"),
    ("..\\evil.bat", "'..' (it climbs out of the package folder)"),
])
def test_zip_slip_entries_are_errors(tmp_path, entry, reason):
    package = make_zip(tmp_path / "package.zip", {"imsmanifest.xml": MANIFEST, **CONTENT, entry: b"x"})
    assert problems(package) == (1, [
        f"{package}: error: zip entry '{entry}' has {reason} (an LMS unpacking it could write outside the package "
        "folder (zip slip); rebuild the zip from the package folder's contents)"])


def test_missing_listed_file_is_an_error_at_its_manifest_line(tmp_path):
    package = scorm(tmp_path, **{"media__photo.jpg": None})
    assert problems(package) == (1, [
        f"{package}!imsmanifest.xml:21:1: error: a listed file 'media/photo.jpg' is not in the zip "
        "(add the file or correct the name)"])


def test_missing_launch_file_is_an_error(tmp_path):
    package = scorm(tmp_path, **{"index.html": None})
    code, lines = problems(package)
    assert code == 1
    assert lines == [
        f"{package}!imsmanifest.xml:19:1: error: its launch file 'index.html' is not in the zip "
        "(add the file or correct the name)",
        f"{package}!imsmanifest.xml:20:1: error: a listed file 'index.html' is not in the zip "
        "(add the file or correct the name)"]


def test_dangling_identifierrefs_are_errors(tmp_path):
    manifest = MANIFEST.replace('identifierref="RES-1"', 'identifierref="RES-9"').replace(
        '<dependency identifierref="RES-2"/>', '<dependency identifierref="RES-3"/>')
    package = scorm(tmp_path, manifest)
    assert problems(package) == (1, [
        f"{package}!imsmanifest.xml:22:1: error: resource 'RES-1' depends on 'RES-3', which does not exist "
        "(set identifierref to a resource's identifier)",
        f"{package}!imsmanifest.xml:12:1: error: item 'ITEM-1' points to resource 'RES-9', which does not exist "
        "(set identifierref to a resource's identifier)"])


@pytest.mark.parametrize(("old", "new", "message"), [
    ('adlcp:scormtype="sco"', 'adlcp:scormtype="SCO"',
     "19:1: error: scormtype 'SCO' of resource 'RES-1' is not sco or asset (write \"sco\" in lower case)"),
    ('adlcp:scormtype="sco"', 'adlcp:scormType="sco"',
     "19:1: error: resource 'RES-1' has no adlcp:scormtype (found {http://www.adlnet.org/xsd/adlcp_rootv1p2}"
     "scormType: SCORM 1.2 spells it adlcp:scormtype, in namespace http://www.adlnet.org/xsd/adlcp_rootv1p2)"),
    ("<adlcp:masteryscore>80<", "<adlcp:masteryscore>150<",
     "14:1: error: masteryscore '150' is not a number from 0 to 100 (write the pass mark as a percentage, e.g. 70)"),
    ("<adlcp:masteryscore>80<", "<adlcp:masteryscore>eighty<",
     "14:1: error: masteryscore 'eighty' is not a number from 0 to 100 (write the pass mark as a percentage, "
     "e.g. 70)"),
    ('default="ORG-1"', 'default="ORG-2"',
     "9:1: error: organizations default 'ORG-2' names no organization (set default to an organization's "
     "identifier)"),
    ('identifier="RES-2"', 'identifier="RES-1"',
     "24:1: error: identifier 'RES-1' is used twice (first on line 19) (identifiers must be unique in the "
     "manifest)"),
    ("<schemaversion>1.2<", "<schemaversion>CAM 1.3<",
     "5:1: error: metadata must say <schema>ADL SCORM</schema> and <schemaversion>1.2</schemaversion> (found "
     "'ADL SCORM' and 'CAM 1.3') (LMSs detect the SCORM version from these)"),
])
def test_wrong_scorm_values_are_errors(tmp_path, old, new, message):
    package = scorm(tmp_path, MANIFEST.replace(old, new, 1))
    code, lines = problems(package)
    assert code == 1
    assert f"{package}!imsmanifest.xml:{message}" in lines


def test_malformed_manifest_names_line_and_column(tmp_path):
    package = scorm(tmp_path, MANIFEST.replace("</title>\n      <item", "</titel>\n      <item", 1))
    assert problems(package) == (1, [
        f"{package}!imsmanifest.xml:11:33: error: not well-formed XML: Opening and ending tag mismatch: title "
        "line 11 and titel (fix the XML syntax)"])


def test_tincan_rules(tmp_path):
    two_launches = TINCAN.replace("<interactionType>", '<launch lang="en">q1.html</launch>\n      <interactionType>')
    package = make_zip(tmp_path / "two.zip", {"tincan.xml": two_launches, "index.html": b"x", "q1.html": b"x"})
    assert problems(package) == (1, [
        f"{package}!tincan.xml:9:1: error: activity 'https://example.com/courses/demo/q1' also has a launch; only "
        "one activity may (keep the launch on the course activity 'https://example.com/courses/demo' only)"])
    package = make_zip(tmp_path / "missing.zip", {"tincan.xml": TINCAN})
    assert problems(package) == (1, [
        f"{package}!tincan.xml:7:1: error: launch file 'index.html' is not in the zip (add the file or correct the "
        "name)"])
    no_launch = TINCAN.replace('<launch lang="en">index.html</launch>', "")
    package = make_zip(tmp_path / "none.zip", {"tincan.xml": no_launch, "index.html": b"x"})
    code, lines = problems(package)
    assert code == 1 and "no activity has a <launch>" in lines[0]
    relative_id = TINCAN.replace('id="https://example.com/courses/demo/q1"', 'id="q1"')
    package = make_zip(tmp_path / "iri.zip", {"tincan.xml": relative_id, "index.html": b"x"})
    code, lines = problems(package)
    assert code == 1 and "activity id 'q1' is not an IRI" in lines[0]


def test_package_layout_mistakes(tmp_path):
    nested = make_zip(tmp_path / "nested.zip", {"course/imsmanifest.xml": MANIFEST, "course/index.html": b"x"})
    assert problems(nested) == (1, [
        f"{nested}: error: imsmanifest.xml is in the folder 'course/', not at the root of the zip (zip the folder's "
        "contents, not the folder itself)"])
    not_zip = tmp_path / "course.zip"
    not_zip.write_text("hello")
    code, lines = problems(not_zip)
    assert code == 1 and lines[0].startswith(f"{not_zip}: error: not a readable zip file")
    assert run_cli("validate", tmp_path / "no-such.zip").exit_code == 2


def test_schemas_catch_what_the_rules_do_not(tmp_path):
    """An element out of the schema's order is only an XSD finding."""
    swapped = MANIFEST.replace("<title>Demo course</title>\n      <item", "<item", 1).replace(
        "</item>\n    </organization>", "</item>\n      <title>Demo course</title>\n    </organization>", 1)
    package = scorm(tmp_path, swapped)
    assert problems(package) == (0, [])
    code, lines = problems(package, "--schemas", REPO / "leadpack" / "formats" / "scorm12" / "schemas")
    assert code == 1
    assert any(": error: schema: Element 'title': This element is not expected." in line for line in lines), lines


def test_json_report(tmp_path):
    package = scorm(tmp_path, **{"media__photo.jpg": None})
    result = run_cli("validate", "--json", package)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["packages"][0]["kinds"] == ["scorm12"]
    assert report["packages"][0]["problems"][0]["message"] == "a listed file 'media/photo.jpg' is not in the zip"


def test_a_zip_bomb_is_refused_without_unpacking(tmp_path):
    package = tmp_path / "bomb.zip"
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        with archive.open("zeros.bin", "w", force_zip64=True) as stream:
            block = bytes(1 << 20)
            for _ in range(150):  # 150 MB of zeros packs into about 150 KB
                stream.write(block)
    code, lines = problems(package)
    assert code == 1
    assert lines[0].startswith(f"{package}: error: the zip would unpack to 157,") and "zip bomb" in lines[0]
