"""Rules over the loaded model, shared by ``leadpack check`` and ``leadpack build``.

The loader already reports every mistake inside a file; these rules look across files and settings: theme
contrast, the logo, the saved-state budget, files nobody uses and module files nobody lists.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from leadpack import formats
from leadpack.errors import LeadpackError, Problem, Problems, SourceError
from leadpack.pipeline import editions, model
from leadpack.pipeline.active_content import active_content
from leadpack.pipeline.colours import MIN_CONTRAST, contrast
from leadpack.pipeline.config import (
    SET_CONFIG_NAME,
    TEMPLATES_DIR,
    links_out,
    not_a_file,
    parse_toml,
    read_text,
    setting_line,
)
from leadpack.pipeline.load import block_html
from leadpack.pipeline.markdown_ext.blocks import plain_text as plain
from leadpack.pipeline.parity import check_translation
from leadpack.pipeline.state import check_key_collisions, plan

SKIPPED_FILES = re.compile(r"^(\.|~\$|Thumbs\.db$|desktop\.ini$)", re.I)


def check_series(series: model.Series, sco_per: str | None = None, format_names: tuple[str, ...] = (),
                 edition_names: tuple[str, ...] = (editions.ALL,)) -> list[Problem]:
    """Every rule, for the editions named (by default all of them: the series' own and content/editions/)."""
    problems = Problems()
    _check_theme(series, problems)
    chosen = editions.chosen(series, edition_names)
    for edition in chosen:
        if edition is not None:
            changed = tuple(name for name in ("primary", "accent", "logo")
                            if getattr(edition.theme, name) != getattr(series.theme, name))
            _check_theme(replace(series, theme=edition.theme, config_path=edition.path), problems, changed)
    editions.check_editions(series, chosen, problems)
    for course_set in series.sets:
        check_set(series, course_set, sco_per or series.build.sco_per, format_names or series.build.formats,
                  problems)
    _untranslated_strings(series, problems)
    if not problems.errors and _custom_templates(series):
        _try_templates(series, sco_per or series.build.sco_per, format_names or series.build.formats, problems)
    return list(problems)


KEYS_LISTED = 5  # a catalogue lacking more keys than this names the first ones and counts the rest


def _untranslated_strings(series: model.Series, problems: Problems) -> None:
    """A catalogue of leadpack's own words (locales/) that lacks a string shows it in English on the pages of its
    language, which would otherwise go unnoticed: said once for each catalogue a set of the series speaks."""
    from leadpack.pipeline import accessibility, render

    languages = sorted({version.language for course_set in series.sets for version in course_set.language_versions})
    for folder, what in ((render.LOCALES_DIR, "interface strings"),
                         (accessibility.PHRASES_DIR, "accessibility statement sentences")):
        gaps = dict(found for language in languages if (found := render.missing_strings(folder, language)))
        for path, keys in gaps.items():  # cy and cy-GB speak one catalogue, cy.toml: said once
            named = ", ".join(keys[:KEYS_LISTED]) + (f" and {len(keys) - KEYS_LISTED} more"
                                                     if len(keys) > KEYS_LISTED else "")
            problems.add(path, 0, f"{path.name} lacks {len(keys)} of the {what} in en.toml ({named}), so "
                         f"{path.stem} pages show them in English", f"add them to {path.name}, in {path.stem}, with "
                         "the placeholders en.toml gives them", severity="warning")


def _custom_templates(series: model.Series) -> bool:
    """True when the course has templates of its own (a checkout's templates/ folder is the built-in one)."""
    from leadpack.pipeline.render import BUILTIN_TEMPLATES

    folder = series.root / TEMPLATES_DIR
    return bool(series.build.templates) or folder.is_dir() and folder.resolve() != BUILTIN_TEMPLATES.resolve()


def _try_templates(series: model.Series, sco_per: str, format_names: tuple[str, ...], problems: Problems) -> None:
    """Render every set with the course's own templates, so a template that fails does so at check time, naming
    its file and line, and not only when building."""
    from leadpack.pipeline.render import Renderer, render_set

    renderer = Renderer(series)
    for course_set in series.sets:
        for fmt in map(formats.get, format_names):
            try:
                render_set(series, course_set, fmt, sco_per, renderer=renderer)
            except SourceError as exc:
                problems.append(exc.problem)
                return
            except LeadpackError as exc:
                problems.add(series.config_path or series.root, 1, str(exc))
                return


def _check_theme(series: model.Series, problems: Problems,
                 names: tuple[str, ...] = ("primary", "accent", "logo")) -> None:
    config = series.config_path or Path("leadpack.toml")
    for name in ("primary", "accent"):
        if name not in names:
            continue
        colour = getattr(series.theme, name)
        ratio = contrast(colour, "#ffffff")
        if ratio < MIN_CONTRAST:
            problems.add(config, setting_line(series.config_path, name), f"theme colour {name} {colour} has "
                         f"contrast {ratio:.2f}:1 against white; WCAG 2.2 AA needs {MIN_CONTRAST}:1",
                         "choose a darker colour")
    logo = series.theme.logo
    if not logo or "logo" not in names:
        return
    path = series.root / logo
    line = setting_line(series.config_path, "logo")
    if logo.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", logo) or ".." in re.split(r"[/\\]", logo) \
            or links_out(path, series.root):
        problems.add(config, line, f"the theme logo '{logo}' points outside the course folder",
                     "put the file itself, not a link to it, in the course folder, e.g. content/media/logo.svg")
    elif not_a_file(path):
        problems.add(config, line, f"the theme logo '{logo}' is {not_a_file(path)}, not a file",
                     "name a picture file, e.g. content/media/logo.svg")
    elif not path.is_file():
        problems.add(config, line, f"the theme logo '{logo}' does not exist",
                     "write the path from the course folder, e.g. content/media/logo.svg")
    else:
        for found in active_content(path):
            problems.add(path, found.line, found.message, found.hint, found.col)


def check_set(series: model.Series, course_set: model.CourseSet, sco_per: str, format_names: tuple[str, ...],
              problems: Problems | None = None) -> list[Problem]:
    problems = problems if problems is not None else Problems()
    source = course_set.folder / SET_CONFIG_NAME
    crossing: dict[Path, set[str]] = {}  # module file -> each link to another unit, once, whichever formats split so
    for fmt in map(formats.get, format_names):
        for unit in fmt.units(course_set, sco_per):
            for module_source, route in _links_out_of(unit):
                crossing.setdefault(module_source, set()).add(route)
            _joined_ids(unit, problems)
            problems.attempt(lambda unit=unit: check_key_collisions(unit, str(source)), None)
            problems.attempt(lambda unit=unit, fmt=fmt: plan(unit, fmt.state_limit(series.build), series.build,
                                                             str(source), course_set.languages), None)
    for module_source, routes in sorted(crossing.items()):
        _report_crossings(module_source, sorted(routes), problems)
    _unlisted_modules(course_set, problems)
    _unused_files(course_set, problems)
    for translation in course_set.translations:
        problems.attempt(lambda translation=translation: check_translation(course_set, translation, problems), None)
        _unused_files(translation, problems)
    _all_correct_questions(course_set, problems)
    _length_tell(course_set, problems)
    for localised in course_set.language_versions:
        _skipped_heading_levels(localised, problems)
    return list(problems)


HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)
TITLED = (model.Activity, model.Discussion, model.Summary, model.Reflection)  # boxes whose title is an h2


