"""Issue 17, point 1: editions for many organisations. Each edition (content/editions/<id>.toml) has its own name,
logo, colours, base IRI, accessibility contact and local texts filled into [[name]] placeholders; ids of pages and
questions stay the same in every edition while package identifiers and activity IRIs are the edition's own."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from leadpack import formats
from leadpack.pipeline.build import BuildOptions, build
from tests.conftest import FIXTURE_COURSE, REPO, SHARED, run_cli

HOSTILE = '<script>alert(1)</script> <a href="javascript:alert(2)">x</a> & "quoted"'
NORTH_LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" '
              'fill="#123"/></svg>')
SOUTH_LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle r="4" cx="4" cy="4"/></svg>'
HELP_PAGE = "\n# Where to get help\n\nIf you need support, contact [[support_contact]] at any time.\n"


def edition_course(folder: Path) -> Path:
    """The fixture course with a placeholder, the series' own value for it, and two editions."""
    course = folder / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    with (course / "content/every-block/first-steps.md").open("a") as module:
        module.write(HELP_PAGE)
    with (course / "leadpack.toml").open("a") as config:
        config.write('\n[texts]\nsupport_contact = "your line manager"\n')
    editions = course / "content/editions"
    editions.mkdir()
    (editions / "north.svg").write_text(NORTH_LOGO)
    (editions / "south.svg").write_text(SOUTH_LOGO)
    (editions / "north.toml").write_text(f'''[edition]
organisation = "North Libraries"
base_iri = "https://learning.north.example/leading/"

[theme]
primary = "#22446a"
logo = "content/editions/north.svg"

[accessibility]
email = "access@north.example"
phone = "0300 000 0001"
prepared = 2026-11-30
reviewed = 2026-12-01

[texts]
support_contact = {json.dumps(HOSTILE)}
''')
    (editions / "south.toml").write_text('''[edition]
organisation = "South Libraries"

[theme]
logo = "content/editions/south.svg"

[accessibility]
email = "help@south.example"

[texts]
support_contact = "the South staff helpdesk"
''')
    return course


@pytest.fixture(scope="module")
def editions_build(tmp_path_factory) -> tuple[Path, Path]:
    """The course with editions, every edition built (--edition all): (course, out)."""
    course = edition_course(tmp_path_factory.mktemp("editions"))
    out = course / "dist"
    result = run_cli("build", "--edition", "all", "--out", out, root=course)
    assert result.exit_code == 0, result.output
    return course, out


def members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def package(out: Path, edition: str, fmt: str) -> Path:
    folder = out / edition if edition else out
    return folder / f"every-block-1.2.0-{formats.get(fmt).suffix}.zip"


EDITIONS = ("", "north", "south")


def test_each_edition_is_built_into_its_own_folder_with_every_format(editions_build):
    _, out = editions_build
    for edition in EDITIONS:
        for fmt in formats.names():
            assert package(out, edition, fmt).is_file(), (edition, fmt)
    assert sorted(p.name for p in (out / "north").iterdir()) == sorted(
        p.name for p in out.iterdir() if p.is_file())  # the same files: packages, sheets, statements


@pytest.mark.parametrize("fmt", formats.names())
def test_each_edition_has_its_own_logo_colours_and_name(editions_build, fmt):
    _, out = editions_build
    north, south, own = (members(package(out, e, fmt)) for e in ("north", "south", ""))
    assert north["assets/logo.svg"].decode() == NORTH_LOGO
    assert south["assets/logo.svg"].decode() == SOUTH_LOGO
    assert "assets/logo.svg" not in own
    assert b"--lp-primary: #22446a;" in north["assets/theme.css"]
    assert south["assets/theme.css"] == own["assets/theme.css"]  # an edition inherits the colours it leaves out
    page = next(name for name in north if name.endswith(".html") and b"lp-data" in north[name])
    assert b"North Libraries" in north[page] and b"North Libraries" not in own[page]
    assert b"South Libraries" in south[page]


