"""``leadpack translate``: a set's texts out to translators as XLIFF 2.0, and their translations back into sources.

``export`` writes one unit per text of the original (pipeline/segments.py cuts the files): its source, the
translation's text as the target where there is one, and a note saying where the text sits. Each unit's state says
what is to do: ``translated``, or ``initial`` where there is no translation yet or where the original changed after
the translation was made (the translation lock records the original each text was translated from), with the old
translation kept as the target to start from.

``import`` writes the translation's files afresh from the original's structure, filled with the targets (then the
translation's own texts, then the original's for a text nobody has translated yet), and updates the lock for every
unit a translator has translated. Everything is checked first and written together, so a bad file writes nothing.

XLIFF is written with lxml rather than a translation library: translate-toolkit, the one library with XLIFF 2.0
support, is GPL-licensed and writes a unit's notes after its segment, which the XLIFF 2.0 schema forbids.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from leadpack.errors import LeadpackError, Problem, Problems, ProblemsFound, SourceError
from leadpack.pipeline import model
from leadpack.pipeline.archive import write_files_atomically
from leadpack.pipeline.config import SET_CONFIG_NAME, load_translation_settings, read_file, read_text
from leadpack.pipeline.editions import NAMED
from leadpack.pipeline.limits import MAX_XLIFF_BYTES
from leadpack.pipeline.load import load_module, read_series
from leadpack.pipeline.parity import LOCK_NAME, Lock, lock_text, original_segments, read_lock
from leadpack.pipeline.segments import (
    SET_FILE,
    FillError,
    Segment,
    fingerprint,
    module_skeleton,
    set_file,
    set_segments,
)

XLIFF = "urn:oasis:names:tc:xliff:document:2.0"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "xliff_core_2.0.xsd"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
DONE_STATES = ("translated", "reviewed", "final")  # a unit in one of these states is a translation of its source
FILE_NOTE = ("Texts are Markdown: keep **bold**, *italic*, [link text](#page-id) and other marks around the words "
             "you translate, and keep each line break where a list or paragraph needs one.")


def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def _x(tag: str) -> str:
    return f"{{{XLIFF}}}{tag}"


@dataclass
class Exported:
    path: Path
    units: int
    to_translate: int  # units with no translation, or whose original changed after it was translated


def export(root: Path, set_id: str, language: str, out: Path | None = None) -> Exported:
    """Write the XLIFF file for translating ``set_id`` into ``language``; returns what it holds."""
    course_set = _original(root, set_id, language)
    folder = course_set.folder / language
    existing = _translation_segments(course_set, folder)
    lock = read_lock(folder) or {}
    root_element = etree.Element(_x("xliff"), nsmap={None: XLIFF}, version="2.0", srcLang=course_set.language,
                                 trgLang=language)
    units = to_translate = 0
    for name, segments in original_segments(course_set).items():
        file_element = etree.SubElement(root_element, _x("file"), id=name, original=f"{course_set.id}/{name}")
        _notes(file_element, FILE_NOTE)
        for segment in segments:
            target = existing.get(name, {}).get(segment.id)
            recorded = lock.get(name, {}).get(segment.id)
            changed = recorded is not None and recorded != fingerprint(segment.text)
            state = "initial" if target is None or changed else "translated"
            _unit(file_element, segment, target, state, changed)
            units += 1
            to_translate += state == "initial"
    data = etree.tostring(root_element, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    schema = _schema()
    if not schema.validate(etree.fromstring(data)):  # our own writing: a mistake here is leadpack's
        raise LeadpackError(f"leadpack wrote XLIFF its schema refuses: {schema.error_log.last_error}")
    path = out or root / f"{course_set.id}-{language}.xlf"
    write_files_atomically([(path, data)])
    return Exported(path, units, to_translate)


def _notes(parent: etree._Element, *texts: str) -> None:
    notes = etree.SubElement(parent, _x("notes"))
    for text in texts:
        etree.SubElement(notes, _x("note"), category="leadpack").text = text


def _unit(parent: etree._Element, segment: Segment, target: str | None, state: str, changed: bool) -> None:
    unit = etree.SubElement(parent, _x("unit"), id=segment.id)
    notes = [segment.note[:1].upper() + segment.note[1:] + "."]
    if changed:
        notes.append("The original changed after this was translated: the target is the old translation, to "
                     "update.")
    _notes(unit, *notes)
    element = etree.SubElement(unit, _x("segment"), state=state)
    _inline(etree.SubElement(element, _x("source")), segment.text)
    if target is not None:
        _inline(etree.SubElement(element, _x("target")), target)


def _inline(element: etree._Element, text: str) -> None:
    """A source or target: the text, with each [[name]] placeholder as an XLIFF placeholder (<ph>) that
    translation tools show as a tag to keep, not words to translate."""
    element.set(XML_SPACE, "preserve")
    pieces = NAMED.split(text)  # text, name, text, name, ..., text
    element.text = pieces[0]
    for number in range(1, len(pieces), 2):
        written = f"[[{pieces[number]}]]"
        code = etree.SubElement(element, _x("ph"), id=f"ph{number // 2 + 1}", disp=written, equiv=written)
        code.set("canDelete", "no")
        code.tail = pieces[number + 1]


def _inline_text(path: Path, element: etree._Element, placeholders: dict[str, str]) -> str:
    """The text of a source or target, each <ph> back as the placeholder it stands for (found by its id in the
    source when a tool kept only the id); one that stands for nothing known would drop words unseen."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == _x("ph"):
            written = placeholders.get(child.get("id", ""), child.get("equiv") or "")
            if not written:
                raise SourceError(path, child.sourceline or 1, f"a placeholder <ph id=\"{child.get('id', '')}\"> "
                                  "stands for nothing the source has", "keep the source's placeholders as they are "
                                  "(a translation tool shows them as tags), and remove any other")
            parts.append(written)
        else:
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def _original(root: Path, set_id: str, language: str) -> model.CourseSet:
    """The set to translate, read without mistakes in the original (a translation's own are reported by check)."""
    series, found = read_series(root, (set_id,))
    if not series.sets:
        raise ProblemsFound(found.errors or [Problem(set_id, 1, f"no set '{set_id}'")])
    course_set = series.sets[0]
    own = [p for p in found.errors if not Path(p.path).resolve().is_relative_to((course_set.folder / language)
                                                                                 .resolve())]
    if own:
        raise ProblemsFound(own)
    if language == course_set.language:
        raise LeadpackError(f"'{language}' is the set's own language: name the language to translate into")
    return course_set


