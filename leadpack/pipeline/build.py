"""The whole pipeline, top to bottom: load → check → render → package → write zips atomically."""

from __future__ import annotations

import contextlib
import difflib
import errno
import hashlib
import io
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from leadpack import formats
from leadpack.errors import LeadpackError, Problem, ProblemsFound, display_path
from leadpack.formats.base import Format
from leadpack.pipeline import accessibility, editions, handoff, model
from leadpack.pipeline.accessibility import statement_files
from leadpack.pipeline.archive import write_files_atomically, write_zip
from leadpack.pipeline.checks import check_series
from leadpack.pipeline.config import ID_NAME, LANGUAGE_TAG, TEMPLATES_DIR, VERSION
from leadpack.pipeline.editions import edition_series
from leadpack.pipeline.load import CONTENT_DIR, read_series
from leadpack.pipeline.parallel import Job, Planned, build_in_processes, out_folder, planned, progress_label, shard_of
from leadpack.pipeline.render import Renderer, render_set


@dataclass(frozen=True)
class BuildOptions:
    sets: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    out: Path | None = None
    sco_per: str | None = None
    templates: Path | None = None
    strict: bool = False  # warnings fail the build, as errors do
    clean: bool = False  # remove leadpack's files in the out folder that this build did not write
    jobs: int = 1  # processes that build packages (the CLI turns --jobs 0 into the number of cores)
    shard: tuple[int, int] = (1, 1)  # (I, N): build only the I-th of N deterministic slices of the packages
    languages: str | None = None  # "together" or "apart" (default: leadpack.toml's [build] languages)
    editions: tuple[str, ...] = ()  # editions to build into out/<id>/ ("all": with the series' own); () its own

class WarningsAsErrors(ProblemsFound):
    """--strict found warnings: the build stops before writing, as for errors."""


