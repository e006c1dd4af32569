"""Issue 14 acceptance, as properties: hostile sources never crash or hang a command, the guards that keep the
parsers linear count at least the parsers' real work (operation counts, not timings), and a failed build changes
nothing whichever output fails.

Fixed seed (derandomize) and bounded examples, as in tests/test_properties_sources.py, so the suite stays fast and
every run checks the same examples.
"""

from __future__ import annotations

import contextlib
import errno
import html.parser
import json
import os
import re
import shutil
import tempfile
import tomllib
from pathlib import Path

import markdown.htmlparser
import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from markdown import Markdown
from markdown.inlinepatterns import LinkInlineProcessor

from leadpack.errors import ProblemsFound, SourceError
from leadpack.pipeline import archive, limits
from leadpack.pipeline.config import parse_toml
from leadpack.pipeline.load import nesting, page_heading, read_series, scan_steps
from leadpack.pipeline.markdown_ext.blocks import make_markdown
from leadpack.pipeline.markdown_ext.html_safety import tag_steps, unsafe_html
from leadpack.tools.preview.builder import Builder
from tests.conftest import FIXTURE_COURSE, REPO, run_cli

FAST = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SET = Path("content") / "every-block"
OLD_HEADING = re.compile(r"^#[ \t]+(?P<title>.+?)(?:\s+\{#(?P<id>[^}]*)\})?\s*#*\s*$")


# 3. The page heading, read in one pass, means what the old (cubic) pattern meant ----------------------------

HEADING_PARTS = st.lists(st.sampled_from(["#", " ", "\t", "{#", "}", "{", "a", "b-1", "\u00a0", "\u2003", "##",
                                          "  ", "x}", "{#id}", "\f"]), max_size=12).map("".join)


@FAST
@given(line=st.one_of(HEADING_PARTS, HEADING_PARTS.map(lambda text: "# " + text),
                      HEADING_PARTS.map(lambda text: "#\t" + text)))
def test_page_heading_reads_every_line_as_the_old_pattern_did(line):
    old = OLD_HEADING.match(line)
    new = page_heading(line)
    if old is None:
        assert new is None
        return
    assert new is not None
    assert (new.title, new.id) == (old.group("title"), old.group("id"))
    if old.group("id") is not None:
        assert new.id_col == old.start("id") + 1


def test_a_heading_with_a_long_run_of_spaces_is_read_in_one_pass():
    """The old pattern took seconds on 800 spaces (cubic); the new reading is string methods over the line."""
    line = "# Title" + " " * (limits.MAX_LINE_CHARS - 20) + "{#an-id}"
    heading = page_heading(line)
    assert (heading.title, heading.id) == ("Title", "an-id")


# 3. The scan-step guard counts at least what Markdown's parsers read ---------------------------------------

BRACKET_SOUP = st.lists(st.sampled_from(["[", "]", "(", ")", "](", "![", "a", " ", "\n", "\n\n", "\\[", '"', "'",
                                         "`", "<", "*", "x)", "[a](b", "[a][b]"]), max_size=150).map("".join)
TAG_SOUP = st.lists(st.sampled_from(["<a", "<b ", "</a", "<!", "<?", ">", "=", '"', "'", " ", "x", "\n", "c=",
                                     '="', "='", "/", "<a b=\"", "\">", "<"]), max_size=150).map("".join)


class Reading:
    """Counts the characters a parser really reads, by observing the real functions while they run."""

    def __init__(self) -> None:
        self.characters = 0

    @contextlib.contextmanager
    def links(self):
        get_text, get_link = LinkInlineProcessor.getText, LinkInlineProcessor.getLink

        def text(processor, data, index):
            result = get_text(processor, data, index)
            self.characters += result[1] - index
            return result

        def link(processor, data, index):
            result = get_link(processor, data, index)
            self.characters += max(result[2] - index, 0)
            return result

        LinkInlineProcessor.getText, LinkInlineProcessor.getLink = text, link
        try:
            yield
        finally:
            LinkInlineProcessor.getText, LinkInlineProcessor.getLink = get_text, get_link

    @contextlib.contextmanager
    def tags(self, module):
        pattern = module.locatestarttagend_tolerant
        reading = self

        class Counted:
            def match(self, text, position):
                found = pattern.match(text, position)
                if found:
                    reading.characters += found.end() - position
                return found

        module.locatestarttagend_tolerant = Counted()
        try:
            yield
        finally:
            module.locatestarttagend_tolerant = pattern


