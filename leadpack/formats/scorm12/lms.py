"""The preview LMS's SCORM 1.2 side: the record keeping of ``formats/scorm_records.py`` with 1.2's names and
CMITimespan times; ``cmi.core.entry`` is "resume" after exit "suspend" and "" after any other exit (1.2 keeps the
attempt). The learner-side rules live in ``lms-api.js``, the API object the preview's LMS page installs.
"""

from __future__ import annotations

import re
from pathlib import Path

from leadpack.formats.scorm_records import Launch, ScormSide, Version

TIMESPAN = re.compile(r"^(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?$")


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


def provided(launch: Launch) -> dict[str, str]:
    return {
        "cmi._version": "3.4", "cmi.core.student_id": launch.learner.id, "cmi.core.student_name": launch.learner.name,
        "cmi.core.credit": "credit", "cmi.core.entry": launch.entry, "cmi.core.lesson_mode": "normal",
        "cmi.core.total_time": launch.total_time, "cmi.launch_data": "", "cmi.comments_from_lms": "",
        "cmi.student_data.mastery_score": launch.unit.mastery_score, "cmi.student_data.max_time_allowed": "",
        "cmi.student_data.time_limit_action": "continue,no message",
    }


SCORM12 = Version(
    exit="cmi.core.exit", session_time="cmi.core.session_time",
    session_only=frozenset({"cmi.core.exit", "cmi.core.session_time"}),
    lms_provided=frozenset({
        "cmi._version", "cmi.core.student_id", "cmi.core.student_name", "cmi.core.credit", "cmi.core.entry",
        "cmi.core.total_time", "cmi.core.lesson_mode", "cmi.launch_data", "cmi.comments_from_lms",
        "cmi.student_data.mastery_score", "cmi.student_data.max_time_allowed", "cmi.student_data.time_limit_action",
    }),
    keeps=re.compile(r"^cmi\.[a-z_.0-9]+$"),
    defaults={"cmi.core.lesson_location": "", "cmi.core.lesson_status": "not attempted", "cmi.suspend_data": ""},
    provide=provided, centiseconds=centiseconds, total_time=timespan,
)


class Scorm12Side(ScormSide):
    """The preview's SCORM 1.2 LMS: ``PreviewScorm12API`` (global ``API``) in the LMS page."""

    version = SCORM12
    folder = Path(__file__).resolve().parent
    page = {"title": "SCORM 1.2", "api": "API", "apiClass": "PreviewScorm12API", "stateElement": "cmi.suspend_data",
            "checks": ["LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"],
            "limits": {"strict": "strict: the standard's limits (suspend_data 4,096)",
                       "relaxed": "relaxed: Moodle default (suspend_data 64,000)"}}
