"""The cmi5 rules each statement an AU sends is subject to, judged as it arrives (for the preview's live panel).

A ``Judge`` knows the sessions the LMS launched (their registration, activity id, launch mode and mastery score)
and what each session and registration has sent so far. ``judge(statement)`` answers the rules the statement is
subject to, each ``{"id": requirement id, "ok": bool, "rule": what it asks, in our words}``; the ids are those of
the cmi5 specification's requirement list. Order is by arrival, which for one browser tab is the sending order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from leadpack.formats.cmi5 import spec

DURATION = re.compile(r"^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
DURATION_RULES = {"completed": "9.5.4.1-2", "passed": "9.5.4.1-3", "failed": "9.5.4.1-4", "terminated": "9.5.4.1-1"}


@dataclass
class Session:
    registration: str
    activity_id: str
    launch_mode: str
    mastery_score: float | None
    sent: list[str] = field(default_factory=list)  # every verb, defined or allowed, in arrival order
    defined: list[str] = field(default_factory=list)


def _verb(statement: dict) -> str:
    return str(statement.get("verb", {}).get("id", "")).removeprefix(spec.VERBS)


def _context(statement: dict) -> dict:
    context = statement.get("context")
    return context if isinstance(context, dict) else {}


def _categories(statement: dict) -> set[str]:
    found = _context(statement).get("contextActivities", {}).get("category", [])
    return {a.get("id") for a in ([found] if isinstance(found, dict) else found) if isinstance(a, dict)}


class Judge:
    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self.registrations: dict[tuple[str, str], list[str]] = {}  # (registration, activity id) → defined verbs

    def open(self, session_id: str, registration: str, activity_id: str, launch_mode: str,
             mastery_score: float | None) -> None:
        self.sessions[session_id] = Session(registration, activity_id, launch_mode, mastery_score)

    def judge(self, statement: dict) -> list[dict]:
        verdicts: list[dict] = []

        def rule(rid: str, ok: bool, text: str) -> None:
            verdicts.append({"id": rid, "ok": bool(ok), "rule": text})

        verb = _verb(statement)
        if verb in spec.LMS_VERBS:
            return verdicts
        session = self.sessions.get(_context(statement).get("extensions", {}).get(spec.SESSION_ID))
        rule("9.6.3.1-4", session is not None, "carries the session id of a launch")
        if session is None:
            return verdicts
        defined = verb in spec.AU_VERBS and spec.CATEGORY_CMI5 in _categories(statement)
        rule("9.6.1.0-1", _context(statement).get("registration") == session.registration,
             "carries the launch's registration")
        rule("9.3.0.0-4", bool(session.sent) or verb == "initialized", "initialized comes first in the session")
        rule("9.3.0.0-5", "terminated" not in session.defined, "nothing follows terminated in the session")
        if defined:
            self._defined(statement, verb, session, rule)
        session.sent.append(verb)
        return verdicts

    def _defined(self, statement: dict, verb: str, session: Session, rule) -> None:  # noqa: ANN001
        result = statement.get("result") if isinstance(statement.get("result"), dict) else {}
        history = self.registrations.setdefault((session.registration, session.activity_id), [])
        rule("9.4.0.0-2", statement.get("object", {}).get("id") == session.activity_id, "is about the AU launched")
        rule("9.3.0.0-2", verb not in session.defined, "no defined verb twice in a session")
        if verb in ("passed", "failed"):
            rule("9.3.0.0-3", not {"passed", "failed"} & set(session.defined), "passed or failed once a session")
        if verb == "completed":
            rule("9.3.0.0-6", "completed" not in history, "completed once a registration")
        if verb == "passed":
            rule("9.3.0.0-7", "passed" not in history, "passed once a registration")
        if verb == "failed":
            rule("9.3.0.0-8", "passed" not in history, "no failed after passed")
        if session.launch_mode in ("Browse", "Review"):
            rule("10.2.2.0-9" if session.launch_mode == "Browse" else "10.2.2.0-11",
                 verb in ("initialized", "terminated"), f"{session.launch_mode}: only initialized and terminated")
        moves_on = "success" in result or "completion" in result
        rule("9.6.2.2-1" if moves_on else "9.6.2.2-2", (spec.CATEGORY_MOVE_ON in _categories(statement)) == moves_on,
             "the moveOn category exactly where success or completion is")
        if verb in ("passed", "failed"):
            rule("9.5.2.0-1" if verb == "passed" else "9.5.2.0-2", result.get("success") is (verb == "passed"),
                 f"success is {'true' if verb == 'passed' else 'false'}")
        else:
            rule("9.5.2.0-3", "success" not in result, "no success")
            rule("9.5.1.0-2", "score" not in result, "no score")
        if verb == "completed":
            rule("9.5.3.0-1", result.get("completion") is True, "completion is true")
        else:
            rule("9.5.3.0-2", "completion" not in result, "no completion")
        if verb in DURATION_RULES:
            rule(DURATION_RULES[verb], bool(DURATION.match(str(result.get("duration", "")))), "has a duration")
        if verb in ("passed", "failed") and session.mastery_score is not None:
            self._mastery(statement, verb, session.mastery_score, result, rule)
        session.defined.append(verb)
        history.append(verb)

    @staticmethod
    def _mastery(statement: dict, verb: str, mastery: float, result: dict, rule) -> None:  # noqa: ANN001
        scaled = (result.get("score") or {}).get("scaled")
        if verb == "passed":
            rule("9.3.4.0-2", scaled is None or scaled >= mastery, f"a scaled score of at least {mastery}")
        else:
            rule("9.3.5.0-2", scaled is None or scaled < mastery, f"a scaled score below {mastery}")
        extensions = _context(statement).get("extensions", {})
        rule("9.6.3.2-2", extensions.get(spec.MASTERY_SCORE) == mastery, "names the masteryScore it was judged by")
