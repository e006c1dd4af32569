"""A source file cut into what a translator translates (segments) and everything around them (the skeleton).

One reading serves three jobs: ``translate export`` lists the original's segments beside the translation's text
for each; ``translate import`` fills the original's skeleton with the translated texts, so that a translation
always has the original's structure (the same pages, blocks, options and [x] marks, every id pinned); and the
parity check places a stale translation at its line.

A segment id names a place, not a position in the file: the page id with the n-th text of the page (a paragraph,
list item, table cell, heading or block), or, inside a question, reflection or action plan, the block's own id.
So an edit to one paragraph changes one segment, and an inserted paragraph renumbers only the texts after it on
its page. Ids are XML NMTOKENs (XLIFF unit ids): ids, dots and hyphens.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from leadpack.pipeline import model
from leadpack.pipeline.load import page_heading
from leadpack.pipeline.markdown_ext.blocks import ATTRIBUTE, FEEDBACK, FENCE, OPENER, OPTION

TRANSLATED_SETTINGS = ("title", "alt", "caption")  # block settings in words; src, kind and id stay as they are
IDENTIFIED = ("question", "reflection", "action-plan")  # blocks with an id of their own
LIST_ITEM = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])[ \t]+)(.*)$")
QUOTE_MARK = re.compile(r"^(\s*(?:>[ \t]?)+)(.*)$")
HEADING = re.compile(r"^(#{2,6}[ \t]+)(.*)$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
CELL_SPLIT = re.compile(r"(?<!\\)\|")
# A translated line may not start what would change the file's structure: a page, a block, the settings block.
STRUCTURE = re.compile(r"^(?:#[ \t]|:::|\+\+\+)")
KINDS = {"question": "knowledge check", "reflection": "reflection", "action-plan": "action plan",
         "activity": "activity", "discussion": "discussion prompt", "callout": "callout", "summary": "summary",
         "figure": "picture", "video": "video", "audio": "audio clip", "download": "download"}


def fingerprint(text: str) -> str:
    """A short, stable fingerprint of a source text: the translation lock records what each text was made from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Segment:
    id: str
    text: str  # as written in the source: Markdown, without the marks around it (list marker, "> ", quotes)
    note: str  # where it sits and what it is, for the translator
    line: int  # where it starts in its file


@dataclass(frozen=True)
class Slot:
    """Where a segment's text goes in the skeleton, and the shape it must keep there."""

    id: str
    shape: str  # "line": one line; "lines": lines, each after the first starting with ``indent``;
    # "setting": a block setting's value (one line, no double quote); "cell": a table cell (one line, no |);
    # "toml": a TOML string
    indent: str = ""
    in_question: bool = False  # a line there must not look like an answer option or its feedback


class FillError(ValueError):
    """A translated text that cannot take its place without changing the file's structure."""

    def __init__(self, segment_id: str, message: str):
        self.segment_id = segment_id
        super().__init__(message)


class Skeleton:
    """The parts of a translated file: literal text, and slots the segments' texts fill."""

    def __init__(self) -> None:
        self.parts: list[str | Slot] = []
        self.segments: list[Segment] = []

    def text(self, literal: str) -> None:
        self.parts.append(literal)

    def slot(self, segment: Segment, shape: str, indent: str = "", in_question: bool = False) -> None:
        self.parts.append(Slot(segment.id, shape, indent, in_question))
        self.segments.append(segment)

    def fill(self, texts: Mapping[str, str]) -> str:
        """The file with each segment's text from ``texts`` (the original's own text where it has none)."""
        own = {segment.id: segment.text for segment in self.segments}
        return "".join(part if isinstance(part, str) else _shaped(part, texts.get(part.id, own[part.id]))
                       for part in self.parts)


def _shaped(slot: Slot, text: str) -> str:
    lines = text.split("\n")
    if slot.shape == "toml":
        return json.dumps(text, ensure_ascii=False)
    if slot.shape in ("line", "setting", "cell") and len(lines) > 1:
        raise FillError(slot.id, "the translation has a line break, where the original is one line")
    if slot.shape == "setting" and '"' in text:
        raise FillError(slot.id, 'the translation has a straight double quote ("), which a block setting cannot '
                        "hold: use typographic quotes (“ ”) or single ones")
    if slot.shape == "cell" and CELL_SPLIT.search(text):
        raise FillError(slot.id, "the translation has a |, which would split its table cell in two: write \\| "
                        "for a | in the text")
    for line in lines:
        if STRUCTURE.match(line.lstrip()) or slot.in_question and (OPTION.match(line.lstrip())
                                                                   or FEEDBACK.match(" " + line)):
            raise FillError(slot.id, f"a line of the translation ('{line[:40]}') would start a new page, block or "
                            "answer option")
    return lines[0] + "".join("\n" + slot.indent + line for line in lines[1:])


