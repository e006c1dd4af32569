"""A small in-memory Learning Record Store: xAPI 1.0.3 statements and the State API, for the preview only.

Enough of the spec for a Tin Can launched package: POST/PUT/GET statements (filters agent, verb, activity,
registration, since, until, related_activities, related_agents, limit, ascending, paging with ``more``), and
activity state documents (GET/PUT/POST/DELETE). Requests must carry the ``X-Experience-API-Version`` header and
the ``Authorization`` the launch handed out, as a real LRS would insist.

State documents carry ETags (on every GET and write) and, with ``strict`` (the default), the concurrency rules
xAPI 2.0 requires and ADL's reference LRS enforces: a PUT to an existing document without ``If-Match`` or
``If-None-Match`` is 409; an ``If-Match`` naming another ETag (or no document), or ``If-None-Match: *`` on an
existing document, is 412. ``strict=False`` stands for an LRS that checks none of this (the preview's control).
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from hashlib import sha1
from urllib.parse import urlencode

from leadpack.formats.base import Reply

VERSION = "1.0.3"
MAX_PAGE = 100
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
AUTHORITY = {"objectType": "Agent", "name": "leadpack preview", "mbox": "mailto:preview@leadpack.invalid"}
IFI_KEYS = ("mbox", "mbox_sha1sum", "openid", "account")


class XapiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def ifi(agent: object) -> str:
    """An agent's identity (its one inverse functional identifier) as a comparable string."""
    if not isinstance(agent, dict):
        raise XapiError(400, "an agent must be a JSON object")
    found = [k for k in IFI_KEYS if k in agent]
    if len(found) != 1:
        raise XapiError(400, "an agent needs exactly one of mbox, mbox_sha1sum, openid, account")
    value = agent[found[0]]
    if found[0] == "account":
        if not isinstance(value, dict) or not value.get("homePage") or not value.get("name"):
            raise XapiError(400, "an account needs homePage and name")
        return f"account:{value['homePage']}|{value['name']}"
    return f"{found[0]}:{value}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise XapiError(400, f"not an ISO 8601 timestamp: {text}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class MemoryLRS:
    """Statements and state documents, with a listener told of every change (the panel's live feed)."""

    def __init__(self, auth: str, on_event: Callable[[str, dict], None] = lambda kind, data: None):
        self.auth = auth
        self.on_event = on_event
        self._statements: list[dict] = []
        self._by_id: dict[str, dict] = {}
        self._state: dict[tuple[str, str, str, str], tuple[bytes, str, str]] = {}  # body, Content-Type, ETag
        self._lock = threading.Lock()

    # ---- entry point ----------------------------------------------------------------------------------------
    def handle(self, method: str, resource: str, query: dict[str, str], headers: dict[str, str],
               body: bytes, strict: bool = True) -> Reply:
        """One request; ``headers`` with lower-case names. ``strict``: enforce the State API's concurrency rules."""
        try:
            if resource == "about" and method == "GET":
                return Reply.json(200, {"version": [VERSION]})
            if not self.authorised(headers.get("authorization")):
                return Reply.error(401, "missing or wrong Authorization: use the auth value from the launch")
            if not headers.get("x-experience-api-version", "").startswith("1.0"):
                return Reply.error(400, "missing X-Experience-API-Version header (1.0.x)")
            if resource == "statements":
                return self._statements_resource(method, query, body)
            if resource == "activities/state":
                conditions = (headers.get("if-match"), headers.get("if-none-match")) if strict else None
                return self._state_resource(method, query, body, headers.get("content-type", ""), conditions)
            return Reply.error(404, f"this preview LRS has no resource '{resource}'")
        except XapiError as exc:
            return Reply.error(exc.status, str(exc))

    def authorised(self, authorization: str | None) -> bool:
        """Whether a request's Authorization may use this LRS (an LMS side may hand out more credentials)."""
        return authorization == self.auth

    # ---- statements -----------------------------------------------------------------------------------------
    def _statements_resource(self, method: str, query: dict[str, str], body: bytes) -> Reply:
        if method == "GET":
            return self._get_statements(query)
        if method not in ("POST", "PUT"):
            return Reply.error(405, f"{method} not allowed on statements")
        data = _json_body(body)
        if method == "PUT":
            wanted = query.get("statementId", "")
            if not UUID.match(wanted) or not isinstance(data, dict) or data.get("id", wanted) != wanted:
                raise XapiError(400, "PUT needs ?statementId=<uuid> matching the statement's id")
            data["id"] = wanted
            self.store([data])
            return Reply(204)
        items = data if isinstance(data, list) else [data]
        return Reply.json(200, self.store(items))

    def store(self, items: list) -> list[str]:
        """Validate all, then store all: a batch is accepted or refused whole."""
        checked = [self._checked(item) for item in items]
        with self._lock:
            for statement in checked:
                if statement["id"] in self._by_id:
                    raise XapiError(409, f"statement {statement['id']} is already stored")
            stored = _now()
            for statement in checked:
                statement.update(stored=stored, authority=AUTHORITY, version=VERSION)
                statement.setdefault("timestamp", stored)
                self._statements.append(statement)
                self._by_id[statement["id"]] = statement
        for statement in checked:
            self.on_event("statement", {"statement": statement})
        return [s["id"] for s in checked]

    @staticmethod
    def _checked(statement: object) -> dict:
        if not isinstance(statement, dict):
            raise XapiError(400, "a statement must be a JSON object")
        ifi(statement.get("actor"))
        verb, target = statement.get("verb"), statement.get("object")
        if not isinstance(verb, dict) or not isinstance(verb.get("id"), str):
            raise XapiError(400, "a statement needs verb.id")
        if not isinstance(target, dict) or not (target.get("id") or target.get("objectType") in ("Agent", "Group")):
            raise XapiError(400, "a statement needs an object with an id")
        statement = dict(statement)
        statement.setdefault("id", str(uuid.uuid4()))
        if not isinstance(statement["id"], str) or not UUID.match(statement["id"]):
            raise XapiError(400, f"statement id {statement['id']!r} is not a UUID")
        for set_by_the_lrs in ("stored", "authority", "version"):
            statement.pop(set_by_the_lrs, None)
        return statement

    def _get_statements(self, query: dict[str, str]) -> Reply:
        if "statementId" in query:
            with self._lock:
                found = self._by_id.get(query["statementId"])
            return Reply.json(200, found) if found else Reply.error(404, "no such statement")
        selected = [s for s in self.statements() if _matches(s, query)]
        if query.get("ascending") != "true":
            selected.reverse()
        limit = int(query.get("limit") or 0) or MAX_PAGE
        start = int(query.get("from") or 0)
        page = selected[start:start + min(limit, MAX_PAGE)]
        more = ""
        if start + len(page) < len(selected):
            more = "/xapi/statements?" + urlencode({**query, "from": start + len(page)})
        return Reply.json(200, {"statements": page, "more": more})

    def statements(self) -> list[dict]:
        with self._lock:
            return list(self._statements)

    # ---- state documents ------------------------------------------------------------------------------------
    def _state_resource(self, method: str, query: dict[str, str], body: bytes, content_type: str,
                        conditions: tuple[str | None, str | None] | None) -> Reply:
        activity, agent = query.get("activityId"), query.get("agent")
        if not activity or not agent:
            raise XapiError(400, "the State API needs activityId and agent")
        try:
            who = ifi(json.loads(agent))
        except ValueError:
            raise XapiError(400, "agent is not JSON") from None
        registration = query.get("registration", "")
        state_id = query.get("stateId", "")
        key = (activity, who, registration, state_id)
        if method == "GET":
            return self._get_state(key)
        if method == "DELETE":
            with self._lock:
                if state_id and conditions:
                    _check_preconditions(method, self._state.get(key), *conditions)
                for k in [k for k in self._state if k[:3] == key[:3] and (not state_id or k[3] == state_id)]:
                    del self._state[k]
            return Reply(204)
        if method not in ("PUT", "POST") or not state_id:
            raise XapiError(400 if method in ("PUT", "POST") else 405, "PUT and POST need a stateId")
        document = body
        with self._lock:
            if conditions:
                _check_preconditions(method, self._state.get(key), *conditions)
            if method == "POST" and key in self._state:
                document = _merged(self._state[key][0], body)
            self._state[key] = (document, content_type or "application/octet-stream", _etag(document))
            etag = self._state[key][2]
        self.on_event("state", {"activityId": activity, "agent": who, "registration": registration,
                                "stateId": state_id, "document": document.decode("utf-8", "replace")})
        return Reply(204, headers={"ETag": etag})

    def _get_state(self, key: tuple[str, str, str, str]) -> Reply:
        with self._lock:
            if key[3]:
                found = self._state.get(key)
                if not found:
                    return Reply.error(404, "no such state document")
                return Reply(200, found[0], found[1], {"ETag": found[2]})
            ids = sorted(k[3] for k in self._state if k[:3] == key[:3])
        listed = Reply.json(200, ids)
        return Reply(200, listed.body, listed.content_type, {"ETag": _etag(listed.body)})

    def forget(self, agent_ifi: str) -> None:
        """Reset a learner: their statements and state documents go."""
        with self._lock:
            self._statements = [s for s in self._statements if ifi(s["actor"]) != agent_ifi]
            self._by_id = {s["id"]: s for s in self._statements}
            self._state = {k: v for k, v in self._state.items() if k[1] != agent_ifi}