@pytest.mark.parametrize("fmt", formats.names())
def test_an_edition_value_is_text_and_cannot_add_markup(editions_build, fmt):
    """The hostile value reaches the page escaped, as words a learner reads; no file of the package holds it as
    markup."""
    _, out = editions_build
    files = members(package(out, "north", fmt))
    pages = [data.decode() for name, data in files.items() if name.endswith(".html")]
    assert any("contact &lt;script&gt;alert(1)&lt;/script&gt;" in page for page in pages)
    for name, data in files.items():
        assert b"<script>alert(1)" not in data and b'href="javascript:' not in data, name
    south = [data.decode() for name, data in members(package(out, "south", fmt)).items() if name.endswith(".html")]
    assert any("contact the South staff helpdesk at any time" in page for page in south)
    own = [data.decode() for name, data in members(package(out, "", fmt)).items() if name.endswith(".html")]
    assert any("contact your line manager at any time" in page for page in own)
    assert not any("[[support_contact]]" in page for page in own + south + pages)


def runtime_data(files: dict[str, bytes]) -> list[dict]:
    found = []
    for name, data in sorted(files.items()):
        match = re.search(rb'<script type="application/json" id="lp-data">(.*?)</script>', data, re.S)
        if name.endswith(".html") and match:
            found.append(json.loads(match.group(1)))
    return found


