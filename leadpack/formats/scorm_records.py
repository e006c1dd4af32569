"""The preview LMS's server side for both SCORM versions: what it remembers of each learner between launches.

An LMS server keeps one record per learner and SCO, hands each launch its data model (``entry`` from how the last
session exited, ``total_time`` summed from session times, the learner's id and name) and stores what the SCO
commits. SCORM 1.2 and 2004 do this the same way with other element names and time formats, and one rule apart:
in 2004 only ``exit`` "suspend" keeps an attempt open, anything else starts the next launch afresh. A ``Version``
says which; each version's ``lms.py`` holds one and a ``ScormSide`` subclass naming its API object for the LMS page.
The learner-side rules (modes, types, limits, error codes) live in each version's ``lms-api.js``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from leadpack.formats.base import LaunchUnit, PreviewServices, PreviewSide


@dataclass(frozen=True)
class Launch:
    """What the LMS knows when it starts a session: whose, of which unit, and from the record."""

    learner: object  # a preview learner: .id, .name
    unit: LaunchUnit
    entry: str
    total_time: str


@dataclass(frozen=True)
class Version:
    """How one SCORM version's records differ: names, time format, what the LMS provides, when attempts end."""

    exit: str  # the element saying how a session ended
    session_time: str
    session_only: frozenset[str]  # describe one session: kept for bookkeeping, not handed to the next launch
    lms_provided: frozenset[str]  # set by the LMS at launch, never taken from a commit
    keeps: re.Pattern[str]  # the element names a commit may store
    defaults: dict[str, str]  # what a first launch starts from (stored values replace them)
    provide: Callable[[Launch], dict[str, str]]  # the LMS's own values for a launch (they replace stored ones)
    centiseconds: Callable[[str], int]  # a session time → centiseconds (0 when it is not one)
    total_time: Callable[[int], str]  # centiseconds → the total_time value
    only_suspend_resumes: bool = False  # any other exit ends the attempt: a new one, with nothing carried over


@dataclass
class Record:
    """One learner's attempt at one SCO (``attempts`` counts the attempts the record has begun)."""

    values: dict[str, str] = field(default_factory=dict)
    launches: int = 0
    commits: int = 0
    attempts: int = 1
    total_centiseconds: int = 0
    uncounted_session: str = ""  # a session time committed by a session that never finished

    def count_session(self, version: Version) -> None:
        self.total_centiseconds += version.centiseconds(self.uncounted_session)
        self.uncounted_session = ""


class ScormRecords:
    """Every learner's records for one SCORM version, in memory; thread-safe (the server answers in threads)."""

    def __init__(self, version: Version) -> None:
        self.version = version
        self._records: dict[tuple[str, str, str], Record] = {}
        self._lock = threading.Lock()

    def launch(self, learner, set_id: str, unit: LaunchUnit) -> dict[str, str]:  # noqa: ANN001 - a preview learner
        """The data model a new session starts from: stored values plus what the LMS provides."""
        with self._lock:
            record = self._records.setdefault((learner.id, set_id, unit.id), Record())
            record.count_session(self.version)
            entry = self._entry(record)
            record.launches += 1
            stored = {k: v for k, v in record.values.items() if k not in self.version.session_only}
            total = self.version.total_time(record.total_centiseconds)
        return {**self.version.defaults, **stored, **self.version.provide(Launch(learner, unit, entry, total))}

    def _entry(self, record: Record) -> str:
        if record.launches == 0:
            return "ab-initio"
        if record.values.get(self.version.exit) == "suspend":
            return "resume"
        if not self.version.only_suspend_resumes:
            return ""
        record.values, record.total_centiseconds = {}, 0
        record.attempts += 1
        return "ab-initio"

    def commit(self, learner_id: str, set_id: str, unit_id: str, values: dict, final: bool) -> Record:
        """Store a commit (or the session's end, ``final``): the SCO's elements only; session time counts once."""
        if not isinstance(values, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                   for k, v in values.items()):
            raise ValueError("values must map element names to strings")
        version = self.version
        kept = {k: v for k, v in values.items() if version.keeps.match(k) and k not in version.lms_provided}
        with self._lock:
            record = self._records.setdefault((learner_id, set_id, unit_id), Record())
            record.values = kept
            record.commits += 1
            record.uncounted_session = kept.get(version.session_time, "")
            if final:
                record.count_session(version)
            return record

    def record(self, learner_id: str, set_id: str, unit_id: str) -> Record | None:
        with self._lock:
            return self._records.get((learner_id, set_id, unit_id))

    def describe(self, record: Record) -> dict:
        return {"values": dict(record.values), "launches": record.launches, "commits": record.commits,
                "attempts": record.attempts, "totalTime": self.version.total_time(record.total_centiseconds)}

    def reset(self, learner_id: str) -> None:
        with self._lock:
            for key in [k for k in self._records if k[0] == learner_id]:
                del self._records[key]


SHARED_API = Path(__file__).resolve().parent / "scorm-lms-api.js"  # what both versions' API objects build on


class ScormSide(PreviewSide):
    """A SCORM LMS in the preview: a strict API object in the LMS page (``lms-api.js`` in the version's folder, on
    ``scorm-lms-api.js`` beside this module), records kept here between launches. ``page`` is what the LMS page
    needs to know of the API (see ``info``)."""

    kind = "api"
    version: ClassVar[Version]
    folder: ClassVar[Path]  # the version's folder
    page: ClassVar[dict]

    def __init__(self, services: PreviewServices):
        self.store = ScormRecords(self.version)
        self.controls = {"refuseCommits": False, "relaxed": False}

    def info(self) -> dict:
        """kind, scripts and, from ``page``: title; api and apiClass (the global and the constructor); stateElement
        (the saved state); checks (the error-checking methods the panel hides); notSet (the error code that only
        says "no value yet", if any); limits (the strict and relaxed choices, described)."""
        return {"kind": self.kind, "scripts": [SHARED_API.name, "lms-api.js"], **self.page}

    def script(self, name: str) -> Path | None:
        return {SHARED_API.name: SHARED_API, "lms-api.js": self.folder / "lms-api.js"}.get(name)

    def launch(self, set_id: str, unit: LaunchUnit, learner, origin: str, url: str) -> dict:  # noqa: ANN001
        return {"url": url, "model": self.store.launch(learner, set_id, unit)}

    def reset(self, learner) -> None:  # noqa: ANN001
        self.store.reset(learner.id)

    def api(self, method: str, name: str, query: dict[str, str], body: dict) -> object:
        if method == "GET" and name == "record":
            record = self.store.record(query.get("learner", ""), query.get("set", ""), query.get("unit", ""))
            return self.store.describe(record) if record else None
        if method == "POST" and name == "commit":
            record = self.store.commit(body["learner"], body["set"], body["unit"], body.get("values"),
                                       bool(body.get("final")))
            return self.store.describe(record)
        raise LookupError(name)
