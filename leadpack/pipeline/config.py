"""leadpack.toml and set.toml → typed settings, with errors that name the file and line.

Settings are read leniently: a wrong value is recorded as a problem and its default used, so one run of
``leadpack check`` reports every mistake in a file, not only the first.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadpack import formats
from leadpack.errors import Problems, SourceError
from leadpack.pipeline.limits import MAX_SOURCE_BYTES, MAX_TOML_DEPTH
from leadpack.pipeline.model import Accessibility, BuildSettings, Completion, Edition, Texts, Theme

CONFIG_NAME = "leadpack.toml"
SET_CONFIG_NAME = "set.toml"
TEMPLATES_DIR = "templates"  # beside content/: the page and launch templates a maintainer may override
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")
COMPLETION_RULES = ("all-pages", "all-pages-and-checks")
LANGUAGE_MODES = ("together", "apart")  # one package per set holding every language, or one per language
TRANSLATION_STATUSES = ("draft", "reviewed")
CREDENTIAL_KEYS = {"endpoint", "auth", "username", "password", "secret", "token", "lrs", "key"}
LMS_TITLE_LIMIT = 255
MANIFEST_TITLE_LIMIT = 200  # the SCORM 1.2 schema's limit for organization and item titles
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# What no text may hold: invisible control characters (tabs and line breaks aside) and the Unicode
# non-characters (U+FDD0-U+FDEF and the last two code points of every plane, such as U+FFFF), which XML, and so
# every manifest, refuses. A TOML escape such as \u0007 writes one without it showing in the file.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
                      + "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17))
                      + "]")
TYPE_NAMES = {str: "text", int: "a whole number", float: "a decimal number", bool: "true or false",
              list: "a list", dict: "a table", datetime.date: "a date", datetime.datetime: "a date and time",
              datetime.time: "a time"}


def file_kind(mode: int) -> str:
    """What a file-system entry is, when it is not an ordinary file ('' when it is one)."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device or other special file"


def not_a_file(path: Path) -> str:
    """What ``path`` (followed through links) is when it exists but is not an ordinary file, or ''."""
    try:
        return file_kind(os.stat(path).st_mode)
    except (OSError, ValueError):  # missing, a link loop, a name the system refuses: said by the caller
        return ""


def links_out(path: Path, root: Path) -> bool:
    """True when ``path``, or a link on the way to it, leads outside ``root`` (or round in a loop)."""
    try:
        return not path.resolve(strict=False).is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):
        return True