def ids_in(value: object) -> list[str]:
    """Every "id" in the runtime data, in order: pages, questions, reflections."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "id" and isinstance(v, str)] + [
            i for v in value.values() for i in ids_in(v)]
    if isinstance(value, list):
        return [i for v in value for i in ids_in(v)]
    return []


@pytest.mark.parametrize("fmt", formats.names())
def test_ids_stay_the_same_and_identifiers_differ_across_editions(editions_build, fmt):
    _, out = editions_build
    data = {edition: runtime_data(members(package(out, edition, fmt))) for edition in EDITIONS}
    ids = {edition: ids_in(found) for edition, found in data.items()}
    assert ids[""] and ids[""] == ids["north"] == ids["south"]
    identifiers = {edition: _identifier(package(out, edition, fmt), fmt) for edition in EDITIONS}
    assert len(set(identifiers.values())) == 3, identifiers
    assert "north" in identifiers["north"] and "south" in identifiers["south"]


def _identifier(path: Path, fmt: str) -> str:
    """The package's identity an LMS keys on: the manifest identifier (SCORM) or the course's activity IRI."""
    files = members(path)
    manifest = next(name for name in ("imsmanifest.xml", "tincan.xml", "cmi5.xml") if name in files)
    root = etree.fromstring(files[manifest])
    if manifest == "imsmanifest.xml":
        return root.get("identifier")
    return root.xpath("//*[local-name()='activity' or local-name()='course']/@id")[0]


def test_activity_iris_come_from_each_editions_base_iri(editions_build):
    _, out = editions_build
    north = members(package(out, "north", "xapi"))["tincan.xml"].decode()
    south = members(package(out, "south", "xapi"))["tincan.xml"].decode()
    assert 'id="https://learning.north.example/leading/every-block"' in north
    # an edition without a base_iri gets one of its own under the series' address
    assert 'id="https://learning.example.org/fixture/editions/south/every-block"' in south


def test_every_editions_manifests_pass_the_official_schemas(editions_build):
    _, out = editions_build
    from leadpack.tools.validate import validate_package

    for edition in ("north", "south"):
        for fmt in formats.names():
            report = validate_package(package(out, edition, fmt), SHARED / "schemas")
            assert report.kinds == [fmt] and not report.problems, (edition, fmt, report.problems)


def test_the_accessibility_statement_carries_the_editions_contact_and_dates(editions_build):
    _, out = editions_build
    north = (out / "north/every-block-1.2.0-accessibility.html").read_text()
    assert 'href="mailto:access@north.example"' in north and "call 0300 000 0001" in north
    assert "prepared on 30 November 2026. It was last reviewed on 1 December 2026." in north
    assert "last tested on [date]" in north  # what the edition does not say stays a placeholder
    assert "North Libraries" in north
    south = (out / "south/every-block-1.2.0-accessibility.md").read_text()
    assert "mailto:help@south.example" in south and "[phone number]" in south
    own = (out / "every-block-1.2.0-accessibility.html").read_text()
    assert "[email address]" in own and "mailto:" not in own


def test_the_handoff_sheet_names_the_editions_own_package(editions_build):
    _, out = editions_build
    sheet = (out / "north/every-block-1.2.0-scorm12-handoff.md").read_text()
    digest = hashlib.sha256(package(out, "north", "scorm12").read_bytes()).hexdigest()
    assert digest in sheet
    assert "- Edition: North Libraries (`north`): its own package identifier" in sheet
    assert "Edition:" not in (out / "every-block-1.2.0-scorm12-handoff.md").read_text()  # the series' own


def test_jobs_and_shards_build_every_edition_byte_for_byte(tmp_path, editions_build):
    course, _ = editions_build
    said: dict[str, list[str]] = {"serial": [], "jobs": []}
    serial = _all_outputs(build(course, BuildOptions(out=tmp_path / "serial", editions=("all",)),
                                said["serial"].append).packages)
    parallel = _all_outputs(build(course, BuildOptions(out=tmp_path / "jobs", editions=("all",), jobs=2),
                                  said["jobs"].append).packages)
    assert said["jobs"] == said["serial"] and "north: every-block (xapi)" in said["serial"], \
        "progress names each edition's packages alike, however they are built"
    shards: dict[str, str] = {}
    for index in (1, 2, 3, 4, 5):
        built = build(course, BuildOptions(out=tmp_path / "shards", editions=("all",), shard=(index, 5)))
        shards.update(_all_outputs(built.packages))
    assert len(serial) == 12
    assert parallel == serial == shards
    for name in ("serial", "jobs", "shards"):
        assert _folder_digest(tmp_path / name) == _folder_digest(tmp_path / "serial"), name


def _all_outputs(packages: list) -> dict[str, str]:
    return {f"{p.edition}/{p.path.name}": p.sha256 for p in packages}


def _folder_digest(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_one_edition_alone_and_the_default_build(tmp_path, editions_build):
    course, _ = editions_build
    built = build(course, BuildOptions(out=tmp_path / "one", editions=("south",)))
    assert {p.edition for p in built.packages} == {"south"}
    assert not any((tmp_path / "one").glob("*.zip")) and (tmp_path / "one/south").is_dir()
    default = build(course, BuildOptions(out=tmp_path / "default"))
    assert {p.edition for p in default.packages} == {""}
    assert not (tmp_path / "default/north").exists()


def test_an_unknown_edition_is_one_clear_error(editions_build):
    course, _ = editions_build
    result = run_cli("build", "--edition", "nroth", root=course)
    assert result.exit_code == 1
    assert "no edition 'nroth': did you mean 'north'?" in result.output
    assert "Traceback" not in result.output


def test_a_placeholder_without_a_value_is_an_error_naming_file_and_line(tmp_path):
    course = edition_course(tmp_path)
    south = course / "content/editions/south.toml"
    south.write_text(south.read_text().replace('support_contact = "the South staff helpdesk"\n', ""))
    config = course / "leadpack.toml"
    config.write_text(config.read_text().replace('support_contact = "your line manager"\n', ""))
    module = course / "content/every-block/first-steps.md"
    line = module.read_text().split("\n").index("If you need support, contact [[support_contact]] at any time.") + 1
    result = run_cli("check", "--json", root=course)
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    missing = [p for p in problems if "has no value" in p["message"]]
    col = HELP_PAGE.split("\n")[-2].index("[[") + 1
    assert {(Path(p["path"]).name, p["line"], p["col"]) for p in missing} == {("first-steps.md", line, col)}
    assert {p["message"] for p in missing} == {"[[support_contact]] has no value in the series' own edition",
                                              "[[support_contact]] has no value in the edition 'south'"}
    assert any("content/editions/south.toml" in p["hint"] for p in missing)
    refused = run_cli("build", "--edition", "south", "--out", tmp_path / "out", root=course)
    assert refused.exit_code == 1 and not (tmp_path / "out").exists()  # nothing written
    assert "first-steps.md:" in refused.output and "no value in the edition 'south'" in refused.output
    built = run_cli("build", "--edition", "north", "--out", tmp_path / "out", root=course)
    assert built.exit_code == 0, built.output  # an edition that has every value builds on its own


def test_malformed_placeholders_and_placeholders_in_links_are_errors(tmp_path):
    course = edition_course(tmp_path)
    module = course / "content/every-block/first-steps.md"
    module.write_text(module.read_text() + "\nAsk [[Support Contact]] now.\n\nSee [the page]([[support_contact]]).\n")
    lines = module.read_text().split("\n")
    result = run_cli("check", "--json", root=course)
    assert result.exit_code == 1
    problems = {(p["line"], p["message"]) for p in json.loads(result.output)["problems"] if p["severity"] == "error"}
    assert (lines.index("Ask [[Support Contact]] now.") + 1, "'[[Support Contact]]' is not a placeholder name") \
        in problems
    assert any(message.startswith("a [[placeholder]] stands inside a link address") for _, message in problems)


def test_mistakes_in_an_edition_file_name_the_file_and_line(tmp_path):
    course = edition_course(tmp_path)
    north = course / "content/editions/north.toml"
    north.write_text(north.read_text().replace('primary = "#22446a"', 'primary = "#ffee00"\ncolour = "red"')
                     .replace("support_contact", "Support-Contact"))
    (course / "content/editions/Bad Name.toml").write_text('[edition]\norganisation = "X"\n')
    result = run_cli("check", "--json", root=course)
    assert result.exit_code == 1
    found = {(Path(p["path"]).name, p["line"], p["message"].split(";")[0])
             for p in json.loads(result.output)["problems"]}
    lines = north.read_text().split("\n")
    assert ("north.toml", lines.index('colour = "red"') + 1, "unknown setting 'colour' in [theme]") in found
    assert any(name == "north.toml" and line == lines.index('primary = "#ffee00"') + 1 and "contrast" in message
               for name, line, message in found)
    assert any(name == "north.toml" and "'Support-Contact' is not a name" in message for name, _, message in found)
    assert any(name == "Bad Name.toml" and "cannot name an edition" in message for name, _, message in found)


def test_a_text_no_module_uses_is_a_warning(tmp_path):
    course = edition_course(tmp_path)
    south = course / "content/editions/south.toml"
    south.write_text(south.read_text() + 'opening_hours = "9 to 5"\n')
    result = run_cli("check", "--json", root=course)
    assert result.exit_code == 0, result.output
    warnings = [p for p in json.loads(result.output)["problems"] if p["severity"] == "warning"]
    assert [(Path(p["path"]).name, p["message"]) for p in warnings] == [
        ("south.toml", "nothing in the content uses the text 'opening_hours'")]


def test_the_series_resilience_set_uses_local_texts_every_edition_can_replace(tmp_path):
    """The course's own content: the resilience modules signpost local support through placeholders, which the
    series fills with generic words and an edition with its own."""
    sources = "\n".join(path.read_text() for path in (REPO / "content/leading-for-resilience").glob("*.md"))
    assert "[[employee_assistance]]" in sources and "[[wellbeing_lead]]" in sources
    result = run_cli("build", "leading-for-resilience", "--format", "scorm12", "--out", tmp_path, root=REPO)
    assert result.exit_code == 0, result.output
    pages = b"".join(data for name, data in members(next(tmp_path.glob("*.zip"))).items() if name.endswith(".html"))
    assert b"[[" not in pages and b"employee assistance service" in pages


def test_list_names_every_edition_and_each_sets_languages(editions_build):
    course, _ = editions_build
    listed = json.loads(run_cli("list", "--json", root=course).stdout)
    assert [(e["id"], e["organisation"]) for e in listed["editions"]] == [("north", "North Libraries"),
                                                                         ("south", "South Libraries")]
    assert listed["sets"][0]["languages"] == ["en-GB"]
    text = run_cli("list", root=course).output
    assert "2 edition(s) in content/editions/: north (North Libraries), south (South Libraries)" in text
    welsh = json.loads(run_cli("list", "introduction", "--json", root=REPO).stdout)["sets"][0]
    assert welsh["languages"] == ["en-GB", "cy"]


def test_a_placeholder_in_the_front_matter_fills_the_module_title(tmp_path):
    course = edition_course(tmp_path)
    module = course / "content/every-block/first-steps.md"
    module.write_text(module.read_text().replace('title = "First steps"', 'title = "First steps at [[place]]"', 1))
    config = course / "leadpack.toml"
    config.write_text(config.read_text().replace("[texts]\n", '[texts]\nplace = "the library"\n'))
    north = course / "content/editions/north.toml"
    north.write_text(north.read_text().replace("[texts]\n", '[texts]\nplace = "North & co"\n'))
    built = build(course, BuildOptions(out=tmp_path / "out", editions=("all",), formats=("scorm12",),
                                       sco_per="module"))
    titles = {p.edition: etree.fromstring(members(p.path)["imsmanifest.xml"]).xpath(
        "//*[local-name()='item']/*[local-name()='title']/text()") for p in built.packages}
    assert titles[""] == titles["south"] == ["First steps at the library", "Second steps"]
    assert titles["north"] == ["First steps at North & co", "Second steps"]  # XML escapes it, as any title


def _set_words_with_placeholders(course: Path) -> Path:
    """The fixture set's title, description and keywords each holding a placeholder; the series and the north
    edition give [[place]] a value (south inherits the series')."""
    settings = course / "content/every-block/set.toml"
    settings.write_text(settings.read_text()
                        .replace('title = "Every Block"', 'title = "Every Block at [[place]]"')
                        .replace('"A fixture set with every kind of block."', '"For help, ask [[support_contact]]."')
                        .replace('keywords = ["fixture", "blocks"]', 'keywords = ["fixture", "[[place]]"]'))
    config = course / "leadpack.toml"
    config.write_text(config.read_text().replace("[texts]\n", '[texts]\nplace = "the library"\n'))
    north = course / "content/editions/north.toml"
    north.write_text(north.read_text().replace("[texts]\n", '[texts]\nplace = "North & co"\n'))
    return settings


def test_placeholders_in_set_toml_fill_the_sets_words_in_every_file_of_every_format(tmp_path):
    """The set's title, description and keywords read each edition's words wherever a package shows them (pages,
    manifests, course structures, metadata); the hostile value is never markup in any of them."""
    course = edition_course(tmp_path)
    _set_words_with_placeholders(course)
    built = build(course, BuildOptions(out=tmp_path / "out", editions=("all",), formats=formats.names()))
    assert {(p.edition, p.format) for p in built.packages} == {(e, f) for e in EDITIONS for f in formats.names()}
    for built_package in built.packages:
        files = members(built_package.path)
        words = b"\n".join(data for name, data in files.items() if name.endswith((".html", ".xml", ".json")))
        assert b"[[" not in words, built_package.path
        if built_package.edition == "north":
            assert b"Every Block at North &amp; co" in words and b"<script>alert(1)" not in words
            assert b"For help, ask &lt;script&gt;alert(1)&lt;/script&gt;" in words
        else:
            assert b"Every Block at the library" in words
            helper = b"the South staff helpdesk" if built_package.edition == "south" else b"your line manager"
            assert b"For help, ask " + helper in words


def test_a_placeholder_in_set_toml_without_a_value_is_an_error_at_its_line(tmp_path):
    course = edition_course(tmp_path)
    settings = _set_words_with_placeholders(course)
    config = course / "leadpack.toml"
    config.write_text(config.read_text().replace('place = "the library"\n', ""))
    result = run_cli("check", "--json", root=course)
    assert result.exit_code == 1
    problems = json.loads(result.output)["problems"]
    lines = settings.read_text().split("\n")
    title, keywords = (next(n for n, line in enumerate(lines, 1) if line.startswith(key)) for key in ("title", "key"))
    missing = {(Path(p["path"]).name, p["line"], p["message"]) for p in problems if "has no value" in p["message"]}
    assert missing == {("set.toml", line, f"[[place]] has no value in {whose}")
                       for line in (title, keywords) for whose in ("the series' own edition", "the edition 'south'")}
    assert not [p for p in problems if "uses the text" in p["message"]]  # north's place is used: by set.toml


def test_a_translations_set_toml_keeps_the_originals_placeholders(tmp_path):
    """The Welsh introduction's set.toml: a placeholder the English one uses is asked for, and its value asked
    for in Welsh, as in the modules."""
    course = tmp_path / "course"
    shutil.copytree(REPO / "content", course / "content")
    shutil.copy(REPO / "leadpack.toml", course)
    english, welsh = course / "content/introduction/set.toml", course / "content/introduction/cy/set.toml"
    english.write_text(re.sub(r'^description = "', 'description = "[[welcome]] ', english.read_text(), flags=re.M))
    config = course / "leadpack.toml"
    config.write_text(config.read_text().replace("[texts]\n", '[texts]\nwelcome = "Welcome."\n'))

    def warnings() -> set[tuple[str, str]]:
        result = run_cli("check", "introduction", "--json", root=course)
        assert result.exit_code == 0, result.output
        edition_warnings = [p for p in json.loads(result.output)["problems"] if "[[welcome]]" in p["message"]
                            and not p["message"].startswith("the original changed")]  # that one is parity's
        return {(Path(p["path"]).relative_to(course / "content").as_posix(), p["message"]) for p in edition_warnings}

    line = next(n for n, text in enumerate(english.read_text().split("\n"), 1) if text.startswith("description"))
    assert warnings() == {("introduction/cy/set.toml",
                           f"the original uses [[welcome]] (at line {line}) and this translation does not")}
    welsh.write_text(re.sub(r'^description = "', 'description = "[[welcome]] ', welsh.read_text(), flags=re.M))
    assert warnings() == {("introduction/cy/set.toml",
                           "[[welcome]] has no cy value in the series' own edition, so the [texts] one is used")}
    config.write_text(config.read_text() + '\n[texts.cy]\nwelcome = "Croeso."\n')
    assert warnings() == set()


def test_a_placeholder_in_a_setting_that_is_never_filled_is_an_error_at_its_line(tmp_path):
    """leadpack.toml and an edition's file are settings, not content: a [[name]] there (the series' description,
    an organisation's name, a text's own value) would reach pages as written, so check says where it is."""
    course = edition_course(tmp_path)
    config, north = course / "leadpack.toml", course / "content/editions/north.toml"
    config.write_text(re.sub(r'^description = "', 'description = "[[support_contact]] ', config.read_text(),
                             count=1, flags=re.M).replace('support_contact = "your line manager"',
                                                          'support_contact = "[[wellbeing_lead]]"'))
    north.write_text(north.read_text().replace('organisation = "North Libraries"', 'organisation = "[[north]]"'))
    result = run_cli("check", "--json", root=course)
    assert result.exit_code == 1
    found = {(Path(p["path"]).name, p["line"], p["message"]) for p in json.loads(result.output)["problems"]
             if "placeholders are filled only" in p["message"]}
    config_lines, north_lines = config.read_text().split("\n"), north.read_text().split("\n")
    assert found == {
        ("leadpack.toml", next(n for n, line in enumerate(config_lines, 1) if line.startswith("description")),
         "'description' holds [[support_contact]], but placeholders are filled only in module files and set.toml"),
        ("leadpack.toml", config_lines.index('support_contact = "[[wellbeing_lead]]"') + 1,
         "'support_contact' holds [[wellbeing_lead]], but placeholders are filled only in module files and set.toml"),
        ("north.toml", north_lines.index('organisation = "[[north]]"') + 1,
         "'organisation' holds [[north]], but placeholders are filled only in module files and set.toml"),
    }


def test_an_edition_sharing_another_ones_base_iri_is_an_error(tmp_path):
    course = edition_course(tmp_path)
    south = course / "content/editions/south.toml"
    south.write_text(south.read_text().replace('organisation = "South Libraries"\n', 'organisation = "South Libraries"'
                                               '\nbase_iri = "https://learning.north.example/leading/"\n'))
    result = run_cli("check", "--json", root=course)
    assert result.exit_code == 1
    shared = [p for p in json.loads(result.output)["problems"] if "base_iri is the one" in p["message"]]
    assert [(Path(p["path"]).name, p["line"]) for p in shared] == [("south.toml", 3)]
    assert "the edition 'north'" in shared[0]["message"]


def test_release_notes_for_two_builds_of_every_edition(tmp_path, editions_build):
    """A new text in one edition changes that edition's pages only: release reads the editions' folders as
    leadpack build --edition all wrote them and finds every package safe."""
    course, old = editions_build
    copy = tmp_path / "course"
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns("dist"))
    south = copy / "content/editions/south.toml"
    south.write_text(south.read_text().replace("the South staff helpdesk", "the South wellbeing team"))
    new = tmp_path / "new"
    assert run_cli("build", "--edition", "all", "--out", new, root=copy).exit_code == 0
    result = run_cli("release", old, new, "--json", "--out", tmp_path / "notes")
    assert result.exit_code == 0, result.output
    index = json.loads(result.stdout)
    assert {p["edition"] for p in index["packages"]} == {"", "north", "south"}
    assert all(p["verdict"] == "safe" for p in index["packages"]) and len(index["packages"]) == 12
    rebuilt = {p["path"] for p in index["packages"]
               if p["sha256"] != hashlib.sha256((old / p["path"]).read_bytes()).hexdigest()}
    assert rebuilt == {f"south/{package(new, '', fmt).name}" for fmt in formats.names()}
    for edition in ("south", "north"):
        assert (tmp_path / "notes" / edition / "release-notes.md").is_file()


