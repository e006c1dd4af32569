"""The ``::: kind`` block syntax as a Python-Markdown extension.

A preprocessor (it sees source lines, so every error knows its line) lifts each block out of the text, builds its
model object, and leaves a placeholder that the loader later splits the page's HTML on. Block bodies are ordinary
Markdown, converted by a plain converter with the same base extensions.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.preprocessors import Preprocessor

from leadpack.errors import Problems, SourceError
from leadpack.pipeline import model
from leadpack.pipeline.limits import MAX_ID_CHARS
from leadpack.pipeline.markdown_ext.links import ExternalLinksExtension

# No footnotes: the extension writes English link titles that the interface-string catalogue cannot translate.

def _fenced_code() -> type[Extension]:
    """Python-Markdown's fenced code blocks, loaded without the Pygments import its code highlighter makes when it
    loads (about 10 ms of every start-up where Pygments is installed). leadpack never highlights code, so what
    the extension writes is the same either way; Pygments stays importable for anything else."""
    blocked = "pygments" not in sys.modules
    if blocked:
        sys.modules["pygments"] = None  # makes `import pygments` fail, so codehilite takes its no-Pygments path
    try:
        from markdown.extensions.fenced_code import FencedCodeExtension
    finally:
        if blocked:
            del sys.modules["pygments"]
    return FencedCodeExtension


# As classes, not names: a name sends Python-Markdown through every installed package's entry points first.
BASE_EXTENSIONS = (TableExtension, _fenced_code(), SaneListExtension, AttrListExtension, AbbrExtension)
OPENER = re.compile(r"^:::\s*(?P<kind>\S*)(?P<rest>.*)$")
ATTRIBUTE = re.compile(r'\s*(?P<name>[A-Za-z_][\w-]*)\s*=\s*"(?P<value>[^"]*)"')
FENCE = re.compile(r"^\s*(```|~~~)")
OPTION = re.compile(r"^[-*]\s+\[(?P<mark>[ xX]?)\]\s*(?P<text>.*)$")
FEEDBACK = re.compile(r"^\s+>\s?(?P<text>.*)$")
# A block leaves <lp-block-NONCE-N></lp-block-NONCE-N> in the text, NONCE a hash of the page's source: text that
# contains it cannot know it, so an author's look-alike is just an HTML element (reported as not allowed).
PLACEHOLDER = "<lp-block-{nonce}-{index}></lp-block-{nonce}-{index}>"
CALLOUT_STYLES = ("note", "tip", "quote", "warning")
MAX_OPTIONS = len(model.OPTION_KEYS)
CURLY_QUOTES = "\u201c\u201d\u2018\u2019"
QUOTE_NAMES = "curly quotes or single quotes"
T = TypeVar("T")

# kind → (allowed attributes, required attributes)
BLOCK_KINDS: dict[str, tuple[set[str], set[str]]] = {
    "reflection": ({"id"}, set()),
    "action-plan": ({"id"}, set()),
    "activity": ({"title"}, set()),
    "discussion": ({"title"}, set()),
    "callout": ({"kind", "title"}, set()),
    "summary": ({"title"}, set()),
    "question": ({"id"}, set()),
    "figure": ({"src", "alt", "caption"}, {"src", "alt"}),
    "video": ({"src", "title"}, {"src"}),
    "audio": ({"src", "title"}, {"src"}),
    "download": ({"src", "title"}, {"src", "title"}),
}


def make_markdown(extensions: list | None = None) -> Markdown:
    return Markdown(extensions=[*(extension() for extension in BASE_EXTENSIONS), ExternalLinksExtension(),
                                *(extensions or [])],
                    output_format="html")


def plain_text(fragment: str) -> str:
    """Text content of an HTML fragment, whitespace folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


class RawBlock:
    """A block as written: kind, attributes, body lines and where it starts."""

    def __init__(self, kind: str, attributes: dict[str, str], body: list[str], line: int):
        self.kind, self.attributes, self.body, self.line = kind, attributes, body, line