def _translation_segments(course_set: model.CourseSet, folder: Path) -> dict[str, dict[str, str]]:
    """The texts a translation folder holds, by file and segment id (none for a file it lacks or cannot read)."""
    found: dict[str, dict[str, str]] = {}
    problems = Problems()
    settings = load_translation_settings(folder, problems, len(course_set.stages)) \
        if (folder / SET_CONFIG_NAME).is_file() else None
    if settings is not None:
        translated = replace(course_set, title=settings.title, description=settings.description,
                             keywords=settings.keywords, stages=settings.stages)
        found[SET_FILE] = {s.id: s.text for s in set_segments(translated, read_text(settings.path))}
    for english in course_set.modules:
        path = folder / english.source.name
        module = load_module(path, problems) if path.is_file() else None
        if module is not None:
            found[english.source.name] = {s.id: s.text for s in module_skeleton(read_text(path), module).segments}
    return found


# ---- import ----------------------------------------------------------------------------------------------------

@dataclass
class Imported:
    written: list[Path]
    language: str
    set_id: str
    untranslated: int  # texts still in the original's language
    dropped: int  # units of the file that the original no longer has
    listed: bool  # the set's languages already name this language
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Unit:
    source: str
    target: str | None
    state: str
    line: int


def import_file(root: Path, path: Path) -> Imported:
    """Write the translation held in the XLIFF file ``path`` into the translation's sources."""
    document = _read_xliff(path)
    language, files = document.get("trgLang") or "", _units(path, document)
    set_ids = {original.split("/")[0] for original, _ in files.values()}
    if not language:
        raise SourceError(path, document.sourceline or 1, "the XLIFF file names no target language (trgLang)",
                          "export it again with leadpack translate export SET --lang LANGUAGE")
    if len(set_ids) != 1:
        raise SourceError(path, 1, "the XLIFF file does not come from one set's export",
                          "import the file leadpack translate export wrote, as the translator returned it")
    course_set = _original(root, set_ids.pop(), language)
    if document.get("srcLang") != course_set.language:
        raise SourceError(path, document.sourceline or 1, f"the file translates from '{document.get('srcLang')}', "
                          f"but the set is written in '{course_set.language}'", "export it again from this course")
    folder = course_set.folder / language
    existing, lock = _translation_segments(course_set, folder), read_lock(folder) or {}
    new_lock: Lock = {}
    outputs: list[tuple[Path, bytes]] = []
    problems, untranslated, used = Problems(), 0, set()
    originals = original_segments(course_set)
    for name, segments in originals.items():
        units = files.get(name, ("", {}))[1]
        texts: dict[str, str] = {}
        new_lock[name] = {}
        for segment in segments:
            unit, own = units.get(segment.id), existing.get(name, {}).get(segment.id)
            used.add((name, segment.id))
            recorded = lock.get(name, {}).get(segment.id)
            if unit is not None and unit.target is not None:
                texts[segment.id] = unit.target
                recorded = fingerprint(unit.source) if unit.state in DONE_STATES else recorded
            elif own is not None:
                texts[segment.id] = own
            else:
                untranslated += 1
                recorded = None
            if recorded is not None:
                new_lock[name][segment.id] = recorded
        text = _filled(course_set, name, segments, texts, folder, units, path, problems)
        if text is not None:
            outputs.append((folder / name, text.encode("utf-8")))
    if problems:
        raise ProblemsFound(list(problems))
    outputs.append((folder / LOCK_NAME, lock_text(new_lock).encode("utf-8")))
    dropped = sum(1 for name, (_, units) in files.items() for unit_id in units if (name, unit_id) not in used)
    changed = [(target, data) for target, data in outputs if not target.is_file() or read_file(target, None) != data]
    write_files_atomically(changed)
    return Imported([target for target, _ in changed], language, course_set.id, untranslated, dropped,
                    language in course_set.languages)


