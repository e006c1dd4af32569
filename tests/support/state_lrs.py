"""A small LRS with the xAPI State API, on 127.0.0.1, written to xAPI 1.0.3 for tests (Ralph 5.1 has no State API).

Resources under ``endpoint`` (``http://127.0.0.1:PORT/xapi/``):

- ``statements``: POST one statement or a list (ids made here when missing; an id already stored with an equivalent
  statement is skipped, with a different one the whole request is 409; all skipped: 204), PUT ``?statementId=``
  (204, or 409 when a different statement has that id), GET ``?statementId=`` or filtered by ``agent``, ``verb``,
  ``activity`` (with ``related_activities``), ``registration``, ``ascending`` and ``limit``, in one answer
  (``more`` is always empty).
- ``activities/state``: ``activityId`` and ``agent`` (JSON, one identifier) are required, ``registration`` (UUID)
  optional. With ``stateId``: PUT stores the body as sent, POST merges JSON objects key by key (400 when the stored
  or the new document is not a JSON object), GET returns it with its Content-Type and ETag (404 when absent), DELETE
  removes it. Without ``stateId``: GET lists the ids (JSON array), DELETE removes every document of that context.

Documents keep the concurrency rules as strictly as ADL's reference LRS (xAPI 2.0 requires them, 1.0.3 allows
them): every GET and every write answers with the document's ETag (a quoted SHA-1 of its bytes); a PUT to an
existing document with neither ``If-Match`` nor ``If-None-Match`` is 409; on any write, an ``If-Match`` that names
another ETag (or a document that does not exist) is 412, and so is ``If-None-Match: *`` (or the document's own
ETag) when it exists. A POST without either header merges, as the spec allows.

Every request needs ``X-Experience-API-Version`` (400 without) and the basic-auth credentials (401 without); answers
carry ``X-Experience-API-Version: 1.0.3``. CORS: preflights and answers name an origin from ``cors_origins`` as
allowed, with the headers a browser needs (Authorization, Content-Type, X-Experience-API-Version).

Example::

    with StateLRS(cors_origins=[site.origin]) as lrs:
        page.goto(site.url + "index.html?endpoint=" + quote(lrs.endpoint) + "&auth=" + quote(lrs.auth_header) ...)
        lrs.state(activity_id, agent, registration, "leadpack-progress")   # stored bytes, or None
        lrs.statements                                                      # stored statements, oldest first
        lrs.requests                                                        # [(method, resource, query dict)]
        lrs.answers                                                         # [(method, resource, query, status)]

Test hooks: ``put_state`` stores a document as another device would (a stale copy between sessions, say);
``race_next_write`` has another writer store a document just before the next write to it is handled (so that
write's ``If-Match`` no longer matches); ``refuse_writes`` answers every write to a resource with a status until
it is set back to ``{}``.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from hashlib import sha1
from urllib.parse import parse_qs, urlsplit

from tests.support.http import LoopbackService, XapiHandler

XAPI_VERSION = "1.0.3"
PREFIX = "/xapi/"
EQUIVALENCE_FIELDS = ("actor", "verb", "object", "result", "context", "timestamp", "attachments")
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


class Problem(Exception):
    """An xAPI error answer: status and message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def agent_key(text: str) -> str:
    """The agent's one identifier as a stable string; 400 for anything else."""
    try:
        agent = json.loads(text)
    except ValueError:
        raise Problem(400, "agent is not JSON") from None
    found = [k for k in IFIS if isinstance(agent, dict) and agent.get(k)]
    if len(found) != 1:
        raise Problem(400, "agent needs exactly one identifier (mbox, mbox_sha1sum, openid or account)")
    value = agent[found[0]]
    if found[0] == "account":
        value = f"{value.get('homePage')}|{value.get('name')}"
    return f"{found[0]}={value}"


def activities_of(statement: dict, related: bool) -> set[str]:
    ids = {statement.get("object", {}).get("id")}
    if related:
        for group in statement.get("context", {}).get("contextActivities", {}).values():
            ids.update(a.get("id") for a in (group if isinstance(group, list) else [group]))
    return ids


