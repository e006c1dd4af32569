"""Issue 16: translations of a set beside it, the translator's XLIFF 2.0 round trip, the parity check, and what a
build makes of a set in two languages (one package holding both, or one per language; metadata; the budget).

Each test works on a copy of the repository's course, whose Introduction has a Welsh translation (content/
introduction/cy/) with its translation lock."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from leadpack import formats
from leadpack.pipeline import state
from leadpack.tools.translate import SCHEMA, XLIFF
from tests.conftest import REPO, course_version, run_cli

X = f"{{{XLIFF}}}"
WELSH = Path("content") / "introduction" / "cy"
ENGLISH_MODULE = Path("content") / "introduction" / "introduction.md"
VERSION = course_version()


@pytest.fixture
def course(tmp_path) -> Path:
    """A copy of the repository's course (sources only)."""
    root = tmp_path / "course"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "leadpack.toml", root / "leadpack.toml")
    return root


def export(course: Path, out: Path, language: str = "cy") -> etree._Element:
    result = run_cli("translate", "export", "introduction", "--lang", language, "--out", out, root=course)
    assert result.exit_code == 0, result.output
    return etree.parse(str(out)).getroot()


def import_file(course: Path, path: Path):
    return run_cli("translate", "import", path, root=course)


def units(root: etree._Element) -> dict[str, etree._Element]:
    """file id/unit id -> <unit>."""
    return {f"{file.get('id')}/{unit.get('id')}": unit
            for file in root.iter(f"{X}file") for unit in file.iter(f"{X}unit")}


def state_of(unit: etree._Element) -> str:
    return unit.find(f"{X}segment").get("state")


def sources(course: Path) -> dict[str, bytes]:
    return {str(p.relative_to(course)): p.read_bytes() for p in sorted((course / WELSH).rglob("*")) if p.is_file()}


def check(course: Path) -> list[dict]:
    result = run_cli("check", "introduction", "--json", root=course)
    return json.loads(result.stdout)["problems"]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


# ---- the XLIFF round trip ---------------------------------------------------------------------------------------

def test_the_export_is_xliff_2_0_by_the_official_schema_with_a_note_on_every_unit(course, tmp_path):
    assert "XLIFF Version 2.0\n\tOASIS Standard" in SCHEMA.read_text("utf-8")  # the OASIS core schema, unchanged
    root = export(course, tmp_path / "cy.xlf")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "en-GB", "cy")
    found = units(root)
    assert {"set.toml/title", "introduction.md/title", "introduction.md/outcome-1",
            "introduction.md/welcome-to-leading-libraries.title",
            "introduction.md/the-four-capabilities.2.alt",
            "introduction.md/check-your-understanding.which-two-shifts-did-the-21st-century.a-feedback",
            "introduction.md/summary-and-next-steps.my-action-plan.1"} <= set(found)
    assert all(unit.find(f"{X}notes/{X}note").text for unit in found.values())
    assert {state_of(unit) for unit in found.values()} == {"translated"}  # the Welsh is complete and current
    feedback = found["introduction.md/check-your-understanding.which-two-shifts-did-the-21st-century.a-feedback"]
    assert "option a" in feedback.find(f"{X}notes/{X}note").text
    assert feedback.find(f"{X}segment/{X}target").text.startswith("Cywir.")


def test_export_then_import_with_no_changes_gives_identical_sources(course, tmp_path):
    before = sources(course)
    export(course, tmp_path / "cy.xlf")
    result = import_file(course, tmp_path / "cy.xlf")
    assert result.exit_code == 0, result.output
    assert "0 files changed, 0 text(s) still in the original language" in result.output
    assert sources(course) == before


def test_a_changed_english_paragraph_marks_exactly_that_unit_and_check_lists_it(course, tmp_path):
    first = export(course, tmp_path / "before.xlf")
    edit(course / ENGLISH_MODULE, "That is the starting point for this series.", "That is where this series starts.")
    after = units(export(course, tmp_path / "after.xlf"))
    changed = [key for key, unit in after.items() if state_of(unit) == "initial"]
    assert changed == ["introduction.md/welcome-to-leading-libraries.2"]
    unit = after[changed[0]]
    old = units(first)[changed[0]]
    assert unit.find(f"{X}segment/{X}target").text == old.find(f"{X}segment/{X}target").text  # kept, to update
    assert "changed" in " ".join(n.text for n in unit.iter(f"{X}note"))
    stale = [p for p in check(course) if p["severity"] == "warning"]
    assert [(p["path"].endswith("cy/introduction.md"), p["line"], p["message"].split(":")[0]) for p in stale] == [
        (True, 20, "the original changed after this was translated")]
    assert "leadpack translate export introduction --lang cy" in stale[0]["hint"]


