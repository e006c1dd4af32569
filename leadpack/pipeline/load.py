"""Sources → course model. Reads leadpack.toml, each set.toml and module file; every error carries file:line.

Reading is lenient: a mistake is recorded and reading goes on past it (the rest of the setting, block, page or
file), so ``leadpack check`` reports every mistake in one run. ``load_series`` raises when any was found.
"""

from __future__ import annotations

import bisect
import difflib
import html
import os
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote

from leadpack.errors import Problems, ProblemsFound, SourceError, display_path
from leadpack.pipeline import editions, model
from leadpack.pipeline.active_content import active_content
from leadpack.pipeline.config import (
    LMS_TITLE_LIMIT,
    SET_CONFIG_NAME,
    SetSettings,
    Table,
    front_matter,
    links_out,
    load_series_settings,
    load_set_settings,
    load_translation_settings,
    not_a_file,
    read_text,
    unusable_character,
)
from leadpack.pipeline.limits import (
    MAX_ENTRY_BYTES,
    MAX_ID_CHARS,
    MAX_LINE_CHARS,
    MAX_LOCATE_STEPS,
    MAX_NESTING,
    MAX_PAGES,
    MAX_PARAGRAPH_CHARS,
    MAX_SCAN_STEPS,
    SCAN_READINGS,
)
from leadpack.pipeline.markdown_ext.blocks import FENCE, page_reader, plain_text
from leadpack.pipeline.markdown_ext.html_safety import Finding, tag_steps, unsafe_html, url_scheme

CONTENT_DIR = "content"
# One level of nesting at the start of a line: a quotation mark, a list marker, or four spaces (or a tab).
NESTING_MARK = re.compile(r"(?: {4}|\t| {0,3}(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?)")
SCANNED = re.compile(r"\\.|[\[\]()]")  # what Markdown's link parser counts: brackets (an escaped one is text)
QUOTE = re.compile(r"[\"']")
BLOCK_START = re.compile(r"^[ \t>]*(?:[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|\||#|:::)")  # a new item, row or block
URL_ATTRIBUTE = re.compile(r'(?P<lead><(?P<tag>[a-z]+)\b[^>]*?\s(?P<name>src|href)=")(?P<value>[^"]*)"')
INTERNAL_LINK = re.compile(r'href="#([^"]*)"')
SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
LOADING_TAGS = {"img", "source", "audio", "video", "track"}


def load_series(root: Path, only: tuple[str, ...] = ()) -> model.Series:
    """Load every set (or the named ones); raise ProblemsFound listing every mistake found."""
    series, problems = read_series(root, only)
    if problems.errors:
        raise ProblemsFound(problems.errors)
    return series


def read_series(root: Path, only: tuple[str, ...] = ()) -> tuple[model.Series, Problems]:
    """Load leniently: the model of everything that could be read, and every problem met on the way."""
    root = root.resolve()
    problems = Problems()
    settings = load_series_settings(root, problems)
    content = root / CONTENT_DIR
    folders = _set_folders(root, content, problems, warn_unset=not only)
    ids = {folder: _set_id(folder) for folder in folders}
    for name in only:
        if name not in {folder.name for folder in folders} | set(ids.values()):
            near = difflib.get_close_matches(name, sorted(ids.values()), n=1, cutoff=0.6)
            raise SourceError(content / name, 1, f"no set '{name}'" + (f": did you mean '{near[0]}'?" if near else ""),
                              "sets are: " + (", ".join(sorted(ids.values())) or "none (add content/<set>/set.toml)"))
    sets: list[model.CourseSet] = []
    seen: dict[str, Path] = {}
    for folder in folders:
        set_id = ids[folder]
        if only and folder.name not in only and set_id not in only:
            continue
        if not set_id:
            problems.add(folder / SET_CONFIG_NAME, 1, f"cannot make a set id from the folder name '{folder.name}'",
                         "rename the folder with letters, digits and hyphens")
            continue
        if set_id in seen:
            problems.add(folder / SET_CONFIG_NAME, 1, f"the set id '{set_id}' is already used by the folder "
                         f"'{seen[set_id].name}'", "rename one of the two folders")
            continue
        if len(set_id) > MAX_ID_CHARS:
            problems.add(folder / SET_CONFIG_NAME, 1, f"the set id made from the folder name is {len(set_id)} "
                         f"characters long; ids are at most {MAX_ID_CHARS}", "give the folder a shorter name")
            continue
        seen[set_id] = folder
        course_set = load_set(folder, set_id, problems, root)
        if course_set is not None:
            sets.append(course_set)
    _check_set_order(settings.path, settings.set_order, set(ids.values()), problems)
    if not sets and not problems.errors:
        raise SourceError(content, 1, "no sets found", "each set is a folder in content/ with a set.toml")
    ordered = sorted(ids.items(), key=lambda item: _set_order(item[1], settings.set_order))
    titles = {s.id: s.title for s in sets}
    catalogue = tuple((set_id, titles.get(set_id) or _title_of(folder)) for folder, set_id in ordered if set_id)
    series = model.Series(
        title=settings.title, organisation=settings.organisation, base_iri=settings.base_iri,
        description=settings.description, theme=settings.theme, build=settings.build,
        sets=tuple(sorted(sets, key=lambda s: _set_order(s.id, settings.set_order))),
        root=root, config_path=settings.path, catalogue=catalogue, translations=settings.translations,
        accessibility=settings.accessibility, texts=settings.texts,
        editions=editions.load_editions(root, settings, problems),
    )
    return series, problems