def _etag(body: bytes) -> str:
    return '"' + sha1(body).hexdigest() + '"'


def _names(header: str, etag: str) -> bool:
    """Whether an If-Match or If-None-Match value (``*`` or a list of ETags) names ``etag``."""
    return header.strip() == "*" or etag in [tag.strip() for tag in header.split(",")]


def _check_preconditions(method: str, existing: tuple[bytes, str, str] | None, if_match: str | None,
                         if_none_match: str | None) -> None:
    """The State API's concurrency rules, as ADL's reference LRS applies them."""
    if method == "PUT" and existing is not None and if_match is None and if_none_match is None:
        raise XapiError(409, "the document exists: send If-Match with its ETag (from GET) to replace it, or turn "
                             "on 'LRS skips ETag checks' to preview against an LRS that does not check")
    if if_none_match is not None and existing is not None and _names(if_none_match, existing[2]):
        raise XapiError(412, "If-None-Match: the document already exists")
    if if_match is not None and (existing is None or not _names(if_match, existing[2])):
        raise XapiError(412, "If-Match: the document has changed since it was read (or does not exist)")


def _json_body(body: bytes) -> object:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise XapiError(400, "the body is not JSON") from None


def _merged(old: bytes, new: bytes) -> bytes:
    """POST to a state document merges JSON objects (xAPI 1.0.3, 'JSON Procedure with Requirements')."""
    before, after = _json_body(old), _json_body(new)
    if not isinstance(before, dict) or not isinstance(after, dict):
        raise XapiError(400, "POST merges JSON objects only; use PUT to replace the document")
    return json.dumps({**before, **after}).encode("utf-8")


def _matches(statement: dict, query: dict[str, str]) -> bool:
    if "agent" in query:
        try:
            who = ifi(json.loads(query["agent"]))
        except ValueError:
            raise XapiError(400, "agent is not JSON") from None
        agents = [statement["actor"]]
        if query.get("related_agents") == "true" and statement["object"].get("objectType") in ("Agent", "Group"):
            agents.append(statement["object"])
        if who not in {ifi(a) for a in agents if any(k in a for k in IFI_KEYS)}:
            return False
    if "verb" in query and statement["verb"]["id"] != query["verb"]:
        return False
    if "activity" in query and query["activity"] not in _activities(statement, query.get("related_activities")):
        return False
    if "registration" in query and statement.get("context", {}).get("registration") != query["registration"]:
        return False
    stored = _instant(statement["stored"])
    if "since" in query and not stored > _instant(query["since"]):
        return False
    return not ("until" in query and not stored <= _instant(query["until"]))


def _activities(statement: dict, related: str | None) -> set[str]:
    ids = {statement["object"].get("id", "")}
    if related == "true":
        for group in statement.get("context", {}).get("contextActivities", {}).values():
            ids.update(a.get("id", "") for a in (group if isinstance(group, list) else [group]))
    return ids