def test_a_translators_target_is_written_in_place_and_the_lock_follows_its_source(course, tmp_path):
    path = tmp_path / "cy.xlf"
    root = export(course, path)
    unit = units(root)["introduction.md/welcome-to-leading-libraries.2"]
    unit.find(f"{X}segment/{X}target").text = "Dyma fan cychwyn y gyfres.\nAil linell y paragraff."
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    result = import_file(course, path)
    assert result.exit_code == 0, result.output
    text = (course / WELSH / "introduction.md").read_text("utf-8")
    assert "\n\nDyma fan cychwyn y gyfres.\nAil linell y paragraff.\n\n" in text
    assert "Dyma fan cychwyn y gyfres hon." not in text
    assert [p for p in check(course)] == []  # same structure; the lock matches the English it came from


def test_a_new_language_starts_from_the_originals_structure_with_every_id_pinned(course, tmp_path):
    path = tmp_path / "ga.xlf"
    root = export(course, path, "ga")
    found = units(root)
    assert {state_of(unit) for unit in found.values()} == {"initial"}
    assert all(unit.find(f"{X}segment/{X}target") is None for unit in found.values())
    segment = found["introduction.md/welcome-to-leading-libraries.title"].find(f"{X}segment")
    etree.SubElement(segment, f"{X}target").text = "Fáilte go Leading Libraries"
    segment.set("state", "translated")
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    result = import_file(course, path)
    assert result.exit_code == 0, result.output
    assert 'next: add "ga" to languages in content/introduction/set.toml' in result.output
    written = (course / "content" / "introduction" / "ga" / "introduction.md").read_text("utf-8")
    assert written.startswith('+++\nid = "introduction"\n')
    assert "# Fáilte go Leading Libraries {#welcome-to-leading-libraries}" in written
    assert '::: question id="jo-works-saturdays-on-the-front-desk"' in written
    assert 'status = "draft"' in (course / "content" / "introduction" / "ga" / "set.toml").read_text("utf-8")
    edit(course / "content" / "introduction" / "set.toml", '["en-GB", "cy"]', '["en-GB", "cy", "ga"]')
    problems = check(course)
    assert [p for p in problems if p["severity"] == "error"] == []
    untranslated = [(p["path"].split("/ga/")[1], p["message"]) for p in problems
                    if p["message"].startswith("not translated yet")]
    texts = {name: sum(1 for key in found if key.startswith(name + "/")) for name in ("set.toml", "introduction.md")}
    module = texts["introduction.md"]
    assert untranslated[0] == ("introduction.md", f"not translated yet: {module - 1} of the {module} texts of the "
                                                  "original (this is the first)")
    assert [name for name, _ in untranslated[1:]] == ["set.toml"] * texts["set.toml"]  # a few: one line each


@pytest.mark.parametrize(("target", "said"), [
    ("Teitl\n# Tudalen newydd", "would start a new page"),
    ('Llun "dyfynedig"', "straight double quote"),
])
def test_a_target_that_would_break_the_structure_is_refused_and_nothing_is_written(course, tmp_path, target, said):
    path = tmp_path / "cy.xlf"
    root = export(course, path)
    key = "introduction.md/the-four-capabilities.2.alt" if "quote" in said else \
        "introduction.md/welcome-to-leading-libraries.1"
    units(root)[key].find(f"{X}segment/{X}target").text = target
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    before = sources(course)
    result = import_file(course, path)
    assert result.exit_code == 1 and said in result.output and key.split("/", 1)[1] in result.output
    assert sources(course) == before


def test_a_file_that_is_not_xliff_2_0_is_refused_at_its_line(course, tmp_path):
    path = tmp_path / "broken.xlf"
    path.write_text('<?xml version="1.0"?>\n<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" '
                    'srcLang="en-GB" trgLang="cy">\n  <file id="f">\n    <unit id="u"/>\n  </file>\n</xliff>\n')
    result = import_file(course, path)
    assert result.exit_code == 1
    assert re.search(r"broken\.xlf:4:1: error: the file is not XLIFF 2\.0 as its schema defines it", result.output)


# ---- the parity check -------------------------------------------------------------------------------------------

WELSH_MODULE = WELSH / "introduction.md"


