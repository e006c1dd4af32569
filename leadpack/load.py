"""Sources → course model. Reads leadpack.toml, each set.toml and module file; every error carries file:line."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from leadpack import model
from leadpack.config import (
    SET_CONFIG_NAME,
    Table,
    front_matter,
    load_series_settings,
    load_set_settings,
    read_text,
)
from leadpack.errors import Problem, ProblemsFound, SourceError
from leadpack.markdown_ext.blocks import (
    FENCE,
    PLACEHOLDER_PATTERN,
    CourseBlocksExtension,
    make_markdown,
    plain_text,
)

CONTENT_DIR = "content"
PAGE_HEADING = re.compile(r"^#\s+(?P<title>.+?)(?:\s+\{#(?P<id>[^}]*)\})?\s*#*\s*$")
EMPTY_ALT = re.compile(r"!\[\s*\]\(")
UNSAFE_HTML = [
    (re.compile(r"<\s*script\b", re.I), "a <script> element", "scripts are not allowed in course text"),
    (re.compile(r"<\s*(iframe|object|embed|frame|applet)\b", re.I), "an embedded frame or object",
     "link to the page instead, or use ::: video with a file in media/"),
    (re.compile(r"<\s*(style|link|meta|base|form)\b", re.I), "an element that changes the page",
     "styling comes from the theme in leadpack.toml"),
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "an event-handler attribute (on...=)",
     "remove it: course text cannot run code"),
    (re.compile(r"javascript\s*:", re.I), "a javascript: link", "link to a page id (#page) or a web address"),
]
SRC_ATTRIBUTES = re.compile(r'<(?:img|a|source|audio|video)\b[^>]*?\s(?:src|href)="([^"]*)"', re.I)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def load_series(root: Path, only: tuple[str, ...] = ()) -> model.Series:
    """Load every set (or the named ones); raise ProblemsFound listing every file's first mistake."""
    root = root.resolve()
    settings = load_series_settings(root)
    content = root / CONTENT_DIR
    folders = sorted(p for p in content.iterdir() if (p / SET_CONFIG_NAME).is_file()) if content.is_dir() else []
    known = [folder.name for folder in folders]
    for name in only:
        if name not in known:
            raise SourceError(content / name, 1, f"no set '{name}'",
                              "sets are: " + (", ".join(known) or "none (add content/<set>/set.toml)"))
    problems: list[Problem] = []
    sets = []
    for folder in folders:
        if only and folder.name not in only:
            continue
        try:
            sets.append(load_set(folder, problems))
        except SourceError as exc:
            problems.append(exc.problem)
    if problems:
        raise ProblemsFound(problems)
    if not sets:
        raise SourceError(content, 1, "no sets found", "each set is a folder in content/ with a set.toml")
    return model.Series(
        title=settings.title, organisation=settings.organisation, base_iri=settings.base_iri,
        description=settings.description, theme=settings.theme, build=settings.build,
        sets=tuple(sorted(sets, key=_set_order)), root=root, config_path=settings.path,
    )


def _set_order(course_set: model.CourseSet) -> tuple[int, str]:
    """The Introduction comes first; the rest in folder order."""
    return (0 if course_set.id.startswith("intro") else 1, course_set.id)


def load_set(folder: Path, problems: list[Problem]) -> model.CourseSet:
    settings = load_set_settings(folder)
    set_id = folder.name
    if not model.ID_PATTERN.match(set_id):
        raise SourceError(settings.path, 1, f"the folder name '{set_id}' cannot be used as an id",
                          "rename the folder with lower-case letters, digits and hyphens")
    modules: list[model.Module] = []
    seen: dict[str, str] = {}
    for name in settings.modules:
        path = folder / f"{name}.md"
        if not path.is_file():
            candidates = sorted(p.stem for p in folder.glob("*.md"))
            problems.append(Problem(str(_rel(settings.path)), settings.modules_line,
                                    f"module '{name}' is listed but {name}.md does not exist",
                                    "files here: " + (", ".join(candidates) or "none")))
            continue
        try:
            module = load_module(path)
        except SourceError as exc:
            problems.append(exc.problem)
            continue
        if module.id in seen:
            problems.append(Problem(str(_rel(path)), 1, f"module id '{module.id}' is already used by {seen[module.id]}",
                                    "pin a different id in the front matter: id = \"...\""))
            continue
        seen[module.id] = path.name
        modules.append(module)
    modules = _resolve_links(modules, problems)
    assets, links = _assets_and_links(folder, modules, problems)
    return model.CourseSet(
        id=set_id, title=settings.title, description=settings.description, version=settings.version,
        language=settings.language, keywords=settings.keywords, completion=settings.completion,
        modules=tuple(modules), assets=assets, external_links=links, folder=folder,
    )