# ---- module files -----------------------------------------------------------------------------------------------

def module_skeleton(text: str, module: model.Module) -> Skeleton:
    """The module file ``text`` (loaded as ``module``) cut into segments, its skeleton in the form a translation
    takes: the settings block written afresh with the module id pinned, every heading and identified block
    pinning its id."""
    skeleton = Skeleton()
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()  # the nothing after the last line break
    index = _front_matter(lines, module, skeleton)
    pages = iter(module.pages)
    walker: _Walker | None = None
    while index < len(lines):
        line = lines[index]
        heading = page_heading(line)
        if heading is not None:
            page = next(pages, None)
            if page is None:  # more headings than pages: the loader has reported it
                break
            skeleton.text("# ")
            skeleton.slot(Segment(f"{page.id}.title", heading.title.strip(), "page title", index + 1), "line")
            skeleton.text(f" {{#{page.id}}}\n")
            walker = _Walker(lines, skeleton, page)
            index += 1
        elif walker is None:
            skeleton.text(line + "\n")
            index += 1
        else:
            index = walker.element(index, walker.next_id, f'page "{walker.page.title}"')
    if not text.endswith("\n") and skeleton.parts and isinstance(skeleton.parts[-1], str):
        skeleton.parts[-1] = skeleton.parts[-1].removesuffix("\n")
    return skeleton


def _front_matter(lines: list[str], module: model.Module, skeleton: Skeleton) -> int:
    """The settings block, written as a translation has it; returns the index of the body's first line."""
    if not lines or lines[0].strip() != "+++":
        return 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "+++"), len(lines) - 1)
    block = lines[1:end]
    try:
        table = tomllib.loads("\n".join(block))
    except tomllib.TOMLDecodeError:
        table = {}

    def where(needle: str) -> int:
        return next((n + 2 for n, line in enumerate(block) if needle and needle in line), 1)

    skeleton.text(f'+++\nid = "{module.id}"\ntitle = ')
    skeleton.slot(Segment("title", module.title, "module title", where("title")), "toml")
    skeleton.text(f"\nminutes = {module.minutes}\n")
    if isinstance(table.get("description"), str):
        skeleton.text("description = ")
        skeleton.slot(Segment("description", module.description, "module description", where("description")),
                      "toml")
        skeleton.text("\n")
    skeleton.text("outcomes = [\n")
    for number, outcome in enumerate(module.outcomes, start=1):
        skeleton.text("  ")
        skeleton.slot(Segment(f"outcome-{number}", outcome, f"learning outcome {number} of the module (it "
                              "completes 'By the end of this module you will be able to:')", where(outcome[:30])),
                      "toml")
        skeleton.text(",\n")
    skeleton.text("]\n+++\n")
    return end + 1