def _skipped_heading_levels(course_set: model.CourseSet, problems: Problems) -> None:
    """Headings go down one level at a time from the page's title (h1) and the h2 titles of its boxes: a screen
    reader's list of headings is the page's outline, and a skipped level reads as a missing part (WCAG 1.3.1)."""
    for module in course_set.modules:
        _module_heading_levels(module, problems)


def _module_heading_levels(module: model.Module, problems: Problems) -> None:
    lines = None
    for page in module.pages:
        level = 1
        for block in page.blocks:
            if isinstance(block, TITLED):
                level = 2
            for fragment in block_html(block):
                for found in HEADING.finditer(fragment):
                    if problems.full(module.source):  # no file lists more: nor is it searched again
                        return
                    number, words = int(found.group(1)), " ".join(plain(found.group(2)).split())
                    if number > level + 1:
                        lines = lines or read_text(module.source).split("\n")
                        line = next((n for n, text in enumerate(lines, 1) if n >= page.line and
                                     text.lstrip().startswith("#" * number) and words[:30] in text), page.line)
                        problems.add(module.source, line, f"a level-{number} heading follows a level-{level} "
                                     "one, so screen readers' list of headings skips a level",
                                     f"write it with {'#' * (level + 1)} (the page's title is #, its headings ##, "
                                     "a heading under one of those ###)", severity="warning")
                    level = number


ROUTE = re.compile(r'href="#/([^"/]+)/([^"]*)"')  # a link to a course page, as _resolve_links writes it


def _links_out_of(unit: model.Unit) -> set[tuple[Path, str]]:
    """Links to pages of modules this unit does not hold (each module launched on its own): the runtime of one
    unit has no way to open another's page, so such a link does nothing when clicked."""
    held = {module.id for module in unit.modules}
    return {(module.source, f"{found.group(1)}/{found.group(2)}") for module in unit.modules for page in module.pages
            for block in page.blocks for fragment in block_html(block) for found in ROUTE.finditer(fragment)
            if found.group(1) not in held}


def _report_crossings(source: Path, routes: list[str], problems: Problems) -> None:
    """Each link of ``source`` to another unit's page, at its line (the file read once for all of them)."""
    lines = read_text(source).split("\n")
    for route in routes:
        module_id, page_id = route.split("/", 1)
        line = next((number for number, text in enumerate(lines, 1) if f"#{route}" in text or f"#{page_id})" in text),
                    1)
        problems.add(source, line, f"link to '#{page_id}', a page of the module '{module_id}', which is launched on "
                     "its own (sco_per = \"module\"): from this module the link opens nothing",
                     "link to a page of this module, or name the other module in the words; or build with "
                     "sco_per = \"set\"")