def errors(course: Path) -> list[tuple[int, str]]:
    return [(p["line"], p["message"]) for p in check(course) if p["severity"] == "error"]


def test_a_missing_welsh_page_is_an_error_at_the_page_before_it(course):
    path = course / WELSH_MODULE
    text = path.read_text("utf-8")
    start = text.index("# Sut mae pob set wedi'i llunio")
    path.write_text(text[:start] + text[text.index("# Gwirio eich dealltwriaeth"):], "utf-8")
    line = text[:text.index("# Y pedwar gallu")].count("\n") + 1
    assert errors(course) == [(line, "the page 'how-each-set-is-built' (\"How each set is built\") of the original "
                                     "introduction.md is missing after this page")]


def test_an_extra_option_is_an_error_at_its_question(course):
    path = course / WELSH_MODULE
    edit(path, "- [x] Gwehydd adnoddau\n", "- [x] Gwehydd adnoddau\n  > Ie.\n- [ ] Llywiwr\n  > Na.\n")
    line = path.read_text("utf-8")[:path.read_text("utf-8").index(
        '::: question id="a-library-assistant-links-a-lonely"')].count("\n") + 1
    assert errors(course) == [(line, "the question has 4 options; the original has 3")]


def test_a_different_right_answer_is_an_error_at_its_question(course):
    path = course / WELSH_MODULE
    edit(path, "- [ ] Pensaer systemau\n", "- [x] Pensaer systemau\n")
    edit(path, "- [x] Gwehydd adnoddau\n", "- [ ] Gwehydd adnoddau\n")
    line = path.read_text("utf-8")[:path.read_text("utf-8").index(
        '::: question id="a-library-assistant-links-a-lonely"')].count("\n") + 1
    assert errors(course) == [(line, "the right answer here is a; in the original it is c")]


def test_a_block_missing_from_a_translated_page_is_an_error_and_the_build_writes_nothing(course, tmp_path):
    edit(course / WELSH_MODULE, '::: action-plan id="my-action-plan"', "::: reflection")
    result = run_cli("build", "--out", tmp_path / "out", root=course)
    assert result.exit_code == 1 and not (tmp_path / "out").exists()
    assert "the page's blocks are summary, reflection; in the original they are summary, action-plan" in result.output


# ---- building a set in two languages ---------------------------------------------------------------------------

def runtime_data(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as archive:
        page = archive.read("index.html").decode("utf-8")
    return json.loads(re.search(r'id="lp-data">(.*?)</script>', page, re.S).group(1))


def test_one_package_holds_both_languages_and_says_the_welsh_is_a_draft(course, tmp_path):
    out = tmp_path / "out"
    result = run_cli("build", "introduction", "--out", out, "--json", root=course)
    assert result.exit_code == 0, result.output
    packages = json.loads(result.stdout)["packages"]
    assert {p["path"].rsplit("/", 1)[1] for p in packages} == {f"introduction-{VERSION}-{fmt.suffix}.zip"
                                                                  for fmt in formats.every()}
    assert {tuple(p["languages"]) for p in packages} == {("en-GB", "cy")}
    data = runtime_data(out / f"introduction-{VERSION}-scorm12.zip")
    assert [(entry["code"], entry["name"], entry["status"]) for entry in data["languages"]] == [
        ("en-GB", "English", ""), ("cy", "Cymraeg", "draft")]
    welsh = data["languages"][1]
    assert welsh["texts"]["page:introduction/welcome-to-leading-libraries"] == "Croeso i Arwain Llyfrgelloedd"
    assert welsh["strings"]["finish_title"] == "Eich canlyniadau"
    with zipfile.ZipFile(out / f"introduction-{VERSION}-scorm12.zip") as archive:
        manifest = archive.read("imsmanifest.xml").decode("utf-8")
        assert {"media/four-capabilities.svg", "cy/media/four-capabilities.svg"} <= set(archive.namelist())
    assert '<imsmd:language>cy</imsmd:language>' in manifest
    assert "(Cyfieithiad drafft, yn aros am adolygiad gan siaradwr Cymraeg.)" in manifest
    statement = (out / f"introduction-{VERSION}-cy-accessibility.md").read_text("utf-8")
    assert statement.startswith("# Datganiad hygyrchedd ar gyfer Cyflwyniad i gyfres Arwain Llyfrgelloedd\n")
    text = run_cli("build", "introduction", "--out", out, root=course).output
    assert "introduction: the cy translation is a draft awaiting review" in text


METADATA_NAMESPACES = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd",
                       "t": "http://projecttincan.com/tincan.xsd", "lom": "http://ltsc.ieee.org/xsd/LOM"}


