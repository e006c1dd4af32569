"""cmi5 ("Quartz") in one place: the course structure's names and vocabularies, and the launch, state, profile and
statement names the runtime, the checks and the preview share (shared/spec/xapi-launch.md Part C digests it)."""

from __future__ import annotations

NAMESPACE = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
MANIFEST = "cmi5.xml"
SCHEMA_FILE = "CourseStructure.xsd"

# Course structure vocabularies (section 13.1.4).
MOVE_ON = ("NotApplicable", "Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed")
MOVE_ON_NEEDS_PASS = {"Passed", "CompletedAndPassed", "CompletedOrPassed"}  # a judgement: a masteryScore helps
LAUNCH_METHOD = "AnyWindow"  # the LMS chooses the window: leadpack works in a frame or a window
MASTERY_DECIMALS = 4  # masteryScore: a decimal from 0 to 1 with at most four decimal places

# The launch (section 8.1): what the LMS appends to the AU's URL. An AU URL's own query must not use these.
LAUNCH_PARAMETERS = ("endpoint", "fetch", "actor", "registration", "activityId")
FETCH_ERRORS = {"1": "already used or expired", "2": "a security error", "3": "an application error"}

# The State API and Agent Profile documents (sections 10 and 11).
LAUNCH_DATA = "LMS.LaunchData"
LAUNCH_MODES = ("Normal", "Browse", "Review")
LEARNER_PREFERENCES = "cmi5LearnerPreferences"

# Statements (section 9).
VERBS = "http://adlnet.gov/expapi/verbs/"
AU_VERBS = ("initialized", "completed", "passed", "failed", "terminated")
LMS_VERBS = ("launched", "abandoned", "waived", "satisfied")
CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CATEGORY_MOVE_ON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
EXTENSION = "https://w3id.org/xapi/cmi5/context/extensions/"
SESSION_ID = EXTENSION + "sessionid"
MASTERY_SCORE = EXTENSION + "masteryscore"
LAUNCH_MODE = EXTENSION + "launchmode"
LAUNCH_URL = EXTENSION + "launchurl"
MOVE_ON_EXTENSION = EXTENSION + "moveon"
LAUNCH_PARAMETERS_EXTENSION = EXTENSION + "launchparameters"
REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"
ACTIVITY_TYPE = "https://w3id.org/xapi/cmi5/activitytype/"


def tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def mastery_score(pass_mark: int) -> str:
    """A pass mark in percent as cmi5 writes it: 80 → "0.8"."""
    return f"{round(pass_mark / 100, MASTERY_DECIMALS):g}"