def _joined_ids(unit: model.Unit, problems: Problems) -> None:
    """Ids joined as module--id (the SCORM interaction id, the launch page's HTML ids) must stay distinct: ids may
    hold '--' themselves, so module 'a--b' with question 'c' and module 'a' with question 'b--c' would meet."""
    kinds = {"page": [(m, p.id, p.line) for m in unit.modules for p in m.pages],
             "question": [(m, q.id, q.line) for m in unit.modules for q in m.questions],
             "reflection": [(m, r.id, r.line) for m in unit.modules for r in m.reflections]}
    for kind, items in kinds.items():
        seen: dict[str, tuple[model.Module, str]] = {}
        for module, item_id, line in items:
            joined = f"{module.id}--{item_id}"
            other = seen.setdefault(joined, (module, item_id))
            if other[0] is not module:
                problems.add(module.source, line, f"the {kind} '{module.id}/{item_id}' and the {kind} "
                             f"'{other[0].id}/{other[1]}' both become '{joined}' in the package",
                             f"pin an id without '--' on one of them: {_pin_hint(kind)}")


def _pin_hint(kind: str) -> str:
    return {"page": "# Title {#page-id}", "question": '::: question id="..."',
            "reflection": '::: reflection id="..."'}[kind]


def _unlisted_modules(course_set: model.CourseSet, problems: Problems) -> None:
    """A module file the set does not list is silently left out of every package: say so."""
    path = course_set.folder / SET_CONFIG_NAME
    try:
        settings = parse_toml(path, read_text(path))
    except SourceError:
        return
    modules = settings.get("modules")
    listed = {unicodedata.normalize("NFC", str(name)) for name in modules} if isinstance(modules, list) else set()
    files = {unicodedata.normalize("NFC", path.stem) for path in course_set.folder.glob("*.md")}
    if listed - files:
        return  # a listed module has no file: that error names the likely culprit already
    for path in sorted(course_set.folder.glob("*.md")):
        stem = unicodedata.normalize("NFC", path.stem)
        if stem in listed or path.name.upper().startswith("README"):
            continue
        problems.add(path, 0, f"{path.name} is not listed in {SET_CONFIG_NAME}, so it is left out of the packages",
                     f'add "{stem}" to modules in {SET_CONFIG_NAME}, or move the file out of the set folder',
                     severity="warning")


def _unused_files(course_set: model.CourseSet, problems: Problems) -> None:
    """Files in media/ that no page uses are left out of the package; usually a typo in a page."""
    media = course_set.folder / "media"
    if not media.is_dir():
        return
    used = {asset.source.resolve() for asset in course_set.assets}
    for path in sorted(media.rglob("*")):
        if path.is_symlink() or not path.is_file() or SKIPPED_FILES.match(path.name):
            continue  # links are never packaged (a page using one is told so)
        if path.resolve() not in used:
            problems.add(path, 0, "no page uses this file, so it is left out of the packages",
                         "show it with ::: figure, ::: video, ::: audio or ::: download, or delete it",
                         severity="warning")


LENGTH_TELL_SHARE = 1 / 3  # more than this many single-answer checks with the longest option right is a tell
LENGTH_TELL_SAMPLE = 5  # fewer single-answer checks than this say nothing about a habit


def longest_is_right(question: model.Question) -> bool:
    """The right option is the only longest one: a learner who always picks the longest gets it right."""
    lengths = [len(option.text) for option in question.options]
    longest = max(lengths)
    return lengths.count(longest) == 1 and question.options[lengths.index(longest)].correct


def _length_tell(course_set: model.CourseSet, problems: Problems) -> None:
    """Knowledge checks should test understanding: when the right answer is usually the longest, guessing wins."""
    single = [q for q in course_set.questions if not q.multiple]
    tells = [q for q in single if longest_is_right(q)]
    if len(single) >= LENGTH_TELL_SAMPLE and len(tells) / len(single) > LENGTH_TELL_SHARE:
        first = next(m for m in course_set.modules if tells[0] in m.questions)
        problems.add(first.source, tells[0].line, f"in {len(tells)} of the set's {len(single)} single-answer "
                     "questions the right option is the only longest one, so a learner who always picks the "
                     f"longest does well (this is the first)", "rewrite some options so that length gives nothing "
                     f"away: at most a third ({int(len(single) * LENGTH_TELL_SHARE)}) should be like this",
                     severity="warning")


def _all_correct_questions(course_set: model.CourseSet, problems: Problems) -> None:
    for module in course_set.modules:
        for question in module.questions:
            if all(option.correct for option in question.options):
                problems.add(module.source, question.line, "every option of this question is marked correct",
                             "mark the wrong options with [ ]", severity="warning")

