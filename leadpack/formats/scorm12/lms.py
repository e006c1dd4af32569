"""The preview LMS's SCORM 1.2 side: what it remembers of each learner between launches (in memory).

The learner-side rules (modes, types, limits, error codes) live in ``lms-api.js`` (the API object the preview's
LMS page installs); this side does
what an LMS server does: hands a launch its data model (``cmi.core.entry`` from how the last session exited,
``total_time`` summed from session times) and stores what the SCO committed.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from leadpack.formats.base import LaunchUnit, PreviewServices, PreviewSide

# Set by the LMS at launch, never taken from a commit.
LMS_PROVIDED = {
    "cmi._version", "cmi.core.student_id", "cmi.core.student_name", "cmi.core.credit", "cmi.core.entry",
    "cmi.core.total_time", "cmi.core.lesson_mode", "cmi.launch_data", "cmi.comments_from_lms",
    "cmi.student_data.mastery_score", "cmi.student_data.max_time_allowed", "cmi.student_data.time_limit_action",
}
# Write-only elements that describe one session; they are kept for the next launch's bookkeeping only.
SESSION_ONLY = {"cmi.core.exit", "cmi.core.session_time"}
ELEMENT = re.compile(r"^cmi\.[a-z_.0-9]+$")
TIMESPAN = re.compile(r"^(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?$")


@dataclass
class Record:
    """One learner's attempt at one SCO."""

    values: dict[str, str] = field(default_factory=dict)
    launches: int = 0
    commits: int = 0
    total_centiseconds: int = 0
    uncounted_session: str = ""  # a session_time committed by a session that never called LMSFinish

    def as_dict(self) -> dict:
        return {"values": dict(self.values), "launches": self.launches, "commits": self.commits,
                "totalTime": timespan(self.total_centiseconds)}


def centiseconds(value: str) -> int:
    match = TIMESPAN.match(value or "")
    if not match:
        return 0
    hours, minutes, seconds, fraction = match.groups()
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 100 + int((fraction or "0").ljust(2, "0"))


def timespan(total: int) -> str:
    seconds, hundredths = divmod(total, 100)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{min(hours, 9999):04d}:{minutes:02d}:{seconds:02d}.{hundredths:02d}"


class ScormStore:
    def __init__(self) -> None:
        self._records: dict[tuple[str, str, str], Record] = {}
        self._lock = threading.Lock()

    def launch(self, learner, set_id: str, unit_id: str, mastery_score: str = "") -> dict[str, str]:
        """The data model a new session starts from: stored values plus what the LMS provides."""
        with self._lock:
            record = self._records.setdefault((learner.id, set_id, unit_id), Record())
            if record.uncounted_session:
                record.total_centiseconds += centiseconds(record.uncounted_session)
                record.uncounted_session = ""
            exit_value = record.values.get("cmi.core.exit", "")
            entry = "ab-initio" if record.launches == 0 else "resume" if exit_value == "suspend" else ""
            record.launches += 1
            stored = {k: v for k, v in record.values.items() if k not in SESSION_ONLY}
        return {
            "cmi.core.lesson_location": "", "cmi.core.lesson_status": "not attempted", "cmi.suspend_data": "",
            **stored,
            "cmi._version": "3.4", "cmi.core.student_id": learner.id, "cmi.core.student_name": learner.name,
            "cmi.core.credit": "credit", "cmi.core.entry": entry, "cmi.core.lesson_mode": "normal",
            "cmi.core.total_time": timespan(record.total_centiseconds), "cmi.launch_data": "",
            "cmi.comments_from_lms": "", "cmi.student_data.mastery_score": mastery_score,
            "cmi.student_data.max_time_allowed": "", "cmi.student_data.time_limit_action": "continue,no message",
        }

    def commit(self, learner_id: str, set_id: str, unit_id: str, values: dict, final: bool) -> Record:
        """Store a commit (or LMSFinish, ``final``): the SCO's elements only; session time counts once."""
        if not isinstance(values, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                   for k, v in values.items()):
            raise ValueError("values must map element names to strings")
        kept = {k: v for k, v in values.items() if ELEMENT.match(k) and k not in LMS_PROVIDED}
        with self._lock:
            record = self._records.setdefault((learner_id, set_id, unit_id), Record())
            record.values = kept
            record.commits += 1
            record.uncounted_session = kept.get("cmi.core.session_time", "")
            if final:
                record.total_centiseconds += centiseconds(record.uncounted_session)
                record.uncounted_session = ""
            return record

    def record(self, learner_id: str, set_id: str, unit_id: str) -> Record | None:
        with self._lock:
            return self._records.get((learner_id, set_id, unit_id))

    def reset(self, learner_id: str) -> None:
        with self._lock:
            for key in [k for k in self._records if k[0] == learner_id]:
                del self._records[key]


class Scorm12Side(PreviewSide):
    """The preview's SCORM 1.2 LMS: a strict API object in the LMS page, records kept here between launches."""

    kind = "api"

    def __init__(self, services: PreviewServices):
        self.store = ScormStore()
        self.controls = {"refuseCommits": False, "relaxed": False}

    def info(self) -> dict:
        return {"kind": self.kind, "title": "SCORM 1.2", "scripts": ["lms-api.js"], "api": "API",
                "apiClass": "PreviewScorm12API", "stateElement": "cmi.suspend_data"}

    def launch(self, set_id: str, unit: LaunchUnit, learner, origin: str, url: str) -> dict:  # noqa: ANN001
        return {"url": url, "model": self.store.launch(learner, set_id, unit.id, unit.mastery_score)}

    def reset(self, learner) -> None:  # noqa: ANN001
        self.store.reset(learner.id)

    def api(self, method: str, name: str, query: dict[str, str], body: dict) -> object:
        if method == "GET" and name == "record":
            record = self.store.record(query.get("learner", ""), query.get("set", ""), query.get("unit", ""))
            return record.as_dict() if record else None
        if method == "POST" and name == "commit":
            return self.store.commit(body["learner"], body["set"], body["unit"], body.get("values"),
                                     bool(body.get("final"))).as_dict()
        raise LookupError(name)