def _check_set_order(config: Path | None, order: tuple[str, ...], known: set[str], problems: Problems) -> None:
    """Every name in leadpack.toml's ``sets`` must be a set: a misspelt one silently changes the order."""
    if config is None:
        return
    lines = read_text(config).split("\n")
    suggested = set()  # a set named in a "did you mean" is not also reported as missing from the order
    for name in order:
        if name not in known:
            near = difflib.get_close_matches(name, sorted(known), n=1)
            suggested.update(near)
            line, col = locate(lines, 0, len(lines), [f'"{name}"', f"'{name}'", name]) or (1, 1)
            problems.add(config, line, f"sets lists '{name}', which is not a set folder in content/",
                         f"did you mean '{near[0]}'?" if near else "sets are: " + ", ".join(sorted(known)), col)
    if order:
        for name in sorted(known - set(order) - suggested):
            line, col = locate(lines, 0, len(lines), ["sets"]) or (1, 1)
            problems.add(config, line, f"the set '{name}' is not in sets, so it comes after the listed sets",
                         f'add "{name}" to sets where it belongs in the series', col, severity="warning")


def _set_folders(root: Path, content: Path, problems: Problems, warn_unset: bool) -> list[Path]:
    """Every folder of content/ holding a set.toml (of any kind: a set.toml that is a folder is said to be one)."""
    if not content.is_dir():
        return []
    if links_out(content, root):
        raise SourceError(content, 1, f"the {CONTENT_DIR} folder is a link to a folder outside the course",
                          "keep the course's content inside its folder")
    folders = []
    for path in sorted(content.iterdir()):
        if os.path.lexists(path / SET_CONFIG_NAME):
            if links_out(path / SET_CONFIG_NAME, root):
                problems.add(path / SET_CONFIG_NAME, 1, f"'{path.name}' leads to a {SET_CONFIG_NAME} outside the "
                             "course folder (through a link)", "copy the set into content/ instead of linking it")
                continue
            folders.append(path)
        elif warn_unset and path.is_dir() and any(path.glob("*.md")):
            problems.add(path, 0, f"the folder '{path.name}' holds module files but no set.toml, so it is not built",
                         "add a set.toml (see docs/authoring.md §3), or move the files into a set", severity="warning")
    return folders


def _set_id(folder: Path) -> str:
    """The folder name when it is already an id; otherwise its slug (so 'Arweinyddiaeth Ŵyl' → 'arweinyddiaeth-wyl')."""
    name = unicodedata.normalize("NFC", folder.name)
    return name if model.ID_PATTERN.match(name) else model.slugify(name)


def _set_order(set_id: str, order: tuple[str, ...]) -> tuple[int, str]:
    """Sets in the order leadpack.toml lists them (`sets = [...]`); unlisted ones after, in folder order."""
    return (order.index(set_id) if set_id in order else len(order), set_id)


def _title_of(folder: Path) -> str:
    """A set's title for the series catalogue when the set itself is not being built (read leniently: a mistake in
    it is reported when that set is checked or built)."""
    try:
        title = tomllib.loads(read_text(folder / SET_CONFIG_NAME)).get("title")
    except (SourceError, tomllib.TOMLDecodeError, RecursionError):
        title = None
    return title.strip() if isinstance(title, str) and title.strip() else folder.name


def load_set(folder: Path, set_id: str, problems: Problems, root: Path | None = None) -> model.CourseSet | None:
    """One set: its settings and listed modules; ``root`` is the course folder no file may lead out of."""
    root = root or folder.parent.parent
    settings = load_set_settings(folder, problems)
    if settings is None:
        return None
    modules: list[model.Module] = []
    seen: dict[str, str] = {}
    complete = True
    listed: set[str] = set()
    for name in settings.modules:
        if name in listed:
            problems.add(settings.path, settings.modules_line, f"module '{name}' is listed twice",
                         "list each module once")
            continue
        listed.add(name)
        path = _module_file(folder, name, settings.path, settings.modules_line, problems, root)
        module = load_module(path, problems) if path else None
        if module is None:
            complete = False
            continue
        if module.id in seen:
            problems.add(path, 1, f"module id '{module.id}' is already used by {seen[module.id]}",
                         "pin a different id in the front matter: id = \"...\"")
            complete = False
            continue
        seen[module.id] = path.name
        modules.append(module)
    modules = _resolve_links(modules, problems, report_missing=complete)
    modules, assets, links = _assets_and_links(folder, modules, problems)
    course_set = model.CourseSet(
        id=set_id, title=settings.title, description=settings.description, version=settings.version,
        language=settings.language, keywords=settings.keywords, completion=settings.completion,
        modules=tuple(modules), assets=assets, external_links=links, folder=folder, stages=settings.stages,
        placeholders=_set_placeholders(settings.path, settings.text, problems),
    )
    if not settings.languages:
        return course_set
    translations = tuple(found for code in settings.languages if code != settings.language
                         for found in [load_translation(course_set, settings, code, problems, root)] if found)
    return replace(course_set, languages=settings.languages, translations=translations)


