"""Editions: the series as one organisation publishes it, and the [[name]] placeholders its local texts fill.

An edition (``content/editions/<id>.toml``) changes who publishes the course (name, logo, colours, the base IRI
of its activity ids, the accessibility contact) and fills the placeholders module files and set.toml's words use
for local signposting, such as ``[[support_contact]]``. The series' own edition takes its values from
leadpack.toml.

Content stays inert: a placeholder is filled after Markdown has been converted, with the value escaped as text,
so no value can add markup, a link or a script; and page, question and reflection ids come from the sources as
written, so they are the same in every edition and a learner's record means the same everywhere. A placeholder
may stand only in text (not in a link address or an HTML attribute), which ``check`` enforces.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path

from leadpack.errors import Problems
from leadpack.pipeline import model
from leadpack.pipeline.config import (
    EDITIONS_DIR,
    PLACEHOLDER,
    SET_CONFIG_NAME,
    TEXT_NAME,
    SeriesSettings,
    links_out,
    load_edition,
    setting_line,
)

NAMED = re.compile(r"\[\[(" + TEXT_NAME.pattern.strip("^$") + r")\]\]")  # a placeholder proper: [[name]]
IN_A_TAG = re.compile(r"<[^<>]*\[\[")
TEXT_FIELDS = {"title", "text", "alt", "caption", "description", "outcomes", "html"}  # and every *_html, *_text
SET_WORDS = ("title", "description", "keywords", "stages")  # what set.toml says in words, where placeholders fill
ALL = "all"  # --edition all: the series' own edition and every edition in content/editions/


def is_html(field_name: str) -> bool:
    """Whether a model field holds HTML (templates put it in as it is), so a value filled into it is escaped."""
    return field_name == "html" or field_name.endswith("_html")


# ---- reading ----

def scan(path: Path, lines: list[str], body_start: int, problems: Problems) -> tuple[model.Placeholder, ...]:
    """Every [[name]] in a module's source lines, with its place; a malformed one in the body is an error there.
    In TOML (the front matter, or all of a set.toml: ``body_start`` is then past the end), where [[...]] also
    writes nested lists and table headers, only a well-formed placeholder counts, and a line that starts with [[
    is TOML's own, as one that starts with # is a comment."""
    found = []
    for index, line in enumerate(lines):
        if "[[" not in line or index < body_start and line.lstrip().startswith(("[[", "#")):
            continue
        for match in (NAMED if index < body_start else PLACEHOLDER).finditer(line):
            name = match.group(1)
            if TEXT_NAME.match(name):
                found.append(model.Placeholder(name, index + 1, match.start() + 1))
            else:
                problems.add(path, index + 1, f"'{match.group()[:70]}' is not a placeholder name",
                             "a placeholder is [[name]] with a lower-case name of letters, digits and _ starting "
                             "with a letter, e.g. [[support_contact]]; its value comes from [texts]",
                             match.start() + 1)
    return tuple(found)


def load_editions(root: Path, settings: SeriesSettings, problems: Problems) -> tuple[model.Edition, ...]:
    """Every edition in content/editions/, in id order."""
    folder = root / "content" / EDITIONS_DIR
    if not folder.is_dir() or links_out(folder, root):
        return ()
    found = []
    for path in sorted(folder.glob("*.toml")):
        if links_out(path, root):
            problems.add(path, 1, f"{path.name} is a link to a file outside the course folder",
                         "copy the edition's file into content/editions/ instead of linking to it")
            continue
        edition = load_edition(path, settings, problems)
        if edition is not None:
            found.append(edition)
    return tuple(found)


# ---- choosing ----

def chosen(series: model.Series, names: tuple[str, ...]) -> tuple[model.Edition | None, ...]:
    """The editions a build makes: none named, the series' own (None); 'all', it and every edition."""
    if not names:
        return (None,)
    known = {edition.id: edition for edition in series.editions}
    if ALL in names:
        return (None, *series.editions)
    return tuple(known[name] for name in dict.fromkeys(names))


def unknown(series: model.Series, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name != ALL and name not in {e.id for e in series.editions}]


# ---- filling ----

def edition_series(series: model.Series, edition: model.Edition | None) -> model.Series:
    """The series as ``edition`` publishes it (None: as the series itself does), placeholders filled."""
    texts = texts_of(series, edition)
    if edition is not None:
        words = dict(series.translations)
        for language, organisation in edition.translations:
            words[language] = tuple({**dict(words.get(language, ())), "organisation": organisation}.items())
        series = replace(series, edition=edition.id, organisation=edition.organisation, base_iri=edition.base_iri,
                         theme=edition.theme, accessibility=edition.accessibility, config_path=edition.path,
                         translations=tuple(words.items()))
    sets = tuple(_filled_set(course_set, texts) for course_set in series.sets)
    titles = {course_set.id: course_set.title for course_set in sets}
    every = values_for(texts, "")  # a set not loaded: its title in its own language, with the common values
    catalogue = tuple((set_id, titles.get(set_id) or fill(title, every, as_html=False))
                      for set_id, title in series.catalogue)
    return replace(series, sets=sets, catalogue=catalogue)


def texts_of(series: model.Series, edition: model.Edition | None) -> model.Texts:
    """The texts an edition fills placeholders with: the series' own [texts], with the edition's over them."""
    return series.texts if edition is None else merged(series.texts, edition.texts)


def merged(base: model.Texts, over: model.Texts) -> model.Texts:
    """``over``'s values added to ``base``'s, language by language."""
    tables = {language: dict(values) for language, values in base}
    for language, values in over:
        tables.setdefault(language, {}).update(values)
    return tuple((language, tuple(sorted(values.items()))) for language, values in sorted(tables.items()))


def values_for(texts: model.Texts, language: str) -> dict[str, str]:
    """The values a page in ``language`` uses: [texts.<language>] over [texts]."""
    tables = dict(texts)
    return {**dict(tables.get("", ())), **dict(tables.get(language, ()))}


def _filled_set(course_set: model.CourseSet, texts: model.Texts) -> model.CourseSet:
    """The set with its words and its modules' filled (a translation that keeps the original's stages holds the
    original's placeholders in them, so every field is looked at)."""
    values = values_for(texts, course_set.language)
    words = {name: _field(name, getattr(course_set, name), values) for name in SET_WORDS}
    modules = tuple(_filled(module, values) if module.placeholders else module for module in course_set.modules)
    translations = tuple(_filled_set(other, texts) for other in course_set.translations)
    return replace(course_set, modules=modules, translations=translations, **words)


def _filled(node: object, values: dict[str, str]) -> object:
    """A copy of a model object with every placeholder in its text fields filled (HTML fields get the value
    escaped; plain-text fields get it as it is, since templates, JSON and XML escape those themselves)."""
    changed = {}
    for field in fields(node):  # type: ignore[arg-type]
        value = getattr(node, field.name)
        new = _field(field.name, value, values)
        if new is not value:
            changed[field.name] = new
    return replace(node, **changed) if changed else node  # type: ignore[type-var]


def _field(name: str, value: object, values: dict[str, str]) -> object:
    if isinstance(value, str):
        text_field = name in TEXT_FIELDS or name in SET_WORDS or name.endswith(("_html", "_text"))
        return fill(value, values, is_html(name)) if text_field and "[[" in value else value
    if isinstance(value, tuple):
        items = tuple(_field(name, item, values) for item in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    if is_dataclass(value) and not isinstance(value, type):
        return _filled(value, values)
    return value


def fill(text: str, values: dict[str, str], as_html: bool) -> str:
    """``text`` with each [[name]] that has a value replaced by it (escaped for HTML when ``as_html``)."""
    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        if found is None:
            return match.group()
        return html.escape(found, quote=True) if as_html else found
    return NAMED.sub(value, text)


# ---- checking ----

@dataclass(frozen=True)
class _Uses:
    """A source file's placeholders: a module's, or a set.toml's (translated: in a set's translation)."""

    course_set: model.CourseSet
    translated: bool
    source: Path
    placeholders: tuple[model.Placeholder, ...]


def _uses(series: model.Series) -> list[_Uses]:
    """Every file of the loaded sets that holds a placeholder, in every language."""
    found = []
    for each in series.sets:
        for course_set in each.language_versions:
            translated = course_set is not each
            found.append(_Uses(course_set, translated, course_set.folder / SET_CONFIG_NAME, course_set.placeholders))
            found.extend(_Uses(course_set, translated, module.source, module.placeholders)
                         for module in course_set.modules)
    return [uses for uses in found if uses.placeholders]


def check_editions(series: model.Series, editions: tuple[model.Edition | None, ...], problems: Problems) -> None:
    """Every placeholder has a value in every edition checked, in every language; each stands only in text; and
    each value an edition gives is used somewhere."""
    every = _uses(series)
    used = {placeholder.name for uses in every for placeholder in uses.placeholders}
    for each in series.sets:
        for course_set in each.language_versions:
            for module in course_set.modules:
                if module.placeholders:
                    _check_in_text(module, problems)
        for translation in each.translations:
            check_translated(each, translation, problems)
    _check_base_iris(series, editions, problems)
    for edition in editions:
        texts = texts_of(series, edition)
        for uses in every:
            language = uses.course_set.language
            values, own = values_for(texts, language), dict(dict(texts).get(language, ()))
            table = f"[texts.{language}]" if uses.translated else "[texts]"
            for placeholder in uses.placeholders:
                if placeholder.name not in values:
                    problems.add(uses.source, placeholder.line, _missing(placeholder.name, edition),
                                 _where_to_add(placeholder.name, edition, table), placeholder.col)
                elif uses.translated and placeholder.name not in own:
                    problems.add(uses.source, placeholder.line, f"[[{placeholder.name}]] has no {language} value "
                                 f"{_whose(edition)}, so the [texts] one is used",
                                 _where_to_add(placeholder.name, edition, table), placeholder.col, severity="warning")
        if len(series.sets) == len(series.catalogue):  # with only some sets loaded, the others may use a text
            _check_unused(edition, series, used, problems)


def _check_base_iris(series: model.Series, editions: tuple[model.Edition | None, ...], problems: Problems) -> None:
    """Each edition's activity ids are its own: a base IRI the series or another edition uses is an error."""
    owners = {series.base_iri: "the series (leadpack.toml)"}
    for edition in series.editions:
        mine = f"the edition '{edition.id}'"
        other = owners.setdefault(edition.base_iri, mine)
        if other != mine and edition in editions:
            problems.add(edition.path, setting_line(edition.path, "base_iri"), f"base_iri is the one {other} uses, so "
                         "the two would share activity ids and learners' records", "give the edition an address of "
                         "its own, or leave base_iri out for one under the series' address")


def check_translated(original: model.CourseSet, translation: model.CourseSet, problems: Problems) -> None:
    """A translation uses the placeholders its original uses, so every language shows the edition's words."""
    theirs = {module.id: module for module in translation.modules}
    _kept_in_translation(original.placeholders, translation.folder / SET_CONFIG_NAME, translation.placeholders,
                         problems)
    for module in original.modules:
        translated = theirs.get(module.id)
        if translated is not None:
            _kept_in_translation(module.placeholders, translated.source, translated.placeholders, problems)


def _kept_in_translation(original: tuple[model.Placeholder, ...], source: Path,
                         translated: tuple[model.Placeholder, ...], problems: Problems) -> None:
    for name in sorted({p.name for p in original} - {p.name for p in translated}):
        line = next(p.line for p in original if p.name == name)
        problems.add(source, 1, f"the original uses [[{name}]] (at line {line}) and this translation does not",
                     f"write [[{name}]] where it belongs in the translation: the translation tool shows it as a tag "
                     "to keep", severity="warning")


def _check_in_text(module: model.Module, problems: Problems) -> None:
    for page in module.pages:
        for block in page.blocks:
            for field in fields(block):  # type: ignore[arg-type]
                value = getattr(block, field.name)
                if isinstance(value, str) and is_html(field.name) and IN_A_TAG.search(value):
                    line = next((p.line for p in module.placeholders if p.line >= page.line), page.line)
                    problems.add(module.source, line, "a [[placeholder]] stands inside a link address or an HTML "
                                 "attribute", "placeholders stand only in text: write the link in the module, "
                                 "and the placeholder in its words or beside it")
                    return


def _whose(edition: model.Edition | None) -> str:
    return f"in the edition '{edition.id}'" if edition else "in the series' own edition"


def _missing(name: str, edition: model.Edition | None) -> str:
    return f"[[{name}]] has no value {_whose(edition)}"


def _where_to_add(name: str, edition: model.Edition | None, table: str) -> str:
    if edition is None:
        return f'add {name} = "..." under {table} in leadpack.toml; every edition inherits it'
    return f'add {name} = "..." under {table} in content/{EDITIONS_DIR}/{edition.path.name}, or under [texts] in ' \
           "leadpack.toml for every edition"


def _check_unused(edition: model.Edition | None, series: model.Series, used: set[str], problems: Problems) -> None:
    texts = series.texts if edition is None else edition.texts
    path = series.config_path if edition is None else edition.path
    if path is None:
        return
    for _, values in texts:
        for name, _value in values:
            if name not in used:
                problems.add(path, setting_line(path, name), f"nothing in the content uses the text '{name}'",
                             f"write [[{name}]] where it belongs in a module or a set.toml, or remove it",
                             severity="warning")
