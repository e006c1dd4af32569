"""Course model → rendered site: an in-memory map of package paths to bytes, built with Jinja2 templates.

What differs between formats reaches this stage only through the ``Format`` it is given: the launchable units,
the saved-state limit and the adapter script. Everything else is the same for every format, so a ``Renderer``
does it once per build: templates are compiled once, each launchable unit's pages are rendered once and shared by
every format that launches the same unit (a format only adds its runtime data and scripts), and every set's
files, runtime files and interface strings are read once.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import jinja2.sandbox

from leadpack import __version__
from leadpack.errors import LeadpackError, SourceError
from leadpack.pipeline import model
from leadpack.pipeline.cache import cache_folder
from leadpack.pipeline.colours import lightened
from leadpack.pipeline.config import TEMPLATES_DIR, links_out, not_a_file, read_file
from leadpack.pipeline.minify import minified
from leadpack.pipeline.runtime_data import LanguageEntry, RuntimeData
from leadpack.pipeline.state import Budget, plan

if TYPE_CHECKING:
    from leadpack.formats.base import Format

PACKAGE_DIR = Path(__file__).resolve().parent.parent
RUNTIME_DIR = PACKAGE_DIR / "runtime"
LOCALES_DIR = PACKAGE_DIR / "locales"


def _builtin_templates() -> Path:
    """Installed from a wheel, the templates sit inside the package (setup.py maps them there); in a checkout
    or an editable install they are the top-level templates/ folder that maintainers read and override."""
    installed = PACKAGE_DIR / TEMPLATES_DIR
    return installed if installed.is_dir() else PACKAGE_DIR.parent / TEMPLATES_DIR


BUILTIN_TEMPLATES = _builtin_templates()
CORE_SCRIPTS = ("lp-core.js", "lp-standalone.js")
APP_SCRIPT = "lp-app.js"
LANGUAGES_SCRIPT = "lp-languages.js"

FileMap = dict[str, bytes]


@dataclass(frozen=True)
class Site:
    """What the renderer hands a packager: the files, and the launchable units with their state budgets."""

    files: FileMap
    units: tuple[model.Unit, ...]
    budgets: tuple[Budget, ...]
    data: tuple[RuntimeData, ...] = ()  # each unit's runtime data, as its launch page embeds it


@functools.cache
def runtime_file(path: Path) -> bytes:
    """A runtime file as shipped: scripts minified (the sources stay readable), the stylesheet as written."""
    text = path.read_text("utf-8")
    return minified(text) if path.suffix == ".js" else text.encode("utf-8")


def runtime_scripts(fmt: Format, languages: int = 1) -> dict[str, Path]:
    """The learner runtime a format's package ships, in load order: shipped name → source file. The learner's
    choice of language comes only with a package that holds the set in several (``languages``)."""
    scripts = {name: RUNTIME_DIR / name for name in CORE_SCRIPTS}
    if languages > 1:
        scripts[LANGUAGES_SCRIPT] = RUNTIME_DIR / LANGUAGES_SCRIPT
    scripts.update((path.name, path) for path in fmt.scripts)
    scripts[APP_SCRIPT] = RUNTIME_DIR / APP_SCRIPT
    return scripts


def budgets_for(series: model.Series, course_set: model.CourseSet, fmt: Format, sco_per: str) -> tuple[Budget, ...]:
    """Each unit the format launches, with its saved-state budget proven (or a SourceError)."""
    source = str(course_set.folder / "set.toml")
    return tuple(plan(unit, fmt.state_limit(series.build), series.build, source, course_set.languages)
                 for unit in fmt.units(course_set, sco_per))


@functools.cache
def read_catalogue(path: Path) -> dict[str, str]:
    return tomllib.loads(path.read_text("utf-8"))


def catalogue_file(folder: Path, language: str) -> Path | None:
    """The catalogue in ``folder`` (``<primary subtag>.toml``) that speaks ``language``, or None: ``en.toml`` is
    the base every other one falls back to, and a language without a file of its own is spoken in English."""
    primary = language.split("-")[0].lower()
    path = folder / f"{primary}.toml"
    return path if primary != "en" and path.is_file() else None


def in_language(folder: Path, language: str) -> dict[str, str]:
    """A catalogue of ``folder`` in ``language``, with English for anything it lacks (``missing_strings`` finds
    those, so that check can say so)."""
    found = dict(read_catalogue(folder / "en.toml"))
    own = catalogue_file(folder, language)
    if own is not None:
        found.update(read_catalogue(own))
    return found


def missing_strings(folder: Path, language: str) -> tuple[Path, list[str]] | None:
    """The catalogue of ``language`` in ``folder`` and the keys of en.toml it lacks, or None when it lacks none."""
    own = catalogue_file(folder, language)
    if own is None:
        return None
    missing = [key for key in read_catalogue(folder / "en.toml") if key not in read_catalogue(own)]
    return (own, missing) if missing else None


def strings_for(language: str) -> dict[str, str]:
    """Interface strings in the set's language, falling back to English for anything not translated."""
    return in_language(LOCALES_DIR, language)