def load_module(path: Path) -> model.Module:
    text = read_text(path)
    table, body_start = front_matter(path, text)
    table.reject_unknown({"title", "minutes", "outcomes", "id", "description"})
    module_id = table.string("id") or path.stem
    if not model.ID_PATTERN.match(module_id):
        raise SourceError(path, 1, f"module id '{module_id}' is not a valid id",
                          "rename the file (or pin id = \"...\") with lower-case letters, digits and hyphens")
    pages = _pages(path, text.split("\n"), body_start, module_id)
    _check_unique_ids(path, pages)
    return model.Module(
        id=module_id, title=table.string("title", required=True, max_length=255),
        minutes=table.integer("minutes", required=True, low=1, high=600),
        outcomes=_outcomes(table), description=table.string("description"), pages=tuple(pages), source=path,
    )


def _outcomes(table: Table) -> tuple[str, ...]:
    outcomes = table.strings("outcomes", required=True)
    if not outcomes:
        raise table.fail("outcomes", "the module lists no learning outcomes",
                         'outcomes = ["What a learner will be able to do"]')
    return outcomes


def _pages(path: Path, lines: list[str], start: int, module_id: str) -> list[model.Page]:
    """Split the body at level-one headings; each page's text becomes blocks."""
    headings: list[tuple[int, re.Match[str]]] = []
    fence = ""
    for index in range(start, len(lines)):
        line = lines[index]
        found = FENCE.match(line)
        if found and (not fence or found.group(1) == fence):
            fence = "" if fence else found.group(1)
        heading = None if fence else PAGE_HEADING.match(line)
        if heading:
            headings.append((index, heading))
        elif not headings and line.strip():
            raise SourceError(path, index + 1, "text before the first page heading",
                              "start each page with a level-one heading: # Page title")
    if not headings:
        raise SourceError(path, start + 1, "the module has no pages",
                          "start each page with a level-one heading: # Page title")
    pages = []
    for number, (index, heading) in enumerate(headings):
        end = headings[number + 1][0] if number + 1 < len(headings) else len(lines)
        pages.append(_page(path, lines[index + 1:end], index + 1, heading, module_id))
    return pages


def _page(path: Path, body: list[str], line: int, heading: re.Match[str], module_id: str) -> model.Page:
    title = heading.group("title").strip()
    pinned = heading.group("id")
    if pinned is not None and not model.ID_PATTERN.match(pinned):
        raise SourceError(path, line, f"page id '{pinned}' is not a valid id",
                          "use lower-case letters, digits and hyphens: {#my-page}")
    page_id = pinned or model.slugify(title)
    if not page_id:
        raise SourceError(path, line, "cannot make a page id from this heading", "pin one: # Title {#page-id}")
    _check_raw_text(path, body, line + 1)
    if not any(text.strip() for text in body):
        raise SourceError(path, line, f"the page '{title}' is empty", "write its text under the heading")
    extension = CourseBlocksExtension(path, first_line=line + 1)
    html = make_markdown([extension]).convert("\n".join(body))
    blocks = _split_blocks(html, extension.blocks)
    words = len(title.split()) + sum(len(_block_text(block).split()) for block in blocks)
    return model.Page(page_id, module_id, title, tuple(blocks), line, words)


def _check_raw_text(path: Path, body: list[str], first_line: int) -> None:
    for offset, text in enumerate(body):
        if EMPTY_ALT.search(text):
            raise SourceError(path, first_line + offset, "the image has no alt text",
                              "describe it between the brackets: ![What the picture shows](media/file.jpg)",
                              col=EMPTY_ALT.search(text).start() + 1)
        for pattern, what, hint in UNSAFE_HTML:
            found = pattern.search(text)
            if found:
                raise SourceError(path, first_line + offset, f"{what} is not allowed", hint, col=found.start() + 1)


def _split_blocks(html: str, blocks: list[model.Block]) -> list[model.Block]:
    result: list[model.Block] = []
    position = 0
    for found in PLACEHOLDER_PATTERN.finditer(html):
        prose = html[position:found.start()].strip()
        if prose:
            result.append(model.Prose(prose))
        result.append(blocks[int(found.group(1))])
        position = found.end()
    tail = html[position:].strip()
    if tail:
        result.append(model.Prose(tail))
    return result


def _block_text(block: model.Block) -> str:
    parts = [getattr(block, name, "") for name in ("html", "title", "alt", "caption")]
    parts += [getattr(block, name, "") for name in
              ("prompt_html", "body_html", "description_html", "transcript_html", "stem_html")]
    if isinstance(block, model.Question):
        parts += [option.html + " " + option.feedback_html for option in block.options]
    return plain_text(" ".join(p for p in parts if p))


