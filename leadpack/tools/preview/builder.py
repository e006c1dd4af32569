"""Preview builds: the real pipeline (``make_package``) into a temporary folder, unpacked as an LMS would.

Each build of a set gets a new numbered folder, so the LMS page's content URL changes with every rebuild and a
browser never mixes files of two builds. The launchable units are read back from the package itself (the format's
manifest), the way an LMS imports it.
"""

from __future__ import annotations

import shutil
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from leadpack import formats
from leadpack.errors import ProblemsFound, SourceError
from leadpack.formats.base import Format, LaunchUnit
from leadpack.formats.package import FolderPackage, ZipPackage
from leadpack.pipeline import model
from leadpack.pipeline.build import make_package
from leadpack.pipeline.checks import check_series
from leadpack.pipeline.config import CONFIG_NAME, TEMPLATES_DIR, links_out, read_text
from leadpack.pipeline.editions import edition_series
from leadpack.pipeline.load import CONTENT_DIR, load_series
from leadpack.pipeline.render import Renderer
from leadpack.pipeline.runtime_data import RuntimeData, read_html

KEEP_BUILDS = 2  # the current build and the one before, whose page may still be loading its files


@dataclass(frozen=True)
class Unit:
    """One launchable thing as the LMS offers it, with the runtime data embedded in its launch page."""

    id: str
    title: str
    href: str
    mastery_score: str
    activity_id: str
    data: RuntimeData | None

    @property
    def launch(self) -> LaunchUnit:
        return LaunchUnit(self.id, self.title, self.href, self.mastery_score, self.activity_id)


@dataclass
class BuiltSet:
    id: str
    title: str
    version: str
    format: str
    serial: int
    folder: Path
    package: Path
    units: list[Unit]
    seconds: float

    def unit(self, unit_id: str) -> Unit | None:
        return next((u for u in self.units if u.id == unit_id), None)

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "version": self.version, "format": self.format,
                "serial": self.serial, "activityId": self.units[0].activity_id if self.units else "",
                "seconds": round(self.seconds, 3),
                "base": f"/content/{self.id}/{self.serial}/",
                "units": [{"id": u.id, "title": u.title, "href": u.href, "masteryScore": u.mastery_score}
                          for u in self.units]}


