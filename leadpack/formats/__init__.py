"""The registry of output formats: one line per format folder. Adding a format = one folder + one line here.

CLI choices, ``[build] formats`` validation, package recognition in ``validate``/``diff``/``preview``, the
accessibility statement and the tests' parametrisation all come from this list. A format's module is imported
only when something asks for it, so ``leadpack --help`` or a one-format build loads no other format's code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadpack.formats.base import Format
    from leadpack.formats.package import PackageView
    from leadpack.pipeline import model

# name → the folder holding its FORMAT, in the order formats are listed and tried.
REGISTRY = {
    "scorm12": "leadpack.formats.scorm12",
    "scorm2004": "leadpack.formats.scorm2004",
    "xapi": "leadpack.formats.xapi",
    "cmi5": "leadpack.formats.cmi5",
}
DEFAULT = tuple(REGISTRY)  # what a course builds when leadpack.toml names no formats: every format


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str) -> Format:
    return importlib.import_module(REGISTRY[name]).FORMAT


def every() -> tuple[Format, ...]:
    return tuple(get(name) for name in REGISTRY)


def recognise(package: PackageView) -> list[Format]:
    """The formats whose manifest the package carries (a zip may hold more than one)."""
    return [fmt for fmt in every() if fmt.manifest in package.names and fmt.recognises(package)]


def package_file_name(course_set: model.CourseSet, fmt: Format) -> str:
    """<set>-<version>-<suffix>.zip; one language of a set packaged apart: <set>-<version>-<language>-<suffix>.zip."""
    language = f"-{course_set.language}" if len(course_set.languages) == 1 else ""
    return f"{course_set.id}-{course_set.version}{language}-{fmt.suffix}.zip"
