"""leadpack.toml and set.toml → typed settings, with errors that name the file and line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadpack.errors import SourceError
from leadpack.model import BuildSettings, Completion, Theme

CONFIG_NAME = "leadpack.toml"
SET_CONFIG_NAME = "set.toml"
FORMATS = ("scorm12", "xapi")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}$")
COMPLETION_RULES = ("all-pages", "all-pages-and-checks")
CREDENTIAL_KEYS = {"endpoint", "auth", "username", "password", "secret", "token", "lrs", "key"}


def read_text(path: Path) -> str:
    """Read a UTF-8 source (with or without BOM, any line ending); bad bytes are an error at their line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(path, line, "the file is not valid UTF-8 text",
                          "save it as UTF-8 in your editor") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_toml(path: Path, text: str, line_offset: int = 0) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        message = re.sub(r"\s*\(at line.*\)$", "", str(exc)) or "invalid TOML"
        raise SourceError(path, line + line_offset, f"TOML syntax: {message.lower()}",
                          'write settings as key = "value", one per line', col) from None


class Table:
    """A TOML table with typed getters whose errors point at the key's line."""

    def __init__(self, path: Path, text: str, data: dict[str, Any], name: str = "", line_offset: int = 0):
        self.path, self.text, self.data, self.name, self.line_offset = path, text, data, name, line_offset

    def line_of(self, key: str) -> int:
        for number, line in enumerate(self.text.split("\n"), start=1):
            if re.match(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
                return number + self.line_offset
        return 1 + self.line_offset

    def fail(self, key: str, message: str, hint: str = "") -> SourceError:
        return SourceError(self.path, self.line_of(key), message, hint)

    def _get(self, key: str, kinds: tuple[type, ...], kind_name: str, default: Any, required: bool) -> Any:
        if key not in self.data:
            if required:
                where = f" in [{self.name}]" if self.name else ""
                raise SourceError(self.path, 1 + self.line_offset, f"missing setting '{key}'{where}",
                                  f"add a line: {key} = ...")
            return default
        value = self.data[key]
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            raise self.fail(key, f"'{key}' must be {kind_name}, not {type(value).__name__}",
                            f"for example: {key} = {_example(kind_name)}")
        return value

    def string(self, key: str, default: str = "", required: bool = False, max_length: int = 0) -> str:
        value = self._get(key, (str,), "text in quotes", default, required).strip()
        if required and not value:
            raise self.fail(key, f"'{key}' is empty", f"write a value between the quotes of {key}")
        if max_length and len(value) > max_length:
            raise self.fail(key, f"'{key}' is {len(value)} characters long; LMS fields allow {max_length}",
                            "shorten it")
        return value

    def integer(self, key: str, default: int | None = None, required: bool = False,
                low: int | None = None, high: int | None = None) -> int | None:
        value = self._get(key, (int,), "a whole number", default, required)
        if value is not None and (low is not None and value < low or high is not None and value > high):
            raise self.fail(key, f"'{key}' must be between {low} and {high}, not {value}")
        return value

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self._get(key, (list,), "a list of texts", [], required)
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(key, f"every item of '{key}' must be non-empty text in quotes",
                            f'for example: {key} = ["first", "second"]')
        return tuple(item.strip() for item in value)

    def table(self, key: str) -> Table:
        value = self._get(key, (dict,), "a table", {}, False)
        return Table(self.path, self.text, value, key, self.line_offset)

    def reject_unknown(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                near = _closest(key, allowed)
                where = f"[{self.name}]" if self.name else "this file"
                raise self.fail(key, f"unknown setting '{key}' in {where}",
                                f"did you mean '{near}'?" if near else "allowed: " + ", ".join(sorted(allowed)))


def _example(kind_name: str) -> str:
    return {"text in quotes": '"..."', "a whole number": "30", "a list of texts": '["...", "..."]',
            "a table": "[name] on its own line"}.get(kind_name, "...")


def _closest(word: str, options: set[str]) -> str:
    import difflib

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


def load_series_settings(root: Path) -> SeriesSettings:
    path = root / CONFIG_NAME
    if not path.is_file():
        raise SourceError(path, 1, f"no {CONFIG_NAME} here", "run leadpack from the course folder or use --root")
    text = read_text(path)
    top = Table(path, text, parse_toml(path, text))
    top.reject_unknown({"series", "theme", "build"})
    series = top.table("series")
    series.reject_unknown({"title", "organisation", "base_iri", "description"})
    base_iri = series.string("base_iri", required=True)
    if not re.match(r"^https?://[^\s/]+/\S*$", base_iri):
        raise series.fail("base_iri", f"base_iri '{base_iri}' is not a web address",
                          'write a full address ending in /, e.g. "https://learning.example.org/course/"')
    if not base_iri.endswith("/"):
        base_iri += "/"
    return SeriesSettings(
        title=series.string("title", required=True, max_length=255),
        organisation=series.string("organisation", required=True, max_length=255),
        base_iri=base_iri,
        description=series.string("description"),
        theme=_theme(top.table("theme")),
        build=_build(top.table("build")),
        path=path,
    )


def _theme(table: Table) -> Theme:
    table.reject_unknown({"primary", "accent", "logo"})
    defaults = Theme()
    colours = {}
    for key in ("primary", "accent"):
        value = table.string(key, getattr(defaults, key))
        if not COLOUR.match(value):
            raise table.fail(key, f"'{key}' colour '{value}' is not a colour code", 'write it as "#1d4f73"')
        colours[key] = value.lower()
    return Theme(logo=table.string("logo"), **colours)


def _build(table: Table) -> BuildSettings:
    table.reject_unknown({"formats", "sco_per", "reflections", "suspend_data_limit", "reflection_max_chars",
                          "out", "templates"} | CREDENTIAL_KEYS)
    for key in CREDENTIAL_KEYS & table.data.keys():
        raise table.fail(key, f"'{key}' cannot be written into a package",
                         "the LMS passes the LRS endpoint and credentials at launch; remove this setting")
    formats = table.strings("formats") or BuildSettings.formats
    for name in formats:
        if name not in FORMATS:
            raise table.fail("formats", f"unknown format '{name}'", "formats are " + ", ".join(FORMATS))
    sco_per = table.string("sco_per", "set")
    if sco_per not in ("set", "module"):
        raise table.fail("sco_per", f"sco_per must be \"set\" or \"module\", not \"{sco_per}\"")
    reflections = table.string("reflections", "lms")
    if reflections not in ("lms", "device"):
        raise table.fail("reflections", f"reflections must be \"lms\" or \"device\", not \"{reflections}\"")
    return BuildSettings(
        formats=formats,
        sco_per=sco_per,
        reflections=reflections,
        suspend_data_limit=table.integer("suspend_data_limit", 4096, low=256, high=65536),
        reflection_max_chars=table.integer("reflection_max_chars", 1000, low=20, high=10000),
        out=table.string("out", "dist"),
        templates=table.string("templates"),
    )


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


def load_set_settings(folder: Path) -> SetSettings:
    path = folder / SET_CONFIG_NAME
    text = read_text(path)
    table = Table(path, text, parse_toml(path, text))
    table.reject_unknown({"title", "description", "version", "language", "keywords", "modules", "completion"})
    version = table.string("version", required=True)
    if not VERSION.match(version):
        raise table.fail("version", f"version '{version}' cannot be used in a file name",
                         'use digits and dots, e.g. "1.0.0"')
    language = table.string("language", "en-GB")
    if not LANGUAGE_TAG.match(language):
        raise table.fail("language", f"'{language}' is not a language tag", 'e.g. "en-GB" or "cy"')
    modules = table.strings("modules", required=True)
    if not modules:
        raise table.fail("modules", "the set lists no modules", 'modules = ["first-module-file-name"]')
    completion = table.table("completion")
    completion.reject_unknown({"rule", "pass_mark"})
    rule = completion.string("rule", "all-pages")
    if rule not in COMPLETION_RULES:
        raise completion.fail("rule", f"unknown completion rule '{rule}'", "use " + " or ".join(COMPLETION_RULES))
    return SetSettings(
        title=table.string("title", required=True, max_length=200),
        description=table.string("description"),
        version=version,
        language=language,
        keywords=table.strings("keywords"),
        modules=modules,
        completion=Completion(rule, completion.integer("pass_mark", None, low=0, high=100)),
        path=path,
        modules_line=table.line_of("modules"),
    )


def front_matter(path: Path, text: str) -> tuple[Table, int]:
    """Split the ``+++`` TOML block off a module file; returns it and the line where the body starts."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        raise SourceError(path, 1, "the module does not start with its settings block",
                          'begin the file with a line +++, then title = "...", minutes = 30, outcomes = [...], '
                          "then a closing +++")
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "+++":
            block = "\n".join(lines[1:index])
            return Table(path, block, parse_toml(path, block, line_offset=1), line_offset=1), index + 1
    raise SourceError(path, 1, "the settings block is never closed", "add a line +++ after the last setting")