class BlockPreprocessor(Preprocessor):
    def __init__(self, md: Markdown, extension: CourseBlocksExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, lines: list[str]) -> list[str]:
        self.extension.nonce = hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        output: list[str] = []
        in_fence = ""
        index = 0
        while index < len(lines):
            line = lines[index]
            fence = FENCE.match(line)
            if fence and (not in_fence or fence.group(1) == in_fence):
                in_fence = "" if in_fence else fence.group(1)
            if in_fence or not line.startswith(":::"):
                output.append(line)
                index += 1
                continue
            raw, index = self._read_block(lines, index)
            block = self.extension.build_safely(raw) if raw else None
            if block is None:
                self.extension.rejected += 1
            else:
                self.extension.blocks.append(block)
                output += ["", PLACEHOLDER.format(nonce=self.extension.nonce, index=len(self.extension.blocks) - 1),
                           ""]
        return output

    def _read_block(self, lines: list[str], start: int) -> tuple[RawBlock | None, int]:
        """Read one block from its opener; on a mistake record it and return None with where to go on."""
        extension = self.extension
        where = extension.line_of
        match = OPENER.match(lines[start])
        kind = match.group("kind").lower() if match else ""
        if not kind:
            extension.report(where(start), "a closing ::: has no block to close",
                             "remove this line, or start a block above it with ::: reflection (or another kind)")
            return None, start + 1
        attributes = None
        if "=" in kind:
            extension.report(where(start), "the block has no kind", "name the kind first: ::: figure "
                             'src="media/file.svg" alt="..." (kinds are ' + ", ".join(BLOCK_KINDS) + ")")
        elif kind not in BLOCK_KINDS:
            near = difflib.get_close_matches(kind, list(BLOCK_KINDS), n=1)
            hint = f"did you mean '::: {near[0]}'?" if near else "block kinds are " + ", ".join(BLOCK_KINDS)
            extension.report(where(start), f"unknown block '::: {kind}'", hint)
        else:
            attributes = extension.attempt(lambda: self._attributes(kind, match.group("rest"), where(start)))
        body: list[str] = []
        for index in range(start + 1, len(lines)):
            line = lines[index]
            if line.strip() == ":::":
                if attributes is None:
                    return None, index + 1
                return RawBlock(kind, attributes, body, where(start)), index + 1
            if line.startswith(":::"):
                extension.report(where(index), f"a new block starts before the '::: {kind}' block from line "
                                 f"{where(start)} is closed", "blocks cannot be nested: put a line ::: before "
                                 "this one")
                return None, index
            body.append(line)
        extension.report(where(start), f"the '::: {kind}' block is never closed",
                         "put a line with only ::: after the block's text")
        return None, len(lines)

    def _attributes(self, kind: str, rest: str, line: int) -> dict[str, str]:
        allowed, required = BLOCK_KINDS[kind]
        attributes: dict[str, str] = {}
        position = 0
        rest = rest.rstrip()
        while position < len(rest):
            found = ATTRIBUTE.match(rest, position)
            if not found:
                unread = rest[position:].strip()
                hint = ('write settings as name="value" with straight double quotes, not ' + QUOTE_NAMES
                        if any(mark in unread for mark in CURLY_QUOTES + "'") else 'write settings as name="value"')
                raise SourceError(self.extension.path, line, f"cannot read the settings of '::: {kind}': "
                                  f"'{unread}'", hint, col=4 + len(kind) + position + 1)
            name = found.group("name")
            if name not in allowed:
                hint = ("allowed here: " + ", ".join(sorted(allowed))) if allowed else "this block takes none"
                raise SourceError(self.extension.path, line, f"'::: {kind}' has no setting '{name}'", hint)
            attributes[name] = found.group("value").strip()
            position = found.end()
        for name in sorted(required - attributes.keys()):
            raise SourceError(self.extension.path, line, f"'::: {kind}' needs {name}=\"...\"",
                              _REQUIRED_HINTS.get(name, f'add {name}="..." after ::: {kind}'))
        return attributes


_REQUIRED_HINTS = {
    "alt": 'describe the picture in a short sentence: alt="..."; use alt="" only for a decorative picture',
    "src": 'name the file, relative to the set folder: src="media/file.svg"',
    "title": 'give the file a name learners will understand: title="..."',
}