@FAST
@given(text=BRACKET_SOUP)
@example(text='[a](" x) ' * 300)  # a quote in a link address: the parser reads on to the end of the paragraph
@example(text="[" * 400)
def test_the_guard_counts_at_least_what_the_link_parser_reads(text):
    """Python-Markdown's link parser reads on from each '[' and '](' (quadratic on unclosed ones); the guard
    counts that reading in one pass, within a constant factor: three link patterns (link, reference, short
    reference) each read from the same '[', and placeholders for code and escapes lengthen the text."""
    reading = Reading()
    with reading.links():
        make_markdown().convert(text)
    steps, _ = scan_steps(text.split("\n"))
    assert reading.characters <= 4 * steps + 4 * len(text)


@FAST
@given(text=TAG_SOUP)
def test_the_guard_counts_at_least_what_the_html_parsers_read(text):
    """Both HTML parsers (Python-Markdown's block parser and the safe-HTML check) read each tag start to its end;
    the count follows quoted values across '>' as they do, so it is never less."""
    for module, parse in ((markdown.htmlparser.htmlparser, lambda: make_markdown().convert(text)),
                          (html.parser, lambda: unsafe_html(text))):
        reading = Reading()
        with reading.tags(module):
            parse()
        assert reading.characters <= tag_steps(text)[0] + 4 * len(text), module.__name__


HOSTILE_LINES = st.sampled_from(["[" * 300, "<a " * 300, "[a](" * 200, "> " * 30 + "x", "    " * 25 + "- x",
                                 "*a " * 500, "x" * (limits.MAX_LINE_CHARS + 1), "![" * 300, "</a " * 200,
                                 "Plain words.", "- item", "::: reflection\nWhy?\n:::", "```\n" + "[" * 300 + "\n```"])


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(HOSTILE_LINES, min_size=1, max_size=40))
def test_markdown_is_only_ever_handed_text_within_the_limits(lines):
    """Whatever a module holds, the text the loader hands Python-Markdown is within every limit: the guards run
    before the parser, not after."""
    handed: list[str] = []
    convert = Markdown.convert

    def observed(self, source):
        handed.append(source)
        return convert(self, source)

    with tempfile.TemporaryDirectory() as folder:
        course = Path(folder) / "course"
        shutil.copytree(FIXTURE_COURSE, course)
        module = course / SET / "second-steps.md"
        module.write_text(module.read_text().replace("# Wrapping up\n", "# Wrapping up\n\n" + "\n".join(lines) + "\n"))
        Markdown.convert = observed
        try:
            read_series(course)
        finally:
            Markdown.convert = convert
    for source in handed:
        body = source.split("\n")
        assert max(map(len, body)) <= limits.MAX_LINE_CHARS
        assert max(map(nesting, body)) <= limits.MAX_NESTING or "```" in source
        assert scan_steps(body)[0] <= limits.MAX_SCAN_STEPS + limits.SCAN_READINGS * len(source)


# 3 and 9. TOML: nesting is refused at its line before tomllib recurses; a missing comma is found where it is --

STRINGS = st.sampled_from(['"a"', '"[["', "'{{'", '"\\"["', '"""\n[[\n"""', "'''{'''", "1", "true", '"#"'])


def nested(depth: int, leaf: str, kinds: list[str]) -> str:
    value = leaf
    for kind in kinds[:depth]:
        value = f"[{value}]" if kind == "list" else f"{{k = {value}}}"
    return value


