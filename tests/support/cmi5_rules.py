"""The cmi5 rules an AU's statements are subject to, checked on what an LRS stored, each named by its requirement id
from the npm package ``@cmi5/requirements`` (whose texts the failures quote).

Example::

    checked, breaches = check_registration(lms.statements(registration), launches)
    assert breaches == [], breaches         # ["9.3.0.0-4 (The "Initialized" verb MUST be ...): <statement>", ...]
    assert {"9.3.0.0-4", "9.5.4.1-1"} <= checked

``launches`` are the LMS's launches of the registration (``tests.support.cmi5_lms.Cmi5Launch``): their session id,
actor, activity id and LMS.LaunchData are what each session's statements are judged against. Order is judged by
timestamp (9.3). Statements the LMS made itself (launched, abandoned, waived, satisfied) are not the AU's.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache

from tests.support import NODE_MODULES

VERBS = "http://adlnet.gov/expapi/verbs/"
CMI5 = "https://w3id.org/xapi/cmi5/context/"
CATEGORY = CMI5 + "categories/cmi5"
MOVE_ON = CMI5 + "categories/moveon"
SESSION_ID = CMI5 + "extensions/sessionid"
MASTERY = CMI5 + "extensions/masteryscore"
AU_VERBS = {"initialized", "completed", "passed", "failed", "terminated"}
LMS_VERBS = {"launched", "abandoned", "waived", "satisfied"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ISO_DURATION = re.compile(r"^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


@cache
def requirements() -> dict[str, str]:
    path = NODE_MODULES / "@cmi5" / "requirements" / "requirements.json"
    return {rid: entry["txt"] for rid, entry in json.loads(path.read_text("utf-8")).items()}


def verb(statement: dict) -> str:
    return statement["verb"]["id"].removeprefix(VERBS)


def categories(statement: dict) -> set[str]:
    found = statement.get("context", {}).get("contextActivities", {}).get("category", [])
    return {a["id"] for a in ([found] if isinstance(found, dict) else found)}


def is_defined(statement: dict) -> bool:
    """cmi5 defined: a cmi5 verb and the cmi5 category (7.1.3); everything else the AU sends is cmi5 allowed."""
    return verb(statement) in AU_VERBS and CATEGORY in categories(statement)


class Checker:
    def __init__(self) -> None:
        self.checked: set[str] = set()
        self.breaches: list[str] = []

    def rule(self, rid: str, holds: bool, statement: dict | None = None, detail: str = "") -> None:
        text = requirements()[rid]  # a KeyError here is a rule id that the package does not know
        self.checked.add(rid)
        if not holds:
            where = f"{verb(statement)} {statement['id']} at {statement['timestamp']}" if statement else ""
            self.breaches.append(f"{rid} ({text}): {where} {detail}".strip())


def _listed(template_list: object) -> list:
    return [template_list] if isinstance(template_list, dict) else list(template_list or [])


def _context(checker: Checker, statement: dict, launch) -> None:  # noqa: ANN001 - a Cmi5Launch
    context = statement.get("context", {})
    template = launch.launch_data["contextTemplate"]
    checker.rule("9.6.1.0-1", context.get("registration") == launch.registration, statement)
    checker.rule("9.6.3.1-4", context.get("extensions", {}).get(SESSION_ID) == launch.session_id, statement)
    kept = all(context.get("extensions", {}).get(k) == v for k, v in template.get("extensions", {}).items())
    for name, listed in template.get("contextActivities", {}).items():
        ids = {a["id"] for a in _listed(context.get("contextActivities", {}).get(name))}
        kept = kept and {a["id"] for a in _listed(listed)} <= ids
    checker.rule("10.2.1.0-6", kept, statement, "the context template is not all there")
    checker.rule("10.2.1.0-7", kept, statement)
    checker.rule("8.1.3.0-3", statement["actor"] == launch.actor, statement)
    checker.rule("9.1.0.0-1", bool(UUID.match(statement["id"])), statement)
    checker.rule("9.7.0.0-1", bool(statement.get("timestamp")), statement)
    checker.rule("9.7.0.0-2", statement.get("timestamp", "").endswith(("Z", "+00:00")), statement)


def _result(checker: Checker, statement: dict, launch) -> None:  # noqa: ANN001
    name, result = verb(statement), statement.get("result", {})
    mastery = launch.launch_data.get("masteryScore")
    score = result.get("score")
    checker.rule("8.1.5.0-6", statement["object"]["id"] == launch.activity_id, statement)
    checker.rule("9.4.0.0-2", statement["object"]["id"] == launch.activity_id, statement)
    checker.rule("9.6.2.1-1", CATEGORY in categories(statement), statement)
    moves_on = "success" in result or "completion" in result
    checker.rule("9.6.2.2-1" if moves_on else "9.6.2.2-2", (MOVE_ON in categories(statement)) == moves_on, statement)
    if name not in ("passed", "failed"):
        checker.rule("9.5.1.0-2", score is None, statement)
    if score is not None and "raw" in score:
        checker.rule("9.5.1.0-3", "min" in score and "max" in score, statement)
    if name == "passed":
        checker.rule("9.5.2.0-1", result.get("success") is True, statement)
    elif name == "failed":
        checker.rule("9.5.2.0-2", result.get("success") is False, statement)
    else:
        checker.rule("9.5.2.0-3", "success" not in result, statement)
    if name == "completed":
        checker.rule("9.5.3.0-1", result.get("completion") is True, statement)
    else:
        checker.rule("9.5.3.0-2", "completion" not in result, statement)
    duration_rule = {"terminated": "9.5.4.1-1", "completed": "9.5.4.1-2", "passed": "9.5.4.1-3",
                     "failed": "9.5.4.1-4"}[name] if name != "initialized" else None
    if duration_rule:
        checker.rule(duration_rule, bool(ISO_DURATION.match(result.get("duration", ""))), statement)
    if name in ("passed", "failed") and mastery is not None:
        scaled = (score or {}).get("scaled")
        if name == "passed":
            checker.rule("9.3.4.0-2", scaled is None or scaled >= mastery, statement, f"masteryScore {mastery}")
        else:
            checker.rule("9.3.5.0-2", scaled is None or scaled < mastery, statement, f"masteryScore {mastery}")
        extensions = statement.get("context", {}).get("extensions", {})
        checker.rule("9.6.3.2-2", extensions.get(MASTERY) == mastery, statement)


def _session(checker: Checker, statements: list[dict], launch) -> None:  # noqa: ANN001
    """The order rules of one AU session (9.3), and what the launch mode allows (10.2.2)."""
    if not statements:
        return
    first, last = statements[0], statements[-1]
    checker.rule("9.3.0.0-4", verb(first) == "initialized" and is_defined(first), first)
    checker.rule("9.3.2.0-2", verb(first) == "initialized", first)
    defined = [s for s in statements if is_defined(s)]
    names = [verb(s) for s in defined]
    checker.rule("9.3.2.0-3", names.count("initialized") == 1, first)
    checker.rule("9.3.0.0-2", len(names) == len(set(names)), first, f"defined verbs in the session: {names}")
    checker.rule("9.3.0.0-3", names.count("passed") + names.count("failed") <= 1, first)
    if "terminated" in names:
        checker.rule("9.3.0.0-5", verb(last) == "terminated" and is_defined(last), last)
        checker.rule("9.3.8.0-2", verb(last) == "terminated", last)
    allowed = [s for s in statements if not is_defined(s)]
    end = next((s["timestamp"] for s in defined if verb(s) == "terminated"), "\uffff")
    for statement in allowed:
        checker.rule("7.1.3.0-1", first["timestamp"] < statement["timestamp"] < end, statement)
    mode = launch.launch_data["launchMode"]
    if mode in ("Browse", "Review"):
        rid = "10.2.2.0-9" if mode == "Browse" else "10.2.2.0-11"
        checker.rule(rid, set(names) <= {"initialized", "terminated"}, first, f"sent {names} in {mode}")
    else:
        checker.rule("10.2.2.0-6", "initialized" in names, first)


def check_registration(statements: list[dict], launches: list) -> tuple[set[str], list[str]]:
    """Every rule each of the AU's statements, sessions and the registration are subject to."""
    checker = Checker()
    by_session = {launch.session_id: launch for launch in launches}
    sessions: dict[str, list[dict]] = defaultdict(list)
    ordered = sorted(statements, key=lambda s: s["timestamp"])
    for statement in ordered:
        if verb(statement) in LMS_VERBS:
            continue
        session_id = statement.get("context", {}).get("extensions", {}).get(SESSION_ID)
        launch = by_session.get(session_id)
        checker.rule("9.6.3.1-4", launch is not None, statement, "its session id is none the LMS handed out")
        if launch is None:
            continue
        sessions[session_id].append(statement)
        _context(checker, statement, launch)
        if is_defined(statement):
            _result(checker, statement, launch)
        else:
            checker.rule("9.6.2.2-2", MOVE_ON not in categories(statement), statement)
    for session_id, found in sessions.items():
        _session(checker, found, by_session[session_id])
    defined = [s for s in ordered if is_defined(s)]
    per_au: dict[str, list[str]] = defaultdict(list)
    for statement in defined:
        per_au[statement["object"]["id"]].append(verb(statement))
    for names in per_au.values():
        checker.rule("9.3.0.0-6", names.count("completed") <= 1, None, f"defined verbs: {names}")
        checker.rule("9.3.3.0-2", names.count("completed") <= 1)
        checker.rule("9.3.0.0-7", names.count("passed") <= 1, None, f"defined verbs: {names}")
        checker.rule("9.3.4.0-3", names.count("passed") <= 1)
        after_pass = names[names.index("passed") + 1:] if "passed" in names else []
        checker.rule("9.3.0.0-8", "failed" not in after_pass, None, f"defined verbs: {names}")
    return checker.checked, checker.breaches