@dataclass(frozen=True)
class Described:
    """The set in one of its languages, as a package's metadata describes it."""

    language: str
    title: str
    description: str
    keywords: tuple[str, ...]


def described(course_set: model.CourseSet) -> tuple[Described, ...]:
    """The set's title, description and keywords in each of its languages, in its order, for the manifest or course
    structure: a draft translation's description says that it is one, until a reviewer clears it."""
    found = []
    for localised in course_set.language_versions:
        description = localised.description or localised.title
        if localised.status == "draft":
            description = f"{description} ({strings_for(localised.language)['draft_translation']})"
        found.append(Described(localised.language, localised.title, description, localised.keywords))
    return tuple(found)


class TemplateLoader(jinja2.BaseLoader):
    """Templates from the first folder that has them, read the way every source is read: an ordinary file inside
    its folder (not a link out of it, a FIFO or a folder), UTF-8, of bounded size."""

    def __init__(self, folders: list[Path]):
        self.folders = folders
        self.loaded: set[str] = set()  # the file names given to Jinja: its traceback frames carry them

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        parts = jinja2.loaders.split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*parts)
            if not os.path.lexists(path):
                continue
            if links_out(path, folder):
                raise SourceError(path, 1, f"the template {template} is a link to a file outside its folder",
                                  "copy the template into the templates folder instead of linking to it")
            kind = not_a_file(path)
            if kind:
                raise SourceError(path, 1, f"the template {template} is {kind}, not a file",
                                  "put the template file itself here")
            try:
                source = read_file(path).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SourceError(path, 1, f"the template is not UTF-8 text (byte {exc.start})",
                                  "save it as UTF-8 in your editor") from None
            self.loaded.add(str(path))
            return source, str(path), _unchanged(path)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path) -> Callable[[], bool]:
    """Jinja's check that a cached template is still current."""
    modified = path.stat().st_mtime_ns
    return lambda: path.is_file() and path.stat().st_mtime_ns == modified


def template_environment(series: model.Series, override: Path | None) -> jinja2.Environment:
    """Override folders first, then the built-in templates. Sandboxed: a template reaches only what it is given
    (no Python internals, so no files from outside the course), and loops over ranges are bounded."""
    folders = [folder for folder in (
        override,
        series.root / series.build.templates if series.build.templates else None,
        series.root / TEMPLATES_DIR,
        BUILTIN_TEMPLATES,
    ) if folder is not None and folder.is_dir()]
    return jinja2.sandbox.SandboxedEnvironment(
        loader=TemplateLoader(folders), undefined=jinja2.StrictUndefined, bytecode_cache=template_cache(),
        **TEMPLATE_OPTIONS)


TEMPLATE_OPTIONS = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True}


