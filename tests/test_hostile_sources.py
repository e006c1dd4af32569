"""Issue 14 acceptance, sources: families of generated hostile and unusual sources, one per class of failure.

Each family lays one generated mistake over the fixture course (as tests/fixtures/bad does with hand-written ones)
and expects exactly one clear message from `check` and from `build`, and nothing written. Where a limit guards a
parser, the family sits just over the limit (refused) and at it (accepted), and the text the parser is finally
handed is measured against the limit.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from leadpack.pipeline import limits
from tests.conftest import FIXTURE_COURSE, REPO, run_cli

SET = Path("content") / "every-block"
MODULE = SET / "second-steps.md"
PAGE_MARK = "# Wrapping up\n"


def course_copy(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    return course


def with_text(course: Path, text: str, mark: str = PAGE_MARK) -> None:
    """Put ``text`` on the last page of second-steps.md, right after its heading."""
    module = course / MODULE
    module.write_text(module.read_text("utf-8").replace(mark, mark + "\n" + text + "\n"), "utf-8")


def line_of(course: Path, needle: str, relative: Path = MODULE) -> int:
    return next(n for n, line in enumerate((course / relative).read_text("utf-8").split("\n"), 1) if needle in line)


def refused(course: Path) -> list[str]:
    """check and build both fail with the same problems (paths as seen from the course folder), and build writes
    nothing; the problems' lines. A course with editions is built with all of them (check checks them all)."""
    every_edition = ("--edition", "all") if (course / "content" / "editions").is_dir() else ()
    with contextlib.chdir(course):
        checked = run_cli("check")
        built = run_cli("build", "--out", "dist", *every_edition)
    assert checked.exit_code == 1, checked.output
    assert "Traceback" not in checked.output
    assert built.exit_code == 1, built.output
    errors = [line for line in checked.stderr.splitlines() if ": error: " in line]
    lines = built.stderr.splitlines()
    assert (lines[:-1] if lines[-1].endswith("nothing was written.") else lines) == errors
    assert not (course / "dist").exists()
    return errors


def accepted(course: Path) -> None:
    with contextlib.chdir(course):
        checked = run_cli("check")
        built = run_cli("-q", "build", "--out", "dist")
    assert checked.exit_code == 0, checked.stderr
    assert built.exit_code == 0, built.stderr


# 2. Files from outside the course ----------------------------------------------------------------------------

OUTSIDE_TARGETS = ["/etc/passwd", "../../../outside.txt"]
READ_FILES = {
    "leadpack.toml": ("leadpack.toml", "leadpack.toml is a link to a file outside the course folder"),
    "set.toml": (str(SET / "set.toml"), "leads to a set.toml outside the course folder"),
    "module": (str(MODULE), "second-steps.md is a link to a file outside the course folder"),
    "logo": ("content/logo.svg", "the theme logo 'content/logo.svg' points outside the course folder"),
    "template": ("templates/page.html", "the template page.html is a link to a file outside its folder"),
    "media": (str(SET / "media" / "plan.txt"), "'media/plan.txt' points outside the set folder"),
    "edition": ("content/editions/north.toml", "north.toml is a link to a file outside the course folder"),
    "edition logo": ("content/editions/north.svg",
                     "the theme logo 'content/editions/north.svg' points outside the course folder"),
    "translation set.toml": (str(SET / "cy" / "set.toml"), "cy/set.toml is a link to a file outside the course folder"),
    "translation module": (str(SET / "cy" / "second-steps.md"),
                           "cy/second-steps.md is a link to a file outside the course folder"),
}


def translated(course: Path) -> Path:
    """The fixture set in Welsh too: cy/ with its set.toml and a copy of each module (the same ids, so parity
    holds), as translate import would leave it but without a lock."""
    settings = course / SET / "set.toml"
    settings.write_text(settings.read_text().replace('modules = [', 'languages = ["en-GB", "cy"]\nmodules = [', 1))
    welsh = course / SET / "cy"
    welsh.mkdir()
    (welsh / "set.toml").write_text('title = "Pob Bloc"\nstatus = "draft"\n')
    for module in (course / SET).glob("*.md"):
        shutil.copyfile(module, welsh / module.name)
    return welsh