class Stopwatch:
    """Seconds spent in each stage of a build, summed over packages, for ``--verbose``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)


@dataclass
class Package:
    set_id: str
    format: str
    path: Path
    data: bytes
    files: int
    budgets: list[dict] = field(default_factory=list)
    statement: dict[str, str] = field(default_factory=dict)  # accessibility statement draft: html, markdown
    contents: tuple[tuple[str, int], ...] = ()  # (file in the zip, bytes) in zip order, for --verbose
    sheets: tuple[tuple[Path, bytes], ...] = ()  # the LMS hand-off sheet beside it: HTML, then Markdown
    languages: tuple[str, ...] = ()  # the languages the package holds, in the order learners are offered them
    edition: str = ""  # the edition it is for ('' for the series' own)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def summary(self) -> dict:
        return {"set": self.set_id, "format": self.format, "path": str(self.path), "size": len(self.data),
                "files": self.files, "sha256": self.sha256, "suspend_data": self.budgets,
                "accessibility_statement": self.statement,
                "handoff": dict(zip(("html", "markdown"), (str(path) for path, _ in self.sheets), strict=True)),
                "languages": list(self.languages), "edition": self.edition}


@dataclass
class Built:
    """What a build made and met: its packages, the warnings that did not stop it, the files --clean removed."""

    series: model.Series
    packages: list[Package]
    warnings: list[Problem]
    removed: list[Path]
    stages: dict[str, float]  # stage name → seconds


def build(root: Path, options: BuildOptions, progress: Callable[[str], None] = lambda label: None) -> Built:
    """Build every package in memory first, then write them; a mistake anywhere (with --strict, a warning too)
    writes nothing. With a shard, only its slice of the packages (and their sheets and statements)."""
    stopwatch = Stopwatch()
    series, warnings = checked_series(root, options, stopwatch)
    names = options.formats or series.build.formats
    sco_per = options.sco_per or series.build.sco_per
    out = options.out or (series.root / series.build.out)
    _check_out(series, out)
    if options.languages:  # the command line's choice, where every part of the build (and its workers) reads it
        series = replace(series, build=replace(series.build, languages=options.languages))
    published = tuple(edition_series(series, edition) for edition in editions.chosen(series, options.editions))
    everything = planned(published, names)
    by_edition = [[each for each in everything if each.edition == number] for number in range(len(published))]
    mine = shard_of(everything, options.shard)
    job = Job(published, sco_per, out, options.templates)
    if options.jobs > 1 and len({(edition, course_set.id) for edition, course_set, _ in mine}) > 1:
        job.warm(names)
        result = build_in_processes(job, mine, options.jobs, progress)
        packages = result.packages
        for stage, seconds in result.stages.items():
            stopwatch.add(stage, seconds)
    else:
        packages = []
        for edition, course_set, fmt in mine:
            progress(progress_label(published[edition].edition, course_set.id, fmt.name))
            packages.append(make_package(published[edition], course_set, fmt, sco_per, job.renderer(edition),
                                         out_folder(out, published[edition]), stopwatch))
    writing = time.perf_counter()
    custom_templates = bool(options.templates or series.build.templates)
    files = [(p.path, p.data) for p in packages] + [sheet for p in packages for sheet in p.sheets]
    for number, edition in enumerate(published):
        files += statement_files(edition, _statement_listing(
            by_edition[number], [p for p in packages if p.edition == edition.edition], out_folder(out, edition)),
            custom_templates)
    try:
        write_files_atomically(files)
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
        raise LeadpackError(f"cannot write {exc.filename or out}: {exc.strerror or exc}"
                            + (" (free some space; nothing in the output folder was changed)" if full
                               else " (nothing in the output folder was changed)")) from None
    stopwatch.add("write", time.perf_counter() - writing)
    removed = []
    if options.clean:
        with stopwatch.stage("clean"):
            removed = clean(out, published, by_edition, tuple(s.id for s in series.sets) if options.sets else (),
                            every_edition=editions.ALL in options.editions)
    return Built(series, packages, warnings, removed, stopwatch.seconds)


def clean(out: Path, published: tuple[model.Series, ...], by_edition: list[list[Planned]], set_ids: tuple[str, ...],
          every_edition: bool) -> list[Path]:
    """--clean: each built edition's leadpack files that the build did not write, and, when the build made every
    edition, those in the folder of an edition the course no longer has (its folder goes too once empty)."""
    removed = []
    for number, edition in enumerate(published):
        removed += stale_outputs(out_folder(out, edition), planned_names(by_edition[number]), set_ids)
    retired = retired_editions(out, {edition.edition for edition in published}) if every_edition else []
    for folder in retired:
        removed += stale_outputs(folder, set(), set_ids)
    for path in removed:
        path.unlink(missing_ok=True)
    for folder in retired:
        if any(path.parent == folder for path in removed) and not any(folder.iterdir()):
            folder.rmdir()
    return removed


def retired_editions(out: Path, current: set[str]) -> list[Path]:
    """Folders in ``out`` named as an edition's would be, of no edition the course has now (its file was removed
    or renamed): where an old edition's packages wait."""
    if not out.is_dir():
        return []
    return sorted(path for path in out.iterdir() if path.is_dir() and not path.is_symlink()
                  and ID_NAME.fullmatch(path.name) and path.name not in current)


def _statement_listing(everything: list[Planned], packages: list[Package], out: Path) -> list[Package]:
    """What each built set's statement lists: every package of the set the whole build makes, in its order (the
    ones another shard builds stand in by name), so every shard writes the serial build's statement."""
    built = {p.path.name: p for p in packages}  # one set may have a package per language ("apart")
    sets = {p.set_id for p in packages}
    return [built.get(formats.package_file_name(course_set, fmt))
            or Package(course_set.id, fmt.name, out / formats.package_file_name(course_set, fmt), b"", 0)
            for _, course_set, fmt in everything if course_set.id in sets]


def planned_names(everything: list[Planned]) -> set[str]:
    """The names of every file the whole build writes (all its shards together): what --clean keeps."""
    names = set()
    for _, course_set, fmt in everything:
        package = formats.package_file_name(course_set, fmt)
        names |= {package, *handoff.file_names(package), *accessibility.file_names(course_set),
                  *(name for localised in course_set.language_versions for name in
                    accessibility.file_names(course_set, localised.language))}
    return names