def load_translation(original: model.CourseSet, settings: SetSettings, language: str, problems: Problems,
                     root: Path) -> model.CourseSet | None:
    """The set in another language, from ``<set>/<language>/``: the same module files, each pinning the ids of the
    original (checked by parity.py); a file in ``<language>/media/`` stands in for the original's of that name."""
    folder = original.folder / language
    if not folder.is_dir() or links_out(folder, root):
        problems.add(settings.path, settings.languages_line, f"languages lists '{language}', but the set has no "
                     f"folder {language}/ holding that translation", f"write it with leadpack translate export "
                     f"{original.id} --lang {language} and leadpack translate import, or take '{language}' out of "
                     "languages")
        return None
    if links_out(folder / SET_CONFIG_NAME, root):
        problems.add(folder / SET_CONFIG_NAME, 1, f"{language}/{SET_CONFIG_NAME} is a link to a file outside the "
                     "course folder", f"copy the translation's {SET_CONFIG_NAME} into {language}/ instead of linking "
                     "to it")
        return None
    translated = load_translation_settings(folder, problems, len(original.stages))
    if translated is None:
        return None
    modules = []
    for english in original.modules:
        path = folder / english.source.name
        if not os.path.lexists(path):
            problems.add(translated.path, 1, f"the module {english.source.name} has no translation: "
                         f"{language}/{english.source.name} does not exist", f"translate it: leadpack translate "
                         f"export {original.id} --lang {language}, then leadpack translate import FILE")
            continue
        if links_out(path, root):
            problems.add(path, 1, f"{language}/{path.name} is a link to a file outside the course folder",
                         f"copy the translated module into {language}/ instead of linking to it")
            continue
        module = load_module(path, problems)
        if module is not None and module.id != english.id:
            problems.add(path, 1, f"the module id '{module.id}' is not the original's '{english.id}'",
                         f'pin it in the front matter: id = "{english.id}"')
        elif module is not None:
            modules.append(module)
    modules = _resolve_links(modules, problems, report_missing=len(modules) == len(original.modules))
    modules, assets, links = _assets_and_links(folder, modules, problems, fallback=original.folder,
                                               stored_under=package_name(language))
    return replace(original, title=translated.title, description=translated.description, language=language,
                   keywords=translated.keywords, stages=translated.stages or original.stages, modules=tuple(modules),
                   assets=assets, external_links=links, folder=folder, status=translated.status,
                   placeholders=_set_placeholders(translated.path, translated.text, problems))


def _set_placeholders(path: Path, text: str, problems: Problems) -> tuple[model.Placeholder, ...]:
    """The [[name]] placeholders in a set.toml's words (its title, description, keywords and stages)."""
    lines = text.split("\n")
    return editions.scan(path, lines, len(lines), problems)


def _module_file(folder: Path, name: str, config: Path, line: int, problems: Problems, root: Path) -> Path | None:
    """The module's file; names match whatever Unicode form the file system stored them in (macOS uses NFD).
    Anything named <name>.md counts, so a folder or a FIFO of that name is reported as such when it is read."""
    if "/" in name or "\\" in name or name.startswith("."):
        problems.add(config, line, f"module '{name}' is not a file name in the set folder",
                     "list module files by name without folders or .md, e.g. \"emotional-resilience\"")
        return None
    if name.endswith(".md"):
        problems.add(config, line, f"module '{name}' is listed with its .md ending",
                     f"write \"{name[:-3]}\": modules are listed without .md")
        return None
    files = {unicodedata.normalize("NFC", p.stem): p for p in folder.glob("*.md")}
    path = files.get(unicodedata.normalize("NFC", name))
    if path is None:
        near = difflib.get_close_matches(name, sorted(files), n=1)
        hint = f"did you mean '{near[0]}'?" if near else "files here: " + (", ".join(sorted(files)) or "none")
        problems.add(config, line, f"module '{name}' is listed but {name}.md does not exist", hint)
    elif links_out(path, root):
        problems.add(path, 1, f"{path.name} is a link to a file outside the course folder",
                     "copy the module into the set folder instead of linking to it")
        return None
    return path


def load_module(path: Path, problems: Problems) -> model.Module | None:
    """Read one module file; None when nothing usable could be read (the reasons are recorded)."""
    try:
        text = read_text(path)
        table, body_start = front_matter(path, text, problems)
    except SourceError as exc:
        problems.append(exc.problem)
        return None
    lines = text.split("\n")
    refused = _check_lines(path, lines, body_start, problems)
    module_id = _module_id(path, table, problems)
    if not module_id:
        return None
    pages = _pages(path, lines, body_start, module_id, problems, refused)
    if not pages:
        return None
    _check_unique_ids(path, pages, problems)
    title, minutes, outcomes, description = _module_settings(path, table)
    return model.Module(id=module_id, title=title, minutes=minutes, outcomes=outcomes, description=description,
                        pages=tuple(pages), source=path, placeholders=editions.scan(path, lines, body_start, problems))


def _module_settings(path: Path, table: Table | None) -> tuple[str, int, tuple[str, ...], str]:
    if table is None:
        return path.stem, 1, (), ""
    table.reject_unknown({"title", "minutes", "outcomes", "id", "description"})
    outcomes = table.strings("outcomes", required=True)
    if "outcomes" in table.data and not outcomes:
        table.report("outcomes", "the module lists no learning outcomes",
                     'outcomes = ["What a learner will be able to do"]')
    return (table.string("title", path.stem, required=True, max_length=LMS_TITLE_LIMIT),
            table.integer("minutes", 1, required=True, low=1, high=600), outcomes, table.string("description"))


