"""Release builds at scale: the deterministic slice of a build's packages that ``--shard I/N`` builds, and the
processes ``--jobs N`` builds them in.

Every package is a pure function of the sources, so where it is built cannot change a byte of it: a worker runs
the same ``make_package`` a serial build runs, and the parent puts the results back in the serial order before
anything is written (all-or-nothing, as ever). Work goes out one set at a time, so the formats of a set share its
rendered pages (pipeline/render.py) in whichever process builds them. On Linux the workers are forked from the
parent, which has loaded, checked and compiled everything once; where forking is unsafe (other threads running)
they start afresh and are sent the loaded course.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from leadpack import formats
from leadpack.errors import LeadpackError
from leadpack.formats.base import Format
from leadpack.pipeline import model
from leadpack.pipeline.render import Renderer, runtime_file, runtime_scripts

if TYPE_CHECKING:
    from leadpack.pipeline.build import Package

class Planned(NamedTuple):
    """One package of a build, in the serial order: which edition it is for, the set (in the language packaged)
    and the format."""

    edition: int  # index into the build's editions (Job.editions)
    course_set: model.CourseSet
    fmt: Format


def planned(editions: tuple[model.Series, ...], format_names: tuple[str, ...]) -> list[Planned]:
    """Every package the whole build makes, in the order a serial build makes them: edition by edition, set by
    set (a set in several languages built "apart": language by language), format by format."""
    return [Planned(number, course_set, formats.get(name)) for number, series in enumerate(editions)
            for each in series.sets for course_set in each.packaged(series.build.languages) for name in format_names]


def progress_label(edition: str, set_id: str, format_name: str) -> str:
    """What the progress line says of one package, built here or in a worker: "north: every-block (xapi)"."""
    return f"{edition}: {set_id} ({format_name})" if edition else f"{set_id} ({format_name})"


def out_folder(out: Path, series: model.Series) -> Path:
    """Where an edition's files go: the out folder for the series' own, out/<edition id>/ for an edition."""
    return out / series.edition if series.edition else out


def shard_of(packages: list[Planned], shard: tuple[int, int]) -> list[Planned]:
    """The ``index``-th of ``count`` contiguous slices of ``packages``, as even as whole packages allow: together
    the slices are the list, each package in exactly one, whatever machine computes them."""
    index, count = shard
    return packages[(index - 1) * len(packages) // count:index * len(packages) // count]


def core_count() -> int:
    """The cores this process may run on (``--jobs 0``)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class Job:
    """What every worker needs: the checked course as each edition publishes it, the build's settings (and, when
    forked, warm renderers: one per edition, since the pages of each are its own)."""

    editions: tuple[model.Series, ...]
    sco_per: str
    out: Path
    templates: Path | None
    renderers: dict[int, Renderer] = field(default_factory=dict, compare=False)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "renderers": {}}  # a fresh process compiles its own templates

    def renderer(self, edition: int) -> Renderer:
        if edition not in self.renderers:
            first = next(iter(self.renderers.values()), None)  # whose compiled template every edition shares
            self.renderers[edition] = Renderer(self.editions[edition], self.templates, first)
        return self.renderers[edition]

    def warm(self, format_names: tuple[str, ...]) -> None:
        """Compile the templates and read every runtime script a package may ship once, before workers are forked
        with them."""
        self.renderer(0).template()
        for name in format_names:
            for path in runtime_scripts(formats.get(name), languages=2).values():
                runtime_file(path)


@dataclass
class Result:
    packages: list[Package]
    stages: dict[str, float]


_JOB: Job | None = None  # the worker's job, set once when it starts


def _start_worker(job: Job) -> None:
    """A worker leaves Ctrl-C and SIGTERM to the parent, which stops the build and removes what it wrote."""
    global _JOB
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _JOB = job


def _build_set(edition: int, set_index: int, language: str, format_names: tuple[str, ...]) -> Result:
    from leadpack.pipeline.build import Stopwatch, make_package

    assert _JOB is not None
    stopwatch = Stopwatch()
    series = _JOB.editions[edition]
    course_set = next(packaged for packaged in series.sets[set_index].packaged(series.build.languages)
                      if packaged.language == language)
    out = out_folder(_JOB.out, series)
    packages = [make_package(series, course_set, formats.get(name), _JOB.sco_per, _JOB.renderer(edition), out,
                             stopwatch) for name in format_names]
    return Result(packages, stopwatch.seconds)


def groups(editions: tuple[model.Series, ...], packages: list[Planned]) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """The packages as work for one process each: (edition, set index, the language packaged, its formats), in
    order: the formats of one set share its rendered pages in whichever process builds them."""
    found: dict[tuple[int, int, str], list[str]] = {}
    positions = [{each.id: number for number, each in enumerate(series.sets)} for series in editions]
    for edition, course_set, fmt in packages:
        found.setdefault((edition, positions[edition][course_set.id], course_set.language), []).append(fmt.name)
    return [(*key, tuple(names)) for key, names in found.items()]


def build_in_processes(job: Job, packages: list[Planned], jobs: int,
                       progress: Callable[[str], None]) -> Result:
    """Build ``packages`` in ``jobs`` processes; the result lists them in the order given."""
    import multiprocessing  # here, not at the top: a serial build (most builds) never needs them
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    work = groups(job.editions, packages)
    safe_to_fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if safe_to_fork else "spawn")
    built: list[Package] = []
    stages: dict[str, float] = {}
    try:
        with ProcessPoolExecutor(min(jobs, len(work)), mp_context=context, initializer=_start_worker,
                                 initargs=(job,)) as pool:
            futures = [pool.submit(_build_set, *unit) for unit in work]
            try:
                for future in futures:
                    result = future.result()
                    for package in result.packages:
                        progress(progress_label(package.edition, package.set_id, package.format))
                    built += result.packages
                    for stage, seconds in result.stages.items():
                        stages[stage] = stages.get(stage, 0.0) + seconds
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    except BrokenProcessPool:
        raise LeadpackError("a build process stopped before it finished (out of memory, or killed); nothing was "
                            "written: build again, with fewer --jobs") from None
    return Result(built, stages)
