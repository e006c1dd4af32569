"""The preview LMS's SCORM 2004 side: the record keeping of ``formats/scorm_records.py`` with 2004's names and
ISO 8601 durations. Only exit "suspend" keeps an attempt open (``cmi.entry`` "resume"); after "normal", "" or any
other exit the next launch is a new attempt with nothing carried over, ``cmi.total_time`` starting again at zero
(it counts the current attempt). ``cmi.scaled_passing_score`` comes from the unit's mastery score. The learner-side
rules, and the LMS's own judgement of completion and success, live in ``lms-api.js``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from leadpack.formats.scorm_records import Launch, ScormSide, Version

DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,2}))?S)?)?$")


def centiseconds(value: str) -> int:
    """A timeinterval in centiseconds; SCORM leaves years and months open, so they count 365 and 30 days."""
    match = DURATION.match(value or "")
    if not match or value.endswith(("P", "T")):
        return 0
    years, months, days, hours, minutes, seconds, fraction = match.groups()
    whole_days = int(years or 0) * 365 + int(months or 0) * 30 + int(days or 0)
    whole_seconds = ((whole_days * 24 + int(hours or 0)) * 60 + int(minutes or 0)) * 60 + int(seconds or 0)
    return whole_seconds * 100 + int((fraction or "0").ljust(2, "0"))


def duration(total: int) -> str:
    """Hours, minutes and seconds only (an LMS's adder may mishandle days): PT0H0M0S, PT1H2M3.45S."""
    seconds, hundredths = divmod(total, 100)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    fraction = f".{hundredths:02d}".rstrip("0") if hundredths else ""
    return f"PT{hours}H{minutes}M{seconds}{fraction}S"


def scaled_passing_score(mastery_score: str) -> str:
    """The unit's pass mark (a percentage) as the LMS hands it on: 50 → 0.5; "" when there is none."""
    try:
        scaled = Decimal(mastery_score.strip()) / 100
    except InvalidOperation:
        return ""
    return format(scaled.normalize(), "f") if scaled.is_finite() and -1 <= scaled <= 1 else ""


def provided(launch: Launch) -> dict[str, str]:
    values = {
        "cmi._version": "1.0", "cmi.learner_id": launch.learner.id, "cmi.learner_name": launch.learner.name,
        "cmi.credit": "credit", "cmi.entry": launch.entry, "cmi.mode": "normal", "cmi.total_time": launch.total_time,
        "cmi.time_limit_action": "continue,no message",
    }
    passing = scaled_passing_score(launch.unit.mastery_score)
    if passing:
        values["cmi.scaled_passing_score"] = passing
    return values


SCORM2004 = Version(
    exit="cmi.exit", session_time="cmi.session_time",
    session_only=frozenset({"cmi.exit", "cmi.session_time", "adl.nav.request"}),
    lms_provided=frozenset({
        "cmi._version", "cmi.learner_id", "cmi.learner_name", "cmi.credit", "cmi.entry", "cmi.mode",
        "cmi.total_time", "cmi.launch_data", "cmi.time_limit_action", "cmi.max_time_allowed",
        "cmi.completion_threshold", "cmi.scaled_passing_score",
    }),
    keeps=re.compile(r"^(?!cmi\.comments_from_lms\.)cmi\.[a-z_.0-9]+$|^adl\.nav\.request$"),
    defaults={"cmi.completion_status": "unknown", "cmi.success_status": "unknown",
              "cmi.learner_preference.audio_level": "1", "cmi.learner_preference.language": "",
              "cmi.learner_preference.delivery_speed": "1", "cmi.learner_preference.audio_captioning": "0",
              "adl.nav.request": "_none_"},
    provide=provided, centiseconds=centiseconds, total_time=duration, only_suspend_resumes=True,
)


class Scorm2004Side(ScormSide):
    """The preview's SCORM 2004 LMS: ``PreviewScorm2004API`` (global ``API_1484_11``) in the LMS page."""

    version = SCORM2004
    folder = Path(__file__).resolve().parent
    page = {"title": "SCORM 2004", "api": "API_1484_11", "apiClass": "PreviewScorm2004API",
            "stateElement": "cmi.suspend_data", "checks": ["GetLastError", "GetErrorString", "GetDiagnostic"],
            "notSet": "403",
            "limits": {"strict": "strict: the standard's limits (suspend_data 64,000, location 1,000)",
                       "relaxed": "relaxed: no length limits, any URI as a choice id (more than SCORM asks)"}}