@functools.cache
def template_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (cache.py): compiling them is most of a small build's work. Jinja keys
    each on the template's file and source (an edited or overriding template is compiled afresh); the folder is
    keyed on what else the compiled code depends on (Jinja's and leadpack's versions, the options above)."""
    compiled_by = repr((jinja2.__version__, __version__, sorted(TEMPLATE_OPTIONS.items()), "sandboxed", "strict"))
    folder = cache_folder("templates/" + hashlib.sha256(compiled_by.encode()).hexdigest()[:16])
    return _KeptTemplates(str(folder)) if folder else None


class _KeptTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's folder of compiled templates, except that a folder removed or filled while leadpack runs (a cache
    cleaner, a full disk, a long preview) costs only the time to compile again: Jinja's own would fail the build."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


# Where a format's own parts go in a unit's shared page: its runtime data, and one script line per runtime file.
DATA_MARK = "@@lp-runtime-data@@"
SCRIPT_MARK = "@@lp-script@@"


class Renderer:
    """Renders the sets of one series for every format that asks, doing each shared part once (see the module
    docstring). One lives for one build; ``render_set`` without one makes its own."""

    def __init__(self, series: model.Series, templates: Path | None = None, sharing: Renderer | None = None):
        """``sharing``: a renderer of another edition of the same build, whose compiled template this one uses."""
        self.series, self.templates = series, templates
        self._template: jinja2.Template | None = sharing.template() if sharing else None
        self._set_files: dict[str, tuple[FileMap, str]] = {}
        self._pages: dict[tuple, str] = {}

    def template(self) -> jinja2.Template:
        if self._template is None:
            self._template = _template(template_environment(self.series, self.templates), "launch.html")
        return self._template

    def set_files(self, course_set: model.CourseSet) -> tuple[FileMap, str]:
        """The set's files every format ships (the media of every language, styles, theme, logo), and the logo's
        name."""
        key = (course_set.id, course_set.language)
        if key not in self._set_files:
            files: FileMap = {asset.src: read_file(asset.source, None)
                              for localised in course_set.language_versions for asset in localised.assets}
            logo = _logo(self.series, files)
            files["assets/leadpack.css"] = runtime_file(RUNTIME_DIR / "leadpack.css")
            files["assets/theme.css"] = theme_css(self.series.theme).encode("utf-8")
            self._set_files[key] = (files, logo)
        return self._set_files[key]

    def page(self, course_set: model.CourseSet, unit: model.Unit) -> str:
        """The unit's launch page with the marks where a format's runtime data and scripts go: the set's first
        language as the document, every other language's version in a <template> beside it."""
        key = (course_set.id, course_set.language, unit.id, unit.file, tuple(m.id for m in unit.modules))
        if key not in self._pages:
            first, *others = course_set.language_versions
            held = "".join(f'<template class="lp-language-template" data-language="{html.escape(other.language)}">\n'
                           + self._language_version(course_set, other, unit, version_only=True) + "</template>\n"
                           for other in others)
            self._pages[key] = self._language_version(course_set, first, unit, other_versions=held)
        return self._pages[key]

    def _language_version(self, course_set: model.CourseSet, localised: model.CourseSet, unit: model.Unit,
                          version_only: bool = False, other_versions: str = "") -> str:
        series, (files, logo) = self.series, self.set_files(course_set)
        ours, strings = localised.unit_in(unit), strings_for(localised.language)
        sizes = {src: _human_size(len(data), strings["bytes"]) for src, data in files.items()}
        switch = [{"code": version.language, "name": strings_for(version.language)["language_name"]}
                  for version in course_set.language_versions]
        return _render(
            self.template(), series=series.in_language(localised.language), course_set=localised, title=ours.title,
            modules=ours.modules, covers=unit.covers, t=strings,
            storage=series.build.reflections, text_max=series.build.reflection_max_chars, logo=logo,
            series_place=series.place_of(course_set), next_set=series.next_after(course_set),
            scripts=(SCRIPT_MARK,), file_sizes=sizes, data_json=DATA_MARK, language_switch=switch,
            version_only=version_only, other_versions=other_versions)

    def site(self, course_set: model.CourseSet, fmt: Format, sco_per: str) -> Site:
        budgets = budgets_for(self.series, course_set, fmt, sco_per)
        shared, _ = self.set_files(course_set)
        files = dict(shared)
        scripts = runtime_scripts(fmt, len(course_set.language_versions))
        for name, path in scripts.items():
            files[f"assets/{name}"] = runtime_file(path)
        strings = strings_for(course_set.language)
        units = [budget.unit for budget in budgets]
        embedded = []
        for number, budget in enumerate(budgets):
            following = units[number + 1] if number + 1 < len(units) else None
            versions = course_set.language_versions
            languages = tuple(LanguageEntry.of(localised, budget.unit, following, strings_for(localised.language),
                                               localised.language == course_set.language,
                                               fmt.language_objective(course_set, localised.language))
                              for localised in versions) if len(versions) > 1 else ()
            data = RuntimeData.for_unit(self.series, course_set, budget.unit, budget, fmt, strings, following,
                                        languages)
            files[budget.unit.file] = _filled(self.page(course_set, budget.unit), data.to_json(),
                                              tuple(scripts)).encode("utf-8")
            embedded.append(data)
        return Site(files, tuple(units), budgets, tuple(embedded))