@FAST
@given(depth=st.integers(1, 40), leaf=STRINGS, kinds=st.lists(st.sampled_from(["list", "table"]), min_size=40,
                                                                 max_size=40),
       comment=st.sampled_from(["", "  # [[[[{{{{", "  # ]]]"]))
def test_toml_nesting_is_refused_exactly_beyond_the_limit_and_parsed_as_tomllib_does_within(depth, leaf, kinds,
                                                                                           comment):
    text = f'title = "x"{comment}\nvalue = {nested(depth, leaf, kinds)}{comment}\n'
    if depth > limits.MAX_TOML_DEPTH:
        with pytest.raises(SourceError) as raised:
            parse_toml(Path("set.toml"), text)
        assert raised.value.problem.line == 2 and "nested more than" in raised.value.problem.message
        return
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        assume(False)
    assert parse_toml(Path("set.toml"), text) == expected


ITEMS = st.lists(st.sampled_from(['"First"', '"Second, with a comma"', "'literal'", "42", '"quote \\" inside"',
                                  '"[not a list]"']), min_size=2, max_size=6)


@FAST
@given(items=ITEMS, data=st.data(), multiline=st.booleans(), blank=st.booleans(),
       comment=st.sampled_from(["", "  # a note, with a comma", "  # \"quoted\""]))
def test_a_missing_comma_is_reported_after_the_value_it_belongs_to(items, data, multiline, blank, comment):
    """tomllib reports it at the next value, often the next line; the error points where the comma goes."""
    missing = data.draw(st.integers(0, len(items) - 2))
    rendered = [item + ("" if index == missing else ",") for index, item in enumerate(items)]
    if multiline:
        gap = "\n\n" if blank else "\n"
        body = "outcomes = [\n" + gap.join(f"  {item}{comment if index == missing else ''}"
                                          for index, item in enumerate(rendered)) + "\n]\n"
    else:
        body = "outcomes = [" + " ".join(rendered) + "]\n"
    text = 'title = "A module"\n' + body
    with pytest.raises(SourceError) as raised:
        parse_toml(Path("module.md"), text)
    problem = raised.value.problem
    lines = text.split("\n")
    assert "a comma is missing" in problem.message
    assert lines[problem.line - 1][:problem.col - 1].rstrip().endswith(items[missing])


# 4. Arbitrary bytes and TOML never crash check or build, and a failed build writes nothing ----------------------

TOML_VALUES = st.recursive(
    st.one_of(st.text(max_size=8), st.integers(-2**70, 2**70), st.booleans(), st.floats(allow_nan=True),
              st.sampled_from(["\x00", "\ufffe", "\uffff", "\u0085", "\ud800", "a\nb", "</script>"])),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(st.text(min_size=1, max_size=6), children, max_size=3)),
    max_leaves=12)
KEYS = ["title", "organisation", "base_iri", "description", "sets", "version", "language", "keywords", "modules",
        "minutes", "outcomes", "id", "logo", "templates", "formats", "rule", "pass_mark", "unknown"]


