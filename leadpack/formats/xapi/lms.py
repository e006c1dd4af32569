"""The preview's xAPI side: Tin Can launch parameters for each learner and the in-memory LRS under /xapi/."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

from leadpack.formats.base import LaunchUnit, PreviewServices, PreviewSide, Reply
from leadpack.formats.xapi import STATE_ID
from leadpack.formats.xapi.lrs import VERSION, MemoryLRS

ROUTE = "/xapi/"


class XapiSide(PreviewSide):
    kind = "lrs"

    def __init__(self, services: PreviewServices):
        self.services = services
        self.lrs = MemoryLRS(services.auth, services.publish)
        self.registrations: dict[tuple[str, str], str] = {}
        self.controls = {"lrsOffline": False, "lrsLenient": False}

    def info(self) -> dict:
        return {"kind": self.kind, "title": "xAPI (Tin Can launch)", "scripts": [], "stateId": STATE_ID}

    def launch(self, set_id: str, unit: LaunchUnit, learner, origin: str, url: str) -> dict:  # noqa: ANN001
        registration = self.registrations.setdefault((learner.id, set_id), str(uuid.uuid4()))
        actor = {"objectType": "Agent", "name": learner.display, "mbox": learner.mbox}
        params = {"endpoint": f"{origin}{ROUTE}", "auth": self.services.auth, "actor": json.dumps(actor),
                  "registration": registration, "activity_id": unit.activity_id,
                  "activity_platform": "leadpack preview"}
        return {"url": url + "?" + urlencode(params), "registration": registration, "actor": actor}

    def reset(self, learner) -> None:  # noqa: ANN001
        self.lrs.forget(f"mbox:{learner.mbox}")
        for key in [k for k in self.registrations if k[0] == learner.id]:
            del self.registrations[key]

    def api(self, method: str, name: str, query: dict[str, str], body: dict) -> object:
        if method == "GET" and name == "statements":
            return self.lrs.statements()
        raise LookupError(name)

    def route(self, path: str) -> str | None:
        return path[len(ROUTE):] if path.startswith(ROUTE) else None

    def handle(self, method: str, rest: str, query: dict[str, str], headers: dict[str, str], body: bytes) -> Reply:
        if self.controls["lrsOffline"]:
            reply = Reply.error(503, "the LRS is offline (preview control 'LRS offline')")
        else:
            reply = self.lrs.handle(method, rest, query, headers, body, strict=not self.controls["lrsLenient"])
        shown = {k: v for k, v in query.items() if k in ("stateId", "statementId", "verb", "limit", "from")}
        self.services.publish("lrs", {"method": method, "resource": rest, "query": shown, "status": reply.status,
                                       "answer": reply.body.decode("utf-8", "replace")[:300]
                                       if reply.status >= 400 else ""})
        reply.headers["X-Experience-API-Version"] = VERSION
        return reply
