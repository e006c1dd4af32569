"""Rules over the loaded model, shared by ``leadpack check`` and ``leadpack build``."""

from __future__ import annotations

from leadpack import model
from leadpack.budget import check_key_collisions, plan
from leadpack.errors import Problem, SourceError, display_path
from leadpack.render import units_for

MIN_CONTRAST = 4.5


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def check_series(series: model.Series, sco_per: str | None = None, formats: tuple[str, ...] = ()) -> list[Problem]:
    problems: list[Problem] = []
    config = display_path(series.config_path) if series.config_path else "leadpack.toml"
    for name, background in (("primary", "#ffffff"), ("accent", "#ffffff")):
        colour = getattr(series.theme, name)
        ratio = contrast(colour, background)
        if ratio < MIN_CONTRAST:
            problems.append(Problem(config, _line(series, name), f"theme colour {name} {colour} has contrast "
                                    f"{ratio:.2f}:1 against white; WCAG 2.2 AA needs {MIN_CONTRAST}:1",
                                    "choose a darker colour"))
    for course_set in series.sets:
        problems += check_set(series, course_set, sco_per or series.build.sco_per,
                              formats or series.build.formats)
    return problems


def check_set(series: model.Series, course_set: model.CourseSet, sco_per: str,
              formats: tuple[str, ...]) -> list[Problem]:
    problems: list[Problem] = []
    source = str(course_set.folder / "set.toml")
    for target in formats:
        for unit in units_for(course_set, target, sco_per):
            try:
                check_key_collisions(unit, source)
                plan(unit, series.build, source)
            except SourceError as exc:
                if exc.problem not in problems:
                    problems.append(exc.problem)
    for module in course_set.modules:
        for page in module.pages:
            if not page.blocks:
                problems.append(Problem(display_path(module.source), page.line, f"the page '{page.title}' is empty",
                                        "write its text under the heading"))
    return problems


def _line(series: model.Series, key: str) -> int:
    if series.config_path is None:
        return 1
    for number, line in enumerate(series.config_path.read_text("utf-8").splitlines(), start=1):
        if line.strip().startswith(f"{key} ") or line.strip().startswith(f"{key}="):
            return number
    return 1
