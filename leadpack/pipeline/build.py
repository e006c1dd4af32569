"""The whole pipeline, top to bottom: load → check → render → package → write zips atomically."""

from __future__ import annotations

import errno
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from leadpack import formats
from leadpack.errors import LeadpackError, ProblemsFound
from leadpack.formats.base import Format
from leadpack.pipeline import model
from leadpack.pipeline.accessibility import statement_files
from leadpack.pipeline.archive import write_files_atomically, write_zip
from leadpack.pipeline.checks import check_series
from leadpack.pipeline.load import load_series
from leadpack.pipeline.render import render_set


@dataclass(frozen=True)
class BuildOptions:
    sets: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    out: Path | None = None
    sco_per: str | None = None
    templates: Path | None = None


@dataclass
class Package:
    set_id: str
    format: str
    path: Path
    data: bytes
    files: int
    budgets: list[dict] = field(default_factory=list)
    statement: dict[str, str] = field(default_factory=dict)  # accessibility statement draft: html, markdown

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def summary(self) -> dict:
        return {"set": self.set_id, "format": self.format, "path": str(self.path), "size": len(self.data),
                "files": self.files, "sha256": self.sha256, "suspend_data": self.budgets,
                "accessibility_statement": self.statement}


def build(root: Path, options: BuildOptions,
          progress: Callable[[str], None] = lambda label: None) -> tuple[model.Series, list[Package]]:
    """Build every package in memory first, then write them; a mistake anywhere writes nothing."""
    series = load_series(root, options.sets)
    names = options.formats or series.build.formats
    sco_per = options.sco_per or series.build.sco_per
    problems = [p for p in check_series(series, sco_per, names) if p.severity == "error"]
    if problems:
        raise ProblemsFound(problems)
    out = options.out or (series.root / series.build.out)
    packages = []
    for course_set in series.sets:
        for fmt in map(formats.get, names):
            progress(f"{course_set.id} ({fmt.name})")
            packages.append(make_package(series, course_set, fmt, sco_per, options.templates, out))
    custom_templates = bool(options.templates or series.build.templates)
    files = [(p.path, p.data) for p in packages] + statement_files(series, packages, custom_templates)
    try:
        write_files_atomically(files)
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
        raise LeadpackError(f"cannot write {exc.filename or out}: {exc.strerror or exc}"
                            + (" (free some space; nothing in the output folder was changed)" if full
                               else " (nothing in the output folder was changed)")) from None
    return series, packages


def make_package(series: model.Series, course_set: model.CourseSet, fmt: Format, sco_per: str,
                 templates: Path | None, out: Path) -> Package:
    site = render_set(series, course_set, fmt, sco_per, templates)
    files = dict(site.files)
    files.update(fmt.package(series, course_set, site))
    buffer = io.BytesIO()
    write_zip(buffer, files)
    budgets = [{"unit": b.unit.id, "worst_case": b.worst_case, "limit": b.limit,
                "reflection_max": b.reflection_cap} for b in site.budgets]
    return Package(course_set.id, fmt.name, out / formats.package_file_name(course_set, fmt),
                   buffer.getvalue(), len(files), budgets)