def _module_id(path: Path, table: Table | None, problems: Problems) -> str:
    """A pinned id, or the file name when it is an id, or the file name's slug (Welsh letters fold: ŵ → w)."""
    pinned = table.string("id") if table is not None else ""
    if pinned:
        if model.ID_PATTERN.match(pinned) and len(pinned) <= MAX_ID_CHARS:
            return pinned
        table.report("id", f"module id '{pinned[:60]}' is not a valid id" if len(pinned) <= MAX_ID_CHARS else
                     f"the module id is {len(pinned)} characters long; ids are at most {MAX_ID_CHARS}",
                     "use lower-case letters, digits and hyphens, e.g. id = \"emotional-resilience\"")
    stem = unicodedata.normalize("NFC", path.stem)
    module_id = stem if model.ID_PATTERN.match(stem) else model.slugify(stem)
    if not module_id:
        problems.add(path, 1, f"cannot make a module id from the file name '{path.name}'",
                     "rename the file with letters and digits, or pin an id in the front matter: id = \"...\"")
    elif len(module_id) > MAX_ID_CHARS and not pinned:
        problems.add(path, 1, f"the module id made from the file name is {len(module_id)} characters long; ids "
                     f"are at most {MAX_ID_CHARS}", "rename the file, or pin a shorter id in the front matter: "
                     "id = \"...\"")
        return ""
    return module_id


def _check_lines(path: Path, lines: list[str], body_start: int, problems: Problems) -> set[int]:
    """Report characters no text may hold, and lines too long or nested too deep for Markdown to read safely;
    return the indexes of those lines: the pages holding them are not converted."""
    refused: set[int] = set()
    fence = ""
    paragraph = Paragraph()
    for index, line in enumerate(lines):
        number = index + 1
        bad, at = unusable_character(line)
        if bad:
            if problems.full(path):  # nothing more will be listed for this file: stop reading it
                refused.update(range(index, len(lines)))
                break
            problems.add(path, number, f"{bad} in the text",
                         "delete it; it often comes with text pasted from another program", at + 1)
        if index < body_start:  # the settings block is TOML, read by its own rules
            continue
        if len(line) > MAX_LINE_CHARS:
            problems.add(path, number, f"the line is {len(line):,} characters long; lines are at most "
                         f"{MAX_LINE_CHARS:,}", "break it into shorter lines or paragraphs")
            refused.add(index)
            continue
        found = FENCE.match(line)
        if found and (not fence or found.group(1) == fence):
            fence = "" if fence else found.group(1)
        if paragraph.grows(index, "" if fence or found else line):
            problems.add(path, paragraph.start + 1, f"the paragraph is over {MAX_PARAGRAPH_CHARS:,} characters "
                         "long", "break it into shorter paragraphs, with a blank line between them")
            refused.add(index)
        depth = 0 if fence else nesting(line)
        if depth > MAX_NESTING:
            if index - 1 not in refused:  # once for a run of such lines
                problems.add(path, number, f"lists or quotations are nested {depth} deep here; at most "
                             f"{MAX_NESTING}", "flatten the structure: a list inside a list inside a list is "
                             "already hard to follow")
            refused.add(index)
    return refused


class Paragraph:
    """The paragraph being read (lines with no blank line between them; a list item or table row starts anew)."""

    def __init__(self) -> None:
        self.start, self.length, self.reported = 0, 0, False

    def grows(self, index: int, line: str) -> bool:
        """Add a line ('' ends the paragraph); True when the paragraph has just gone over the limit."""
        if not line.strip():
            self.start, self.length, self.reported = index + 1, 0, False
            return False
        if BLOCK_START.match(line):
            self.start, self.length, self.reported = index, 0, False
        self.length += len(line) + 1
        if self.length > MAX_PARAGRAPH_CHARS and not self.reported:
            self.reported = True
            return True
        return False


def nesting(line: str) -> int:
    """How many lists, quotations or indented blocks the line sits in, read from its start in one pass."""
    depth, position = 0, 0
    while True:
        found = NESTING_MARK.match(line, position)
        if not found or found.end() == position:
            return depth
        depth, position = depth + 1, found.end()


@dataclass(frozen=True)
class Heading:
    """A page's heading line: its title, and the id pinned with {#id} (None without one) at column ``id_col``."""

    title: str
    id: str | None
    id_col: int


def page_heading(line: str) -> Heading | None:
    """``# Title {#id} ##`` read as the pattern ``^#[ \\t]+(.+?)(?:\\s+\\{#([^}]*)\\})?\\s*#*\\s*$`` reads it,
    in one pass with string methods: a regular expression of that shape backtracks, cubic in a run of spaces."""
    if not line.startswith("#"):
        return None
    start = 1
    while start < len(line) and line[start] in " \t":
        start += 1
    if start == 1 or (start == len(line) and start < 3):
        return None
    if start == len(line):  # only spaces: the pattern gives the last of them to the title
        return Heading(line[-1], None, 0)
    rest = line[start:]
    end = len(rest.rstrip().rstrip("#").rstrip())  # the title ends before trailing spaces and a closing ###
    if end and rest[end - 1] == "}":
        close = end - 1
        opener = rest.find("{#", rest.rfind("}", 0, close) + 1, close)
        while opener >= 0:
            space = opener
            while space > 0 and rest[space - 1].isspace():
                space -= 1
            title_end = max(space, 1)
            if title_end < opener:
                return Heading(rest[:title_end], rest[opener + 2:close], start + opener + 3)
            opener = rest.find("{#", opener + 1, close)
    return Heading(rest[:max(end, 1)], None, 0)