def prepare(course: Path, kind: str) -> Path:
    """The file of ``kind`` the build will read, with whatever makes the build read it."""
    relative, _ = READ_FILES[kind]
    if kind == "logo":
        config = course / "leadpack.toml"
        config.write_text(config.read_text() + 'logo = "content/logo.svg"\n')
        (course / "content" / "logo.svg").write_text((course / SET / "media" / "square.svg").read_text())
    if kind.startswith("edition"):
        (course / "content" / "editions").mkdir()
        logo = '[theme]\nlogo = "content/editions/north.svg"\n' if kind == "edition logo" else ""
        (course / "content" / "editions" / "north.toml").write_text(f'[edition]\norganisation = "North"\n{logo}')
        shutil.copyfile(course / SET / "media" / "square.svg", course / "content" / "editions" / "north.svg")
    if kind.startswith("translation"):
        translated(course)
    if kind == "template":
        (course / "templates").mkdir()
        shutil.copyfile(REPO / "templates" / "page.html", course / "templates" / "page.html")
    return course / relative


@pytest.mark.parametrize("target", OUTSIDE_TARGETS, ids=["absolute", "relative"])
@pytest.mark.parametrize("kind", sorted(READ_FILES))
def test_no_file_the_build_reads_may_link_out_of_the_course(tmp_path, kind, target):
    course = course_copy(tmp_path)
    (tmp_path / "outside.txt").write_text('title = "stolen"\n')
    path = prepare(course, kind)
    path.unlink()
    depth = len(path.relative_to(course).parts) - 1
    path.symlink_to(target if target.startswith("/") else "../" * depth + "../outside.txt")
    problems = refused(course)
    assert len(problems) == 1 and READ_FILES[kind][1] in problems[0], problems


def test_a_translation_lock_that_links_out_is_never_read(tmp_path):
    """The lock only says which texts changed since they were translated, so one linked to a file elsewhere is
    left unread (its contents never reach the build): check says the translation has no lock."""
    course = course_copy(tmp_path)
    welsh = translated(course)
    (tmp_path / "outside.toml").write_text('["second-steps.md"]\n"wrapping-up.title" = "0000"\n')
    (welsh / "translation.lock").symlink_to("../../../../outside.toml")
    result = run_cli("check", "--json", root=course)
    assert result.exit_code == 0, result.output
    messages = [p["message"] for p in json.loads(result.stdout)["problems"]]
    assert any(m.startswith("there is no translation.lock") for m in messages), messages
    assert not any("changed after this was translated" in m for m in messages)


@pytest.mark.parametrize("kind", ["module", "media"])
def test_a_link_that_stays_inside_is_a_link_out_only_for_media(tmp_path, kind):
    """Modules may be shared between sets by a link inside the course; media never are links (as before)."""
    course = course_copy(tmp_path)
    path = prepare(course, kind)
    keep = course / "content" / f"shared-{path.name}"
    path.rename(keep)
    path.symlink_to(os.path.relpath(keep, path.parent))
    if kind == "module":
        accepted(course)
    else:
        assert "'media/plan.txt' points outside the set folder" in refused(course)[0]


# 9. A folder or a FIFO where a file belongs ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(READ_FILES))
def test_a_folder_where_a_file_belongs_has_its_own_message(tmp_path, kind):
    course = course_copy(tmp_path)
    path = prepare(course, kind)
    path.unlink()
    path.mkdir()
    problems = refused(course)
    assert len(problems) == 1 and "a folder" in problems[0] and path.name in problems[0], problems


