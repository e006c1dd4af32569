"""Issue 4 acceptance, build side: tincan.xml, stable activity IRIs, and no credentials in any package."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import tincan
from lxml import etree

from leadpack import formats
from tests.conftest import FIXTURE_COURSE, run_cli

TINCAN = "{http://projecttincan.com/tincan.xsd}"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"


def all_zips(course_build, fixture_build) -> list[Path]:
    return list(course_build.values()) + [path for mode in fixture_build.values() for path in mode.values()]


def xapi_zips(course_build, fixture_build) -> list[Path]:
    return [path for path in all_zips(course_build, fixture_build) if path.name.endswith("-xapi.zip")]


def read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def runtime_data(path: Path) -> dict:
    html = read(path, "index.html").decode("utf-8")
    return json.loads(re.search(r'<script type="application/json" id="lp-data">(.*?)</script>', html, re.S).group(1))


def activities(path: Path) -> list[etree._Element]:
    return list(etree.fromstring(read(path, "tincan.xml")).iter(f"{TINCAN}activity"))


def as_tincan(element: etree._Element) -> tincan.Activity:
    """The tincan library's reading of one tincan.xml activity (it refuses unknown interaction types)."""
    def langmap(parent, tag):
        return {e.get("lang"): e.text for e in parent.findall(f"{TINCAN}{tag}")}

    definition = {"type": element.get("type"), "name": langmap(element, "name"),
                  "description": langmap(element, "description")}
    if element.findtext(f"{TINCAN}interactionType"):
        definition["interactionType"] = element.findtext(f"{TINCAN}interactionType")
        patterns = [p.text for p in element.iter(f"{TINCAN}correctResponsePattern")]
        if patterns:
            definition["correctResponsesPattern"] = patterns
        choices = [{"id": c.findtext(f"{TINCAN}id"), "description": langmap(c, "description")}
                   for c in element.iter(f"{TINCAN}component")]
        if choices:
            definition["choices"] = choices
    return tincan.Activity.from_json(json.dumps({"id": element.get("id"), "definition": definition}))


# -- tincan.xml ---------------------------------------------------------------------------------------------
def test_every_tincan_xml_is_valid_and_launches_the_course_activity(course_build, fixture_build, shared):
    schema = etree.XMLSchema(etree.parse(str(shared / "schemas" / "tincan" / "tincan.xsd")))
    paths = xapi_zips(course_build, fixture_build)
    assert len(paths) == 7  # five sets, and the fixture in both --sco-per modes
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
        document = etree.fromstring(read(path, "tincan.xml"))
        assert schema.validate(document), (path.name, schema.error_log)
        listed = activities(path)
        launches = [a for a in listed if a.find(f"{TINCAN}launch") is not None]
        assert launches == listed[:1], "only the course activity, listed first, carries launch"
        assert listed[0].get("type") == COURSE_TYPE
        assert listed[0].findtext(f"{TINCAN}launch") == "index.html" and "index.html" in names
        ids = [a.get("id") for a in listed]
        assert len(ids) == len(set(ids)), f"{path.name}: two activities share an IRI"
        assert all(i.startswith(listed[0].get("id")) for i in ids)
        for element in listed:
            parsed = as_tincan(element)
            assert parsed.definition.name and parsed.definition.description


def test_tincan_xml_describes_every_activity_the_runtime_names(course_build):
    path = course_build[("leading-for-resilience", "xapi")]
    data = runtime_data(path)
    listed = {a.get("id"): as_tincan(a) for a in activities(path)}
    course = "https://learning.leading-libraries.example/series/leading-for-resilience"
    assert data["set"]["iri"] == course and course in listed
    assert data["series"]["iri"] == "https://learning.leading-libraries.example/series"
    for module in data["modules"]:
        assert listed[module["iri"]].definition.name["en-GB"] == module["title"]
    for page in data["pages"]:
        assert page["iri"] == f"{course}/{page['id']}"
        assert listed[page["iri"]].definition.name["en-GB"] == page["title"]
    for question in data["questions"]:
        module, qid = question["id"].split("/")
        assert question["iri"] == f"{course}/{module}/questions/{qid}"
        definition = listed[question["iri"]].definition
        assert definition.type == INTERACTION and definition.interaction_type == "choice"
        assert list(definition.correct_responses_pattern) == ["[,]".join(question["correct"])]
        assert [(c.id, c.description["en-GB"]) for c in definition.choices] == list(question["options"].items())
    for reflection in data["reflections"]:
        module, rid = reflection["id"].split("/")
        assert reflection["iri"] == f"{course}/{module}/reflections/{rid}"
        assert listed[reflection["iri"]].definition.interaction_type == "long-fill-in"
    described = len(data["modules"]) + len(data["pages"]) + len(data["questions"]) + len(data["reflections"]) + 1
    assert len(listed) == described