def _pages(path: Path, lines: list[str], start: int, module_id: str, problems: Problems,
           refused: set[int] = frozenset()) -> list[model.Page]:
    """Split the body at level-one headings; each page's text becomes blocks."""
    headings: list[tuple[int, Heading]] = []
    stray = None
    fence = ""
    for index in range(start, len(lines)):
        line = lines[index]
        found = FENCE.match(line)
        if found and (not fence or found.group(1) == fence):
            fence = "" if fence else found.group(1)
        heading = None if fence or index in refused else page_heading(line)
        if heading:
            headings.append((index, heading))
        elif not headings and line.strip() and stray is None:
            stray = index
    if not headings:
        problems.add(path, start + 1, "the module has no pages",
                     "start each page with a level-one heading: # Page title")
        return []
    if stray is not None:
        hint = ("put a space after #: # Page title" if lines[stray].startswith("#")
                else "start each page with a level-one heading: # Page title")
        problems.add(path, stray + 1, "text before the first page heading", hint)
    if len(headings) > MAX_PAGES:
        problems.add(path, headings[MAX_PAGES][0] + 1, f"the module has {len(headings)} pages; a module has at most "
                     f"{MAX_PAGES}", "split it into several modules")
        return []
    pages = []
    finder = Finder(lines)
    for number, (index, heading) in enumerate(headings):
        end = headings[number + 1][0] if number + 1 < len(headings) else len(lines)
        readable = not any(line in refused for line in range(index, end))
        pages.append(_page(path, lines, index, end, heading, module_id, problems, finder, readable))
    return pages


def _page(path: Path, lines: list[str], index: int, end: int, heading: Heading, module_id: str,
          problems: Problems, finder: Finder, readable: bool = True) -> model.Page:
    """One page from its heading (line ``index``) to ``end``; a page is returned even with mistakes in it,
    so links to it still resolve and only the real mistakes are reported. An unreadable page (a line refused
    by ``_check_lines``, or text that would make Markdown scan it over and over) keeps its id but no text."""
    line = index + 1
    title = heading.title.strip()
    pinned = heading.id
    valid = pinned is not None and model.ID_PATTERN.match(pinned) and len(pinned) <= MAX_ID_CHARS
    if pinned is not None and not valid:
        problems.add(path, line, f"page id '{pinned[:60]}' is not a valid id" if len(pinned) <= MAX_ID_CHARS else
                     f"the page id is {len(pinned)} characters long; ids are at most {MAX_ID_CHARS}",
                     "use lower-case letters, digits and hyphens: {#my-page}", heading.id_col)
    page_id = pinned if valid else model.slugify(pinned or title)
    if not page_id:
        problems.add(path, line, "cannot make a page id from this heading", "pin one: # Title {#page-id}")
        page_id = f"page-{line}"
    if len(title) > LMS_TITLE_LIMIT:
        problems.add(path, line, f"the page title is {len(title)} characters long; LMS fields allow "
                     f"{LMS_TITLE_LIMIT}", "shorten it")
    body = lines[index + 1:end]
    blocks: list[model.Block] = []
    if readable and _scannable(path, body, line + 1, problems):
        reader = page_reader()
        blocks = reader.read(path, line + 1, "\n".join(body), problems)
        _check_html(path, finder, index, end, blocks, problems)
        if not blocks and not reader.rejected:
            problems.add(path, line, f"the page '{title}' is empty", "write its text under the heading")
    words = len(title.split()) + sum(len(_block_text(block).split()) for block in blocks)
    return model.Page(page_id, module_id, title, tuple(blocks), line, words)


def _scannable(path: Path, body: list[str], first_line: int, problems: Problems) -> bool:
    """False (with the problem recorded) when the page would make Markdown read it over and over: its link
    parser reads on from every '[' to the matching ']' and from every '](' to the matching ')', and the HTML
    parser from every '<' that starts a tag to the next '>', so many that never close cost the square of the
    page's length. The same reading is counted here, in one pass."""
    steps, worst = scan_steps(body)
    if steps <= MAX_SCAN_STEPS + SCAN_READINGS * sum(len(line) + 1 for line in body):
        return True
    (line, col), opener = worst
    messages = {
        "[": ("a '[' that is never closed by ']', one of many on this page (Markdown would read the rest of the "
              "page again for each)", "close each [ with ], or write \\[ for a bracket that is only text"),
        "(": ("a link address '(' that is never closed by ')', one of many on this page",
              "close each link's address with )"),
        "<": ("a '<' that starts an HTML tag never closed by '>', one of many on this page (the HTML parser would "
              "read the rest of the page again for each)", "write &lt; for a less-than sign, or close the tag with >"),
    }
    message, hint = messages[opener]
    problems.add(path, first_line + line, message, hint, col + 1)
    return False


def scan_steps(lines: list[str]) -> tuple[int, tuple[tuple[int, int], str]]:
    """(the characters Markdown's link and HTML parsers would read on these lines, and the opener that costs
    most: ((line index, column), '[' | '(' | '<')), counted in one pass over the brackets and angle brackets."""
    lines = [line.expandtabs(4) for line in lines]  # as Markdown reads them
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    text = "\n".join(lines)
    total, worst, worst_at = 0, 0, (0, "[")

    def count(opener: int, close: int, kind: str) -> None:
        nonlocal total, worst, worst_at
        total += close - opener
        if close - opener > worst:
            worst, worst_at = close - opener, (opener, kind)

    paragraph_end = 0
    for number, line in enumerate(lines):  # link text and addresses never run past a blank line
        if line.strip() or number == len(lines) - 1:
            continue
        _brackets(text, paragraph_end, starts[number], count)
        paragraph_end = starts[number]
    _brackets(text, paragraph_end, len(text), count)
    steps, at, cost = tag_steps(text)
    total += steps
    if cost > worst:
        worst_at = (at, "<")
    opener, kind = worst_at
    line = bisect.bisect_right(starts, opener) - 1
    return total, ((line, opener - starts[line]), kind)