def checked_series(root: Path, options: BuildOptions, stopwatch: Stopwatch) -> tuple[model.Series, list[Problem]]:
    """Load and check; errors (with --strict, warnings too) raise. Returns the warnings, which do not stop it."""
    with stopwatch.stage("load"):
        series, found = read_series(root, options.sets)
    if found.errors:
        raise ProblemsFound(found.errors)
    with stopwatch.stage("check"):
        unknown = editions.unknown(series, options.editions)
        if unknown:
            raise _unknown_edition(series, unknown[0])
        checked = check_series(series, options.sco_per or series.build.sco_per,
                               options.formats or series.build.formats, options.editions)
    problems = [p for p in checked if p.severity == "error"]
    if problems:
        raise ProblemsFound(problems)
    warnings = sorted([*found, *(p for p in checked if p not in found)], key=lambda p: (p.path, p.line, p.col))
    if options.strict and warnings:
        raise WarningsAsErrors(warnings)
    return series, warnings


def _check_out(series: model.Series, out: Path) -> None:
    """The output folder is never among the course's sources: packages and Markdown hand-off sheets would mix
    with what maintainers edit, and --clean would then tidy that folder."""
    target = out.resolve()
    for name in (CONTENT_DIR, TEMPLATES_DIR, *filter(None, [series.build.templates])):
        sources = (series.root / name).resolve()
        if target == sources or sources in target.parents:
            raise LeadpackError(f"cannot build into {display_path(out)}: it is inside {name}/, which holds the "
                                "course's sources (write to dist/, the default, or to a folder of its own)")


def _unknown_edition(series: model.Series, name: str) -> LeadpackError:
    known = [edition.id for edition in series.editions]
    near = difflib.get_close_matches(name, known, n=1)
    return LeadpackError(f"no edition '{name}': " + (f"did you mean '{near[0]}'?" if near else
                         "editions are " + ", ".join(known + [editions.ALL]) if known else
                         "the course has none (add content/editions/<id>.toml)"))


def output_name(set_ids: tuple[str, ...] = ()) -> re.Pattern[str]:
    """The names of the files a build writes: <set>-<version>-<format suffix>.zip for every format in the
    registry with its hand-off sheet (<...>-handoff.html and .md), and the accessibility statement drafts
    <set>-<version>-accessibility.html and .md; a language of the set packaged on its own, or a statement in a
    translation's language, has the language before the suffix."""
    set_id = "|".join(map(re.escape, set_ids)) if set_ids else model.ID_PATTERN.pattern.strip("^$")
    suffixes = "|".join(re.escape(fmt.suffix) for fmt in formats.every())
    version, language = VERSION.pattern.strip("^$"), LANGUAGE_TAG.pattern.strip("^$")
    package = rf"(?:{suffixes})(?:\.zip|{re.escape(handoff.SUFFIX)}\.(?:html|md))"
    return re.compile(rf"(?:{set_id})-{version}(?:-{language})?-(?:{package}|accessibility\.(?:html|md))")


def stale_outputs(out: Path, written: set[str], set_ids: tuple[str, ...] = ()) -> list[Path]:
    """Files in ``out`` named as leadpack names its outputs (of ``set_ids`` only, when given) that are not among
    the ``written`` names: packages of a set that was renamed, removed or given a new version. Anything else in
    the folder, and links, are never touched."""
    if not out.is_dir():
        return []
    pattern = output_name(set_ids)
    return sorted(path for path in out.iterdir() if pattern.fullmatch(path.name) and path.name not in written
                  and not path.is_symlink() and path.is_file())


def make_package(series: model.Series, course_set: model.CourseSet, fmt: Format, sco_per: str,
                 renderer: Renderer, out: Path, stopwatch: Stopwatch | None = None) -> Package:
    stopwatch = stopwatch or Stopwatch()
    with stopwatch.stage("render"):
        site = render_set(series, course_set, fmt, sco_per, renderer=renderer)
    with stopwatch.stage("package"):
        files = dict(site.files)
        files.update(fmt.package(series, course_set, site))
    with stopwatch.stage("zip"):
        buffer = io.BytesIO()
        write_zip(buffer, files)
    budgets = [{"unit": b.unit.id, "worst_case": b.worst_case, "limit": b.limit,
                "reflection_max": b.reflection_cap} for b in site.budgets]
    path, data = out / formats.package_file_name(course_set, fmt), buffer.getvalue()
    with stopwatch.stage("handoff"):
        sheets = handoff.sheet_files(series, course_set, fmt, site, files, path, data)
    return Package(course_set.id, fmt.name, path, data, len(files), budgets, edition=series.edition,
                   contents=tuple((name, len(files[name])) for name in sorted(files)), sheets=tuple(sheets),
                   languages=tuple(e.language for e in course_set.language_versions))