def toml_value(value: object) -> str:
    """TOML for ``value`` (JSON's string escapes are TOML's, except that TOML refuses lone surrogates)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else json.dumps(value).replace("Infinity", "inf")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)} = {toml_value(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


TOML_DOCUMENTS = st.lists(st.tuples(st.sampled_from(KEYS), TOML_VALUES), max_size=6).map(
    lambda pairs: "\n".join(f"{key} = {toml_value(value)}" for key, value in pairs))
TARGETS = {"leadpack.toml": Path("leadpack.toml"), "set.toml": SET / "set.toml",
           "module": SET / "second-steps.md"}


def check_then_build(course: Path) -> None:
    """check, list, build and preview's build on one course: never a traceback, and build and preview fail
    exactly where check does."""
    checked = run_cli("check", root=course)  # anything but a leadpack error propagates and fails the test
    assert checked.exit_code in (0, 1) and "Traceback" not in checked.output
    listed = run_cli("list", "--json", root=course)
    assert listed.exit_code in (0, 1) and "Traceback" not in listed.output
    if listed.exit_code == 0:
        assert json.loads(listed.stdout)["sets"] is not None
    out = course / "dist"
    built = run_cli("-q", "build", "--out", out, root=course)
    assert built.exit_code in (0, 1) and "Traceback" not in built.output
    assert (built.exit_code == 0) == (checked.exit_code == 0), (checked.output, built.output)
    if built.exit_code:
        assert not out.exists() or not any(out.iterdir())
    with tempfile.TemporaryDirectory() as work:  # leadpack preview's builds: the same verdict, only its own errors
        try:
            Builder(course, (), None, Path(work)).build()
            previewed = True
        except (ProblemsFound, SourceError):
            previewed = False
    assert previewed == (checked.exit_code == 0), checked.output


@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(target=st.sampled_from(sorted(TARGETS)), document=TOML_DOCUMENTS, keep=st.booleans())
def test_arbitrary_toml_never_crashes_check_or_build(target, document, keep):
    with tempfile.TemporaryDirectory() as folder:
        course = Path(folder) / "course"
        shutil.copytree(FIXTURE_COURSE, course)
        path = course / TARGETS[target]
        original = path.read_text()
        if target == "module":
            front, body = original.split("+++\n")[1:3]
            text = "+++\n" + (front if keep else "") + document + "\n+++\n" + body
        else:
            text = (original if keep else "") + "\n" + document + "\n"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        check_then_build(course)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(target=st.sampled_from(sorted(TARGETS)), data=st.binary(max_size=300), position=st.floats(0, 1))
def test_arbitrary_bytes_never_crash_check_or_build(target, data, position):
    with tempfile.TemporaryDirectory() as folder:
        course = Path(folder) / "course"
        shutil.copytree(FIXTURE_COURSE, course)
        path = course / TARGETS[target]
        original = path.read_bytes()
        cut = int(len(original) * position)
        path.write_bytes(original[:cut] + data + original[cut:])
        check_then_build(course)


# 1. A failed write changes nothing, whichever output fails --------------------------------------------------------

OUTPUTS = st.lists(st.tuples(st.sampled_from(["a.zip", "b.zip", "c.html", "d.md", "sub/e.zip"]), st.booleans(),
                             st.binary(min_size=1, max_size=20)), min_size=1, max_size=5, unique_by=lambda o: o[0])


class FailingAt:
    """Fault injection for the file system: the ``position``-th call of an ``os`` function fails (EIO), as a disk
    or network share can; everything else is the real call."""

    def __init__(self, name: str, position: int):
        self.name, self.position, self.calls = name, position, 0
        self.real = getattr(os, name)

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.position:
            raise OSError(errno.EIO, "Input/output error", str(args[0]))
        return self.real(*args, **kwargs)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


@FAST
@given(outputs=OUTPUTS, data=st.data(), stage=st.sampled_from(["rename", "aside", "write"]))
def test_a_failed_write_changes_nothing_whichever_output_fails(outputs, data, stage):
    """write_files_atomically with the rename of output k (putting it in place, or moving its old file aside) or
    the write of its temporary file failing, for every k: the folder is byte-for-byte as before, no temporary or
    backup file is left, and the error names the real output file."""
    position = data.draw(st.integers(1, len(outputs)), label="failing output")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for name, exists, _ in outputs:
            if exists:
                (out / name).parent.mkdir(parents=True, exist_ok=True)
                (out / name).write_bytes(b"old " + name.encode())
        before = snapshot(out)
        files = [(out / name, new) for name, _, new in outputs]
        failing = FailingAt("fsync" if stage == "write" else "replace", position)
        # each output is two renames when it replaces a file (the old file aside, the new one in its place)
        renames_before = sum(2 if exists else 1 for _, exists, _ in outputs[:position - 1])
        if stage == "rename":  # the rename that puts output k in place
            failing.position = renames_before + (2 if outputs[position - 1][1] else 1)
        elif stage == "aside":  # the rename that moves output k's old file aside
            assume(outputs[position - 1][1])
            failing.position = renames_before + 1
        original = getattr(archive.os, failing.name)
        setattr(archive.os, failing.name, failing)
        try:
            with pytest.raises(OSError) as raised:
                archive.write_files_atomically(files)
        finally:
            setattr(archive.os, failing.name, original)
        assert raised.value.filename == str(files[position - 1][0])
        assert snapshot(out) == before
        assert not [p for p in out.rglob("*") if p.name.endswith((".partial", ".old"))]


@FAST
@given(outputs=OUTPUTS, data=st.data())
def test_an_output_whose_place_is_taken_by_a_folder_stops_the_write_before_anything_changes(outputs, data):
    position = data.draw(st.integers(1, len(outputs)), label="blocked output")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for index, (name, exists, _) in enumerate(outputs, start=1):
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            if index == position:
                (out / name).mkdir()
            elif exists:
                (out / name).write_bytes(b"old")
        before = snapshot(out)
        files = [(out / name, new) for name, _, new in outputs]
        with pytest.raises(OSError) as raised:
            archive.write_files_atomically(files)
        assert raised.value.filename == str(files[position - 1][0])
        assert raised.value.strerror == "a folder of that name is in the way"
        assert snapshot(out) == before and not [p for p in out.rglob("*") if p.name.startswith(".")]


# 3. An arbitrary XLIFF never crashes translate import, and one it refuses writes nothing -------------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    """The repository's course and the Welsh Introduction exported from it, as a translator receives it."""
    course = tmp_path_factory.mktemp("translate") / "course"
    shutil.copytree(REPO / "content", course / "content")
    shutil.copy(REPO / "leadpack.toml", course)
    xliff = course.parent / "cy.xlf"
    result = run_cli("translate", "export", "introduction", "--lang", "cy", "--out", xliff, root=course)
    assert result.exit_code == 0, result.output
    return course, xliff


