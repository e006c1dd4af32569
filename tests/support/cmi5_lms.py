"""A cmi5 LMS for tests, written to the LMS side of the cmi5 spec ("Quartz"), in front of a real LRS (Ralph).

What it does, as the spec's LMS must:

- ``launch()`` (section 8.1, 10): makes the AU's activity id (never the publisher id, the same for the AU on every
  launch in a registration), a session id, the ``LMS.LaunchData`` state document (context template with the session
  id and the publisher id, launchMode, moveOn, masteryScore, returnURL), the learner preferences agent profile, a
  ``launched`` statement, and a one-time fetch URL; returns the AU's launch URL. A session of the registration
  left without ``terminated`` is first marked ``abandoned`` (9.3.6).
- ``POST /fetch/<key>`` (8.2): the auth token the first time, ``{"error-code": "1", ...}`` every time after.
- ``/xapi/...``, the xAPI endpoint: each request needs the version header and ``Basic <token>`` of a launched
  session (401 without). ``statements`` go to Ralph (and come back from it, ``more`` links rewritten), refused
  (403) for a session that was abandoned or terminated more than ``grace`` seconds ago (9.3.6.0-2, 9.3.8.0-4);
  ``activities/state`` is a State API as strict about ETags as ADL's (the test ``StateLRS``'s), where the AU may
  not write ``LMS.LaunchData`` (403, 10.2.1.0-5); ``agents/profile`` serves the preferences and answers 403 to an
  AU's write (11.0).

Everything it saw is kept for the tests: ``fetches`` (key, answer), ``requests`` (method, resource, query, status,
session id), ``refused`` (why a request was refused). CORS answers name an origin from ``cors_origins``.

Example::

    with Cmi5LMS(ralph, cors_origins=[site.origin]) as lms:
        launch = lms.launch(site.url + "course/index.html", au_id, actor, mastery_score=0.8)
        page.goto(launch.url)
        lms.statements(launch.registration)     # from Ralph, oldest first
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from tests.support import wait_until
from tests.support.http import LoopbackService, XapiHandler
from tests.support.ralph import RalphLRS
from tests.support.state_lrs import Problem, StateLRS, agent_key

VERBS = "http://adlnet.gov/expapi/verbs/"
CMI5 = "https://w3id.org/xapi/cmi5/"
CATEGORY = CMI5 + "context/categories/cmi5"
SESSION_ID = CMI5 + "context/extensions/sessionid"
LAUNCH_DATA = "LMS.LaunchData"
PREFERENCES = "cmi5LearnerPreferences"
LMS_IRI = "https://lms.example.test/"
PREFIX = "/xapi/"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def learner(name: str = "Ann Example") -> dict:
    """An actor as a cmi5 LMS makes it: an Agent with an account (9.2), no personal address."""
    return {"objectType": "Agent", "name": name,
            "account": {"homePage": LMS_IRI, "name": f"learner-{uuid.uuid4().hex[:12]}"}}


@dataclass
class Cmi5Launch:
    url: str  # the AU's URL with the launch parameters
    fetch: str
    actor: dict
    registration: str
    activity_id: str
    publisher_id: str
    session_id: str
    launch_data: dict


@dataclass
class Session:
    launch: Cmi5Launch
    token: str
    launched: float = field(default_factory=time.monotonic)
    last_statement: float = 0.0
    terminated: float = 0.0  # when terminated arrived (monotonic), 0 until then
    abandoned: bool = False


class Cmi5LMS(LoopbackService):
    handler_class, service_name = None, "lms"  # the handler is set below, once defined

    def __init__(self, lrs: RalphLRS, *, cors_origins: Sequence[str] = (), grace: float = 10.0):
        self.lrs = lrs
        self.cors_origins = list(cors_origins)
        self.grace = grace
        self.state = StateLRS()  # its document store and concurrency rules; never started as a server
        self.profiles: dict[tuple[str, str], bytes] = {}
        self.sessions: dict[str, Session] = {}  # session id →
        self.by_token: dict[str, Session] = {}
        self.fetch_keys: dict[str, Session] = {}
        self.fetched: set[str] = set()
        self.fetches: list[tuple[str, dict]] = []
        self.requests: list[tuple[str, str, dict[str, str], int, str]] = []
        self.refused: list[str] = []
        self.made: set[str] = set()  # ids of the statements the LMS made itself (launched, abandoned), not the AU
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return self.origin + PREFIX

    # -- the LMS's own steps ----------------------------------------------------------------------
    def launch(self, au_url: str, publisher_id: str, actor: dict, registration: str | None = None, *,
               launch_mode: str = "Normal", move_on: str = "CompletedAndPassed", mastery_score: float | None = None,
               return_url: str = "", preferences: dict | None = None) -> Cmi5Launch:
        """Everything the LMS does before it opens the AU, then the URL it opens (8.1, 9.3.1, 10.1)."""
        registration = registration or str(uuid.uuid4())
        activity_id = f"{LMS_IRI}activities/{uuid.uuid5(uuid.NAMESPACE_URL, registration + '|' + publisher_id)}"
        self._abandon_open_sessions(registration, activity_id)
        session_id = str(uuid.uuid4())
        template = {"contextActivities": {"grouping": [{"objectType": "Activity", "id": publisher_id}]},
                    "extensions": {SESSION_ID: session_id}}
        launch_data = {"contextTemplate": template, "launchMode": launch_mode, "moveOn": move_on}
        if mastery_score is not None:
            launch_data["masteryScore"] = mastery_score
        if return_url:
            launch_data["returnURL"] = return_url
        self.state.put_state(activity_id, actor, registration, LAUNCH_DATA, json.dumps(launch_data).encode())
        if preferences is not None:
            self.profiles[(agent_key(json.dumps(actor)), PREFERENCES)] = json.dumps(preferences).encode()
        extensions = {SESSION_ID: session_id, CMI5 + "context/extensions/launchmode": launch_mode,
                      CMI5 + "context/extensions/launchurl": au_url, CMI5 + "context/extensions/moveon": move_on}
        if mastery_score is not None:
            extensions[CMI5 + "context/extensions/masteryscore"] = mastery_score
        self._lms_statement(actor, "launched", activity_id, registration, publisher_id, extensions)
        key = secrets.token_urlsafe(16)
        token = base64.b64encode(f"{session_id}:{secrets.token_urlsafe(12)}".encode()).decode("ascii")
        fetch = f"{self.origin}/fetch/{key}"
        query = urlencode({"endpoint": self.endpoint, "fetch": fetch, "actor": json.dumps(actor),
                           "registration": registration, "activityId": activity_id}, quote_via=quote)
        launch = Cmi5Launch(au_url + ("&" if "?" in au_url else "?") + query, fetch, actor, registration, activity_id,
                            publisher_id, session_id, launch_data)
        session = Session(launch, token)
        with self.lock:
            self.sessions[session_id] = session
            self.by_token[token] = session
            self.fetch_keys[key] = session
        return launch

    def _abandon_open_sessions(self, registration: str, activity_id: str) -> None:
        """A session of this AU left without terminated is abandoned, with its duration (9.3.6, 9.5.4.2)."""
        for session in list(self.sessions.values()):
            launch = session.launch
            if (launch.registration, launch.activity_id) != (registration, activity_id) or session.terminated \
                    or session.abandoned:
                continue
            session.abandoned = True
            seconds = max(0.0, (session.last_statement or session.launched) - session.launched)
            self._lms_statement(launch.actor, "abandoned", activity_id, registration, launch.publisher_id,
                                {SESSION_ID: launch.session_id}, {"duration": f"PT{seconds:.2f}S"})

    def _lms_statement(self, actor: dict, verb: str, activity_id: str, registration: str, publisher_id: str,
                       extensions: dict, result: dict | None = None) -> None:
        statement = {"id": str(uuid.uuid4()), "actor": actor, "verb": {"id": VERBS + verb, "display": {"en-US": verb}},
                     "object": {"objectType": "Activity", "id": activity_id}, "timestamp": now_iso(),
                     "context": {"registration": registration, "extensions": extensions, "contextActivities": {
                         "grouping": [{"objectType": "Activity", "id": publisher_id}],
                         "category": [{"objectType": "Activity", "id": CATEGORY}]}}}
        if result:
            statement["result"] = result
        self.made.add(statement["id"])
        self.lrs.post_statements([statement])

    # -- for the tests ----------------------------------------------------------------------------
    def statements(self, registration: str) -> list[dict]:
        """Every statement of the registration in Ralph, in timestamp order (a stable sort)."""
        return sorted(self.lrs.statements(registration=registration), key=lambda s: s["timestamp"])

    def wait_for(self, condition, message: str, seconds: float = 15.0) -> None:  # noqa: ANN001
        wait_until(condition, message, seconds)

    def fetch_answers(self, launch: Cmi5Launch) -> list[dict]:
        key = launch.fetch.rsplit("/", 1)[1]
        return [answer for k, answer in self.fetches if k == key]

    def document(self, launch: Cmi5Launch, state_id: str) -> bytes | None:
        return self.state.state(launch.activity_id, launch.actor, launch.registration, state_id)

    def session_requests(self, launch: Cmi5Launch) -> list[tuple[str, str, dict[str, str], int, str]]:
        return [r for r in self.requests if r[4] == launch.session_id]

    # -- requests ---------------------------------------------------------------------------------
    def fetch(self, key: str) -> dict:
        with self.lock:
            session = self.fetch_keys.get(key)
            if session is None:
                answer = {"error-code": "2", "error-text": "this fetch URL was never handed out"}
            elif key in self.fetched:
                answer = {"error-code": "1", "error-text": "the authorization token has already been returned"}
            else:
                self.fetched.add(key)
                answer = {"auth-token": session.token}
            self.fetches.append((key, answer))
        return answer

    def session_for(self, authorization: str | None) -> Session | None:
        if not authorization or not authorization.startswith("Basic "):
            return None
        return self.by_token.get(authorization[len("Basic "):])

    def post_statements(self, session: Session, body: bytes) -> tuple[int, bytes]:
        try:
            data = json.loads(body)
        except ValueError:
            raise Problem(400, "the body is not JSON") from None
        statements = data if isinstance(data, list) else [data]
        for statement in statements:
            named = statement.get("context", {}).get("extensions", {}).get(SESSION_ID) if isinstance(
                statement, dict) else None
            owner = self.sessions.get(named, session)
            if owner.abandoned:
                self.refused.append(f"statement {statement.get('id')} for abandoned session {named}")
                raise Problem(403, "that session was abandoned: no statement is recorded for it any more")
            if owner.terminated and time.monotonic() - owner.terminated > self.grace:
                self.refused.append(f"statement {statement.get('id')} after terminated in session {named}")
                raise Problem(403, "that session has terminated")
        status, _, payload = self.lrs.request("POST", "statements", data)
        if status in (200, 204):
            for statement in statements:
                owner = self.sessions.get(statement.get("context", {}).get("extensions", {}).get(SESSION_ID), session)
                owner.last_statement = time.monotonic()
                if statement.get("verb", {}).get("id") == VERBS + "terminated" and not owner.terminated:
                    owner.terminated = time.monotonic()
        return status, json.dumps(payload).encode() if payload is not None else b""

    def get_statements(self, raw_query: str) -> tuple[int, bytes]:
        status, _, payload = self.lrs.request("GET", "statements?" + raw_query)
        if isinstance(payload, dict) and payload.get("more"):
            payload["more"] = PREFIX + "statements?" + payload["more"].split("?", 1)[1]
        return status, json.dumps(payload).encode()

    def profile(self, method: str, query: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        if method != "GET":
            self.refused.append(f"{method} agents/profile {query.get('profileId')}")
            raise Problem(403, "this LMS keeps the learner's preferences itself")
        if "agent" not in query:
            raise Problem(400, "agent is required")
        found = self.profiles.get((agent_key(query["agent"]), query.get("profileId", "")))
        if found is None:
            raise Problem(404, "no such profile document")
        return 200, found, {"ETag": '"' + uuid.uuid5(uuid.NAMESPACE_OID, found.decode()).hex + '"'}


class _Handler(XapiHandler):
    lms: Cmi5LMS

    def cors_origins(self) -> Sequence[str]:
        return self.lms.cors_origins

    logged: tuple[str, str, dict[str, str], str] | None = None  # the xAPI request being answered, for requests

    def answered(self, status: int) -> None:
        """Each xAPI request goes into the LMS's requests before its answer is sent, so that a test which has seen
        the page act on an answer finds it there."""
        if self.logged is not None:
            command, resource, query, session_id = self.logged
            with self.lms.lock:
                self.lms.requests.append((command, resource, query, status, session_id))

    def _handle(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.logged = None
        if url.path.startswith("/fetch/"):
            if self.command != "POST":
                self.lms.refused.append(f"{self.command} to the fetch URL")
                return self._answer(405, b'{"error":"the fetch URL takes POST only"}')
            return self._answer(200, json.dumps(self.lms.fetch(url.path[len("/fetch/"):])).encode())
        resource = url.path[len(PREFIX):] if url.path.startswith(PREFIX) else url.path
        session = self.lms.session_for(self.headers.get("Authorization"))
        self.logged = (self.command, resource, query, session.launch.session_id if session else "")
        try:
            if not self.headers.get("X-Experience-API-Version", "").startswith("1.0"):
                raise Problem(400, "X-Experience-API-Version header missing")
            if session is None:
                self.lms.refused.append(f"{self.command} {resource} without a session's token")
                raise Problem(401, "send Authorization: Basic <the auth-token from the fetch URL>")
            if resource == "statements" and self.command in ("POST", "PUT"):
                if self.command == "PUT":
                    raise Problem(405, "this LMS takes statements by POST")
                self._answer(*self.lms.post_statements(session, body))
            elif resource == "statements" and self.command == "GET":
                self._answer(*self.lms.get_statements(url.query))
            elif resource == "activities/state":
                self._state(query, body)
            elif resource == "agents/profile":
                status, found, extra = self.lms.profile(self.command, query)
                self._answer(status, found, extra=extra)
            else:
                raise Problem(404, "no such resource")
        except Problem as problem:
            self._answer(problem.status, json.dumps({"error": str(problem)}).encode())

    def _state(self, query: dict[str, str], body: bytes) -> None:
        if self.command != "GET" and query.get("stateId") in (LAUNCH_DATA, None):
            self.lms.refused.append(f"{self.command} activities/state {query.get('stateId') or '(every document)'}")
            raise Problem(403, "the AU must not change LMS.LaunchData (cmi5 10.2.1)")
        if self.command != "GET" and "activities/state" in self.lms.state.refuse_writes:  # as StateLRS's hook
            raise Problem(self.lms.state.refuse_writes["activities/state"], "this LMS refuses writes for now")
        content_type = self.headers.get("Content-Type", "application/octet-stream")
        conditions = {name: self.headers.get(name) for name in ("If-Match", "If-None-Match")}
        found, kind, etag = self.lms.state.state_request(self.command, query, body, content_type, conditions)
        extra = {"ETag": etag} if etag else None
        status = 200 if self.command == "GET" else 204
        self._answer(status, found if status == 200 else b"", kind, extra)

    do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815


Cmi5LMS.handler_class = _Handler