class CourseBlocksExtension(Extension):
    """Turns ``::: kind`` blocks into model objects; ``path`` and ``first_line`` make errors point at sources."""

    def __init__(self, path: Path, first_line: int = 1, body_converter: Callable[[str], str] | None = None,
                 problems: Problems | None = None):
        super().__init__()
        self._convert = body_converter or _default_converter()
        self.start(path, first_line, problems)

    def start(self, path: Path, first_line: int = 1, problems: Problems | None = None) -> None:
        """Forget the last page: the next conversion reads ``path`` from ``first_line``."""
        self.path, self.first_line = path, first_line
        self.blocks: list[model.Block] = []
        self.problems = problems if problems is not None else Problems()
        self.rejected = 0  # blocks left out because of a mistake: their page is not empty
        self.nonce = ""  # set from the page's source when the preprocessor runs

    def report(self, line: int, message: str, hint: str = "", col: int = 1) -> None:
        self.problems.add(self.path, line, message, hint, col)

    def attempt(self, action: Callable[[], T]) -> T | None:
        """Run ``action``; a mistake is recorded (once) and gives None."""
        try:
            return action()
        except _Rejected:
            return None
        except SourceError as exc:
            self.problems.append(exc.problem)
            return None

    def build_safely(self, raw: RawBlock) -> model.Block | None:
        """Build a block; a mistake in it is recorded and the block left out, so the rest of the page is read."""
        return self.attempt(lambda: self.build(raw))

    def split(self, page_html: str) -> list[model.Block]:
        """The page's HTML cut at the placeholders: prose between them, each block where it stood."""
        placeholder = re.compile(rf"(?:<p>)?<lp-block-{self.nonce}-(\d+)></lp-block-{self.nonce}-\d+>(?:</p>)?")
        result: list[model.Block] = []
        position = 0
        for found in placeholder.finditer(page_html) if self.nonce else ():
            prose = page_html[position:found.start()].strip()
            if prose:
                result.append(model.Prose(prose))
            result.append(self.blocks[int(found.group(1))])
            position = found.end()
        tail = page_html[position:].strip()
        if tail:
            result.append(model.Prose(tail))
        return result

    def line_of(self, index: int) -> int:
        return self.first_line + index

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's API name)
        md.preprocessors.register(BlockPreprocessor(md, self), "leadpack_blocks", 30)

    def body_html(self, raw: RawBlock, required: str = "") -> str:
        text = "\n".join(raw.body).strip()
        if required and not text:
            raise SourceError(self.path, raw.line, f"the '::: {raw.kind}' block is empty", required)
        return self._convert(text) if text else ""

    def build(self, raw: RawBlock) -> model.Block:
        builder = getattr(self, f"_build_{raw.kind.replace('-', '_')}")
        return builder(raw)

    def _build_reflection(self, raw: RawBlock) -> model.Reflection:
        prompt = self.body_html(raw, "write the question the learner should reflect on")
        text = plain_text(prompt)
        return model.Reflection(self._id(raw, text), prompt, text, raw.line)

    def _build_action_plan(self, raw: RawBlock) -> model.Reflection:
        """The learner's commitments: what, first step, by when, who can help, how I'll know (the fields come from
        the interface strings, so they are in the set's language)."""
        prompt = self.body_html(raw, "say what the plan is for, e.g. 'Plan one change you will make after this set'")
        text = plain_text(prompt)
        return model.Reflection(self._id(raw, text), prompt, text, raw.line, kind="action-plan")

    def _build_activity(self, raw: RawBlock) -> model.Activity:
        body = self.body_html(raw, "describe what the learner should try at work")
        return model.Activity(raw.attributes.get("title") or "", body)

    def _build_discussion(self, raw: RawBlock) -> model.Discussion:
        return model.Discussion(self.body_html(raw, "write the prompt for a peer or team conversation"))

    def _build_summary(self, raw: RawBlock) -> model.Summary:
        return model.Summary(self.body_html(raw, "list the module's key points"))

    def _build_callout(self, raw: RawBlock) -> model.Callout:
        style = raw.attributes.get("kind", "note")
        if style not in CALLOUT_STYLES:
            raise SourceError(self.path, raw.line, f"unknown callout kind '{style}'",
                              "use " + ", ".join(CALLOUT_STYLES))
        return model.Callout(style, raw.attributes.get("title", ""), self.body_html(raw, "write the callout text"))

    def _build_figure(self, raw: RawBlock) -> model.Figure:
        attributes = raw.attributes
        description = self.body_html(raw)
        if attributes["alt"] and not description and attributes["src"].lower().endswith(".svg"):
            raise SourceError(self.path, raw.line, "the diagram has no text alternative",
                              "describe everything the diagram shows in the block's text")
        return model.Figure(attributes["src"], attributes["alt"], attributes.get("caption", ""), description)

    def _build_video(self, raw: RawBlock) -> model.Media:
        transcript = self.body_html(raw, f"write the {raw.kind}'s transcript inside the block")
        return model.Media(raw.kind, raw.attributes["src"], raw.attributes.get("title", ""), transcript)

    _build_audio = _build_video

    def _build_download(self, raw: RawBlock) -> model.Download:
        return model.Download(raw.attributes["src"], raw.attributes["title"], self.body_html(raw))

    def _build_question(self, raw: RawBlock) -> model.Question:
        stem_lines: list[str] = []
        options: list[dict] = []
        for offset, line in enumerate(raw.body, start=1):
            number = raw.line + offset
            option = OPTION.match(line)
            feedback = FEEDBACK.match(line)
            if option:
                options.append({"mark": option.group("mark"), "text": option.group("text").strip(),
                                "feedback": [], "line": number})
            elif feedback and options:
                options[-1]["feedback"].append(feedback.group("text"))
            elif not options:
                stem_lines.append(line)
            elif line.strip():
                hint = ("indent the feedback under its option: two spaces, then '> '" if line.startswith(">")
                        else "each option is '- [ ] text' or '- [x] text', followed by an indented '> feedback' "
                        "line")
                raise SourceError(self.path, number, "unexpected text among the answer options", hint)
        stem = self._convert("\n".join(stem_lines).strip()) if any(s.strip() for s in stem_lines) else ""
        if not stem:
            raise SourceError(self.path, raw.line, "the question has no question text",
                              "write the question above its options")
        if len(options) < 2:
            raise SourceError(self.path, raw.line, "the question needs at least two options",
                              "write each option as '- [ ] text', marking correct ones '- [x] text'")
        if len(options) > MAX_OPTIONS:
            raise SourceError(self.path, options[MAX_OPTIONS]["line"],
                              f"the question has {len(options)} options; at most {MAX_OPTIONS} are allowed",
                              "split it into two questions")
        seen: dict[str, int] = {}
        built = []
        for key, option in zip(model.OPTION_KEYS, options, strict=False):
            built.append(self._option(key, option, seen))
        if not any(option["mark"].lower() == "x" for option in options):
            self.problems.add(self.path, raw.line, "the question has no correct option",
                              "mark each correct option with [x]")
            raise _Rejected()
        if None in built:
            raise _Rejected()
        multiple = sum(option.correct for option in built) > 1
        stem_text = plain_text(stem)
        return model.Question(self._id(raw, stem_text), stem, stem_text, tuple(built), multiple, raw.line)

    def _option(self, key: str, option: dict, seen: dict[str, int]) -> model.Option | None:
        """One answer option; its mistakes are recorded so every option of a question is checked in one run."""
        text = option["text"]
        if not text:
            self.problems.add(self.path, option["line"], "an option has no text", "write the answer after [ ]")
            return None
        folded = " ".join(plain_text(text).casefold().split())
        if folded in seen:
            self.problems.add(self.path, option["line"], f"this option repeats the option on line {seen[folded]}",
                              "make every option different")
            return None
        seen[folded] = option["line"]
        if not "".join(option["feedback"]).strip():
            self.problems.add(self.path, option["line"], "this option has no feedback",
                              "add an indented line under it starting with '> ' that explains the answer")
            return None
        text_html = self._convert(text)
        text_html = re.sub(r"^<p>(.*)</p>$", r"\1", text_html, flags=re.S)
        return model.Option(key, text_html, plain_text(text_html), option["mark"].lower() == "x",
                            self._convert("\n".join(option["feedback"]).strip()))

    def _id(self, raw: RawBlock, text: str) -> str:
        pinned = raw.attributes.get("id")
        if pinned is not None:
            if not model.ID_PATTERN.match(pinned):
                raise SourceError(self.path, raw.line, f"id '{pinned[:60]}' is not a valid id",
                                  "use lower-case letters, digits and hyphens, starting with a letter or digit")
            if len(pinned) > MAX_ID_CHARS:
                raise SourceError(self.path, raw.line, f"the id is {len(pinned)} characters long; ids are at most "
                                  f"{MAX_ID_CHARS}", f'pin a shorter one: ::: {raw.kind} id="..."')
            return pinned
        slug = model.slugify(text, 40)
        if not slug:
            raise SourceError(self.path, raw.line, f"cannot make an id from this {raw.kind}'s text",
                              f'pin one: ::: {raw.kind} id="my-id"')
        return slug


class _Rejected(Exception):
    """A block whose mistakes are already recorded."""


def _default_converter() -> Callable[[str], str]:
    converter = make_markdown()

    def convert(text: str) -> str:
        converter.reset()
        return converter.convert(text)

    return convert


class PageReader:
    """Reads pages into blocks with one Markdown converter, reset between pages: building Python-Markdown's
    parser costs more than converting a page with it. One per thread (``page_reader``): a converter is not
    reentrant."""

    def __init__(self) -> None:
        self.extension = CourseBlocksExtension(Path())
        self.markdown = make_markdown([self.extension])

    def read(self, path: Path, first_line: int, text: str, problems: Problems) -> list[model.Block]:
        """One page's blocks, its mistakes recorded in ``problems``."""
        self.extension.start(path, first_line, problems)
        self.markdown.reset()
        return self.extension.split(self.markdown.convert(text))

    @property
    def rejected(self) -> int:
        """How many blocks of the last page were left out for a mistake."""
        return self.extension.rejected


_readers = threading.local()


def page_reader() -> PageReader:
    if not hasattr(_readers, "reader"):
        _readers.reader = PageReader()
    return _readers.reader