TARGET = re.compile(r"(<target[^>]*>)(.*?)(</target>)", re.S)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(damage=st.one_of(
    st.tuples(st.just("bytes"), st.binary(max_size=120), st.floats(0, 1)),
    st.tuples(st.just("target"), st.text(max_size=60).map(lambda text: text.replace("]]>", "")), st.floats(0, 1)),
    st.tuples(st.just("markup"), st.sampled_from(["<ph id='9'/>", "<ph id='1' equiv='[[x]]'/>", "<pc id='a'>",
                                                  "&amp;", "&bogus;", "<![CDATA[<b>]]>", "</target>", "\x00"]),
              st.floats(0, 1))))
def test_an_arbitrary_xliff_never_crashes_translate_import_and_one_refused_writes_nothing(exported, damage):
    course, exported_file = exported
    xliff = exported_file.read_text("utf-8")
    kind, payload, position = damage
    if kind == "bytes":
        data = xliff.encode("utf-8")
        cut = int(len(data) * position)
        text = data[:cut] + payload + data[cut:]
    else:  # one target's words replaced: as text (escaped) or as markup, as a translation tool might write them
        targets = list(TARGET.finditer(xliff))
        chosen = targets[min(int(position * len(targets)), len(targets) - 1)]
        words = payload if kind == "markup" else payload.replace("&", "&amp;").replace("<", "&lt;")
        text = (xliff[:chosen.start(2)] + words + xliff[chosen.end(2):]).encode("utf-8", "surrogatepass")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "course"
        shutil.copytree(course, copy)
        path = Path(folder) / "cy.xlf"
        path.write_bytes(text)
        before = snapshot(copy)
        result = run_cli("translate", "import", path, root=copy)
        assert result.exit_code in (0, 1) and "Traceback" not in result.output, result.output
        event(f"{kind}: exit {result.exit_code}")  # --hypothesis-show-statistics: both outcomes are reached
        if result.exit_code:
            assert snapshot(copy) == before  # refused: not one file of the course changed
            assert result.stderr.strip(), "a refusal says why"