def test_activity_iris_survive_a_rebuild_with_an_inserted_page(tmp_path, fixture_build):
    """IRIs come from ids, not positions: adding a page changes no existing activity's IRI."""
    before = {a.get("id"): a.get("type") for a in activities(fixture_build["set"]["xapi"])}
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    module = course / "content" / "every-block" / "first-steps.md"
    text = module.read_text()
    inserted = "# A new first page\n\nInserted before everything.\n\n# Welcome\n"
    module.write_text(text.replace("# Welcome\n", inserted, 1))
    result = run_cli("-q", "build", "--format", "xapi", "--out", tmp_path / "dist", root=course)
    assert result.exit_code == 0, result.output
    after = {a.get("id"): a.get("type") for a in activities(next((tmp_path / "dist").glob("*-xapi.zip")))}
    assert before.items() <= after.items()
    assert set(after) - set(before) == {"https://learning.example.org/fixture/every-block/first-steps/a-new-first-page"}


# -- no credentials -----------------------------------------------------------------------------------------
URL = re.compile(rb"""https?://[^\s"'<>()\\]+""")


# The runtime scripts that read the launch's endpoint, and the cmi5 vocabulary's IRIs (names, not addresses).
READS_THE_LAUNCH = {"assets/lp-xapi.js", "assets/lp-cmi5.js"}
VOCABULARY = re.compile(rb"^https://w3id\.org/xapi/(cmi5/|profiles/cmi5/)")


def test_no_built_package_holds_an_endpoint_or_credentials(course_build, fixture_build):
    """Every file of every zip (every format, every set): no `Basic ` token, no username or password, no LRS
    address, no launch query; the word "endpoint" only where an xAPI-based runtime reads the launch parameter."""
    paths = all_zips(course_build, fixture_build)
    assert len(paths) == 7 * len(formats.names())  # 5 sets and the fixture course in two modes
    runtime_reads: dict[str, int] = {}
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                data = archive.read(name)
                where = f"{path.name}:{name}"
                # an Authorization value (cmi5's runtime names the scheme it puts before the LMS's token)
                assert not re.search(rb"(Basic|Bearer) [A-Za-z0-9+/=._~-]{4,}", data), where
                assert not re.search(rb"(?i)password|passwd|username|secret", data), where
                assert not re.search(rb"(?i)[?&](endpoint|auth|actor)=", data), where
                for url in URL.findall(data):
                    if not VOCABULARY.match(url):
                        assert not re.search(rb"(?i)/xapi|/statements|/activities/state|lrs", url), (where, url)
                if re.search(rb"(?i)endpoint", data):
                    assert name in READS_THE_LAUNCH, where
                    runtime_reads[name] = runtime_reads.get(name, 0) + 1
                    assert re.search(rb"[\w$]+\.endpoint\b", data)  # the launch parameters' (named by the minifier)
    shipped = [f"assets/{script.name}" for fmt in formats.every() for script in fmt.scripts] * 7
    expected = {name: shipped.count(name) for name in READS_THE_LAUNCH}
    assert expected["assets/lp-xapi.js"] >= 7 and runtime_reads == expected, \
        "each runtime that reads the endpoint reads it from the launch, and only there"


@pytest.mark.parametrize("key", ["endpoint", "auth", "username", "password"])
def test_the_build_refuses_settings_that_would_write_credentials(tmp_path, key):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    config = course / "leadpack.toml"
    config.write_text(config.read_text() + f'\n[build]\nformats = ["xapi"]\n{key} = "leak-{key}"\n')
    line = config.read_text().splitlines().index(f'{key} = "leak-{key}"') + 1
    result = run_cli("build", "--out", tmp_path / "dist", root=course)
    assert result.exit_code == 1
    assert f"leadpack.toml:{line}:1: error: '{key}' cannot be written into a package" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").iterdir())


def test_credentials_are_refused_anywhere_else_too(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    config = course / "leadpack.toml"
    config.write_text(config.read_text().replace("[series]\n", '[series]\npassword = "leak"\n'))
    set_toml = course / "content" / "every-block" / "set.toml"
    set_toml.write_text('endpoint = "https://lrs.example.org/xapi/"\n' + set_toml.read_text())
    result = run_cli("build", "--out", tmp_path / "dist", root=course)
    assert result.exit_code == 1
    assert "unknown setting 'password' in [series]" in result.output
    assert result.exit_code == 1 and not (tmp_path / "dist").exists()

    config.write_text(config.read_text().replace('password = "leak"\n', ""))
    result = run_cli("build", "--out", tmp_path / "dist", root=course)
    assert result.exit_code == 1 and "unknown setting 'endpoint'" in result.output

    usage = run_cli("build", "--endpoint", "https://lrs.example.org/xapi/", root=course)
    assert usage.exit_code == 2 and "No such option: --endpoint" in usage.output