@dataclass
class Builder:
    """Builds the previewed sets of one course; thread-safe, so the watcher can rebuild while serving."""

    root: Path
    only: tuple[str, ...]
    format_name: str | None
    workdir: Path
    format: Format | None = None
    sets: dict[str, BuiltSet] = field(default_factory=dict)
    serial: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def build(self, set_ids: tuple[str, ...] = ()) -> list[BuiltSet]:
        """Build the named sets (default: every previewed set); a mistake raises ProblemsFound, serving stays."""
        with self._lock:
            started = time.perf_counter()
            series = load_series(self.root, set_ids or self.only)
            self.format = self.format or formats.get(self.format_name or series.build.formats[0])
            problems = [p for p in check_series(series, None, (self.format.name,), ()) if p.severity == "error"]
            if problems:
                raise ProblemsFound(problems)
            series = edition_series(series, None)  # the series' own edition, its [[placeholders]] filled
            built = [self._build_set(series, course_set) for course_set in series.sets]
            for item in built:
                item.seconds = time.perf_counter() - started  # loading and checking count too
                self.sets[item.id] = item
            return built

    def _build_set(self, series: model.Series, course_set: model.CourseSet) -> BuiltSet:
        self.serial += 1
        folder = self.workdir / course_set.id / str(self.serial)
        package = make_package(series, course_set, self.format, series.build.sco_per, Renderer(series), folder.parent)
        folder.mkdir(parents=True)
        package.path.write_bytes(package.data)
        with ZipPackage(package.path) as archive:  # the one safe zip reader every command uses
            archive.extract(folder)
        units = self._units(folder)
        self._prune(folder.parent)
        return BuiltSet(course_set.id, course_set.title, course_set.version, self.format.name, self.serial, folder,
                        package.path, units, 0.0)

    def _units(self, folder: Path) -> list[Unit]:
        """The units the format's manifest offers, each with its launch page's runtime data."""
        package = FolderPackage(folder)
        units = []
        for unit in self.format.launch_units(package):
            data = read_html(package.text(unit.href), f"{folder}/{unit.href}")
            units.append(Unit(data.unit_id if data else unit.id, unit.title, unit.href, unit.mastery_score,
                              unit.activity_id, data))
        return units

    @staticmethod
    def _prune(set_folder: Path) -> None:
        builds = sorted((p for p in set_folder.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: int(p.name))
        for old in builds[:-KEEP_BUILDS]:
            shutil.rmtree(old, ignore_errors=True)


class Watcher(threading.Thread):
    """Polls mtimes under content/ and templates/ (no extra dependency) and says which sets an edit touches.

    An edit inside ``content/<set>/`` concerns that set only; anything else (templates, leadpack.toml) every set.
    """

    def __init__(self, root: Path, served: list[str], on_change, interval: float = 0.1):
        super().__init__(daemon=True, name="leadpack-preview-watch")
        self.root, self.served, self.on_change, self.interval = root.resolve(), served, on_change, interval
        self._halt = threading.Event()
        self._templates_read: tuple[tuple[int, int] | None, list[Path]] = (None, [])  # (leadpack.toml's, found)
        self._seen = self.snapshot()

    def watched(self) -> list[Path]:
        """content/, templates/, the templates folder leadpack.toml names (read again at each look, as an edit may
        change it) and leadpack.toml itself."""
        folders = [self.root / CONTENT_DIR, self.root / TEMPLATES_DIR, *self._own_templates()]
        return [f for f in dict.fromkeys(folders) if f.is_dir() and not links_out(f, self.root)] + \
            [self.root / CONFIG_NAME]

    def _own_templates(self) -> list[Path]:
        """[build] templates, read leniently (a mistake in leadpack.toml is the build's to report), and read
        again only when leadpack.toml has changed: the watcher looks ten times a second."""
        try:
            stat = (self.root / CONFIG_NAME).stat()
            changed = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            return []
        if self._templates_read[0] != changed:
            self._templates_read = (changed, self._templates_setting())
        return self._templates_read[1]

    def _templates_setting(self) -> list[Path]:
        try:
            name = tomllib.loads(read_text(self.root / CONFIG_NAME)).get("build", {}).get("templates")
        except (SourceError, tomllib.TOMLDecodeError, RecursionError, AttributeError):
            return []
        return [self.root / name] if isinstance(name, str) and name.strip() else []

    def snapshot(self) -> dict[Path, tuple[int, int]]:
        found: dict[Path, tuple[int, int]] = {}
        for top in self.watched():
            paths = [top] if top.is_file() else top.rglob("*")
            for path in paths:
                try:
                    stat = path.stat()
                except OSError:
                    continue
                if path.is_file() and not path.name.startswith((".", "#")) and not path.name.endswith("~"):
                    found[path] = (stat.st_mtime_ns, stat.st_size)
        return found

    def affected(self, changed: set[Path]) -> tuple[str, ...] | None:
        """The sets to rebuild, or None for every set."""
        content = self.root / CONTENT_DIR
        sets: set[str] = set()
        for path in changed:
            try:
                relative = path.relative_to(content)
            except ValueError:
                return None
            if len(relative.parts) > 1 and relative.parts[0] in self.served:
                sets.add(relative.parts[0])
        return tuple(sorted(sets))

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            current = self.snapshot()
            changed = {p for p in current.keys() | self._seen.keys() if current.get(p) != self._seen.get(p)}
            self._seen = current
            if changed:
                sets = self.affected(changed)
                if sets is None or sets:
                    self.on_change(sets, sorted(changed))

    def stop(self) -> None:
        self._halt.set()
