"""Course model → rendered site: an in-memory map of package paths to bytes, built with Jinja2 templates."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jinja2
import rjsmin

from leadpack import model
from leadpack.budget import STATE_VERSION, Budget, Unit, plan
from leadpack.errors import LeadpackError

PACKAGE_DIR = Path(__file__).resolve().parent
RUNTIME_DIR = PACKAGE_DIR / "runtime"
LOCALES_DIR = PACKAGE_DIR / "locales"
BUILTIN_TEMPLATES = PACKAGE_DIR.parent / "templates"
CORE_SCRIPTS = ("lp-core.js", "lp-standalone.js")
ADAPTER_SCRIPTS = {"scorm12": ("lp-scorm12.js",), "xapi": ("lp-xapi.js",)}
APP_SCRIPT = "lp-app.js"

FileMap = dict[str, bytes]
RUNTIME_DATA = re.compile(r'<script\b[^>]*\bid="lp-data"[^>]*>(.*?)</script>', re.S)


@dataclass(frozen=True)
class Site:
    """What the renderer hands a packager: the files, and the launchable units with their state budgets."""

    files: FileMap
    units: tuple[Unit, ...]
    budgets: tuple[Budget, ...]


def runtime_file(name: str) -> bytes:
    """A runtime file as shipped: scripts lose comments and indentation (the sources stay readable)."""
    text = (RUNTIME_DIR / name).read_text("utf-8")
    return (rjsmin.jsmin(text, keep_bang_comments=True) if name.endswith(".js") else text).encode("utf-8")


def units_for(course_set: model.CourseSet, target: str, sco_per: str) -> tuple[Unit, ...]:
    if target == "scorm12" and sco_per == "module":
        return tuple(Unit(m.id, m.title, f"{m.id}.html", (m,)) for m in course_set.modules)
    return (Unit(course_set.id, course_set.title, "index.html", course_set.modules),)


def strings_for(language: str) -> dict[str, str]:
    """Interface strings in the set's language, falling back to English for anything not translated."""
    strings = tomllib.loads((LOCALES_DIR / "en.toml").read_text("utf-8"))
    primary = language.split("-")[0].lower()
    translated = LOCALES_DIR / f"{primary}.toml"
    if primary != "en" and translated.is_file():
        strings.update(tomllib.loads(translated.read_text("utf-8")))
    return strings


def template_environment(series: model.Series, override: Path | None) -> jinja2.Environment:
    folders = [folder for folder in (
        override,
        series.root / series.build.templates if series.build.templates else None,
        series.root / "templates",
        BUILTIN_TEMPLATES,
    ) if folder is not None and folder.is_dir()]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render_set(series: model.Series, course_set: model.CourseSet, target: str,
               sco_per: str = "set", templates: Path | None = None) -> Site:
    env = template_environment(series, templates)
    strings = strings_for(course_set.language)
    units = units_for(course_set, target, sco_per)
    budgets = tuple(plan(unit, series.build, str(course_set.folder / "set.toml")) for unit in units)
    files: FileMap = {}
    for asset in course_set.assets:
        files[asset.src] = asset.source.read_bytes()
    logo = _logo(series, files)
    scripts = CORE_SCRIPTS + ADAPTER_SCRIPTS[target] + (APP_SCRIPT,)
    for name in ("leadpack.css",) + scripts:
        files[f"assets/{name}"] = runtime_file(name)
    files["assets/theme.css"] = theme_css(series.theme).encode("utf-8")
    file_sizes = {src: _human_size(len(data), strings["bytes"]) for src, data in files.items()}
    template = _template(env, "launch.html")
    for budget in budgets:
        unit = budget.unit
        data = runtime_data(series, course_set, unit, budget, target, strings)
        html = _render(
            template, series=series, course_set=course_set, title=unit.title, modules=unit.modules, t=strings,
            storage=series.build.reflections, reflection_max=budget.reflection_cap, logo=logo,
            scripts=scripts, file_sizes=file_sizes, data_json=_script_json(data),
        )
        files[unit.file] = html.encode("utf-8")
    return Site(files, units, budgets)