def test_every_formats_metadata_names_the_set_in_welsh_and_says_the_welsh_is_a_draft(course, tmp_path):
    """cmi5.xml's langstrings, tincan.xml's language maps and the SCORM 2004 LOM carry the set's title and
    description in both languages; the Welsh description says the translation is a draft awaiting review, the
    English one says nothing of it."""
    out = tmp_path / "out"
    assert run_cli("-q", "build", "introduction", "--out", out, root=course).exit_code == 0
    english, welsh = (tomllib.loads((course / path).read_text("utf-8"))
                      for path in (ENGLISH_MODULE.with_name("set.toml"), WELSH / "set.toml"))
    note = tomllib.loads((REPO / "leadpack" / "locales" / "cy.toml").read_text("utf-8"))["draft_translation"]
    expected = {"title": {"en-GB": english["title"], "cy": welsh["title"]},
                "description": {"en-GB": english["description"], "cy": f"{welsh['description']} ({note})"}}

    def read(fmt: str, name: str) -> etree._Element:
        with zipfile.ZipFile(out / f"introduction-{VERSION}-{fmt}.zip") as archive:
            return etree.fromstring(archive.read(name))

    def in_languages(holder: etree._Element, paths: dict[str, str], attribute: str) -> dict[str, dict[str, str]]:
        return {field: {e.get(attribute): e.text for e in holder.iterfind(path, METADATA_NAMESPACES)}
                for field, path in paths.items()}

    structure = read("cmi5", "cmi5.xml")
    for holder in (structure.find("c:course", METADATA_NAMESPACES), structure.find("c:au", METADATA_NAMESPACES)):
        paths = {"title": "c:title/c:langstring", "description": "c:description/c:langstring"}
        assert in_languages(holder, paths, "lang") == expected
    activities = read("xapi", "tincan.xml").findall("t:activities/t:activity", METADATA_NAMESPACES)
    assert activities[0].get("type") == "http://adlnet.gov/expapi/activities/course"
    assert in_languages(activities[0], {"title": "t:name", "description": "t:description"}, "lang") == expected
    assert [a.get("id") for a in activities if a.find("t:name[@lang='cy']", METADATA_NAMESPACES) is None] == []
    pages = [a for a in activities if a.get("type") == "http://activitystrea.ms/schema/1.0/page"]
    described = [a.findtext("t:description[@lang='cy']", namespaces=METADATA_NAMESPACES) for a in pages]
    assert pages and all(text.endswith(f": tudalen {n}") for n, text in enumerate(described, 1)), described
    english = [a.findtext("t:description[@lang='en-GB']", namespaces=METADATA_NAMESPACES) for a in pages]
    assert all(text.startswith(f"Page {n} of ") for n, text in enumerate(english, 1)), english
    lom = read("scorm2004", "imsmanifest.xml").find(".//lom:general", METADATA_NAMESPACES)
    paths = {"title": "lom:title/lom:string", "description": "lom:description/lom:string"}
    assert in_languages(lom, paths, "language") == expected
    assert [e.text for e in lom.iterfind("lom:language", METADATA_NAMESPACES)] == ["en-GB", "cy"]
    keywords = lom.iterfind("lom:keyword/lom:string[@language='cy']", METADATA_NAMESPACES)
    assert [e.text for e in keywords] == welsh["keywords"]


def test_apart_writes_one_package_per_language_and_clean_knows_their_names(course, tmp_path):
    out = tmp_path / "out"
    result = run_cli("build", "introduction", "--format", "scorm12", "--languages", "apart", "--out", out,
                     root=course)
    assert result.exit_code == 0, result.output
    english, welsh = out / f"introduction-{VERSION}-en-GB-scorm12.zip", out / f"introduction-{VERSION}-cy-scorm12.zip"
    assert english.is_file() and welsh.is_file()
    assert (runtime_data(welsh)["language"], runtime_data(welsh)["languages"]) == ("cy", [])
    assert runtime_data(welsh)["set"]["title"] == "Cyflwyniad i gyfres Arwain Llyfrgelloedd"
    result = run_cli("build", "introduction", "--format", "scorm12", "--clean", "--out", out, root=course)
    assert result.exit_code == 0, result.output
    assert not english.exists() and not welsh.exists() and (out / f"introduction-{VERSION}-scorm12.zip").is_file()