class _Walker:
    """Reads one page's body, element by element, into the skeleton."""

    def __init__(self, lines: list[str], skeleton: Skeleton, page: model.Page):
        self.lines, self.skeleton, self.page = lines, skeleton, page
        self.count = 0
        self.identified: Iterator[model.Question | model.Reflection] = iter(
            [b for b in page.blocks if isinstance(b, model.Question | model.Reflection)])

    def next_id(self) -> str:
        self.count += 1
        return f"{self.page.id}.{self.count}"

    def element(self, index: int, next_id: Callable[[], str], where: str, in_question: bool = False) -> int:
        """One element from line ``index``: returns the index after it."""
        lines, skeleton = self.lines, self.skeleton
        line = lines[index]
        if not line.strip():
            skeleton.text(line + "\n")
            return index + 1
        if FENCE.match(line):
            return self._fenced(index)
        if line.startswith(":::") and OPENER.match(line):
            return self._block(index, where)
        heading = HEADING.match(line)
        if heading:
            skeleton.text(heading.group(1))
            skeleton.slot(Segment(next_id(), heading.group(2), f"{where}: a heading", index + 1), "line")
            skeleton.text("\n")
            return index + 1
        if line.lstrip().startswith("|"):
            return self._table_row(index, next_id, where)
        item = LIST_ITEM.match(line)
        quoted = QUOTE_MARK.match(line)
        prefix, first = (item.group(1), item.group(2)) if item else (quoted.group(1), quoted.group(2)) if quoted \
            else (line[:len(line) - len(line.lstrip())], line.lstrip())
        texts, end = [first], index + 1
        while end < len(lines) and self._continues(lines[end], bool(quoted), in_question):
            texts.append(QUOTE_MARK.match(lines[end]).group(2) if quoted else lines[end].lstrip())
            end += 1
        if quoted:
            indent = prefix
        elif end > index + 1:
            indent = lines[index + 1][:len(lines[index + 1]) - len(lines[index + 1].lstrip())]
        else:
            indent = " " * len(prefix) if item else prefix
        what = "a list item" if item else "a quotation" if quoted else "a paragraph"
        skeleton.text(prefix)
        skeleton.slot(Segment(next_id(), "\n".join(texts), f"{where}: {what}", index + 1), "lines", indent,
                      in_question)
        skeleton.text("\n")
        return end

    def _continues(self, line: str, quoted: bool, in_question: bool) -> bool:
        """True when ``line`` goes on with the paragraph, list item or quotation above it."""
        if not line.strip() or FENCE.match(line) or line.startswith(":::") or HEADING.match(line) \
                or page_heading(line) or line.lstrip().startswith("|") or LIST_ITEM.match(line):
            return False
        if in_question and (OPTION.match(line) or FEEDBACK.match(line)):
            return False
        return bool(QUOTE_MARK.match(line)) == quoted

    def _fenced(self, index: int) -> int:
        fence = FENCE.match(self.lines[index]).group(1)
        self.skeleton.text(self.lines[index] + "\n")
        index += 1
        while index < len(self.lines):
            self.skeleton.text(self.lines[index] + "\n")
            index += 1
            if FENCE.match(self.lines[index - 1]) and FENCE.match(self.lines[index - 1]).group(1) == fence:
                break
        return index

    def _table_row(self, index: int, next_id: Callable[[], str], where: str) -> int:
        line = self.lines[index]
        if TABLE_RULE.match(line):
            self.skeleton.text(line + "\n")
            return index + 1
        pieces = CELL_SPLIT.split(line)
        for number, piece in enumerate(pieces):
            if number:
                self.skeleton.text("|")
            if not piece.strip():
                self.skeleton.text(piece)
                continue
            lead = piece[:len(piece) - len(piece.lstrip())]
            trail = piece[len(piece.rstrip()):]
            self.skeleton.text(lead)
            self.skeleton.slot(Segment(next_id(), piece.strip(), f"{where}: a table cell", index + 1), "cell")
            self.skeleton.text(trail)
        self.skeleton.text("\n")
        return index + 1

    def _block(self, index: int, where: str) -> int:
        lines, skeleton = self.lines, self.skeleton
        opener = OPENER.match(lines[index])
        kind = opener.group("kind").lower()
        settings = [(found.group("name"), found.group("value")) for found in ATTRIBUTE.finditer(opener.group("rest"))]
        if kind in IDENTIFIED:
            block = next(self.identified, None)
            pinned = dict(settings).get("id")
            base = f"{self.page.id}.{pinned or (block.id if block else 'block')}"
            block_id = pinned or (block.id if block else "")
        else:
            base, block_id = self.next_id(), ""
        what = KINDS.get(kind, kind)
        skeleton.text(f"::: {kind}" + (f' id="{block_id}"' if block_id else ""))
        for name, value in settings:
            if name == "id":
                continue
            if name not in TRANSLATED_SETTINGS:
                skeleton.text(f' {name}="{value}"')
                continue
            skeleton.text(f' {name}="')
            about = {"alt": f"the text alternative of the {what} {dict(settings).get('src', '')}".rstrip(),
                     "caption": f"the caption of the {what}", "title": f"the title of the {what}"}[name]
            skeleton.slot(Segment(f"{base}.{name}", value, f"{where}: {about}", index + 1), "setting")
            skeleton.text('"')
        skeleton.text("\n")
        end = next((i for i in range(index + 1, len(lines)) if lines[i].strip() == ":::"), len(lines))
        inner = _Scope(base)
        position = index + 1
        while position < end:
            if kind == "question" and OPTION.match(lines[position]):
                position = self._option(position, end, base, where)
            else:
                position = self.element(position, inner.next_id, f"{where}: {what}", kind == "question")
        if end < len(lines):
            skeleton.text(lines[end] + "\n")
        return end + 1

    def _option(self, index: int, end: int, base: str, where: str) -> int:
        """An answer option, then the feedback under it."""
        lines, skeleton = self.lines, self.skeleton
        found = OPTION.match(lines[index])
        key = model.OPTION_KEYS[min(self._option_number(index), len(model.OPTION_KEYS) - 1)]
        correct = found.group("mark").lower() == "x"
        skeleton.text(lines[index][:found.start("text")])
        skeleton.slot(Segment(f"{base}.{key}", found.group("text").strip(), f"{where}: knowledge check, option {key}"
                              f" ({'a right answer' if correct else 'a wrong answer'})", index + 1), "line")
        skeleton.text("\n")
        position = index + 1
        feedback = []
        while position < end and FEEDBACK.match(lines[position]):
            feedback.append(FEEDBACK.match(lines[position]).group("text"))
            position += 1
        if feedback:
            first = lines[index + 1]
            prefix = first[:len(first) - len(FEEDBACK.match(first).group("text"))]
            skeleton.text(prefix)
            skeleton.slot(Segment(f"{base}.{key}-feedback", "\n".join(feedback), f"{where}: the feedback shown for "
                                  f"option {key}", index + 2), "lines", prefix, True)
            skeleton.text("\n")
        return position

    def _option_number(self, index: int) -> int:
        """Which option of its question the line ``index`` is (counted back to the block's opener)."""
        number = 0
        for position in range(index - 1, -1, -1):
            if self.lines[position].startswith(":::"):
                break
            number += bool(OPTION.match(self.lines[position]))
        return number