def _filled(course_set: model.CourseSet, name: str, segments: list[Segment], texts: dict[str, str], folder: Path,
            units: dict[str, _Unit], path: Path, problems: Problems) -> str | None:
    """One file of the translation, or None with the problems recorded."""
    if name == SET_FILE:
        config = folder / SET_CONFIG_NAME
        existing = read_text(config) if config.is_file() else None
        status = _status(existing)
        return set_file(texts, segments, existing, status)
    english = next(m for m in course_set.modules if m.source.name == name)
    try:
        return module_skeleton(read_text(english.source), english).fill(texts)
    except FillError as exc:
        unit = units.get(exc.segment_id)
        problems.add(path, unit.line if unit else 1, f"the translation of '{exc.segment_id}' in {name}: {exc}",
                     "change the target and import the file again")
        return None


def _status(existing: str | None) -> str:
    try:
        status = tomllib.loads(existing).get("status") if existing else None
    except tomllib.TOMLDecodeError:
        status = None
    return status if status in ("draft", "reviewed") else "draft"


def _read_xliff(path: Path) -> etree._Element:
    """The file's root element, once it is well-formed XLIFF 2.0 by the schema; otherwise an error at its line."""
    data = read_file(path, MAX_XLIFF_BYTES)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SourceError(path, exc.lineno or 1, f"the file is not well-formed XML: {exc.msg}",
                          "return the file as the translation tool saved it") from None
    schema = _schema()
    if not schema.validate(root):
        error = schema.error_log.last_error
        message = error.message.replace(f"{{{XLIFF}}}", "")
        raise SourceError(path, error.line or 1, f"the file is not XLIFF 2.0 as its schema defines it: {message}",
                          "save it from the translation tool as XLIFF 2.0")
    return root


def _units(path: Path, root: etree._Element) -> dict[str, tuple[str, dict[str, _Unit]]]:
    """file id -> (original, unit id -> unit), from every <file> of the document."""
    found: dict[str, tuple[str, dict[str, _Unit]]] = {}
    for file_element in root.iter(_x("file")):
        original = file_element.get("original") or ""
        if "/" not in original:
            raise SourceError(path, file_element.sourceline or 1, f"the file element '{file_element.get('id')}' "
                              "does not name the source it was exported from (original)",
                              "import the file leadpack translate export wrote")
        units: dict[str, _Unit] = {}
        for unit in file_element.iter(_x("unit")):
            segment = unit.find(_x("segment"))
            if segment is None:
                continue
            source, target = segment.find(_x("source")), segment.find(_x("target"))
            placeholders = {code.get("id", ""): code.get("equiv") or "" for code in source.iter(_x("ph"))}
            units[unit.get("id")] = _Unit(_inline_text(path, source, placeholders),
                                          None if target is None else _inline_text(path, target, placeholders),
                                          segment.get("state") or "initial", unit.sourceline or 1)
        found[file_element.get("id")] = (original, units)
    return found