def _brackets(text: str, start: int, end: int, count: Callable[[int, int, str], None]) -> None:
    """Count what the link parser reads in ``text[start:end]``: from each '[' to its ']', and from each '](' to
    its ')'; a quote inside a link address may open a title, past which the parser reads to the end."""
    squares: list[int] = []
    rounds: list[int] = []
    quotes = [found.start() for found in QUOTE.finditer(text, start, end)]
    for found in SCANNED.finditer(text, start, end):
        char, at = found.group(), found.start()
        if char == "[":
            squares.append(at)
        elif char == "]" and squares:
            count(squares.pop(), at, "[")
        elif char == "(":
            rounds.append(at)
        elif char == ")" and rounds:
            opener = rounds.pop()
            if opener and text[opener - 1] == "]":
                quoted = bisect.bisect_left(quotes, opener) < bisect.bisect_left(quotes, at)
                count(opener, end if quoted else at, "(")
    for opener in squares:
        count(opener, end, "[")
    for opener in rounds:
        if opener and text[opener - 1] == "]":
            count(opener, end, "(")


def block_html(block: model.Block) -> list[str]:
    """Every HTML fragment a block carries (prose, prompts, bodies, options and their feedback)."""
    fragments = [value for name, value in vars(block).items() if name.endswith("html") and isinstance(value, str)]
    if isinstance(block, model.Question):
        fragments += [text for option in block.options for text in (option.html, option.feedback_html)]
    return [fragment for fragment in fragments if fragment]


def _check_html(path: Path, finder: Finder, index: int, end: int, blocks: list[model.Block],
                problems: Problems) -> None:
    """Raw HTML beyond the safe subset, found on the converted HTML and located back in the source."""
    for block in blocks:
        first = getattr(block, "line", index + 1) - 1
        for fragment in block_html(block):
            if problems.full(path):
                return
            for finding in unsafe_html(fragment):
                if problems.full(path):
                    return
                number, col = _locate_finding(finder, first, end, finding) or _locate_finding(
                    finder, index, end, finding) or (index + 1, 1)
                problems.add(path, number, finding.message, finding.hint, col)


def _locate_finding(finder: Finder, first: int, end: int, finding: Finding) -> tuple[int, int] | None:
    if finding.message.startswith("a level-one heading"):
        lines = finder.lines
        for number in range(first + 1, min(end, len(lines))):
            if re.match(r"^#(?!#)\S", lines[number]) or re.match(r"^=+\s*$", lines[number]) and number > first + 1:
                return (number if lines[number].startswith("=") else number + 1), 1
    return finder.locate(first, end, finding.needles)


def locate(lines: list[str], first: int, end: int, needles: Iterable[str]) -> tuple[int, int] | None:
    """(line, column) of the first needle found in ``lines[first:end]``, trying needles in order."""
    return Finder(lines).locate(first, end, needles)


