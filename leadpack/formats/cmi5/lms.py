"""The preview's cmi5 side: an in-memory cmi5 LMS around the preview's LRS (formats/xapi/lrs.py).

Each launch does what a cmi5 LMS does before it opens an AU: an activity id of its own for the AU (stable in the
registration), a session id, the LMS.LaunchData document, a ``launched`` statement (and ``abandoned`` for a session
of the AU left without ``terminated``), and a one-time fetch URL. Under ``/cmi5/``: ``fetch/<key>`` answers the
session's token once and an error every time after; ``xapi/...`` is the LRS, which takes the tokens handed out,
serves the learner preferences agent profile (403 to writes, which the AU must not take for an error) and refuses
the AU's writes to LMS.LaunchData. Every statement reaches the panel with the cmi5 rules it satisfies or breaks.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import uuid
from urllib.parse import urlencode

from leadpack.formats.base import LaunchUnit, PreviewServices, PreviewSide, Reply
from leadpack.formats.cmi5 import spec
from leadpack.formats.cmi5.rules import Judge
from leadpack.formats.xapi import STATE_ID
from leadpack.formats.xapi.lrs import VERSION, MemoryLRS, XapiError, ifi

ROUTE = "/cmi5/"
LMS_IRI = "https://lms.preview.leadpack.invalid/"


class Cmi5LRS(MemoryLRS):
    """The preview LRS, also open to the tokens the LMS handed out."""

    def __init__(self, auth: str, on_event):  # noqa: ANN001 - on_event: (kind, data) -> None
        super().__init__(auth, on_event)
        self.tokens: set[str] = set()

    def authorised(self, authorization: str | None) -> bool:
        return authorization == self.auth or (authorization or "").removeprefix("Basic ") in self.tokens


class Cmi5Side(PreviewSide):
    kind = "lrs"

    def __init__(self, services: PreviewServices):
        self.services = services
        self.judge = Judge()
        self.verdicts: dict[str, list[dict]] = {}  # statement id → the rules it was judged by
        self.lrs = Cmi5LRS(services.auth, self._event)
        self.registrations: dict[tuple[str, str], str] = {}
        # (registration, activity id) → the AU's last session: session id, launched at, actor, publisher id
        self.open_sessions: dict[tuple[str, str], tuple[str, float, dict, str]] = {}
        self.fetches: dict[str, str] = {}  # fetch key → token, until the AU has it
        self.preferences: dict[str, bytes] = {}  # learner ifi → cmi5LearnerPreferences
        self.controls = {"lrsOffline": False, "lrsLenient": False}

    def _event(self, kind: str, data: dict) -> None:
        if kind == "statement":
            statement = data["statement"]
            data = {**data, "rules": self.verdicts.setdefault(statement["id"], self.judge.judge(statement))}
        self.services.publish(kind, data)

    def info(self) -> dict:
        return {"kind": self.kind, "title": "cmi5 (LMS launch, fetch token)", "scripts": [], "stateId": STATE_ID}

    # ---- launching ----------------------------------------------------------------------------------------------
    def launch(self, set_id: str, unit: LaunchUnit, learner, origin: str, url: str) -> dict:  # noqa: ANN001
        registration = self.registrations.setdefault((learner.id, set_id), str(uuid.uuid4()))
        actor = {"objectType": "Agent", "name": learner.display, "account": {"homePage": LMS_IRI, "name": learner.id}}
        activity_id = f"{LMS_IRI}activities/{uuid.uuid5(uuid.NAMESPACE_URL, registration + '|' + unit.activity_id)}"
        self._abandon(registration, activity_id)
        session_id = str(uuid.uuid4())
        mastery = float(unit.mastery_score) if unit.mastery_score else None
        launch_data = {"contextTemplate": {"contextActivities": {"grouping": [
            {"objectType": "Activity", "id": unit.activity_id}]}, "extensions": {spec.SESSION_ID: session_id}},
            "launchMode": "Normal", "moveOn": "CompletedAndPassed" if mastery is not None else "Completed"}
        if mastery is not None:
            launch_data["masteryScore"] = mastery
        where = {"activityId": activity_id, "agent": json.dumps(actor), "registration": registration}
        self._as_lms("PUT", "activities/state", {**where, "stateId": spec.LAUNCH_DATA}, launch_data)
        self.preferences.setdefault(ifi(actor), json.dumps({"languagePreference": "", "audioPreference": "on"})
                                    .encode())
        self.judge.open(session_id, registration, activity_id, "Normal", mastery)
        extensions = {spec.SESSION_ID: session_id, spec.LAUNCH_MODE: "Normal", spec.LAUNCH_URL: origin + url,
                      spec.MOVE_ON_EXTENSION: launch_data["moveOn"]}
        self._lms_statement("launched", actor, activity_id, registration, unit.activity_id, extensions)
        self.open_sessions[(registration, activity_id)] = (session_id, time.monotonic(), actor, unit.activity_id)
        key, token = secrets.token_urlsafe(16), base64.b64encode(secrets.token_bytes(18)).decode("ascii")
        self.fetches[key] = token
        params = {"endpoint": f"{origin}{ROUTE}xapi/", "fetch": f"{origin}{ROUTE}fetch/{key}",
                  "actor": json.dumps(actor), "registration": registration, "activityId": activity_id}
        return {"url": url + "?" + urlencode(params), "registration": registration, "actor": actor}

    def _abandon(self, registration: str, activity_id: str) -> None:
        """The AU's last session in this registration, if it never sent terminated, is abandoned (9.3.6)."""
        found = self.open_sessions.pop((registration, activity_id), None)
        if found is None:
            return
        session_id, launched, actor, publisher_id = found
        session = self.judge.sessions.get(session_id)
        if session is None or "terminated" not in session.defined:
            self._lms_statement("abandoned", actor, activity_id, registration, publisher_id,
                                {spec.SESSION_ID: session_id}, {"duration": f"PT{time.monotonic() - launched:.2f}S"})

    def _as_lms(self, method: str, resource: str, query: dict[str, str], body: object) -> Reply:
        headers = {"authorization": self.services.auth, "x-experience-api-version": VERSION,
                   "content-type": "application/json"}
        return self.lrs.handle(method, resource, query, headers, json.dumps(body).encode(), strict=False)

    def _lms_statement(self, verb: str, actor: dict, activity_id: str, registration: str, publisher_id: str,
                       extensions: dict, result: dict | None = None) -> None:
        statement = {"id": str(uuid.uuid4()), "actor": actor, "verb": {"id": spec.VERBS + verb,
                                                                        "display": {"en-US": verb}},
                     "object": {"objectType": "Activity", "id": activity_id},
                     "context": {"registration": registration, "extensions": extensions, "contextActivities": {
                         "grouping": [{"objectType": "Activity", "id": publisher_id}],
                         "category": [{"objectType": "Activity", "id": spec.CATEGORY_CMI5}]}}}
        if result:
            statement["result"] = result
        self._as_lms("POST", "statements", {}, statement)

    def reset(self, learner) -> None:  # noqa: ANN001
        self.lrs.forget(f"account:{LMS_IRI}|{learner.id}")
        for key in [k for k in self.registrations if k[0] == learner.id]:
            del self.registrations[key]

    # ---- the LMS page's API and the AU's requests ---------------------------------------------------------------
    def api(self, method: str, name: str, query: dict[str, str], body: dict) -> object:
        if method == "GET" and name == "statements":
            return [{"statement": s, "rules": self.verdicts.get(s["id"], [])} for s in self.lrs.statements()]
        raise LookupError(name)

    def route(self, path: str) -> str | None:
        return path[len(ROUTE):] if path.startswith(ROUTE) else None

    def handle(self, method: str, rest: str, query: dict[str, str], headers: dict[str, str], body: bytes) -> Reply:
        if rest.startswith("fetch/"):
            reply = self._fetch(method, rest[len("fetch/"):])
        elif self.controls["lrsOffline"]:
            reply = Reply.error(503, "the LRS is offline (preview control 'LRS offline')")
        else:
            reply = self._xapi(method, rest.removeprefix("xapi/"), query, headers, body)
        shown = {k: v for k, v in query.items() if k in ("stateId", "profileId", "statementId", "verb", "limit")}
        text = reply.body.decode("utf-8", "replace")
        refused = reply.status >= 400 or '"error-code"' in text  # a token is never shown
        self.services.publish("lrs", {"method": method, "resource": rest.split("/", 1)[0] if rest.startswith(
            "fetch/") else rest, "query": shown, "status": reply.status, "answer": text[:300] if refused else ""})
        return reply

    def _fetch(self, method: str, key: str) -> Reply:
        """The one-time fetch URL (8.2): the token on the first POST, error 1 after (always status 200)."""
        if method != "POST":
            return Reply.error(405, "the fetch URL takes POST (cmi5 8.2.1)")
        token = self.fetches.pop(key, None)
        if token is None:
            return Reply.json(200, {"error-code": "1", "error-text": "this fetch URL was used already (cmi5 8.2.3)"})
        self.lrs.tokens.add(token)
        return Reply.json(200, {"auth-token": token})

    def _xapi(self, method: str, resource: str, query: dict[str, str], headers: dict[str, str], body: bytes) -> Reply:
        if resource == "agents/profile":
            return self._profile(method, query, headers)
        if resource == "activities/state" and method != "GET" and query.get("stateId") in (spec.LAUNCH_DATA, None):
            return Reply.error(403, "an AU must not change LMS.LaunchData (cmi5 10.2.1.0-5)")
        reply = self.lrs.handle(method, resource, query, headers, body, strict=not self.controls["lrsLenient"])
        reply.headers["X-Experience-API-Version"] = VERSION
        return reply

    def _profile(self, method: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        if not self.lrs.authorised(headers.get("authorization")):
            return Reply.error(401, "missing or wrong Authorization: use the token from the fetch URL")
        if method != "GET":
            return Reply.error(403, "this LMS keeps the learner's preferences itself (cmi5 11.0)")
        try:
            who = ifi(json.loads(query.get("agent", "")))
        except (ValueError, XapiError):
            return Reply.error(400, "agent is not an agent as JSON")
        found = self.preferences.get(who) if query.get("profileId") == spec.LEARNER_PREFERENCES else None
        return Reply(200, found) if found else Reply.error(404, "no such profile document")