def test_clean_with_every_edition_removes_a_retired_editions_packages(tmp_path, editions_build):
    """An edition whose file is gone leaves its folder behind; --edition all --clean removes the packages, sheets
    and statements in it (and the folder, once empty), keeps anything else, and a build of one edition, which
    does not know which editions are retired, leaves every other folder alone."""
    course, built = editions_build
    copy = tmp_path / "course"
    shutil.copytree(course, copy, ignore=shutil.ignore_patterns("dist"))
    out = shutil.copytree(built, tmp_path / "out")
    (copy / "content/editions/south.toml").unlink()
    (copy / "content/editions/north.toml").rename(copy / "content/editions/northern.toml")
    (out / "north" / "notes.txt").write_text("the council's own notes")
    south_files = sorted(path.name for path in (out / "south").iterdir())

    one = run_cli("build", "--edition", "northern", "--clean", "--out", out, root=copy)
    assert one.exit_code == 0, one.output
    assert sorted(path.name for path in (out / "south").iterdir()) == south_files

    every = run_cli("build", "--edition", "all", "--clean", "--json", "--out", out, root=copy)
    assert every.exit_code == 0, every.output
    removed = json.loads(every.stdout)["removed"]
    assert sorted(Path(path).name for path in removed if Path(path).parent == out / "south") == south_files
    assert not (out / "south").exists(), "an emptied folder goes too"
    assert sorted(path.name for path in (out / "north").iterdir()) == ["notes.txt"]
    assert sorted(path.name for path in (out / "northern").iterdir()) == sorted(
        path.name for path in (built / "north").iterdir())
    assert package(out, "", "xapi").is_file(), "the series' own packages stay"


@pytest.mark.parametrize("escape", ["\\u0007", "\\uFFFF"])
def test_a_character_xml_refuses_in_an_edition_fails_check_not_the_packager(tmp_path, escape):
    course = edition_course(tmp_path)
    north = course / "content/editions/north.toml"
    north.write_text(north.read_text().replace('organisation = "North', f'organisation = "{escape}North')
                     .replace('[texts]\nsupport_contact = "', f'[texts]\nsupport_contact = "{escape}'))
    result = run_cli("check", "--json", root=course)
    assert result.exit_code == 1
    found = [(p["line"], p["message"]) for p in json.loads(result.output)["problems"] if p["severity"] == "error"]
    lines = north.read_text().split("\n")
    assert [line for line, _ in found] == [next(n for n, text in enumerate(lines, 1) if text.startswith(key))
                                          for key in ("organisation", "support_contact")]
    assert all("holds" in message for _, message in found)
    built = run_cli("build", "--edition", "north", "--out", tmp_path / "out", root=course)
    assert built.exit_code == 1 and "Traceback" not in built.output and not (tmp_path / "out").exists()