class Finder:
    """Puts line numbers on mistakes by finding their text in a file's lines. One file's searches together read at
    most MAX_LOCATE_STEPS lines, so a file with thousands of mistakes costs no more than a few readings of it;
    after that a mistake is placed at its page's heading."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.steps = 0
        self._lowered: dict[int, str] = {}

    def locate(self, first: int, end: int, needles: Iterable[str]) -> tuple[int, int] | None:
        """(line, column) of the first needle found in ``lines[first:end]``, trying needles in order."""
        for needle in needles:
            wanted = needle.lower()
            for number in range(max(first, 0), min(end, len(self.lines))):
                if self.steps >= MAX_LOCATE_STEPS:
                    return None
                self.steps += 1
                line = self._lowered.get(number)
                if line is None:
                    line = self._lowered.setdefault(number, self.lines[number].lower())
                col = line.find(wanted)
                if col >= 0:
                    return number + 1, col + 1
        return None


def _block_text(block: model.Block) -> str:
    parts = [getattr(block, name, "") for name in ("title", "alt", "caption")]
    return plain_text(" ".join(p for p in parts + block_html(block) if p))


def _check_unique_ids(path: Path, pages: list[model.Page], problems: Problems) -> None:
    page_lines: dict[str, int] = {}
    for page in pages:
        if page.id in page_lines:
            problems.add(path, page.line, f"two pages have the id '{page.id}' (the other is on line "
                         f"{page_lines[page.id]})", "give one a different title or pin an id: # Title {#id}")
        else:
            page_lines[page.id] = page.line
    item_lines: dict[str, int] = {}
    for page in pages:
        for item in page.questions + page.reflections:
            if item.id in item_lines:
                problems.add(path, item.line, f"two {item.kind}s have the id '{item.id}' (the other is on line "
                             f"{item_lines[item.id]})", f'pin a different one: ::: {item.kind} id="..."')
            else:
                item_lines[item.id] = item.line


# Links between pages ------------------------------------------------------------------------------------------

def _resolve_links(modules: list[model.Module], problems: Problems, report_missing: bool) -> list[model.Module]:
    """Rewrite ``#page-id`` links to the runtime's ``#/module/page`` routes; report links to no page.

    ``report_missing`` is off when a module of the set could not be read: its pages are unknown, and a link to
    one of them is not a second mistake.
    """
    owners: dict[str, list[str]] = {}
    for module in modules:
        for page in module.pages:
            owners.setdefault(page.id, []).append(page.full_id)
            owners.setdefault(page.full_id, []).append(page.full_id)
    resolved = []
    for module in modules:
        finder = Finder(read_text(module.source).split("\n"))

        def rewrite(found: re.Match[str], module: model.Module = module, finder: Finder = finder) -> str:
            target = html.unescape(found.group(1))
            local = f"{module.id}/{target}"
            if local in owners:
                return f'href="#/{local}"'
            if len(owners.get(target, [])) == 1:
                return f'href="#/{owners[target][0]}"'
            if target.startswith(("fn:", "fnref", "/")) or not report_missing or problems.full(module.source):
                return found.group(0)
            needles = [f"(#{target})", f'"#{target}"', f"#{target}"]
            line, col = finder.locate(0, len(finder.lines), needles) or (1, 1)
            if len(owners.get(target, [])) > 1:
                problems.add(module.source, line, f"link to '#{target}' matches pages in several modules",
                             f"name the module too: [text](#{owners[target][0]})", col)
            else:
                near = difflib.get_close_matches(target, [k for k in owners if "/" not in k], n=1)
                hint = (f"did you mean '#{near[0]}'?" if near else "use a page id from a heading, e.g. "
                        "[text](#page-id); page ids are made from titles or pinned with {#page-id}")
                problems.add(module.source, line, f"link to '#{target}' matches no page", hint, col)
            return found.group(0)

        pages = [replace(page, blocks=tuple(_rewrite_html(block, lambda text: INTERNAL_LINK.sub(rewrite, text))
                                            for block in page.blocks)) for page in module.pages]
        resolved.append(replace(module, pages=tuple(pages)))
    return resolved


def _rewrite_html(block: model.Block, rewrite: Callable[[str], str]) -> model.Block:
    changes = {name: rewrite(value) for name, value in vars(block).items()
               if name.endswith("html") and isinstance(value, str)}
    if isinstance(block, model.Question):
        changes["options"] = tuple(replace(o, html=rewrite(o.html), feedback_html=rewrite(o.feedback_html))
                                   for o in block.options)
    return replace(block, **changes)


# Files the pages use --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reference:
    """A file or address a page names: a block's src, or a src/href in its HTML."""

    value: str
    loads: bool  # shown inside the page (a picture, video, audio) rather than followed as a link
    from_html: bool


def _references(page: model.Page) -> list[Reference]:
    found: list[Reference] = []
    for block in page.blocks:
        if isinstance(block, model.Figure | model.Media | model.Download):
            found.append(Reference(block.src, not isinstance(block, model.Download), False))
        for fragment in block_html(block):
            for match in URL_ATTRIBUTE.finditer(fragment):
                value = html.unescape(match.group("value"))
                found.append(Reference(value, match.group("tag") in LOADING_TAGS, True))
    return found


def _assets_and_links(folder: Path, modules: list[model.Module], problems: Problems, fallback: Path | None = None,
                      stored_under: str = "") -> tuple[list[model.Module], tuple[model.Asset, ...], tuple[str, ...]]:
    """Find every file the pages use, under a URL-safe name in the package, and every web link. A translation
    (``fallback``: the set's own folder) uses its own copy of a file where it has one, stored under its
    language's folder in the package (``stored_under``), and the set's file otherwise."""
    assets: dict[str, model.Asset] = {}
    renamed: dict[str, str] = {}
    links: set[str] = set()
    for module in modules:
        finder = Finder(read_text(module.source).split("\n"))
        for number, page in enumerate(module.pages):
            first = page.line - 1
            end = module.pages[number + 1].line - 1 if number + 1 < len(module.pages) else len(finder.lines)
            for reference in _references(page):
                if problems.full(module.source):
                    break
                needles = [reference.value, unquote(reference.value)]
                where = finder.locate(first, end, needles) or (page.line, 1)
                if _is_address(reference, module.source, where, problems, links):
                    continue
                own = fallback is None or _on_disk(folder, _file_part(reference.value)) is not None
                asset = _asset(folder if own else fallback, module.source, reference.value, where, problems,
                               stored_under if own else "")
                if asset is None:
                    continue
                existing = assets.get(asset.src)
                if existing and existing.source != asset.source:
                    problems.add(module.source, where[0], f"'{reference.value}' and '{existing.source.name}' would "
                                 f"both be stored as '{asset.src}'", "rename one of the two files", where[1])
                    continue
                if existing is None:
                    for found in active_content(asset.source):
                        problems.add(asset.source, found.line, found.message, found.hint, found.col)
                assets.setdefault(asset.src, asset)
                base = reference.value.split("#", 1)[0].split("?", 1)[0]
                renamed[reference.value] = asset.src + reference.value[len(base):]
    modules = [_rename_references(module, renamed) for module in modules] if renamed else modules
    return modules, tuple(assets[key] for key in sorted(assets)), tuple(sorted(links))


def _is_address(reference: Reference, source: Path, where: tuple[int, int], problems: Problems,
                links: set[str]) -> bool:
    """True for references that are not files of the set: page links, web links (listed), bad schemes."""
    value = reference.value.strip()
    if not value or value.startswith("#"):
        return True
    scheme = url_scheme(value)
    if not scheme and not value.startswith("//"):
        return False
    if reference.from_html:
        if scheme in ("http", "https") and not reference.loads:
            links.add(value)
        return True  # anything else in HTML is already reported by the safe-HTML check
    if reference.loads:
        problems.add(source, where[0], f"'{value}' would load from the web",
                     "packages load nothing from outside: save the file in media/ and write media/<file>", where[1])
    else:
        problems.add(source, where[0], f"'{value}' is not a file in the package",
                     "save the file in media/ and write media/<file>; link to web pages in the text instead",
                     where[1])
    return True


