"""Issue 2 acceptance: valid, complete, reproducible SCORM 1.2 packages from Markdown sources."""

from __future__ import annotations

import importlib.util
import json
import tomllib
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from leadpack import formats
from tests.conftest import FIXTURE_COURSE, REPO, course_version, run_cli, zip_names

IMSCP = "{http://www.imsproject.org/xsd/imscp_rootv1p1p2}"
ADLCP = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"
SCORM_TYPE = {"scorm12": f"{ADLCP}scormtype", "scorm2004": "{http://www.adlnet.org/xsd/adlcp_v1p3}scormType"}
SCORM_FORMATS = sorted(SCORM_TYPE)
SETS = ["introduction", "leading-for-dialogue", "leading-for-inclusion", "leading-for-innovation",
        "leading-for-resilience"]


def validator(shared: Path):
    spec = importlib.util.spec_from_file_location("validate_manifest", shared / "tools" / "validate_manifest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def manifest_of(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("imsmanifest.xml"))


def listed_files(manifest: etree._Element) -> set[str]:
    return {f.get("href") for f in manifest.iter("{*}file")}


def test_every_set_builds_in_every_format(course_build):
    assert sorted({set_id for set_id, _ in course_build}) == SETS
    assert sorted({fmt for _, fmt in course_build}) == sorted(formats.names())
    for set_id in SETS:
        for fmt in formats.names():
            path = course_build[(set_id, fmt)]
            assert path.name == f"{set_id}-{course_version(set_id)}-{fmt}.zip"
            assert path.stat().st_size > 10_000


def test_every_manifest_validates_against_the_official_schemas(course_build, fixture_build, shared):
    tool = validator(shared)
    paths = list(course_build.values()) + [p for mode in fixture_build.values() for p in mode.values()]
    for path in paths:
        status = tool.main([str(path), "--schemas", str(shared / "schemas")])
        assert status == 0, f"{path.name} failed schema validation"


@pytest.mark.parametrize("fmt", SCORM_FORMATS)
def test_zip_holds_exactly_the_files_the_manifest_lists(course_build, fixture_build, fmt):
    paths = [course_build[(s, fmt)] for s in SETS] + [m[fmt] for m in fixture_build.values()]
    for path in paths:
        manifest = manifest_of(path)
        assert zip_names(path) == listed_files(manifest) | {"imsmanifest.xml"}, path.name
        for resource in manifest.iter("{*}resource"):
            assert resource.get(SCORM_TYPE[fmt]) in ("sco", "asset")


def test_manifest_metadata_and_mastery(course_build):
    manifest = manifest_of(course_build[("leading-for-resilience", "scorm12")])
    assert manifest.findtext(f"{IMSCP}metadata/{IMSCP}schemaversion") == "1.2"
    org = manifest.find(f"{IMSCP}organizations/{IMSCP}organization")
    assert org.findtext(f"{IMSCP}title") == "Leading for Resilience"
    items = org.findall(f"{IMSCP}item")
    assert len(items) == 1, "default: one SCO for the whole set"
    assert items[0].findtext(f"{ADLCP}masteryscore") == "70"
    lom = etree.tostring(manifest).decode()
    assert "Leading for Resilience" in lom and "en-GB" in lom and course_version("leading-for-resilience") in lom


def test_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert run_cli("-q", "build", "--out", out, root=REPO).exit_code == 0
    names = sorted(p.name for p in first.glob("*.zip"))
    assert len(names) == len(SETS) * len(formats.names())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    with zipfile.ZipFile(first / names[0]) as archive:
        for info in archive.infolist():
            assert info.date_time == (2000, 1, 1, 0, 0, 0)
            assert str(REPO) not in archive.read(info.filename).decode("utf-8", "replace")


def test_module_per_sco_lists_one_item_per_module_in_order(fixture_build):
    manifest = manifest_of(fixture_build["module"]["scorm12"])
    items = manifest.findall(f"{IMSCP}organizations/{IMSCP}organization/{IMSCP}item")
    assert [i.get("identifier") for i in items] == ["ITEM-first-steps", "ITEM-second-steps"]
    assert [i.findtext(f"{IMSCP}title") for i in items] == ["First steps", "Second steps"]
    resources = {r.get("identifier"): r for r in manifest.iter(f"{IMSCP}resource")}
    for item in items:
        resource = resources[item.get("identifierref")]
        assert resource.get(f"{ADLCP}scormtype") == "sco"
        assert resource.get("href") in zip_names(fixture_build["module"]["scorm12"])


def test_fixture_uses_every_block_type(fixture_build):
    with zipfile.ZipFile(fixture_build["set"]["scorm12"]) as archive:
        html = archive.read("index.html").decode()
    for marker in ("lp-reflection", "lp-activity", "lp-discussion", "lp-callout-tip", "lp-summary", "lp-question",
                   "<figure class=\"lp-figure\"", "<video", "<audio", "lp-download", 'type="checkbox"',
                   'type="radio"'):
        assert marker in html, marker


def test_no_page_loads_anything_from_outside_the_package(course_build, fixture_build):
    paths = list(course_build.values()) + [p for mode in fixture_build.values() for p in mode.values()]
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if not name.endswith(".html"):
                    continue
                document = lxml.html.fromstring(archive.read(name))
                for element in document.iter():
                    for attribute in ("src", "href", "poster", "data", "action", "srcset"):
                        value = (element.get(attribute) or "").strip().lower()
                        if value.startswith(("http://", "https://", "//")):
                            assert element.tag == "a" and attribute == "href", f"{name}: <{element.tag} {value}>"
                            assert "noopener" in (element.get("rel") or ""), f"{name}: {value} lacks rel=noopener"
                for style in document.iter("style"):
                    assert "url(http" not in (style.text or "")
            css = archive.read("assets/leadpack.css").decode()
            assert "http" not in css and "@import" not in css


def test_build_lists_external_links(tmp_path):
    result = run_cli("build", "--out", tmp_path, "--json", root=FIXTURE_COURSE)
    assert json.loads(result.stdout)["external_links"] == ["https://example.org/reading"]
    verbose = run_cli("-v", "build", "--out", tmp_path, "--format", "scorm12", root=FIXTURE_COURSE)
    assert "https://example.org/reading" in verbose.stdout


def test_cli_summary_and_exit_codes(tmp_path):
    result = run_cli("build", "--out", tmp_path, "--format", "scorm12", root=FIXTURE_COURSE)
    assert result.exit_code == 0
    assert "every-block-1.2.0-scorm12.zip" in result.stdout and "sha256" in result.stdout
    assert "suspend_data worst case" in result.stdout
    assert run_cli("build", "--format", "pdf", root=FIXTURE_COURSE).exit_code == 2
    assert run_cli("build", "no-such-set", "--out", tmp_path, root=FIXTURE_COURSE).exit_code == 1


def test_list_counts(tmp_path):
    result = run_cli("list", "--json", root=FIXTURE_COURSE)
    data = json.loads(result.stdout)["sets"][0]
    assert [m["id"] for m in data["modules"]] == ["first-steps", "second-steps"]
    assert [m["pages"] for m in data["modules"]] == [3, 2]
    assert [m["questions"] for m in data["modules"]] == [2, 1]
    assert all(m["words"] > 0 for m in data["modules"])


def test_python_m_leadpack_works():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "leadpack", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "leadpack" in result.stdout


def test_templates_can_be_overridden(tmp_path):
    override = tmp_path / "templates"
    override.mkdir()
    base = (REPO / "templates" / "base.html").read_text()
    (override / "base.html").write_text(base.replace('<meta name="generator" content="leadpack">',
                                                     '<meta name="generator" content="custom-theme">'))
    out = tmp_path / "out"
    assert run_cli("build", "--out", out, "--templates", override, "--format", "scorm12",
                   root=FIXTURE_COURSE).exit_code == 0
    with zipfile.ZipFile(next(out.glob("*.zip"))) as archive:
        assert 'content="custom-theme"' in archive.read("index.html").decode()


@pytest.fixture
def template_cache_at(monkeypatch):
    """Point the compiled-template cache at a folder (or a file, or nowhere) for one test."""
    from leadpack.pipeline.render import template_cache

    def point(place: Path | str) -> None:
        monkeypatch.setenv("LEADPACK_CACHE", str(place))
        template_cache.cache_clear()

    yield point
    template_cache.cache_clear()


def test_compiled_templates_are_kept_and_an_edited_template_is_compiled_afresh(tmp_path, template_cache_at):
    cache = tmp_path / "cache"
    template_cache_at(cache)
    override = tmp_path / "templates"
    override.mkdir()
    base = (REPO / "templates" / "base.html").read_text()
    marked = '<meta name="generator" content="leadpack">'
    written = []
    for name in ("first", "second"):
        (override / "base.html").write_text(base.replace(marked, f'<meta name="generator" content="{name}">'))
        out = tmp_path / name
        assert run_cli("build", "--out", out, "--templates", override, "--format", "scorm12",
                       root=FIXTURE_COURSE).exit_code == 0
        with zipfile.ZipFile(next(out.glob("*.zip"))) as archive:
            assert f'content="{name}"' in archive.read("index.html").decode()
        written.append({path.name: (path.stat().st_mtime_ns, path.read_bytes()) for path in cache.rglob("*.cache")})
    assert len(written[0]) == len(list((REPO / "templates").glob("*.html"))), "each template compiled once"
    rewritten = [name for name in written[0] if written[0][name] != written[1][name]]
    assert len(rewritten) == 1, "only the edited template was compiled again; the others came from the cache"


@pytest.mark.parametrize("place", ["file", ""], ids=["not-a-folder", "turned-off"])
def test_a_template_cache_that_cannot_be_used_changes_nothing(tmp_path, template_cache_at, fixture_build, place):
    if place == "file":
        place = tmp_path / "a-file"
        place.write_text("not a folder")
    template_cache_at(place)
    out = tmp_path / "out"
    assert run_cli("build", "--out", out, "--format", "scorm12", root=FIXTURE_COURSE).exit_code == 0
    assert next(out.glob("*.zip")).read_bytes() == fixture_build["set"]["scorm12"].read_bytes()


def test_a_cache_folder_removed_while_leadpack_runs_costs_only_time(tmp_path, template_cache_at, fixture_build):
    """A cache cleaner (or a full disk) during a long run, such as a preview left open: the next build compiles
    and minifies again and writes the same zip, and the folder comes back."""
    import shutil

    from leadpack.pipeline.render import runtime_file

    cache = tmp_path / "cache"
    template_cache_at(cache)
    assert run_cli("build", "--out", tmp_path / "first", "--format", "scorm12", root=FIXTURE_COURSE).exit_code == 0
    shutil.rmtree(cache)
    runtime_file.cache_clear()
    override = tmp_path / "templates"  # a template the cache has not seen, so it is compiled and written
    override.mkdir()
    (override / "base.html").write_text((REPO / "templates" / "base.html").read_text() + "\n")
    result = run_cli("build", "--out", tmp_path / "again", "--format", "scorm12", "--templates", override,
                     root=FIXTURE_COURSE)
    assert result.exit_code == 0, result.output
    assert (cache / "runtime").is_dir() and any(cache.rglob("*.cache")), "kept again from then on"
    plain = run_cli("build", "--out", tmp_path / "plain", "--format", "scorm12", root=FIXTURE_COURSE)
    assert plain.exit_code == 0, plain.output
    assert next((tmp_path / "plain").glob("*.zip")).read_bytes() == fixture_build["set"]["scorm12"].read_bytes()
    runtime_file.cache_clear()


def test_ids_survive_an_inserted_page(tmp_path):
    import shutil

    from leadpack.pipeline.load import load_series

    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    before = load_series(course)
    module = course / "content" / "every-block" / "first-steps.md"
    text = module.read_text().replace("# Quiz {#quiz}", "# A new page\n\nNew text.\n\n# Quiz {#quiz}")
    module.write_text(text)
    after = load_series(course)
    old = {p.full_id for p in before.sets[0].pages} | {q.id for q in before.sets[0].questions}
    new = {p.full_id for p in after.sets[0].pages} | {q.id for q in after.sets[0].questions}
    assert old <= new and new - old == {"first-steps/a-new-page"}


def test_course_text_cannot_break_out_of_the_embedded_data(tmp_path):
    import shutil

    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    module = course / "content" / "every-block" / "second-steps.md"
    module.write_text(module.read_text().replace("Is this the last page?",
                                                 "Is `</script><!--` the last page?"))
    out = tmp_path / "out"
    assert run_cli("-q", "build", "--out", out, "--format", "scorm12", root=course).exit_code == 0
    with zipfile.ZipFile(next(out.glob("*.zip"))) as archive:
        document = lxml.html.fromstring(archive.read("index.html"))
    data = json.loads(document.get_element_by_id("lp-data").text)
    assert any(q["text"] == "Is </script><!-- the last page?" for q in data["questions"])


def test_a_page_and_a_reflection_may_share_an_id(fixture_build):
    """second-steps/looking-back is both a page and a reflection: separate kinds, separate indexes."""
    with zipfile.ZipFile(fixture_build["set"]["scorm12"]) as archive:
        document = lxml.html.fromstring(archive.read("index.html"))
    data = json.loads(document.get_element_by_id("lp-data").text)
    page = next(p for p in data["pages"] if p["id"] == "second-steps/looking-back")
    reflection = next(r for r in data["reflections"] if r["id"] == "second-steps/looking-back")
    assert page["key"] == reflection["key"]


def test_the_readme_and_the_cli_name_every_format_of_the_registry():
    """The registry is the one list of formats: the CLI's choices come from it, and the README's command table
    and package list must name each one (a format added without its documentation fails here)."""
    readme = (REPO / "README.md").read_text("utf-8")
    choices = "\\|".join(formats.names())
    assert f"[--format {choices}]" in readme
    for fmt in formats.every():
        assert f"dist/<set>-<version>-{fmt.suffix}.zip" in readme, fmt.name
    help_text = run_cli("build", "--help").stdout
    assert all(name in help_text for name in formats.names())


def test_a_warm_serial_build_imports_only_what_it_needs(tmp_path):
    """Start-up is most of a small build (bench/startup_bench.py): a serial build with a warm cache loads no process
    pool, no code highlighter (leadpack never highlights) and no minifier (the cache has its output)."""
    import subprocess
    import sys

    build_then_list = ("import sys\nfrom leadpack.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
                       "print(*sorted(name for name, module in sys.modules.items() if module is not None))")
    command = [sys.executable, "-c", build_then_list, "-q", "build", "--format", "scorm12", "--out"]
    subprocess.run([*command, str(tmp_path / "warm-up")], cwd=FIXTURE_COURSE, check=True, capture_output=True)
    result = subprocess.run([*command, str(tmp_path / "out")], cwd=FIXTURE_COURSE, capture_output=True, text=True)
    assert result.returncode == 0 and next((tmp_path / "out").glob("*.zip")), result.stderr
    loaded = set(result.stdout.split())
    assert "leadpack.pipeline.render" in loaded, "the list is of what the build loaded"
    for unneeded in ("multiprocessing", "concurrent.futures", "pygments", "calmjs.parse"):
        assert unneeded not in loaded, unneeded


@pytest.mark.parametrize("course, sets, expected", [
    ("editions", (), {(edition, "every-block", "en-GB", "every-block") for edition in ("", "north", "south")}),
    ("languages", ("introduction",), {("", "introduction", language, "introduction") for language in ("en-GB", "cy")}),
], ids=["two-editions", "two-languages"])
def test_a_page_is_rendered_once_per_language_and_edition_and_shared_by_every_format(tmp_path, monkeypatch, course,
                                                                                     sets, expected):
    """Issue 17, point 4: rendering a unit's pages is most of a build's work, so the four formats of a build share
    each language version of each unit, in each edition (with the series' own), rather than render it four times;
    sharing changes no byte of any package."""
    from leadpack.pipeline.build import BuildOptions, build
    from leadpack.pipeline.render import Renderer
    from tests.test_editions import edition_course

    root = edition_course(tmp_path) if course == "editions" else REPO
    options = {"sets": sets, "formats": formats.names(), "editions": ("all",) if course == "editions" else ()}
    unwrapped = build(root, BuildOptions(out=tmp_path / "unwrapped", **options))
    rendered: list[tuple[str, str, str, str]] = []
    real = Renderer._language_version

    def counting(self, course_set, localised, unit, *args, **kwargs):
        rendered.append((self.series.edition, course_set.id, localised.language, unit.id))
        return real(self, course_set, localised, unit, *args, **kwargs)

    monkeypatch.setattr(Renderer, "_language_version", counting)
    built = build(root, BuildOptions(out=tmp_path / "counted", **options))
    assert sorted({(p.edition, p.format) for p in built.packages}) == \
        sorted({(edition, fmt) for edition, *_ in expected for fmt in formats.names()})
    assert sorted(rendered) == sorted(expected), "one rendering per set, language, edition and unit, not per format"
    assert [(p.edition, p.path.name, p.sha256) for p in built.packages] == \
        [(p.edition, p.path.name, p.sha256) for p in unwrapped.packages]


def test_a_modules_reflections_page_says_it_holds_that_modules_only(fixture_build):
    """With one SCO per module each launch page holds its own module's reflections (the others are in other
    SCOs' records): its "My reflections" page says so, where a whole set's says "in this course"."""
    catalogue = tomllib.loads((REPO / "leadpack" / "locales" / "en.toml").read_text("utf-8"))
    with zipfile.ZipFile(fixture_build["module"]["scorm12"]) as archive:
        module_page = archive.read("first-steps.html").decode("utf-8")
    with zipfile.ZipFile(fixture_build["set"]["scorm12"]) as archive:
        set_page = archive.read("index.html").decode("utf-8")
    assert f"<p>{catalogue['reflections_intro_module']}</p>" in module_page
    assert f"<p>{catalogue['reflections_intro']}</p>" in set_page