class _Scope:
    """Numbers the texts inside one block: <block>.1, <block>.2 ..."""

    def __init__(self, base: str):
        self.base, self.count = base, 0

    def next_id(self) -> str:
        self.count += 1
        return f"{self.base}.{self.count}"


# ---- set.toml ---------------------------------------------------------------------------------------------------

SET_FILE = "set.toml"


def set_segments(course_set: model.CourseSet, text: str) -> list[Segment]:
    """What a translator translates of a set.toml: title, description, keywords and stages (``text`` places them)."""
    lines = text.split("\n")

    def where(needle: str) -> int:
        return next((n + 1 for n, line in enumerate(lines) if needle and needle in line), 1)

    found = [Segment("title", course_set.title, "the set's title, as learning platforms list it", where("title")),
             Segment("description", course_set.description, "the set's description, under its title on the "
                     "start page", where("description"))]
    found += [Segment(f"keyword-{n}", word, f"keyword {n} (learning platforms search them)", where(f'"{word}"'))
              for n, word in enumerate(course_set.keywords, start=1)]
    found += [Segment(f"stage-{n}", stage, f"stage {n} of the three the series moves through", where(stage[:30]))
              for n, stage in enumerate(course_set.stages, start=1)]
    return [segment for segment in found if segment.text]


def set_file(texts: Mapping[str, str], originals: list[Segment], existing: str | None, status: str) -> str:
    """A translation's set.toml with ``texts``: its other lines (status, comments) kept where it has them."""
    values: dict[str, str | list[str]] = {}
    for segment in originals:
        text = texts.get(segment.id, segment.text)
        if "-" in segment.id:
            values.setdefault(segment.id.split("-")[0] + "s", []).append(text)
        else:
            values[segment.id] = text
    rendered = {key: f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()}
    if existing is None:
        body = [rendered[key] for key in ("title", "description", "keywords", "stages") if key in rendered]
        return "\n".join(body + ['# A draft translation: a reviewer who speaks the language changes this to '
                                 '"reviewed" once they have checked it.', f'status = "{status}"']) + "\n"
    out: list[str] = []
    depth = 0  # brackets still open in a value being replaced
    for line in existing.split("\n"):
        key = re.match(r"^\s*([A-Za-z_]+)\s*=", line)
        if depth:
            depth += _brackets(line)
            continue
        if key and key.group(1) in rendered:
            out.append(rendered.pop(key.group(1)))
            depth = max(_brackets(line), 0)
            continue
        out.append(line)
    missing = list(rendered.values())
    if missing:
        at = next((i for i, line in enumerate(out) if line.startswith(("#", "status"))), len(out))
        out[at:at] = missing
    return "\n".join(out)


def _brackets(line: str) -> int:
    """How many more list brackets the line opens than it closes (outside quoted text)."""
    unquoted = re.sub(r'"(?:\\.|[^"\\])*"', "", line.split("#", 1)[0] if '"' not in line else line)
    return unquoted.count("[") - unquoted.count("]")
