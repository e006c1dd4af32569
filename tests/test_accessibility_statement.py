"""Issue 7: every build writes an accessibility statement draft beside each set's packages (HTML and Markdown),
following the GOV.UK model accessibility statement, naming the standard, the checks run and known exceptions."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import shutil
from pathlib import Path

import lxml.html
import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadpack import formats
from leadpack.pipeline import accessibility
from tests.conftest import FIXTURE_COURSE, REPO, course_version, run_cli
from tests.support import AXE_JS
from tests.support.fixtures import require_node_modules

# The model statement's sections, in its order (the "How accessible" and "Reporting" parts included).
SECTIONS = [
    (1, "Accessibility statement for Every Block"),
    (2, "How accessible this course is"),
    (2, "Feedback and contact information"),
    (3, "Reporting accessibility problems with this course"),
    (2, "Enforcement procedure"),
    (2, "Technical information about this course's accessibility"),
    (3, "Compliance status"),
    (2, "Non-accessible content"),
    (3, "Non-compliance with the accessibility regulations"),
    (3, "Disproportionate burden"),
    (3, "Content that's not within the scope of the accessibility regulations"),
    (2, "What we're doing to improve accessibility"),
    (2, "Preparation of this accessibility statement"),
]


def build(root: Path, out: Path, *args: str) -> dict:
    result = run_cli("build", "--out", out, "--json", *args, root=root)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def markdown_headings(text: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2)) for m in re.finditer(r"^(#{1,3}) (.+)$", text, re.M)]


def test_statement_drafts_are_written_beside_the_packages_and_listed(tmp_path):
    out = tmp_path / "out"
    summary = build(FIXTURE_COURSE, out)
    html_path, md_path = out / "every-block-1.2.0-accessibility.html", out / "every-block-1.2.0-accessibility.md"
    assert {p["format"]: p["accessibility_statement"] for p in summary["packages"]} == {
        fmt: {"html": str(html_path), "markdown": str(md_path)} for fmt in formats.names()}
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [html_path.name, md_path.name, *(f"every-block-1.2.0-{fmt}{end}" for fmt in formats.names()
                                         for end in (".zip", "-handoff.html", "-handoff.md"))])

    markdown = md_path.read_text("utf-8")
    assert markdown_headings(markdown) == [(level, title) for level, title in SECTIONS]
    document = lxml.html.fromstring(html_path.read_bytes())
    assert [(int(h.tag[1]), h.text_content()) for h in document.iter("h1", "h2", "h3")] == SECTIONS
    assert document.get("lang") == "en-GB" and document.findtext(".//title") == SECTIONS[0][1]

    for text in (markdown, document.text_content()):
        flat = " ".join(text.split())
        assert "Web Content Accessibility Guidelines version 2.2 AA standard" in flat
        assert "partially compliant" in flat  # the fixture has a video without captions
        assert 'The video "A short clip" on the page "Doing things" has no captions' in flat and "1.2.2" in flat
        assert "plan.txt" in flat  # downloads are named as unchecked
        assert "Fixture Libraries" in flat and "Every Block (version 1.2.0)" in flat
        assert "SCORM 1.2 package (every-block-1.2.0-scorm12.zip)" in flat
        assert "SCORM 2004 package (every-block-1.2.0-scorm2004.zip)" in flat
        assert "an xAPI package (every-block-1.2.0-xapi.zip)" in flat
        for check in ("axe-core", "wcag22aa", "keyboard-only", "320 CSS pixels", "contrast ratio of 8.7:1"):
            assert check in flat, check
        for body in ("Equality and Human Rights Commission", "Equality Advisory and Support Service",
                     "Equality Commission for Northern Ireland"):
            assert body in flat, body
        assert "[email address]" in flat and "[date]" in flat  # only the publisher can fill these in
    links = {a.get("href") for a in document.iter("a")}
    assert {"https://www.equalityadvisoryservice.com/", "https://www.equalityni.org/Home",
            "https://www.w3.org/TR/WCAG22/"} <= links
    assert "](https://www.w3.org/TR/WCAG22/)" in markdown


def test_course_statements_say_fully_compliant_only_as_a_draft_to_confirm(course_build):
    for (set_id, fmt), zip_path in course_build.items():
        version = zip_path.name.removeprefix(f"{set_id}-").removesuffix(f"-{fmt}.zip")
        markdown = (zip_path.parent / f"{set_id}-{version}-accessibility.md").read_text("utf-8")
        assert "This course is fully compliant with the" in markdown  # no video, no failing check
        assert "confirm with a manual audit" in markdown
        assert "We know of no content that fails the accessibility regulations." in markdown


def test_statements_are_reproducible_escaped_and_follow_custom_templates(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    set_file = course / "content" / "every-block" / "set.toml"
    set_file.write_text(set_file.read_text().replace('title = "Every Block"', 'title = "Tea & <Biscuits> *now*"'))
    first, second = build(course, tmp_path / "a"), build(course, tmp_path / "b")
    for key in ("html", "markdown"):
        assert Path(first["packages"][0]["accessibility_statement"][key]).read_bytes() == \
            Path(second["packages"][0]["accessibility_statement"][key]).read_bytes()
    html = Path(first["packages"][0]["accessibility_statement"]["html"]).read_text("utf-8")
    markdown = Path(first["packages"][0]["accessibility_statement"]["markdown"]).read_text("utf-8")
    assert "<title>Accessibility statement for Tea &amp; &lt;Biscuits&gt; *now*</title>" in html
    assert "# Accessibility statement for Tea & \\<Biscuits\\> \\*now\\*" in markdown
    assert not list((tmp_path / "a").glob("*.partial"))

    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    custom = build(course, tmp_path / "c", "--templates", str(templates), "--format", "scorm12")
    markdown = Path(custom["packages"][0]["accessibility_statement"]["markdown"]).read_text("utf-8")
    assert "built with custom templates" in markdown and "partially compliant" in markdown


def test_a_failed_build_writes_no_statement(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    config = course / "leadpack.toml"
    config.write_text(config.read_text().replace('accent = "#8a3b12"', 'accent = "#aaaaaa"'))
    out = tmp_path / "out"
    result = run_cli("build", "--out", out, root=course)
    assert result.exit_code == 1 and "contrast" in result.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("document", ["statement", "cy statement", *(f"{fmt} hand-off" for fmt in formats.names())])
def test_the_html_documents_beside_the_packages_pass_axe(page, course_build, document):
    """The accessibility statements and the LMS hand-off sheets of the Introduction (in two languages, so the
    sheets have every section) are read by people with assistive technology too."""
    require_node_modules("axe-core")
    package = course_build[("introduction", document.split()[0] if "hand-off" in document else "scorm12")]
    stem = package.name.removesuffix(".zip")
    name = {"statement": f"introduction-{course_version()}-accessibility.html",
            "cy statement": f"introduction-{course_version()}-cy-accessibility.html"}.get(document,
                                                                                        f"{stem}-handoff.html")
    page.goto((package.parent / name).as_uri())
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})).violations.map(v => v.id)""")
    assert violations == []


