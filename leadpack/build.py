"""The whole pipeline, top to bottom: load → check → render → package → write zips atomically."""

from __future__ import annotations

import errno
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from leadpack import model
from leadpack.archive import write_files_atomically, write_zip
from leadpack.checks import check_series
from leadpack.errors import LeadpackError, ProblemsFound
from leadpack.load import load_series
from leadpack.packagers import package_file_name, packager_for
from leadpack.render import render_set
from leadpack.statement import statement_files


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
    formats = options.formats or series.build.formats
    sco_per = options.sco_per or series.build.sco_per
    problems = [p for p in check_series(series, sco_per, formats) if p.severity == "error"]
    if problems:
        raise ProblemsFound(problems)
    out = options.out or (series.root / series.build.out)
    packages = []
    for course_set in series.sets:
        for name in formats:
            progress(f"{course_set.id} ({name})")
            packages.append(make_package(series, course_set, name, sco_per, options.templates, out))
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


def make_package(series: model.Series, course_set: model.CourseSet, format_name: str, sco_per: str,
                 templates: Path | None, out: Path) -> Package:
    packager = packager_for(format_name)
    site = render_set(series, course_set, format_name, sco_per, templates)
    files = dict(site.files)
    files.update(packager.package(series, course_set, site))
    buffer = io.BytesIO()
    write_zip(buffer, files)
    budgets = [{"unit": b.unit.id, "worst_case": b.worst_case, "limit": b.limit,
                "reflection_max": b.reflection_cap} for b in site.budgets]
    return Package(course_set.id, format_name, out / package_file_name(course_set, packager),
                   buffer.getvalue(), len(files), budgets)