def _filled(page: str, data_json: str, scripts: tuple[str, ...]) -> str:
    """A shared page with a format's runtime data and script lines put in (each line naming the mark repeats once
    per script, so an overriding template may write its script tags however it likes)."""
    lines = []
    for line in page.split("\n"):
        lines += [line.replace(SCRIPT_MARK, name) for name in scripts] if SCRIPT_MARK in line else [line]
    return "\n".join(lines).replace(DATA_MARK, data_json, 1)


def render_set(series: model.Series, course_set: model.CourseSet, fmt: Format, sco_per: str = "set",
               templates: Path | None = None, renderer: Renderer | None = None) -> Site:
    """The set's files for one format (with ``renderer``, sharing what other formats of the build rendered)."""
    return (renderer or Renderer(series, templates)).site(course_set, fmt, sco_per)


def _render(template: jinja2.Template, **context: object) -> str:
    """Render, turning any failure in a template (Jinja's own, or an error a template provokes, such as a division
    by zero or endless recursion) into a message that names the template file and line that failed."""
    try:
        return template.render(**context)
    except SourceError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise _syntax_error(exc) from None
    except jinja2.TemplateNotFound as exc:
        raise _not_found(exc) from None
    except Exception as exc:  # noqa: BLE001 - whatever a template raises becomes one clear line
        filename, line = _failing_template(exc, template)
        # where Python ran out of stack varies from run to run: say only that it did
        detail = str(exc).split(" while ")[0] if isinstance(exc, RecursionError) else str(exc)
        reason = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else f"{type(exc).__name__}"\
            + (f": {detail}" if detail else "")
        raise SourceError(filename, line, f"the template failed: {reason[:300]}",
                          "fix the template, or remove it to use the built-in one") from None


def _failing_template(exc: BaseException, template: jinja2.Template) -> tuple[str, int]:
    """The template file and line where ``exc`` was raised: Jinja rewrites tracebacks so that each frame of a
    template points at the template's own file and line; the innermost such frame is the one that failed."""
    found = (template.filename or template.name or "template", 1)
    loader = template.environment.loader
    names = loader.loaded if isinstance(loader, TemplateLoader) else {template.filename}
    trace = exc.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename in names:
            found = (trace.tb_frame.f_code.co_filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


def _syntax_error(exc: jinja2.TemplateSyntaxError) -> SourceError:
    return SourceError(exc.filename or exc.name or "template", exc.lineno or 1, f"template syntax: {exc.message}",
                       "see the Jinja template documentation; compare with the built-in template")


def _not_found(exc: jinja2.TemplateNotFound) -> LeadpackError:
    return LeadpackError(f"template '{exc.name}' not found in any template folder")


def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise _syntax_error(exc) from None
    except jinja2.TemplateNotFound as exc:
        raise _not_found(exc) from None


def theme_css(theme: model.Theme) -> str:
    """The theme's colours, and for dark mode each lightened until it keeps 4.5:1 on the dark ground."""
    return (f":root {{\n  --lp-primary: {theme.primary};\n  --lp-accent: {theme.accent};\n"
            f"  --lp-primary-dark: {lightened(theme.primary)};\n  --lp-accent-dark: {lightened(theme.accent)};\n}}\n")


def _logo(series: model.Series, files: FileMap) -> str:
    """The theme logo, as ``check`` accepted it: an ordinary file inside the course folder (checks.py)."""
    if not series.theme.logo:
        return ""
    source = series.root / series.theme.logo
    if links_out(source, series.root) or not source.is_file():
        raise SourceError(series.config_path or series.root, 1, f"the theme logo '{series.theme.logo}' is not a "
                          "file in the course folder", "run leadpack check")
    name = f"assets/logo{source.suffix.lower()}"
    files[name] = read_file(source, None)
    return name


def _human_size(size: int, bytes_word: str) -> str:
    return f"{size} {bytes_word}" if size < 1024 else f"{size / 1024:.0f} KB" if size < 1024 * 1024 \
        else f"{size / 1024 / 1024:.1f} MB"