def read_file(path: Path, limit: int | None = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of an ordinary file, at most ``limit`` of them; a folder, a FIFO or a device is an error.

    The file is opened without blocking and checked before a byte is read, so a named pipe cannot hang the
    build waiting for a writer, and a file that grows past the limit while being read is still refused.
    """
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        raise _not_a_file_error(path, "a folder") from None
    except OSError as exc:
        raise SourceError(path, 1, f"cannot read the file: {exc.strerror or exc}",
                          "check that it exists and that you may read it") from None
    kind = file_kind(os.fstat(handle).st_mode)
    if kind:
        os.close(handle)
        raise _not_a_file_error(path, kind)
    with os.fdopen(handle, "rb") as stream:
        data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise SourceError(path, 1, f"the file is over {limit:,} bytes; leadpack reads source files of at most "
                          f"{limit:,} bytes", "split it into smaller files (a long module into two modules)")
    return data


def _not_a_file_error(path: Path, kind: str) -> SourceError:
    return SourceError(path, 1, f"'{path.name}' is {kind}, where a file belongs",
                       "leadpack reads only ordinary files: put the file itself here")


def read_text(path: Path) -> str:
    """Read a UTF-8 source (with or without BOM, any line ending); bad bytes are an error at their line."""
    data = read_file(path)
    if data.startswith(UTF16_BOMS):
        raise SourceError(path, 1, "the file is saved as UTF-16, not UTF-8",
                          "save it again choosing the UTF-8 encoding in your editor")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data[: exc.start].count(b"\n") + 1
        col = len(data[line_start:exc.start].decode("utf-8", "replace")) + 1
        raise SourceError(path, line, f"the file is not valid UTF-8 text (byte 0x{data[exc.start]:02x})",
                          "save it as UTF-8 in your editor; text pasted from a word processor often "
                          "brings curly quotes or dashes in another encoding", col) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_toml(path: Path, text: str, line_offset: int = 0) -> dict[str, Any]:
    too_deep = _nesting_too_deep(text)
    if too_deep:
        line, col = too_deep
        raise SourceError(path, line + line_offset, f"TOML syntax: lists or tables are nested more than "
                          f"{MAX_TOML_DEPTH} deep", "settings are flat: a list of texts, or a [table] of settings", col)
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise SourceError(path, 1 + line_offset, "TOML syntax: lists or tables are nested far too deeply",
                          "settings are flat: a list of texts, or a [table] of settings") from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        if match is None and "end of document" in str(exc):
            line = text.count("\n") + 1
        message = re.sub(r"\s*\(at (line|end of document).*\)$", "", str(exc)) or "invalid TOML"
        if match and message.startswith(("Unclosed array", "Unclosed inline table")):
            line, col, message = _missing_comma(text, line, col, message)
        source_line = text.split("\n")[line - 1] if 0 < line <= text.count("\n") + 1 else ""
        hint = ('separate the items with commas: ["first", "second"]' if message.startswith("a comma")
                else _toml_hint(source_line))
        raise SourceError(path, line + line_offset, f"TOML syntax: {_toml_message(message)}", hint, col) from None


def _nesting_too_deep(text: str) -> tuple[int, int] | None:
    """(line, column) where lists and inline tables first nest deeper than MAX_TOML_DEPTH, read past strings and
    comments in one pass; tomllib reads nesting by recursion and would run out of stack instead."""
    depth, line, line_start, index, quote = 0, 1, 0, 0, ""
    while index < len(text):
        char = text[index]
        if quote:
            if text.startswith(quote, index) and (len(quote) == 1 or not text.startswith(quote[0], index + 3)):
                index += len(quote)
                quote = ""
                continue
            if char == "\\" and quote[0] == '"':
                index += 1  # the escaped character (a line break after \ in a multi-line string still counts)
                if text[index:index + 1] == "\n":
                    line, line_start = line + 1, index + 1
        elif char in "\"'":
            quote = char * 3 if text.startswith(char * 3, index) else char
            index += len(quote)
            continue
        elif char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        elif char in "[{":
            depth += 1
            if depth > MAX_TOML_DEPTH:
                return line, index - line_start + 1
        elif char in "]}":
            depth = max(depth - 1, 0)
        if index < len(text) and text[index] == "\n":
            line, line_start = line + 1, index + 1
        index += 1
    return None


def _missing_comma(text: str, line: int, col: int, message: str) -> tuple[int, int, str]:
    """tomllib reports a list or inline table left open at the next value, often on the line after the mistake:
    when a value stands where a comma or the closing bracket belongs, point at the end of the value before it."""
    lines = text.split("\n")
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    if not current[col - 1:col] or current[col - 1] in "]}":
        return line, col, message
    number, end = line, col - 1
    while number > 0:
        content = _without_comment(lines[number - 1][:end]).rstrip()
        if content:
            kind = "list" if message.startswith("Unclosed array") else "table"
            return number, len(content) + 1, f"a comma is missing after this value in the {kind}"
        number -= 1
        end = len(lines[number - 1]) if number > 0 else 0
    return line, col, message


def _without_comment(line: str) -> str:
    """The line up to a # that starts a comment (not one inside quotes)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:index]
    return line


TOML_MESSAGES = [
    (r"^Illegal character '\\n'", "the text has no closing quote"),
    (r"^Unterminated string", "the text has no closing quote"),
    (r"^Expected '=' after a key", "expected '=' after the setting's name"),
    (r"^Cannot (overwrite a value|declare .* twice)", "a setting or table is written twice"),
    (r"^Unclosed array", "a list is not closed with ]"),
    (r"^Invalid value", "the value is not text in quotes, a number, true/false or a [list]"),
]


def _toml_message(message: str) -> str:
    for pattern, friendly in TOML_MESSAGES:
        if re.search(pattern, message):
            return friendly
    return message[:1].lower() + message[1:]


def _toml_hint(line: str) -> str:
    if any(mark in line for mark in "\u201c\u201d\u2018\u2019"):
        return 'use straight quotes (") instead of curly quotes; word processors put curly ones in'
    return 'write settings as key = "value", one per line, with text in straight quotes'


def unusable_character(text: str) -> tuple[str, int]:
    """(what the first character no text may hold is, its index), or ('', -1)."""
    found = NOT_TEXT.search(text)
    if not found:
        return "", -1
    code = ord(found.group())
    kind = "a non-character" if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE else \
        "an unpaired surrogate" if 0xD800 <= code <= 0xDFFF else "an invisible control character"
    return f"{kind} (U+{code:04X})", found.start()


TEXT_HINT = "remove it; in a settings file a \\u escape can write characters no learning platform can store"


def type_name(value: object) -> str:
    return TYPE_NAMES.get(type(value), type(value).__name__)


class Table:
    """A TOML table whose typed getters record a problem at the key's line and fall back to a default."""

    def __init__(self, path: Path, text: str, data: dict[str, Any], problems: Problems, name: str = "",
                 line_offset: int = 0, header_line: int = 1, placeholders: bool = True):
        self.path, self.text, self.data, self.name = path, text, data, name
        self.problems, self.line_offset, self.header_line = problems, line_offset, header_line
        self.placeholders = placeholders  # False: a [[name]] here would never be filled (leadpack.toml, editions)

    def _section(self) -> list[tuple[int, str]]:
        """(line number, text) of the lines that belong to this table, so nested keys find their own line."""
        lines = list(enumerate(self.text.split("\n"), start=1))
        if not self.name:
            end = next((n for n, line in lines if line.lstrip().startswith("[")), len(lines) + 1)
            return [(n, line) for n, line in lines if n < end]
        header = re.compile(rf"^\s*\[\s*{re.escape(self.name)}\s*\]")
        start = next((n for n, line in lines if header.match(line)), 0)
        if not start:
            return lines
        end = next((n for n, line in lines if n > start and line.lstrip().startswith("[")), len(lines) + 1)
        return [(n, line) for n, line in lines if start <= n < end]

    def line_of(self, key: str) -> int:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number, line in self._section():
            if pattern.match(line):
                return number + self.line_offset
        return self.table_line()

    def table_line(self) -> int:
        if self.name:
            section = self._section()
            if section:
                return section[0][0] + self.line_offset
        return self.header_line

    def report(self, key: str, message: str, hint: str = "", severity: str = "error") -> None:
        self.problems.add(self.path, self.line_of(key), message, hint, severity=severity)

    def fail(self, key: str, message: str, hint: str = "") -> SourceError:
        return SourceError(self.path, self.line_of(key), message, hint)

    def _get(self, key: str, kinds: tuple[type, ...], kind_name: str, default: Any, required: bool) -> Any:
        if key not in self.data:
            if required and not self._misspelt(key):
                where = f" in [{self.name}]" if self.name else ""
                self.problems.add(self.path, self.table_line(), f"missing setting '{key}'{where}",
                                  f"add a line: {key} = {_example(kind_name)}")
            return default
        value = self.data[key]
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            self.report(key, f"'{key}' must be {kind_name}, not {type_name(value)}",
                        f"for example: {key} = {_example(kind_name)}")
            return default
        return value

    def _misspelt(self, key: str) -> bool:
        """An unknown key close to ``key`` is reported as a misspelling; saying ``key`` is missing would repeat it."""
        return any(_closest(other, {key}) for other in self.data if isinstance(other, str) and other != key)

    def string(self, key: str, default: str = "", required: bool = False, max_length: int = 0) -> str:
        value = self._get(key, (str,), "text in quotes", None, required)
        if value is None:
            return default
        value = value.strip()
        bad, _ = unusable_character(value)
        if bad:
            self.report(key, f"'{key}' holds {bad}", TEXT_HINT)
            value = NOT_TEXT.sub("", value)
        if required and not value:
            self.report(key, f"'{key}' is empty", f"write a value between the quotes of {key}")
            return default
        self._check_placeholder(key, value)
        if max_length and len(value) > max_length:
            self.report(key, f"'{key}' is {len(value)} characters long; LMS fields allow {max_length}",
                        "shorten it")
            return value[:max_length]
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str, what: str) -> str:
        value = self.string(key, default)
        if value not in choices:
            near = _closest(value, set(choices))
            self.report(key, f"unknown {what} '{value}'",
                        f"did you mean '{near}'?" if near else "use " + " or ".join(f'"{c}"' for c in choices))
            return default
        return value

    def integer(self, key: str, default: int | None = None, required: bool = False,
                low: int | None = None, high: int | None = None) -> int | None:
        value = self._get(key, (int,), "a whole number", None, required)
        if value is None:
            return default
        if low is not None and value < low or high is not None and value > high:
            self.report(key, f"'{key}' must be between {low} and {high}, not {value}")
            return default
        return value

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self._get(key, (list,), "a list of texts", [], required)
        if not all(isinstance(item, str) and item.strip() for item in value):
            self.report(key, f"every item of '{key}' must be non-empty text in quotes",
                        f'for example: {key} = ["first", "second"]')
            return tuple(item.strip() for item in value if isinstance(item, str) and item.strip())
        for item in value:
            bad, _ = unusable_character(item)
            if bad:
                self.report(key, f"an item of '{key}' holds {bad}", TEXT_HINT)
                break
        for item in value:
            self._check_placeholder(key, item)
        return tuple(NOT_TEXT.sub("", item).strip() for item in value)

    def date(self, key: str) -> str:
        """A TOML date (2026-11-30, no quotes) as YYYY-MM-DD, or ''."""
        value = self._get(key, (datetime.date,), "a date", None, False)
        if isinstance(value, datetime.datetime):
            self.report(key, f"'{key}' must be a date without a time", f"for example: {key} = 2026-11-30")
            return ""
        return value.isoformat() if value else ""

    def table(self, key: str) -> Table:
        value = self._get(key, (dict,), "a table", {}, False)
        name = f"{self.name}.{key}" if self.name else key  # as its header names it: [series.translations.cy]
        return Table(self.path, self.text, value, self.problems, name, self.line_offset, self.header_line,
                     self.placeholders)

    def _check_placeholder(self, key: str, value: str) -> None:
        """Placeholders are filled in the course's content only: one in a setting would reach pages as written."""
        found = PLACEHOLDER.search(value)
        if found and not self.placeholders:
            self.report(key, f"'{key}' holds {found.group()[:70]}, but placeholders are filled only in module files "
                        "and set.toml", "write the words themselves here (an edition gives its own in its file in "
                        f"content/{EDITIONS_DIR}/)")

    def reject_unknown(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                near = _closest(key, allowed)
                where = f"[{self.name}]" if self.name else "the settings block" if self.line_offset else "this file"
                self.report(key, f"unknown setting '{key}' in {where}",
                            f"did you mean '{near}'?" if near else "allowed: " + ", ".join(sorted(allowed)))


def setting_line(path: Path | None, key: str) -> int:
    """The line of a settings file where ``key = ...`` is written (1 when it is not, or the file cannot be read):
    where a rule found over the loaded settings points."""
    if path is None:
        return 1
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 1
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    return next((number for number, line in enumerate(text.splitlines(), start=1) if pattern.match(line)), 1)


def _example(kind_name: str) -> str:
    return {"text in quotes": '"..."', "a whole number": "30", "a date": "2026-11-30",
            "a list of texts": '["...", "..."]', "a table": "[name] on its own line"}.get(kind_name, "...")


def _closest(word: str, options: set[str]) -> str:
    matches = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return matches[0] if matches else ""


@dataclass(frozen=True)
class SeriesSettings:
    title: str
    organisation: str
    base_iri: str
    description: str
    theme: Theme
    build: BuildSettings
    path: Path | None
    set_order: tuple[str, ...] = ()
    translations: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    accessibility: Accessibility = Accessibility()
    texts: Texts = ()


def load_series_settings(root: Path, problems: Problems) -> SeriesSettings:
    """Read leadpack.toml; a missing file is fatal (not a course folder), anything else is recorded."""
    path = root / CONFIG_NAME
    if not os.path.lexists(path):
        raise SourceError(path, 1, f"no {CONFIG_NAME} here", "run leadpack from the course folder or use --root")
    if links_out(path, root):
        raise SourceError(path, 1, f"{CONFIG_NAME} is a link to a file outside the course folder",
                          "copy the file into the course folder instead of linking to it")
    text = read_text(path)
    data = problems.attempt(lambda: parse_toml(path, text), None)
    top = Table(path, text, data or {}, problems if data is not None else Problems(), placeholders=False)
    top.reject_unknown({"series", "theme", "build", "accessibility", "texts"})
    series = top.table("series")
    series.reject_unknown({"title", "organisation", "base_iri", "description", "sets", "translations"})
    base_iri = _base_iri(series, "https://leadpack.invalid/", required=True)
    return SeriesSettings(
        title=series.string("title", "Course", required=True, max_length=LMS_TITLE_LIMIT),
        organisation=series.string("organisation", "", required=True, max_length=LMS_TITLE_LIMIT),
        base_iri=base_iri,
        description=series.string("description"),
        theme=_theme(top.table("theme")),
        build=_build(top.table("build"), root),
        path=path,
        set_order=series.strings("sets"),
        translations=_series_translations(series.table("translations")),
        accessibility=accessibility_settings(top.table("accessibility")),
        texts=texts_settings(top.table("texts")),
    )


def _base_iri(table: Table, default: str, required: bool = False) -> str:
    """The address xAPI and cmi5 activity ids are made under, always ending in /."""
    base_iri = table.string("base_iri", default, required=required) or default
    if not re.match(r"^https?://[^\s/]+/\S*$", base_iri):
        table.report("base_iri", f"base_iri '{base_iri}' is not a web address",
                     'write a full address ending in /, e.g. "https://learning.example.org/course/"')
    return base_iri if base_iri.endswith("/") else base_iri + "/"


TEXT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # the name in a [[name]] placeholder
PLACEHOLDER = re.compile(r"\[\[([^\[\]\n]{0,60})\]\]")  # anything written as one (pipeline/editions.py)
MAX_TEXT_CHARS = 500  # a local text is a name, a phone number or a sentence of signposting, not a page


def texts_settings(table: Table) -> Texts:
    """``[texts]``: values for the [[name]] placeholders in module files and set.toml, and ``[texts.<language>]``
    for the sets' other languages. Values are plain text: the build escapes them, so no value can add markup."""
    found: dict[str, dict[str, str]] = {"": {}}
    for key, value in table.data.items():
        if isinstance(value, dict) and LANGUAGE_TAG.match(key):
            found[key] = _text_values(table.table(key))
        elif not TEXT_NAME.match(key):
            table.report(key, f"'{key}' is not a name a placeholder can use", "names are lower-case letters, "
                         "digits and _, starting with a letter (at most 40), e.g. support_contact; a table for "
                         "a language is named after it: [texts.cy]")
    found[""] = _text_values(table, skip_tables=True)
    return tuple((language, tuple(sorted(values.items()))) for language, values in sorted(found.items()))


def _text_values(table: Table, skip_tables: bool = False) -> dict[str, str]:
    values = {}
    for key, value in table.data.items():
        if skip_tables and isinstance(value, dict) or not TEXT_NAME.match(key):
            continue
        text = table.string(key, max_length=MAX_TEXT_CHARS)
        if "\n" in text:
            table.report(key, f"'{key}' holds a line break", "a local text is one line of plain text")
            continue
        if "[[" in text and not PLACEHOLDER.search(text):
            table.report(key, f"'{key}' holds [[", "a local text is plain text; it cannot hold a placeholder")
            continue
        if isinstance(value, str) and "[[" not in text:
            values[key] = text
    return values


def accessibility_settings(table: Table) -> Accessibility:
    """``[accessibility]``: the contact details and dates an accessibility statement needs from its publisher."""
    table.reject_unknown({"email", "phone", "prepared", "reviewed", "tested"})
    email = table.string("email", max_length=MAX_TEXT_CHARS)
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        table.report("email", f"'{email}' is not an email address", 'for example: email = "access@library.example"')
        email = ""
    return Accessibility(email=email, phone=table.string("phone", max_length=40), prepared=table.date("prepared"),
                         reviewed=table.date("reviewed"), tested=table.date("tested"))


def _series_translations(table: Table) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """``[series.translations.cy]``: the series' title, organisation and description in another language."""
    found = []
    for code in table.data:
        if not LANGUAGE_TAG.match(code):
            table.report(code, f"'{code}' is not a language tag", "name the table after a language: "
                         "[series.translations.cy]")
            continue
        words = table.table(code)
        words.reject_unknown({"title", "organisation", "description"})
        found.append((code, tuple((key, words.string(key, max_length=LMS_TITLE_LIMIT))
                                  for key in ("title", "organisation", "description") if key in words.data)))
    return tuple(found)


DEFAULT_THEME = Theme()


def _theme(table: Table, defaults: Theme = DEFAULT_THEME) -> Theme:
    """``[theme]``; what it leaves out comes from ``defaults`` (an edition's from the series' theme)."""
    table.reject_unknown({"primary", "accent", "logo"})
    colours = {}
    for key in ("primary", "accent"):
        value = table.string(key, getattr(defaults, key))
        if not COLOUR.match(value):
            table.report(key, f"'{key}' colour '{value}' is not a colour code", 'write it as "#1d4f73"')
            value = getattr(defaults, key)
        colours[key] = value.lower()
    return Theme(logo=table.string("logo", defaults.logo), **colours)


def _build(table: Table, root: Path) -> BuildSettings:
    table.reject_unknown({"formats", "sco_per", "reflections", "suspend_data_limit", "reflection_max_chars",
                          "out", "templates", "languages"} | CREDENTIAL_KEYS)
    for key in sorted(CREDENTIAL_KEYS & table.data.keys()):
        table.report(key, f"'{key}' cannot be written into a package",
                     "the LMS passes the LRS endpoint and credentials at launch; remove this setting")
    known = formats.names()
    names = table.strings("formats") or formats.DEFAULT
    for name in names:
        if name not in known:
            table.report("formats", f"unknown format '{name}'", "formats are " + ", ".join(known))
    names = tuple(name for name in names if name in known) or formats.DEFAULT
    return BuildSettings(
        formats=names,
        sco_per=table.choice("sco_per", ("set", "module"), "set", "sco_per value"),
        reflections=table.choice("reflections", ("lms", "device"), "lms", "reflections value"),
        suspend_data_limit=table.integer("suspend_data_limit", 4096, low=256, high=65536),
        reflection_max_chars=table.integer("reflection_max_chars", BuildSettings.reflection_max_chars, low=20,
                                           high=10000),
        out=table.string("out", "dist") or "dist",
        templates=_templates(table, root),
        languages=table.choice("languages", LANGUAGE_MODES, "together", "languages value"),
    )


def _templates(table: Table, root: Path) -> str:
    """The templates setting: a folder inside the course, which must exist (a typo would silently build with the
    default templates)."""
    name = table.string("templates")
    if not name:
        return ""
    folder = root / name
    if Path(name).is_absolute() or re.match(r"^[A-Za-z]:", name) or links_out(folder, root):
        table.report("templates", f"the templates folder '{name}' is outside the course folder",
                     "keep template overrides in a folder of the course, e.g. templates = \"my-templates\"")
        return ""
    if not folder.is_dir():
        near = _closest(name, {p.name for p in root.iterdir() if p.is_dir()}) if root.is_dir() else ""
        table.report("templates", f"the templates folder '{name}' does not exist",
                     f"did you mean '{near}'?" if near else "create it, or remove the templates setting")
        return ""
    return name


@dataclass(frozen=True)
class SetSettings:
    title: str
    description: str
    version: str
    language: str
    keywords: tuple[str, ...]
    modules: tuple[str, ...]
    completion: Completion
    path: Path
    modules_line: int
    stages: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # every language of the set, in display order (its own among them)
    languages_line: int = 1
    text: str = ""  # the file as read, for what is found in its words besides settings (placeholders)


def _set_table(folder: Path, problems: Problems) -> Table | None:
    """The folder's set.toml as a table; None when it cannot be read at all (the problem is recorded)."""
    path = folder / SET_CONFIG_NAME
    try:
        text = read_text(path)
        return Table(path, text, parse_toml(path, text), problems)
    except SourceError as exc:
        problems.append(exc.problem)
        return None


def load_set_settings(folder: Path, problems: Problems) -> SetSettings | None:
    """Read a set.toml; None when it cannot be read at all (the problem is recorded)."""
    table = _set_table(folder, problems)
    if table is None:
        return None
    path = table.path
    table.reject_unknown({"title", "description", "version", "language", "keywords", "modules", "completion",
                          "stages", "languages"})
    version = table.string("version", "0", required=True)
    if not VERSION.match(version):
        table.report("version", f"version '{version}' cannot be used in a file name",
                     'use letters, digits, dots and hyphens, e.g. "1.0.0"')
        version = "0"
    language = table.string("language", "en-GB")
    if not LANGUAGE_TAG.match(language):
        table.report("language", f"'{language}' is not a language tag", 'e.g. "en-GB" or "cy"')
        language = "en-GB"
    modules = table.strings("modules", required=True)
    if "modules" in table.data and not modules:
        table.report("modules", "the set lists no modules", 'modules = ["first-module-file-name"]')
    completion = table.table("completion")
    completion.reject_unknown({"rule", "pass_mark", "attempts"})
    stages = table.strings("stages")
    if len(stages) not in (0, 3):
        table.report("stages", f"stages lists {len(stages)} line(s); the series has three stages",
                     'write one line for each: stages = ["Personal foundation: ...", "Building a practice: ...", '
                     '"Collective enactment: ..."]')
        stages = ()
    return SetSettings(
        title=table.string("title", folder.name, required=True, max_length=MANIFEST_TITLE_LIMIT),
        description=table.string("description"),
        version=version,
        language=language,
        keywords=table.strings("keywords"),
        modules=modules,
        completion=Completion(completion.choice("rule", COMPLETION_RULES, "all-pages", "completion rule"),
                              completion.integer("pass_mark", None, low=0, high=100),
                              completion.integer("attempts", 0, low=0, high=99)),
        stages=stages,
        path=path,
        modules_line=table.line_of("modules"),
        languages=_languages(table, language),
        languages_line=table.line_of("languages"),
        text=table.text,
    )


def _languages(table: Table, language: str) -> tuple[str, ...]:
    """``languages``: the set's languages in the order learners are offered them; its own ``language`` among them."""
    codes = table.strings("languages")
    if not codes:
        return ()
    for code in codes:
        if not LANGUAGE_TAG.match(code):
            table.report("languages", f"'{code}' in languages is not a language tag", 'e.g. "en-GB" or "cy"')
            return ()
    if len(set(codes)) < len(codes):
        table.report("languages", "languages names a language twice", "list each language once")
        return ()
    if language not in codes:
        table.report("languages", f"languages does not list the set's own language '{language}'",
                     f'add it where it belongs in the order, e.g. languages = ["{language}", "{codes[0]}"]')
        return ()
    return codes


@dataclass(frozen=True)
class TranslationSettings:
    """A translation's set.toml: the set's words in its language, and whether a reviewer has cleared it."""

    title: str
    description: str
    keywords: tuple[str, ...]
    stages: tuple[str, ...]
    status: str
    path: Path
    text: str = ""  # the file as read (see SetSettings.text)


def load_translation_settings(folder: Path, problems: Problems, stage_count: int) -> TranslationSettings | None:
    """Read ``<set>/<language>/set.toml``; None when it cannot be read at all (the problem is recorded)."""
    table = _set_table(folder, problems)
    if table is None:
        return None
    table.reject_unknown({"title", "description", "keywords", "stages", "status"})
    stages = table.strings("stages")
    if len(stages) != stage_count:
        table.report("stages", f"stages lists {len(stages)} line(s); the set's own set.toml has {stage_count}",
                     "translate each of its stages, in the same order")
    return TranslationSettings(
        title=table.string("title", folder.parent.name, required=True, max_length=MANIFEST_TITLE_LIMIT),
        description=table.string("description"),
        keywords=table.strings("keywords"),
        stages=stages if len(stages) == stage_count else (),
        status=table.choice("status", TRANSLATION_STATUSES, "draft", "translation status"),
        path=table.path,
        text=table.text,
    )


def front_matter(path: Path, text: str, problems: Problems) -> tuple[Table | None, int]:
    """Split the ``+++`` TOML block off a module file: (its table, or None if unusable; the body's first line).

    A file without the block is still read for its pages; a block that never closes swallows the file, so it
    is fatal.
    """
    lines = text.split("\n")
    if lines[0].strip() != "+++":
        problems.add(path, 1, "the module does not start with its settings block",
                     'begin the file with a line +++, then title = "...", minutes = 30, outcomes = [...], '
                     "then a closing +++")
        return None, 0
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "+++":
            block = "\n".join(lines[1:index])
            data = problems.attempt(lambda block=block: parse_toml(path, block, line_offset=1), None)
            if data is None:
                return None, index + 1
            return Table(path, block, data, problems, line_offset=1, header_line=1), index + 1
    raise SourceError(path, 1, "the settings block is never closed", "add a line +++ after the last setting")


EDITIONS_DIR = "editions"  # in content/: one <edition id>.toml per organisation's edition


def load_edition(path: Path, series: SeriesSettings, problems: Problems) -> Edition | None:
    """One organisation's edition; what it leaves out of [theme] comes from the series' theme, and its texts
    add to (and override) the series' [texts]. Its base IRI defaults to one of its own under the series'."""
    edition_id = path.stem
    if not ID_NAME.match(edition_id):
        problems.add(path, 1, f"'{path.name}' cannot name an edition", "name the file with lower-case letters, "
                     "digits and hyphens (at most 40), e.g. editions/cardiff.toml: the name is the edition's id")
        return None
    try:
        text = read_text(path)
        data = parse_toml(path, text)
    except SourceError as exc:
        problems.append(exc.problem)
        return None
    top = Table(path, text, data, problems, placeholders=False)
    top.reject_unknown({"edition", "theme", "accessibility", "texts"})
    edition = top.table("edition")
    edition.reject_unknown({"organisation", "base_iri", "translations"})
    if "edition" not in data:
        problems.add(path, 1, "the file has no [edition] table", 'add [edition] with organisation = "..." '
                     "(see docs/authoring.md, Editions)")
    translations = edition.table("translations")
    names = []
    for code in translations.data:
        words = translations.table(code)
        words.reject_unknown({"organisation"})
        if not LANGUAGE_TAG.match(code):
            translations.report(code, f"'{code}' is not a language tag", "name the table after a language: "
                                "[edition.translations.cy]")
        elif "organisation" in words.data:
            names.append((code, words.string("organisation", max_length=LMS_TITLE_LIMIT)))
    return Edition(
        id=edition_id,
        organisation=edition.string("organisation", series.organisation, required=True, max_length=LMS_TITLE_LIMIT),
        base_iri=_base_iri(edition, f"{series.base_iri}{EDITIONS_DIR}/{edition_id}/"),
        theme=_theme(top.table("theme"), series.theme),
        accessibility=accessibility_settings(top.table("accessibility")),
        texts=texts_settings(top.table("texts")),
        path=path,
        translations=tuple(names),
    )


ID_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