def test_the_scorm_12_budget_holds_the_language_and_the_worst_case_fits(course, tmp_path):
    result = run_cli("build", "introduction", "--format", "scorm12", "--out", tmp_path / "out", "--json",
                     root=course)
    (budget,) = json.loads(result.stdout)["packages"][0]["suspend_data"]
    assert budget["worst_case"] <= budget["limit"] == 4096
    from leadpack.pipeline.load import load_series

    introduction = load_series(course, ("introduction",)).sets[0]
    unit = formats.get("scorm12").units(introduction, "set")[0]
    worst = state.worst_case_state(unit, budget["reflection_max"], True, introduction.languages)
    assert worst["g"] == "en-GB" and len(state.encode(worst)) == budget["worst_case"]
    assert state.parse(state.encode(worst), "copy it again").language == "en-GB"


def test_a_placeholder_travels_as_an_xliff_placeholder_and_comes_back_as_written(course, tmp_path):
    """Issue 17: a [[name]] in the original is an XLIFF <ph> a translation tool keeps as a tag; a target holding
    only its id (as some tools write it) is imported as the placeholder, and the Welsh page gets the Welsh value."""
    edit(course / ENGLISH_MODULE, "That is the starting point for this series.",
         "That is the starting point for this series; ask [[series_contact]] for help.")
    edit(course / "leadpack.toml", "[texts]\n", '[texts]\nseries_contact = "the series team"\n')
    with (course / "leadpack.toml").open("a") as config:
        config.write('\n[texts.cy]\nseries_contact = "tîm y gyfres"\n')
    path = tmp_path / "cy.xlf"
    root = export(course, path)
    assert etree.XMLSchema(etree.parse(str(SCHEMA))).validate(root)
    unit = units(root)["introduction.md/welcome-to-leading-libraries.2"]
    source = unit.find(f"{X}segment/{X}source")
    codes = source.findall(f"{X}ph")
    assert [(c.get("id"), c.get("equiv"), c.get("canDelete")) for c in codes] == [("ph1", "[[series_contact]]", "no")]
    assert "[[" not in (source.text or "") + "".join(c.tail or "" for c in codes)  # not words to translate
    target = unit.find(f"{X}segment/{X}target")
    for child in list(target):
        target.remove(child)
    target.text = "Dyma fan cychwyn y gyfres; gofynnwch i "
    etree.SubElement(target, f"{X}ph", id="ph1").tail = " am help."
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    result = import_file(course, path)
    assert result.exit_code == 0, result.output
    welsh = (course / WELSH / "introduction.md").read_text("utf-8")
    assert "Dyma fan cychwyn y gyfres; gofynnwch i [[series_contact]] am help." in welsh
    built = run_cli("build", "introduction", "--format", "scorm12", "--out", tmp_path / "out", root=course)
    assert built.exit_code == 0, built.output
    with zipfile.ZipFile(next((tmp_path / "out").glob("*.zip"))) as archive:
        page = archive.read("index.html").decode()
    assert "gofynnwch i tîm y gyfres am help." in page and "ask the series team for help." in page


def test_a_placeholder_the_source_does_not_have_is_refused_at_its_line(course, tmp_path):
    """A tool that adds an XLIFF placeholder of its own (an id the source lacks, no equiv) would lose words
    unseen on import: it is refused where it stands, and no file is written."""
    path = tmp_path / "cy.xlf"
    root = export(course, path)
    target = units(root)["introduction.md/welcome-to-leading-libraries.2"].find(f"{X}segment/{X}target")
    etree.SubElement(target, f"{X}ph", id="ph7").tail = " rhagor."
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    line = next(n for n, text in enumerate(path.read_text("utf-8").split("\n"), 1) if 'id="ph7"' in text)
    before = sources(course)
    result = import_file(course, path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"cy.xlf:{line}:" in result.stderr
    assert 'a placeholder <ph id="ph7"> stands for nothing the source has' in result.stderr
    assert sources(course) == before


def test_a_translation_that_drops_a_placeholder_is_warned_about(course):
    edit(course / ENGLISH_MODULE, "That is the starting point for this series.",
         "That is the starting point for this series; ask [[series_contact]] for help.")
    edit(course / "leadpack.toml", "[texts]\n", '[texts]\nseries_contact = "the series team"\n')
    dropped = [p for p in check(course) if "[[series_contact]]" in p["message"]]
    assert [(p["severity"], p["path"].endswith("cy/introduction.md")) for p in dropped] == [("warning", True)]
    assert dropped[0]["message"].startswith("the original uses [[series_contact]] (at line ")