@pytest.mark.parametrize("kind", sorted(READ_FILES))
def test_a_fifo_where_a_file_belongs_is_refused_without_waiting_for_a_writer(tmp_path, kind):
    """A named pipe with no writer: opening it to read would wait for ever. The CLI runs in a subprocess so that
    a regression fails this test (its guard expires) instead of hanging the suite."""
    course = course_copy(tmp_path)
    path = prepare(course, kind)
    path.unlink()
    os.mkfifo(path)
    result = subprocess.run([sys.executable, "-m", "leadpack", "--root", str(course), "check"], cwd=course,
                            env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]  # a translation warns: no lock
    assert len(lines) == 1 and "a named pipe (FIFO)" in lines[0] and path.name in lines[0], lines


# 3. Limits that keep the parsers linear ----------------------------------------------------------------------

LONG_LINES = {
    "paragraph": lambda n: "word " * (n // 5),
    "emphasis": lambda n: "*a " * (n // 3),
    "list item": lambda n: "- " + "x" * (n - 2),
    "table row": lambda n: "| " + "a | " * ((n - 2) // 4),
    "heading spaces": lambda n: "## a" + " " * (n - 5) + "b",
}


@pytest.mark.parametrize("shape", sorted(LONG_LINES))
def test_a_line_just_over_the_limit_is_refused_and_one_at_it_is_read(tmp_path, shape):
    make = LONG_LINES[shape]
    over = course_copy(tmp_path / "over")
    text = make(limits.MAX_LINE_CHARS + 5).ljust(limits.MAX_LINE_CHARS + 1, "x")
    with_text(over, text)
    line = line_of(over, text[:40])
    assert refused(over) == [f"content/every-block/second-steps.md:{line}:1: error: the line is {len(text):,} "
                             f"characters long; lines are at most {limits.MAX_LINE_CHARS:,} (break it into shorter "
                             "lines or paragraphs)"]
    at = course_copy(tmp_path / "at")
    with_text(at, make(limits.MAX_LINE_CHARS)[:limits.MAX_LINE_CHARS])
    assert not [p for p in run_cli("check", root=at).stderr.splitlines() if "characters long" in p]


NESTINGS = {
    "quotations": lambda depth: "> " * depth + "deep",
    "quotations unspaced": lambda depth: ">" * depth + " deep",
    "bullets": lambda depth: "\n".join("    " * level + "- level" for level in range(depth)),
    "numbers": lambda depth: "\n".join("    " * level + "1. level" for level in range(depth)),
    "quoted lists": lambda depth: "".join("> - " if level % 2 == 0 else "" for level in range(depth)) + "x",
    "tabs": lambda depth: "\n".join("\t" * level + "* level" for level in range(depth)),
}


ONE_LINE = {"quotations", "quotations unspaced", "quoted lists"}


@pytest.mark.parametrize("shape", sorted(NESTINGS))
@pytest.mark.parametrize("deep", [False, True], ids=["just-over", "thousands"])
def test_nesting_over_the_limit_is_refused_once(tmp_path, shape, deep):
    """Python-Markdown reads nesting by recursion: a few hundred levels raised RecursionError."""
    course = course_copy(tmp_path)
    depth = (3000 if shape in ONE_LINE else 300) if deep else limits.MAX_NESTING + 1
    with_text(course, NESTINGS[shape](depth))
    problems = refused(course)
    assert len(problems) == 1 and f"deep here; at most {limits.MAX_NESTING}" in problems[0], problems


def test_nesting_up_to_the_limit_is_read(tmp_path):
    course = course_copy(tmp_path)
    with_text(course, NESTINGS["bullets"](limits.MAX_NESTING) + "\n\n" + NESTINGS["quotations"](limits.MAX_NESTING))
    accepted(course)


def lines_over(first: str, line: str, length: int) -> str:
    """``first``, then copies of ``line``: one paragraph just over ``length`` characters (line breaks count)."""
    return "\n".join([first] + [line] * ((length - len(first)) // (len(line) + 1) + 1))


PARAGRAPHS = {
    "lines of a paragraph": lambda n: lines_over("A line of words.", "More words with &amp; *emphasis*.", n),
    "a quotation": lambda n: lines_over("> A quotation.", "> A quoted line with <b>markup</b>.", n),
    "a list item's lines": lambda n: lines_over("- An item", "  continued with `code`.", n),
}


@pytest.mark.parametrize("shape", sorted(PARAGRAPHS))
def test_a_paragraph_over_the_limit_is_refused_at_its_first_line(tmp_path, shape):
    """Markdown's inline parser works through a paragraph once for each piece of markup in it: the square of its
    length. Lines of one paragraph are each short, so the line limit alone does not bound it."""
    course = course_copy(tmp_path)
    text = PARAGRAPHS[shape](limits.MAX_PARAGRAPH_CHARS)
    with_text(course, text)
    assert refused(course) == [f"{MODULE}:{line_of(course, text.split(chr(10))[0])}:1: error: the paragraph is over "
                               f"{limits.MAX_PARAGRAPH_CHARS:,} characters long (break it into shorter paragraphs, "
                               "with a blank line between them)"]


def test_paragraphs_list_items_and_table_rows_each_count_on_their_own(tmp_path):
    course = course_copy(tmp_path)
    lines = limits.MAX_PARAGRAPH_CHARS // 30 * 2  # twice the limit, in pieces under it
    items = "\n".join(f"- item {n} with a few words" for n in range(lines))
    rows = "| a | b |\n|---|---|\n" + "\n".join(f"| row {n} | a few words |" for n in range(lines))
    paragraphs = "\n\n".join(["A paragraph of plain words, " * 30] * (lines // 20))
    with_text(course, f"{items}\n\n{rows}\n\n{paragraphs}")
    accepted(course)


def test_a_module_with_more_pages_than_the_limit_is_refused_at_the_first_page_over(tmp_path):
    course = course_copy(tmp_path)  # two pages already, so the module has one page too many
    pages = "".join(f"# Page {number}\n\nText {number}.\n\n" for number in range(limits.MAX_PAGES - 1))
    with_text(course, pages)
    problems = refused(course)
    line = line_of(course, f"# Page {limits.MAX_PAGES - 2}")
    assert problems == [f"content/every-block/second-steps.md:{line}:1: error: the module has "
                        f"{limits.MAX_PAGES + 1} pages; a module has at most {limits.MAX_PAGES} (split it into "
                        "several modules)"]


@pytest.mark.parametrize("where", ["leadpack.toml", "set.toml", "module"])
def test_a_source_file_over_the_size_limit_is_refused_at_line_one(tmp_path, where):
    course = course_copy(tmp_path)
    path = {"leadpack.toml": course / "leadpack.toml", "set.toml": course / SET / "set.toml",
            "module": course / MODULE}[where]
    padding = "# " + "padding " * 100 + "\n"
    path.write_text(path.read_text() + padding * (limits.MAX_SOURCE_BYTES // len(padding) + 1))
    problems = refused(course)
    assert len(problems) == 1 and problems[0].startswith(f"{path.relative_to(course)}:1:1: error: the file is over "
                                                         f"{limits.MAX_SOURCE_BYTES:,} bytes"), problems


TOML_NESTINGS = {
    "lists": lambda depth: "[" * depth + '"x"' + "]" * depth,
    "inline tables": lambda depth: "{a = " * depth + "1" + "}" * depth,
    "mixed": lambda depth: "[{a = " * (depth // 2) + "1" + "}]" * (depth // 2),
}


@pytest.mark.parametrize("shape", sorted(TOML_NESTINGS))
@pytest.mark.parametrize("where", ["leadpack.toml", "set.toml", "front matter"])
@pytest.mark.parametrize("depth", [limits.MAX_TOML_DEPTH + 2, 5000])
def test_toml_nested_deeper_than_the_limit_is_an_error_at_its_line(tmp_path, shape, where, depth):
    """tomllib reads nesting by recursion: thousands deep it raised RecursionError."""
    course = course_copy(tmp_path)
    value = TOML_NESTINGS[shape](depth)
    if where == "front matter":
        path, old, new = course / MODULE, "minutes = 5\n", f"minutes = 5\nextra = {value}\n"
    elif where == "set.toml":
        path, old, new = course / SET / "set.toml", 'language = "en-GB"\n', f'language = "en-GB"\nextra = {value}\n'
    else:
        path, old, new = course / "leadpack.toml", "[theme]\n", f"extra = {value}\n[theme]\n"
    path.write_text(path.read_text().replace(old, new))
    problems = refused(course)
    line = line_of(course, "extra = ", path.relative_to(course))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path.relative_to(course)}:{line}:") and \
        f"nested more than {limits.MAX_TOML_DEPTH} deep" in problems[0], problems


RESCANS = {
    "square brackets": lambda n: "[" * n,
    "brackets among words": lambda n: "[word " * (n // 6),
    "images": lambda n: "![" * (n // 2),
    "link addresses": lambda n: "[a](" * (n // 4),
    "references": lambda n: "[a][" * (n // 4),
    "tags": lambda n: "<a " * (n // 3),
    "tags with attributes": lambda n: '<a b="' * (n // 6),
    "end tags": lambda n: "</a " * (n // 4),
    "declarations": lambda n: "<!x " * (n // 4),
}


@pytest.mark.parametrize("shape", sorted(RESCANS))
def test_text_that_would_make_markdown_rescan_the_page_is_refused(tmp_path, shape):
    """Each shape costs Markdown's link parser or the HTML parser the square of its length; at 60 paragraphs of
    2,000 characters it would take minutes. The guard counts the reading in one pass and refuses it."""
    course = course_copy(tmp_path)
    with_text(course, "\n\n".join([RESCANS[shape](2000)] * 60))
    problems = refused(course)
    assert len(problems) == 1 and "one of many on this page" in problems[0], problems


# 4. check catches what build would fail on -------------------------------------------------------------------

SETTINGS = [("leadpack.toml", 'title = "Fixture Series"'), ("leadpack.toml", 'organisation = "Fixture Libraries"'),
            (str(SET / "set.toml"), 'title = "Every Block"'), (str(SET / "set.toml"), 'keywords = ["fixture"'),
            (str(SET / "set.toml"), 'description = "A fixture'), (str(MODULE), 'title = "Second steps"'),
            (str(MODULE), 'outcomes = ["Finish')]
BAD_CHARACTERS = ["\\u0000", "\\u0007", "\\u001B", "\\u007F", "\\u0085", "\\uFFFE", "\\uFFFF", "\\uFDD0",
                  "\\U0001FFFF", "\\U0010FFFE"]


@pytest.mark.parametrize("escape", BAD_CHARACTERS)
@pytest.mark.parametrize(("file", "setting"), SETTINGS, ids=[f"{f.split('/')[-1]}-{s.split()[0]}" for f, s in SETTINGS])
def test_a_setting_with_a_character_xml_refuses_fails_check_not_the_packager(tmp_path, file, setting, escape):
    course = course_copy(tmp_path)
    path = course / file
    text = path.read_text()
    assert setting in text
    opening = setting.index('"') + 2  # inside the value, so that no strip() removes it
    path.write_text(text.replace(setting, setting[:opening] + escape + setting[opening:]))
    problems = refused(course)
    code = escape[2:].upper().lstrip("0").rjust(4, "0")
    assert len(problems) == 1 and f"(U+{code})" in problems[0] and "holds" in problems[0], problems


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x85", "\ufffe", "\uffff", "\ufdd0", "\U0001fffe"])
def test_a_character_xml_refuses_in_module_text_is_reported_at_its_column(tmp_path, character):
    course = course_copy(tmp_path)
    with_text(course, f"Text with{character} inside.")
    line = line_of(course, "Text with")
    problems = refused(course)
    assert len(problems) == 1 and problems[0].startswith(f"{MODULE}:{line}:10: error: "), problems


@pytest.mark.parametrize("lookalike", ["<lp-block-0></lp-block-0>", "<lp-block-7></lp-block-7>",
                                       "<p><lp-block-0></lp-block-0></p>", "<lp-block-0000000000000000-0>"
                                       "</lp-block-0000000000000000-0>", "Text <lp-block-1></lp-block-1> more"])
def test_text_that_looks_like_a_block_placeholder_is_only_an_html_element(tmp_path, lookalike):
    course = course_copy(tmp_path)
    with_text(course, lookalike)
    problems = refused(course)
    assert len(problems) == 1 and "the HTML element <lp-block-" in problems[0], problems


TEMPLATE_FAILURES = {
    "division by zero": ("{{ page.words // 0 }}", "ZeroDivisionError"),
    "undefined name": ("{{ nothing.here }}", "'nothing' is undefined"),
    "type error": ('{{ "a" + 1 }}', "TypeError"),
    "python internals": ("{{ page.__class__.__mro__ }}", "unsafe"),
    "huge range": ("{% for i in range(10 ** 9) %}{% endfor %}", "OverflowError"),
    "missing include": ('{% include "nowhere.html" %}', "nowhere.html"),
    "endless recursion": ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "RecursionError"),
}


@pytest.mark.parametrize("line", [1, 4])
@pytest.mark.parametrize("failure", sorted(TEMPLATE_FAILURES))
def test_a_failing_override_template_names_its_own_file_and_line(tmp_path, failure, line):
    course = course_copy(tmp_path)
    (course / "templates").mkdir()
    expression, reason = TEMPLATE_FAILURES[failure]
    body = ["<section>{{ page.title }}</section>"] * 5
    body[line - 1] = expression
    (course / "templates" / "page.html").write_text("\n".join(body) + "\n")
    problems = refused(course)
    assert len(problems) == 1 and reason in problems[0], problems
    if failure != "missing include":
        assert problems[0].startswith(f"templates/page.html:{line}:1: error: "), problems


# 6. Ids that meet when joined -----------------------------------------------------------------------------------

JOINED = {  # second-steps is given the id "first-steps--x": its item y meets first-steps' item x--y
    "page": ("# Welcome\n", "# Welcome {#x--y}\n", "# Looking back\n", "# Looking back {#y}\n"),
    "question": ('::: question id="pick-b"', '::: question id="x--y"', "::: question\n", '::: question id="y"\n'),
    "reflection": ("::: reflection\nWhat brings", '::: reflection id="x--y"\nWhat brings',
                   '::: reflection id="looking-back"', '::: reflection id="y"'),
}


@pytest.mark.parametrize("kind", sorted(JOINED))
def test_ids_that_meet_when_joined_with_their_module_are_reported(tmp_path, kind):
    course = course_copy(tmp_path)
    first, second = course / SET / "first-steps.md", course / MODULE
    old_first, new_first, old_second, new_second = JOINED[kind]
    first.write_text(first.read_text().replace(old_first, new_first, 1))
    second.write_text(second.read_text().replace('title = "Second steps"', 'title = "Second steps"\nid = '
                                                 '"first-steps--x"').replace(old_second, new_second, 1))
    problems = refused(course)
    assert len(problems) == 1, problems
    assert f"the {kind} 'first-steps--x/y' and the {kind} 'first-steps/x--y' both become 'first-steps--x--y'" \
        in problems[0], problems


def test_ids_at_the_length_limit_give_interaction_ids_scorm_accepts(tmp_path):
    """Ids are at most MAX_ID_CHARS, so module--question stays under SCORM 1.2's 255-character CMIIdentifier and
    is never cut (a cut could make two questions one)."""
    course = course_copy(tmp_path)
    longest = "m" * limits.MAX_ID_CHARS
    second = course / MODULE
    second.write_text(second.read_text().replace('title = "Second steps"', f'title = "Second steps"\nid = "{longest}"')
                      .replace("::: question\n", f'::: question id="{"q" * limits.MAX_ID_CHARS}"\n'))
    accepted(course)
    import json

    import lxml.html

    with zipfile.ZipFile(next((course / "dist").glob("*-scorm12.zip"))) as archive:
        data = json.loads(lxml.html.fromstring(archive.read("index.html")).get_element_by_id("lp-data").text)
    ids = [q["cmiId"] for q in data["questions"]]
    assert f"{longest}--{'q' * limits.MAX_ID_CHARS}" in ids and max(map(len, ids)) <= 255
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("where", ["module file name", "module front matter", "page heading", "reflection"])
def test_an_id_over_the_limit_is_refused_where_it_is_made(tmp_path, where):
    course = course_copy(tmp_path)
    long_id = "i" * (limits.MAX_ID_CHARS + 1)
    second = course / MODULE
    if where == "module file name":
        second.rename(second.with_name(f"{long_id}.md"))
        settings = course / SET / "set.toml"
        settings.write_text(settings.read_text().replace('"second-steps"', f'"{long_id}"'))
    elif where == "module front matter":
        second.write_text(second.read_text().replace('title = "Second steps"', f'title = "S"\nid = "{long_id}"'))
    elif where == "page heading":
        second.write_text(second.read_text().replace("# Looking back\n", f"# Looking back {{#{long_id}}}\n"))
    else:
        second.write_text(second.read_text().replace('id="looking-back"', f'id="{long_id}"'))
    problems = refused(course)
    assert len(problems) == 1 and f"{limits.MAX_ID_CHARS + 1} characters long; ids are at most " \
        f"{limits.MAX_ID_CHARS}" in problems[0], problems


# 7. Names an LMS cannot unpack ---------------------------------------------------------------------------------

@pytest.mark.parametrize("length", [limits.MAX_ENTRY_BYTES, limits.MAX_ENTRY_BYTES + 1])
def test_a_file_stored_under_a_name_over_255_bytes_is_refused_at_check_time(tmp_path, length):
    course = course_copy(tmp_path)
    folders = "media/" + "/".join(["f" * 60] * 3) + "/"
    name = folders + "n" * (length - len(folders) - 4) + ".txt"
    (course / SET / name).parent.mkdir(parents=True)
    (course / SET / name).write_text("notes")
    with_text(course, f'::: download src="{name}" title="Notes"\nNotes.\n:::')
    if length <= limits.MAX_ENTRY_BYTES:
        accepted(course)
        return
    problems = refused(course)
    assert len(problems) == 1 and f"a name of {length} bytes; learning platforms unpack names of at most 255" \
        in problems[0], problems


# 9. Honest errors ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["python", "c++", "c#", "js", "objective-c", "text"])
def test_fenced_code_with_a_language_is_accepted(tmp_path, language):
    course = course_copy(tmp_path)
    with_text(course, f"```{language}\nprint('hello')\n```")
    accepted(course)
    with zipfile.ZipFile(next((course / "dist").glob("*-scorm12.zip"))) as archive:
        assert f'<code class="language-{language}">' in archive.read("index.html").decode()


@pytest.mark.parametrize(("setting", "message"), [
    ("my-templates", "the templates folder 'my-templates' does not exist"),
    ("tempaltes", "the templates folder 'tempaltes' does not exist (did you mean 'templates'?)"),
    ("/etc", "the templates folder '/etc' is outside the course folder"),
    ("../elsewhere", "the templates folder '../elsewhere' is outside the course folder"),
])
def test_a_templates_setting_naming_no_folder_of_the_course_is_an_error(tmp_path, setting, message):
    course = course_copy(tmp_path)
    (course / "templates").mkdir()
    (tmp_path / "elsewhere").mkdir()
    config = course / "leadpack.toml"
    config.write_text(config.read_text() + f'\n[build]\ntemplates = "{setting}"\n')
    problems = refused(course)
    line = line_of(course, "templates = ", Path("leadpack.toml"))
    assert len(problems) == 1 and problems[0].startswith(f"leadpack.toml:{line}:1: error: {message}"), problems


# 10. Active content in media ----------------------------------------------------------------------------------

SVG_ATTACKS = {
    "script": ('<script>alert(1)</script>', "holds a <script> element"),
    "namespaced script": ('<svg:script xmlns:svg="http://www.w3.org/2000/svg">alert(1)</svg:script>',
                          "holds a <script> element"),
    "onload": ('<g onload="alert(1)"/>', "an event-handler attribute (onload=)"),
    "onclick upper case": ('<rect ONCLICK="alert(1)" width="1" height="1"/>', "an event-handler attribute"),
    "javascript href": ('<a href="javascript:alert(1)"><text>x</text></a>', "holds a script address"),
    "javascript xlink": ('<a xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href=" jav&#x09;ascript:x">'
                         '<text>x</text></a>', "holds a script address"),
    "animated href": ('<a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>',
                      "holds a script address"),
    "animated handler": ('<rect width="1" height="1"><set attributeName="onmouseover" to="alert(1)"/></rect>',
                         "sets an event handler"),
    "foreign object": ('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>',
                       "embeds HTML (<foreignObject>)"),
    "iframe": ('<iframe xmlns="http://www.w3.org/1999/xhtml" src="x"/>', "holds a <iframe> element"),
    "outside image": ('<image href="https://example.org/p.png" width="1" height="1"/>',
                      "loads from outside the package"),
    "protocol-relative use": ('<use href="//example.org/s.svg#x"/>', "loads from outside the package"),
    "style import": ('<style>@import url(https://example.org/x.css);</style>', "loads from outside the package"),
    "style url": ('<rect style="fill: url(https://example.org/p.png)" width="1" height="1"/>',
                  "loads from outside the package"),
    "html data url": ('<image href="data:text/html,&lt;script&gt;x&lt;/script&gt;"/>', "holds a script address"),
}


@pytest.mark.parametrize("at_line", [2, 7])
@pytest.mark.parametrize("attack", sorted(SVG_ATTACKS))
def test_an_svg_that_could_act_is_refused_at_its_line(tmp_path, attack, at_line):
    course = course_copy(tmp_path)
    markup, message = SVG_ATTACKS[attack]
    lines = ['<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'] + \
            ['  <rect width="10" height="10" fill="#1d4f73"/>'] * 8 + ["</svg>"]
    lines[at_line - 1] = "  " + markup
    (course / SET / "media" / "square.svg").write_text("\n".join(lines) + "\n")
    problems = refused(course)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{SET}/media/square.svg:{at_line}:1: error: ") and message in problems[0], \
        problems


BENIGN_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#1d4f73"/></linearGradient></defs>
  <style>rect { fill: url(#g); }</style>
  <rect id="r" width="10" height="10" style="fill: url(#g)"/>
  <use xlink:href="#r"/>
  <image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>
  <a href="https://example.org/more"><text y="9">more</text></a>
</svg>
"""


def test_an_ordinary_svg_with_gradients_uses_and_embedded_pictures_is_accepted(tmp_path):
    course = course_copy(tmp_path)
    (course / SET / "media" / "square.svg").write_text(BENIGN_SVG)
    accepted(course)


@pytest.mark.parametrize(("suffix", "markup", "message"), [
    (".html", "<p>Notes</p>\n<script>alert(1)</script>", "holds a <script> element"),
    (".htm", '<p onmouseover="alert(1)">Notes</p>', "an event-handler attribute (onmouseover=)"),
    (".html", '<link rel="stylesheet" href="https://example.org/x.css">', "loads from outside the package"),
    (".html", '<meta http-equiv="refresh" content="0; url=https://example.org">', "redirects"),
    (".xhtml", '<html xmlns="http://www.w3.org/1999/xhtml"><script>x</script></html>', "holds a <script> element"),
    (".xml", '<?xml-stylesheet href="https://example.org/x.xsl"?>\n<a/>', "links a stylesheet"),
])
def test_a_page_in_media_that_could_act_is_refused(tmp_path, suffix, markup, message):
    course = course_copy(tmp_path)
    (course / SET / "media" / f"notes{suffix}").write_text(markup + "\n")
    with_text(course, f'::: download src="media/notes{suffix}" title="Notes"\nNotes.\n:::')
    problems = refused(course)
    assert len(problems) == 1 and f"media/notes{suffix}:" in problems[0] and message in problems[0], problems
