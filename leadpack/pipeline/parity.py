"""A translation against the original it translates, for ``leadpack check`` and ``build``.

Errors: a page, block, question, option or reflection of one language that the other lacks, an id that differs,
another right answer, another file. One package holds every language and one saved state serves them all, so
each of these would show a learner something their progress does not match. Warnings: texts of the original that
changed after they were translated, or were never translated, found with the translation lock
(``<language>/translation.lock``, written by ``leadpack translate import``): for each text of the original, the
fingerprint of the version the translation was made from.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from leadpack.errors import Problems, SourceError
from leadpack.pipeline import model
from leadpack.pipeline.config import SET_CONFIG_NAME, links_out, read_text
from leadpack.pipeline.load import package_name
from leadpack.pipeline.segments import SET_FILE, Segment, fingerprint, module_skeleton, set_segments

LOCK_NAME = "translation.lock"
LOCK_HEADER = ("# Written by leadpack translate import: for each text of the original, a fingerprint of the version\n"
               "# this translation was made from. leadpack check lists the texts that have changed since.\n")
Lock = dict[str, dict[str, str]]  # file name (module file or set.toml) -> segment id -> fingerprint
UNTRANSLATED_LISTED = 10  # beyond this many texts of a file not yet translated, check says so once


def read_lock(folder: Path) -> Lock | None:
    """The translation lock of a translation folder, or None when it has none (or one that cannot be read, or a
    link to a file elsewhere, which is never read: check then says the translation has no lock)."""
    path = folder / LOCK_NAME
    if not path.is_file() or links_out(path, folder):
        return None
    try:
        data = tomllib.loads(read_text(path))
    except (SourceError, tomllib.TOMLDecodeError):
        return None
    return {name: {k: v for k, v in table.items() if isinstance(v, str)}
            for name, table in data.items() if isinstance(table, dict)}


def lock_text(lock: Lock) -> str:
    lines = [LOCK_HEADER.rstrip("\n")]
    for name in sorted(lock):
        lines += ["", f"[{json.dumps(name)}]"]
        lines += [f"{json.dumps(key)} = {json.dumps(value)}" for key, value in sorted(lock[name].items())]
    return "\n".join(lines) + "\n"


def original_segments(course_set: model.CourseSet) -> dict[str, list[Segment]]:
    """Every text of the set to translate, by file: set.toml, then each module file."""
    found = {SET_FILE: set_segments(course_set, read_text(course_set.folder / SET_CONFIG_NAME))}
    for module in course_set.modules:
        found[module.source.name] = module_skeleton(read_text(module.source), module).segments
    return found


def check_translation(original: model.CourseSet, translation: model.CourseSet, problems: Problems) -> None:
    modules = {module.id: module for module in translation.modules}
    localised = package_name(translation.language) + "/"  # where the translation's own copies of files are stored
    for english in original.modules:
        if english.id in modules:
            _check_module(english, modules[english.id], localised, problems)
    _check_stale(original, translation, problems)


def _check_module(english: model.Module, module: model.Module, localised: str, problems: Problems) -> None:
    ours = {page.id: page for page in english.pages}
    theirs = {page.id: page for page in module.pages}
    name = english.source.name
    for page in module.pages:
        if page.id not in ours:
            problems.add(module.source, page.line, f"the page '{page.id}' is not in the original {name}",
                         f"pin the id of the original page it translates on its heading: # {page.title} "
                         "{#page-id}, or remove the page")
    for number, page in enumerate(english.pages):
        if page.id not in theirs:
            before = next((theirs[p.id] for p in reversed(english.pages[:number]) if p.id in theirs), None)
            problems.add(module.source, before.line if before else 1, f"the page '{page.id}' (\"{page.title}\") of "
                         f"the original {name} is missing{' after this page' if before else ''}",
                         f"translate it, with its heading pinning the id: # ... {{#{page.id}}}")
    shared = [page.id for page in module.pages if page.id in ours]
    if shared != [page.id for page in english.pages if page.id in theirs]:
        first = next(theirs[a] for a, b in zip(shared, [p.id for p in english.pages if p.id in theirs],
                                                strict=True) if a != b)
        problems.add(module.source, first.line, "the pages are in another order than in the original",
                     "keep the original's order: " + ", ".join(p.id for p in english.pages))
    for page_id in shared:
        _check_page(ours[page_id], theirs[page_id], module.source, localised, problems)


def _check_page(english: model.Page, page: model.Page, source: Path, localised: str, problems: Problems) -> None:
    ours = [block for block in english.blocks if block.kind != "prose"]
    theirs = [block for block in page.blocks if block.kind != "prose"]
    if [b.kind for b in ours] != [b.kind for b in theirs]:
        problems.add(source, page.line, f"the page's blocks are {_kinds(theirs)}; in the original they are "
                     f"{_kinds(ours)}", "keep the original's blocks in its order, and translate the text in them")
        return
    for mine, translated in zip(ours, theirs, strict=True):
        line = getattr(translated, "line", page.line)
        if isinstance(mine, model.Question | model.Reflection) and mine.id != translated.id:
            problems.add(source, line, f"the {mine.kind} id '{translated.id}' is not the original's '{mine.id}'",
                         f'pin the original\'s id: ::: {mine.kind} id="{mine.id}"')
        elif isinstance(mine, model.Question):
            _check_question(mine, translated, source, problems)
        elif isinstance(mine, model.Figure | model.Media | model.Download) and \
                translated.src.removeprefix(localised) != mine.src:
            problems.add(source, line, f"the {mine.kind} shows '{translated.src}'; the original shows '{mine.src}'",
                         f'keep src="{mine.src}" (a translated copy goes in the translation\'s own media/ folder)')


def _check_question(english: model.Question, question: model.Question, source: Path, problems: Problems) -> None:
    if len(question.options) != len(english.options):
        problems.add(source, question.line, f"the question has {len(question.options)} options; the original has "
                     f"{len(english.options)}", "translate each of the original's options, in its order")
    elif question.correct_keys != english.correct_keys:
        problems.add(source, question.line, f"the right answer here is {', '.join(question.correct_keys)}; in the "
                     f"original it is {', '.join(english.correct_keys)}",
                     "mark with [x] the same options as the original")


def _kinds(blocks: list[model.Block]) -> str:
    return ", ".join(block.kind for block in blocks) or "none"


def _check_stale(original: model.CourseSet, translation: model.CourseSet, problems: Problems) -> None:
    lock = read_lock(translation.folder)
    config = translation.folder / SET_CONFIG_NAME
    export = f"leadpack translate export {original.id} --lang {translation.language}"
    if lock is None:
        problems.add(config, 1, f"there is no {LOCK_NAME}, so texts of the original that change later cannot be "
                     "found", f"run {export}, then leadpack translate import on the file: it writes {LOCK_NAME}",
                     severity="warning")
        return
    placed = _translation_lines(translation)
    for name, segments in original_segments(original).items():
        recorded = lock.get(name, {})
        path = translation.folder / name
        untranslated = [segment for segment in segments if segment.id not in recorded]
        if len(untranslated) > UNTRANSLATED_LISTED:  # a translation just begun: one line, not one per text
            problems.add(path, placed.get(name, {}).get(untranslated[0].id, 1), f"not translated yet: "
                         f"{len(untranslated)} of the {len(segments)} texts of the original (this is the first)",
                         f"translate them: {export} marks them", severity="warning")
        for segment in segments:
            line = placed.get(name, {}).get(segment.id, 1)
            words = " ".join(segment.text.split()[:8])
            if segment.id not in recorded:
                if len(untranslated) <= UNTRANSLATED_LISTED:
                    problems.add(path, line, f"not translated yet: '{words}…' ({segment.note})",
                                 f"translate it: {export} marks it", severity="warning")
            elif recorded[segment.id] != fingerprint(segment.text):
                problems.add(path, line, f"the original changed after this was translated: now '{words}…' "
                             f"({segment.note})", f"translate it again: {export} marks it", severity="warning")


def _translation_lines(translation: model.CourseSet) -> dict[str, dict[str, int]]:
    """Where each text of the translation starts, by file and segment id."""
    try:
        return {name: {s.id: s.line for s in segments} for name, segments in original_segments(translation).items()}
    except SourceError:
        return {}