def _file_part(reference: str) -> str:
    """The file a reference names, without its #fragment or ?query."""
    return unquote(reference.split("#", 1)[0].split("?", 1)[0])


def _asset(folder: Path, source: Path, reference: str, where: tuple[int, int],
           problems: Problems, stored_under: str = "") -> model.Asset | None:
    src = _file_part(reference)
    line, col = where
    if src.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", src) or ".." in src.split("/") or "\\" in src:
        problems.add(source, line, f"'{reference}' points outside the set folder",
                     "put the file in this set's media/ folder and write media/<file>", col)
        return None
    path = _on_disk(folder, src) or folder / src
    try:
        outside = path.is_symlink() or not path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        outside = True
    if outside:
        problems.add(source, line, f"'{reference}' points outside the set folder",
                     "copy the file into media/ instead of linking to it", col)
        return None
    kind = not_a_file(path)
    if kind:
        problems.add(source, line, f"'{src}' is {kind}, not a file", "put the file itself in media/", col)
        return None
    if not path.is_file():
        problems.add(source, line, f"file '{src}' does not exist", _missing_hint(folder, src), col)
        return None
    actual = _name_on_disk(path)
    if actual != path.name:
        problems.add(source, line, f"'{src}' differs in capitals from the file '{actual}'",
                     "write the name exactly as the file is named: web servers treat capitals as different", col)
        return None
    name = package_name(src)
    if "/" not in name or name.startswith("assets/"):
        where = "the player's assets/ folder" if "/" in name else "the top of the package"
        problems.add(source, line, f"'{reference}' would be stored at {where}, among the files leadpack adds",
                     "keep pictures and other files in the set's media/ folder", col)
        return None
    name = f"{stored_under}/{name}" if stored_under else name
    size = len(name.encode("utf-8"))
    if size > MAX_ENTRY_BYTES:
        problems.add(source, line, f"'{reference[:60]}…' would be stored under a name of {size} bytes; learning "
                     f"platforms unpack names of at most {MAX_ENTRY_BYTES}", "give the file and its folders shorter "
                     "names", col)
        return None
    return model.Asset(name, path, source, line)


def _on_disk(folder: Path, src: str) -> Path | None:
    """The file ``src`` names, matching each name in whichever Unicode form the file system stored it (macOS
    stores 'â' as 'a' plus an accent; the Markdown usually holds the composed letter)."""
    path = folder
    for part in src.split("/"):
        if part in ("", "."):
            continue
        if os.path.lexists(path / part):
            path = path / part
            continue
        wanted = unicodedata.normalize("NFC", part)
        names = os.listdir(path) if path.is_dir() else []
        match = next((name for name in names if unicodedata.normalize("NFC", name) == wanted), None)
        if match is None:
            return None
        path = path / match
    return path


def _missing_hint(folder: Path, src: str) -> str:
    parent = (folder / src).parent
    names = sorted(p.name for p in parent.iterdir()) if parent.is_dir() else []
    near = difflib.get_close_matches(Path(src).name, names, n=1)
    if near:
        return f"did you mean '{(Path(src).parent / near[0]).as_posix()}'?"
    return f"add it to {display_path(parent)}/ or correct the name"


def _name_on_disk(path: Path) -> str:
    """The file's name as stored, which differs from ``path.name`` in case on case-insensitive file systems."""
    names = {unicodedata.normalize("NFC", name) for name in os.listdir(path.parent)}
    wanted = unicodedata.normalize("NFC", path.name)
    if wanted in names:
        return path.name
    return next((name for name in names if name.lower() == wanted.lower()), path.name)


def package_name(src: str) -> str:
    """The asset's name inside the package: URL-safe ASCII, so every LMS serves it (ŵyn â.jpg → wyn-a.jpg)."""
    parts = []
    for part in unicodedata.normalize("NFC", src).split("/"):
        if not part or part == ".":
            continue
        if SAFE_FILE_NAME.match(part):
            parts.append(part)
            continue
        stem, dot, suffix = part.rpartition(".") if "." in part[1:] else (part, "", "")
        safe_suffix = re.sub(r"[^a-z0-9]", "", suffix.lower())
        parts.append((model.slugify(stem, 80) or "file") + (f".{safe_suffix}" if safe_suffix else ""))
    return "/".join(parts)


def _rename_references(module: model.Module, renamed: dict[str, str]) -> model.Module:
    """Point every reference at its asset's name in the package."""
    changed = {old: new for old, new in renamed.items() if old != new}
    if not changed:
        return module

    def rewrite(text: str) -> str:
        def attribute(found: re.Match[str]) -> str:
            value = html.unescape(found.group("value"))
            if value not in changed:
                return found.group(0)
            return f'{found.group("lead")}{html.escape(changed[value])}"'

        return URL_ATTRIBUTE.sub(attribute, text)

    def rename(block: model.Block) -> model.Block:
        block = _rewrite_html(block, rewrite)
        src = getattr(block, "src", None)
        return replace(block, src=changed[src]) if src in changed else block

    return replace(module, pages=tuple(replace(page, blocks=tuple(rename(b) for b in page.blocks))
                                       for page in module.pages))