class StateLRS(LoopbackService):
    """Statements and State API in memory, served from a background thread (see the module docstring)."""

    handler_class, service_name = None, "lrs"  # the handler is set below, once defined

    def __init__(self, *, cors_origins: Sequence[str] = (), username: str = "state-lrs",
                 password: str = "state-lrs-secret"):
        self.cors_origins = list(cors_origins)
        self.username, self.password = username, password
        self.statements: list[dict] = []
        self.documents: dict[tuple[str, str, str], dict[str, tuple[bytes, str, str]]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.answers: list[tuple[str, str, dict[str, str], int]] = []
        self.refuse_writes: dict[str, int] = {}
        self.expose_etag = True  # False: CORS hides the ETag from the page, as a misconfigured LRS does
        self._races: dict[tuple[tuple[str, str, str], str], bytes] = {}
        self.lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return self.origin + PREFIX

    @property
    def auth_header(self) -> str:
        return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")

    # -- test helpers -----------------------------------------------------------------------------
    def state(self, activity_id: str, agent: dict, registration: str, state_id: str) -> bytes | None:
        key = (activity_id, agent_key(json.dumps(agent)), registration)
        with self.lock:
            found = self.documents.get(key, {}).get(state_id)
        return found[0] if found else None

    def put_state(self, activity_id: str, agent: dict, registration: str, state_id: str, body: bytes) -> None:
        """Store a document directly, as another device (or an older session) would have written it."""
        key = (activity_id, agent_key(json.dumps(agent)), registration)
        with self.lock:
            self.documents.setdefault(key, {})[state_id] = _document(body, "application/json")

    def delete_state(self, activity_id: str, agent: dict, registration: str, state_id: str) -> None:
        """Remove a document, as an LMS that lost it (or a learner's reset) would."""
        key = (activity_id, agent_key(json.dumps(agent)), registration)
        with self.lock:
            self.documents.get(key, {}).pop(state_id, None)

    def race_next_write(self, activity_id: str, agent: dict, registration: str, state_id: str, body: bytes) -> None:
        """Just before the next write to this document is handled, another writer stores ``body`` in it."""
        key = (activity_id, agent_key(json.dumps(agent)), registration)
        with self.lock:
            self._races[(key, state_id)] = body

    def document_writes(self, registration: str, state_id: str) -> list[int]:
        """The status of every PUT or POST to one state document of a registration, in order."""
        with self.lock:
            return [status for method, resource, query, status in self.answers
                    if resource == "activities/state" and method in ("PUT", "POST")
                    and query.get("registration") == registration and query.get("stateId") == state_id]

    def statements_for(self, registration: str) -> list[dict]:
        with self.lock:
            return [s for s in self.statements if s.get("context", {}).get("registration") == registration]

    # -- statements -------------------------------------------------------------------------------
    def store(self, batch: list[dict]) -> list[str]:
        """Store new statements atomically; raises 409 when a stored id holds a different statement."""
        with self.lock:
            stored = {s["id"]: s for s in self.statements}
            new = []
            for statement in batch:
                self._check(statement)
                statement.setdefault("id", str(uuid.uuid4()))
                old = stored.get(statement["id"])
                if old is not None:
                    if any(old.get(f) != statement.get(f) for f in EQUIVALENCE_FIELDS):
                        raise Problem(409, f"a different statement already has the id {statement['id']}")
                    continue
                now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
                statement.setdefault("timestamp", now)
                new.append({**statement, "stored": now, "version": XAPI_VERSION,
                            "authority": {"objectType": "Agent", "mbox": f"mailto:{self.username}@example.org"}})
                stored[statement["id"]] = new[-1]
            self.statements.extend(new)
            return [s["id"] for s in new]

    @staticmethod
    def _check(statement: object) -> None:
        if not isinstance(statement, dict) or not all(
                isinstance(statement.get(k), dict) for k in ("actor", "verb", "object")):
            raise Problem(400, "a statement needs actor, verb and object")
        if not statement["verb"].get("id") or not statement["object"].get("id"):
            raise Problem(400, "verb.id and object.id are required")
        if "id" in statement:
            try:
                uuid.UUID(statement["id"])
            except (ValueError, TypeError, AttributeError):
                raise Problem(400, "statement id is not a UUID") from None
        agent_key(json.dumps(statement["actor"]))

    def query(self, q: dict[str, str]) -> dict:
        with self.lock:
            found = list(self.statements)
        if "statementId" in q:
            match = [s for s in found if s["id"] == q["statementId"]]
            if not match:
                raise Problem(404, "no statement with that id")
            return match[0]
        if "agent" in q:
            wanted = agent_key(q["agent"])
            found = [s for s in found if agent_key(json.dumps(s["actor"])) == wanted]
        if "verb" in q:
            found = [s for s in found if s["verb"]["id"] == q["verb"]]
        if "activity" in q:
            related = q.get("related_activities") == "true"
            found = [s for s in found if q["activity"] in activities_of(s, related)]
        if "registration" in q:
            found = [s for s in found if s.get("context", {}).get("registration") == q["registration"]]
        if q.get("ascending") != "true":
            found.reverse()
        limit = int(q.get("limit") or 0)
        return {"statements": found[:limit] if limit else found, "more": ""}

    # -- state documents --------------------------------------------------------------------------
    def context_key(self, q: dict[str, str]) -> tuple[str, str, str]:
        if not q.get("activityId") or not q.get("agent"):
            raise Problem(400, "activityId and agent are required")
        registration = q.get("registration", "")
        if registration:
            try:
                uuid.UUID(registration)
            except ValueError:
                raise Problem(400, "registration is not a UUID") from None
        return q["activityId"], agent_key(q["agent"]), registration

    def state_request(self, method: str, q: dict[str, str], body: bytes, content_type: str,
                      headers: dict[str, str | None]) -> tuple[bytes, str, str]:
        """The answer's body, Content-Type and ETag: the document or the id list for GET, (b"", "", ETag) for a
        write, (b"", "", "") for a DELETE."""
        key, state_id = self.context_key(q), q.get("stateId")
        with self.lock:
            documents = self.documents.setdefault(key, {})
            if method == "GET" and state_id:
                if state_id not in documents:
                    raise Problem(404, "no such document")
                return documents[state_id]
            if method == "GET":
                return _document(json.dumps(sorted(documents)).encode(), "application/json")
            if method != "DELETE" and not state_id:
                raise Problem(400, "stateId is required")
            if state_id and (key, state_id) in self._races:
                documents[state_id] = _document(self._races.pop((key, state_id)), "application/json")
            if state_id:
                self._check_preconditions(method, documents.get(state_id), headers)
            if method == "DELETE":
                if state_id:
                    documents.pop(state_id, None)
                else:
                    documents.clear()
                return b"", "", ""
            if method == "POST" and state_id in documents:
                body = self._merge(documents[state_id], body, content_type)
            documents[state_id] = _document(body, content_type)
            return b"", "", documents[state_id][2]

    @staticmethod
    def _check_preconditions(method: str, existing: tuple[bytes, str, str] | None,
                             headers: dict[str, str | None]) -> None:
        """ADL's rules: 409 for a PUT to an existing document without either header; 412 for a failed one."""
        if_match, if_none_match = headers.get("If-Match"), headers.get("If-None-Match")
        if method == "PUT" and existing is not None and if_match is None and if_none_match is None:
            raise Problem(409, "a document matching your query already exists, but the request did not include "
                               f"ETag headers: send If-Match: {existing[2]}")
        if if_none_match is not None and existing is not None and _names(if_none_match, existing[2]):
            raise Problem(412, "If-None-Match: the document exists")
        if if_match is not None and (existing is None or not _names(if_match, existing[2])):
            raise Problem(412, "If-Match: no document with that ETag")

    @staticmethod
    def _merge(old: tuple[bytes, str, str], body: bytes, content_type: str) -> bytes:
        try:
            before, after = json.loads(old[0]), json.loads(body)
        except ValueError:
            raise Problem(400, "POST merges JSON documents only") from None
        if not (isinstance(before, dict) and isinstance(after, dict) and "json" in old[1] and "json" in content_type):
            raise Problem(400, "POST merges JSON objects only")
        return json.dumps({**before, **after}).encode()


# -- documents as the runtime writes them, for tests to play another device and to read what was kept --------
def encoded_state(data: dict, location: str, visited: list[str], answers: dict[str, str] | None = None,
                  reflections: dict[str, str] | None = None) -> bytes:
    """A state document as lp-core.js encodeState writes it (keys, not ids): what another device would write."""
    keys = {item["id"]: item["key"] for item in data["pages"] + data["questions"]}
    written = {r["id"]: r["key"] for r in data["reflections"]}
    return json.dumps({"v": data["stateVersion"], "l": keys[location],
                       "p": "".join(p["key"] for p in data["pages"] if p["id"] in visited),
                       "a": {keys[q]: response for q, response in (answers or {}).items()},
                       "r": {written[r]: text for r, text in (reflections or {}).items()}}).encode()


def decoded(document: bytes, data: dict) -> dict:
    """A state document in ids: location, visited pages (course order), answers, reflections, finish."""
    saved = json.loads(document)
    page = {p["key"]: p["id"] for p in data["pages"]}
    question = {q["key"]: q["id"] for q in data["questions"]}
    reflection = {r["key"]: r["id"] for r in data["reflections"]}
    return {"location": page[saved["l"]],
            "visited": [page[saved["p"][i:i + 5]] for i in range(0, len(saved["p"]), 5)],
            "answers": {question[k]: v for k, v in saved["a"].items()},
            "reflections": {reflection[k]: v for k, v in saved.get("r", {}).items()}, "done": saved.get("d", "")}


def _document(body: bytes, content_type: str) -> tuple[bytes, str, str]:
    return body, content_type, '"' + sha1(body).hexdigest() + '"'


def _names(header: str, etag: str) -> bool:
    """Whether an If-Match or If-None-Match value (``*`` or a list of ETags) names ``etag``."""
    return header.strip() == "*" or etag in [tag.strip() for tag in header.split(",")]


class _Handler(XapiHandler):
    lrs: StateLRS
    xapi_version = XAPI_VERSION

    def cors_origins(self) -> Sequence[str]:
        return self.lrs.cors_origins

    def exposed_headers(self) -> str:
        return self.EXPOSED if self.lrs.expose_etag else self.EXPOSED.replace("ETag, ", "")

    def answered(self, status: int) -> None:
        url = urlsplit(self.path)
        self.lrs.answers.append((self.command, url.path[len(PREFIX):],
                                 {k: v[0] for k, v in parse_qs(url.query).items()}, status))

    def do_OPTIONS(self) -> None:  # noqa: N802 - CORS preflight
        self.lrs.requests.append(("OPTIONS", urlsplit(self.path).path[len(PREFIX):], {}))
        super().do_OPTIONS()

    def _handle(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        resource = url.path[len(PREFIX):] if url.path.startswith(PREFIX) else url.path
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.lrs.requests.append((self.command, resource, query))
        try:
            if not self.headers.get("X-Experience-API-Version", "").startswith("1.0"):
                raise Problem(400, "X-Experience-API-Version header missing")
            if self.headers.get("Authorization") != self.lrs.auth_header:
                self._answer(401, b'{"error":"unauthorised"}', extra={"WWW-Authenticate": 'Basic realm="xapi"'})
                return
            if self.command != "GET" and resource in self.lrs.refuse_writes:
                raise Problem(self.lrs.refuse_writes[resource], "this LRS refuses writes for now (test hook)")
            if resource == "statements":
                self._statements(query, body)
            elif resource == "activities/state":
                content_type = self.headers.get("Content-Type", "application/octet-stream")
                conditions = {name: self.headers.get(name) for name in ("If-Match", "If-None-Match")}
                found, kind, etag = self.lrs.state_request(self.command, query, body, content_type, conditions)
                extra = {"ETag": etag} if etag else None
                self._answer(200, found, kind, extra) if self.command == "GET" else self._answer(204, extra=extra)
            else:
                raise Problem(404, "no such resource")
        except Problem as problem:
            self._answer(problem.status, json.dumps({"error": str(problem)}).encode())

    def _statements(self, query: dict[str, str], body: bytes) -> None:
        if self.command == "GET":
            self._answer(200, json.dumps(self.lrs.query(query)).encode())
            return
        try:
            data = json.loads(body)
        except ValueError:
            raise Problem(400, "body is not JSON") from None
        if self.command == "PUT":
            if not query.get("statementId") or (isinstance(data, dict) and data.get("id", query["statementId"])
                                                != query["statementId"]):
                raise Problem(400, "statementId missing or different from the statement's id")
            self.lrs.store([{**data, "id": query["statementId"]}])
            self._answer(204)
        elif self.command == "POST":
            ids = self.lrs.store(data if isinstance(data, list) else [data])
            self._answer(200, json.dumps(ids).encode()) if ids else self._answer(204)
        else:
            raise Problem(405, "method not allowed")

    do_GET = do_POST = do_PUT = do_DELETE = _handle  # noqa: N815


StateLRS.handler_class = _Handler