def _render(template: jinja2.Template, **context: object) -> str:
    """Render, turning a mistake in an overriding template into a message that names the template."""
    try:
        return template.render(**context)
    except jinja2.TemplateError as exc:
        raise LeadpackError(f"template {template.filename}: {exc}") from None


def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise LeadpackError(f"{exc.filename}:{exc.lineno}:1: error: template syntax: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise LeadpackError(f"template '{exc.name}' not found in any template folder") from None


def runtime_data(series: model.Series, course_set: model.CourseSet, unit: Unit, budget: Budget,
                 target: str, strings: dict[str, str]) -> dict:
    """Everything the learner-side runtime needs, embedded in the launch page as JSON."""
    course_iri = series.activity_iri(course_set.id)
    return {
        "format": target,
        "stateVersion": STATE_VERSION,
        "storage": series.build.reflections,
        "limit": budget.limit,
        "reflectionMax": budget.reflection_cap,
        "language": course_set.language,
        "set": {"id": course_set.id, "title": course_set.title, "version": course_set.version,
                "description": course_set.description, "iri": course_iri},
        "series": {"title": series.title, "iri": series.base_iri.rstrip("/")},
        "unit": {"id": unit.id, "title": unit.title},
        "completion": {"rule": course_set.completion.rule, "passMark": course_set.completion.pass_mark},
        "modules": [{"id": m.id, "title": m.title, "iri": f"{course_iri}/{m.id}"} for m in unit.modules],
        "pages": [{"id": p.full_id, "key": model.state_key(p.full_id), "title": p.title, "module": p.module_id,
                   "iri": f"{course_iri}/{p.full_id}"} for p in unit.pages],
        "questions": [{
            "id": f"{m.id}/{q.id}", "key": model.state_key(f"{m.id}/{q.id}"), "module": m.id,
            "iri": f"{course_iri}/{m.id}/questions/{q.id}", "text": q.stem_text, "multiple": q.multiple,
            "correct": "".join(q.correct_keys), "options": {o.key: o.text for o in q.options},
            "cmiId": f"{m.id}--{q.id}"[:255],
        } for m in unit.modules for q in m.questions],
        "reflections": [{"id": rid, "key": model.state_key(rid), "prompt": r.prompt_text,
                         "iri": f"{course_iri}/{rid.split('/')[0]}/reflections/{r.id}"}
                        for rid, r in unit.reflections],
        "strings": strings,
    }


def runtime_data_from_html(text: str) -> dict | None:
    """The runtime data a launch page embeds (the reader of `_script_json`), or None for a page without it."""
    match = RUNTIME_DATA.search(text)
    if not match:
        return None
    try:
        return json.loads(match.group(1))
    except json.JSONDecodeError:
        return None


def _script_json(data: dict) -> str:
    """JSON safe inside a <script> element: no '</script' or '<!--' can end or change it early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c")


def theme_css(theme: model.Theme) -> str:
    return f":root {{\n  --lp-primary: {theme.primary};\n  --lp-accent: {theme.accent};\n}}\n"


def _logo(series: model.Series, files: FileMap) -> str:
    if not series.theme.logo:
        return ""
    source = (series.root / series.theme.logo).resolve()
    if not source.is_file():
        raise LeadpackError(f"{series.config_path}: error: the theme logo '{series.theme.logo}' does not exist")
    name = f"assets/logo{source.suffix.lower()}"
    files[name] = source.read_bytes()
    return name


def _human_size(size: int, bytes_word: str) -> str:
    return f"{size} {bytes_word}" if size < 1024 else f"{size / 1024:.0f} KB" if size < 1024 * 1024 \
        else f"{size / 1024 / 1024:.1f} MB"