def _check_unique_ids(path: Path, pages: list[model.Page]) -> None:
    page_lines: dict[str, int] = {}
    for page in pages:
        if page.id in page_lines:
            raise SourceError(path, page.line, f"two pages have the id '{page.id}' (the other is on line "
                              f"{page_lines[page.id]})", "give one a different title or pin an id: # Title {#id}")
        page_lines[page.id] = page.line
    item_lines: dict[str, int] = {}
    for page in pages:
        for item in page.questions + page.reflections:
            if item.id in item_lines:
                raise SourceError(path, item.line, f"two {item.kind}s have the id '{item.id}' (the other is on "
                                  f"line {item_lines[item.id]})", f'pin a different one: ::: {item.kind} id="..."')
            item_lines[item.id] = item.line


def _assets_and_links(folder: Path, modules: list[model.Module],
                      problems: list[Problem]) -> tuple[tuple[model.Asset, ...], tuple[str, ...]]:
    assets: dict[str, model.Asset] = {}
    links: set[str] = set()
    for module in modules:
        text_lines = read_text(module.source).split("\n")
        for page in module.pages:
            for reference in _references(page):
                if EXTERNAL.match(reference):
                    if reference.lower().startswith(("http://", "https://")):
                        links.add(reference)
                    elif not reference.lower().startswith("mailto:"):
                        problems.append(Problem(str(_rel(module.source)), _line_of(text_lines, reference),
                                                f"link '{reference}' cannot work inside a package",
                                                "use a web address or a page id"))
                    continue
                if reference.startswith("#") or not reference:
                    continue
                asset = _asset(folder, module.source, reference, _line_of(text_lines, reference), problems)
                if asset:
                    assets.setdefault(asset.src, asset)
    return tuple(assets[key] for key in sorted(assets)), tuple(sorted(links))


def _references(page: model.Page) -> list[str]:
    found: list[str] = []
    for block in page.blocks:
        if isinstance(block, model.Figure | model.Media | model.Download):
            found.append(block.src)
        html = " ".join(str(value) for value in vars(block).values() if isinstance(value, str))
        if isinstance(block, model.Question):
            html += " ".join(o.html + o.feedback_html for o in block.options)
        found += SRC_ATTRIBUTES.findall(html)
    return found


def _asset(folder: Path, source: Path, reference: str, line: int, problems: list[Problem]) -> model.Asset | None:
    src = reference.split("#", 1)[0].split("?", 1)[0]
    where = str(_rel(source))
    if src.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", src) or ".." in Path(src).parts or "\\" in src:
        problems.append(Problem(where, line, f"'{reference}' points outside the set folder",
                                "put the file in this set's media/ folder and write media/<file>"))
        return None
    path = folder / src
    if path.is_symlink() or not path.resolve().is_relative_to(folder.resolve()):
        problems.append(Problem(where, line, f"'{reference}' points outside the set folder",
                                "copy the file into media/ instead of linking to it"))
        return None
    if not path.is_file():
        problems.append(Problem(where, line, f"file '{src}' does not exist",
                                f"add it to {_rel(folder)}/{Path(src).parent}/ or correct the name"))
        return None
    return model.Asset(src, path, source, line)


def _line_of(lines: list[str], needle: str) -> int:
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number
    return 1


def _rel(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


INTERNAL_LINK = re.compile(r'href="#([^"/]*)"')


def _resolve_links(modules: list[model.Module], problems: list[Problem]) -> list[model.Module]:
    """Rewrite ``#page-id`` links to the runtime's ``#/module/page`` routes; report links to no page."""
    owners: dict[str, list[str]] = {}
    for module in modules:
        for page in module.pages:
            owners.setdefault(page.id, []).append(page.full_id)
            owners.setdefault(page.full_id, []).append(page.full_id)
    resolved = []
    for module in modules:
        lines = read_text(module.source).split("\n")

        def rewrite(found: re.Match[str], module: model.Module = module, lines: list[str] = lines) -> str:
            target = found.group(1)
            local = f"{module.id}/{target}"
            if local in owners:
                return f'href="#/{local}"'
            if len(owners.get(target, [])) == 1:
                return f'href="#/{owners[target][0]}"'
            if target and not target.startswith("fn"):
                problems.append(Problem(str(_rel(module.source)), _line_of(lines, f"(#{target})"),
                                        f"link to '#{target}' matches no page",
                                        "use a page id from a heading, e.g. [text](#page-id); page ids are "
                                        "made from titles or pinned with {#page-id}"))
            return found.group(0)

        pages = []
        for page in module.pages:
            blocks = tuple(_rewrite_block(block, rewrite) for block in page.blocks)
            pages.append(replace(page, blocks=blocks))
        resolved.append(replace(module, pages=tuple(pages)))
    return resolved


def _rewrite_block(block: model.Block, rewrite) -> model.Block:
    changes = {name: INTERNAL_LINK.sub(rewrite, value) for name, value in vars(block).items()
               if name.endswith("html") and isinstance(value, str)}
    if isinstance(block, model.Question):
        changes["options"] = tuple(replace(o, html=INTERNAL_LINK.sub(rewrite, o.html),
                                           feedback_html=INTERNAL_LINK.sub(rewrite, o.feedback_html))
                                   for o in block.options)
    return replace(block, **changes)