# Issue 14: author text never becomes Markdown syntax -------------------------------------------------------------

MARKDOWN_TRAPS = ["[click](https://example.org/x)", "![logo](https://example.org/p.png)", "# Heading", "1. One",
                  "- item", "+ item", "> quote", "| a | b |", "www.example.org", "see https://example.org",
                  "mail a@example.org", "&amp; &#106;", "<b>bold</b>", "*em* _em_ `code`", "[ref]: https://x.org",
                  "line\n\n# break", "==", "~~gone~~", "\\", "Tea & cake", "trailing #", "[a][b]"]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(parts=st.lists(st.one_of(st.sampled_from(MARKDOWN_TRAPS), st.text(max_size=5)), min_size=1, max_size=4))
def test_no_title_becomes_a_link_picture_heading_or_markup_in_the_markdown_statement(parts):
    """Every author text in the statement (set and series titles, the organisation, video, page and download
    titles, file names) spelt as Markdown: rendered, the statement holds only its own links and headings, no
    picture, no HTML from the titles, and no bare web address a GitHub-style renderer would link."""
    title = " ".join(parts)
    series, course_set = fixture_model()
    named = dataclasses.replace(course_set, title=title, modules=tuple(
        dataclasses.replace(module, pages=tuple(dataclasses.replace(page, title=title) for page in module.pages))
        for module in course_set.modules))
    series = dataclasses.replace(series, title=title, organisation=title)
    blocks = accessibility.statement(accessibility.gather(series, named, [("scorm12", "x.zip")], False))
    source = accessibility.to_markdown(blocks)
    rendered = lxml.html.fromstring(markdown.markdown(source))
    ours = {part.url for block in blocks for inline in block.parts for part in inline
            if isinstance(part, accessibility.Link)}
    assert {a.get("href") for a in rendered.iter("a")} <= ours
    assert not list(rendered.iter("img", "b", "code", "table", "ol", "em", "del"))
    assert len(list(rendered.iter("blockquote"))) == sum(block.kind == "note" for block in blocks)
    headings = [element.text_content() for element in rendered.iter("h1", "h2", "h3")]
    assert len(headings) == sum(block.kind in ("h1", "h2", "h3") for block in blocks)
    for url in ours:
        source = source.replace(f"]({url})", "]()")
    assert not re.search(r"www\.|(?<!\\):(?=//)|(?<!\\)@", source), title


@functools.cache
def fixture_model():
    from leadpack.pipeline.load import load_series

    series = load_series(FIXTURE_COURSE)
    return series, series.sets[0]


def test_every_phrasebook_has_every_sentence_with_only_the_placeholders_the_build_fills():
    """A translated statement (locales/statement/<language>.toml) says every sentence of the English one, and may
    leave out a placeholder its language does not need (an article) but never ask for one the build does not give."""
    import tomllib

    folder = REPO / "leadpack" / "locales" / "statement"
    english = tomllib.loads((folder / "en.toml").read_text("utf-8"))
    for path in sorted(folder.glob("*.toml")):
        phrases = tomllib.loads(path.read_text("utf-8"))
        assert sorted(set(english) ^ set(phrases)) == [], path.name
        for key, text in phrases.items():
            asked = set(re.findall(r"\{(\w+)\}", text))
            assert text.strip() and asked <= set(re.findall(r"\{(\w+)\}", english[key])), f"{path.name}: {key}"
