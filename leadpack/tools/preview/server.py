"""The preview server: an LMS page on 127.0.0.1 hosting a freshly built package, with the LMS side of its format
(a strict API object, or an in-memory LRS), a live panel and (with --watch) rebuild-and-reload on save.

Routes:
    /                         the LMS page (static/lms.html); /lms/<file> its scripts and styles
    /lms/format/<file>        the scripts the format's LMS side puts in the LMS page (its API object)
    /content/<set>/<n>/...    build number n of a set, unpacked from the package zip
    /api/...                  the LMS server side: launch, reset, controls, explain, and the format side's own
                              (commit, record; statements)
    /<the side's route>/...   an LRS, for formats whose packages talk to one
    /events                   server-sent events: rebuilds, LRS calls ("lrs"), statements, state documents
"""

from __future__ import annotations

import base64
import http.server
import json
import mimetypes
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from leadpack.errors import LeadpackError, ProblemsFound
from leadpack.formats.base import PreviewServices, PreviewSide, Reply
from leadpack.pipeline.state import StateError
from leadpack.tools.explain import explain, parse_state
from leadpack.tools.preview.builder import Builder, BuiltSet, Watcher
from leadpack.tools.preview.learners import LEARNERS, Learner

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_BODY = 8 * 1024 * 1024
KEEP_EVENTS = 2000
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml",
                 ".json": "application/json", ".xml": "application/xml", ".xsd": "application/xml",
                 ".mp4": "video/mp4", ".mp3": "audio/mpeg", ".webm": "video/webm", ".vtt": "text/vtt",
                 ".txt": "text/plain"}


class Events:
    """An append-only feed the LMS pages follow through /events; waiting readers wake on each new event."""

    def __init__(self) -> None:
        self._items: list[tuple[int, str, str]] = []
        self._next = 1
        self._closed = False
        self._changed = threading.Condition()

    def publish(self, kind: str, data: dict) -> None:
        with self._changed:
            self._items.append((self._next, kind, json.dumps(data, ensure_ascii=False)))
            self._next += 1
            del self._items[:-KEEP_EVENTS]
            self._changed.notify_all()

    @property
    def latest(self) -> int:
        with self._changed:
            return self._next - 1

    def after(self, seen: int, timeout: float) -> list[tuple[int, str, str]] | None:
        """Events newer than ``seen``, waiting up to ``timeout``; None once the server is closing."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._next - 1 > seen, timeout)
            if self._closed:
                return None
            return [item for item in self._items if item[0] > seen]

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()


class PreviewServer:
    """Build, then serve; ``start()`` returns once the first build is ready and the port is bound."""

    def __init__(self, root: Path, only: tuple[str, ...] = (), format_name: str | None = None, port: int = 0,
                 watch: bool = False, log: Callable[[str], None] = lambda line: None):
        self.root = root.resolve()
        self.workdir = Path(tempfile.mkdtemp(prefix="leadpack-preview-"))
        self.builder = Builder(self.root, only, format_name, self.workdir)
        self.port, self.watch, self.log = port, watch, log
        self.events = Events()
        self.auth = "Basic " + base64.b64encode(f"preview:{secrets.token_urlsafe(12)}".encode()).decode()
        self.side: PreviewSide | None = None  # the format's LMS side, once the first build names the format
        self.learners = {learner.id: learner for learner in LEARNERS}
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._watcher: Watcher | None = None

    # ---- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> PreviewServer:
        try:
            self.builder.build()
            self.side = self.builder.format.preview_side(PreviewServices(self.events.publish, self.auth))
            self._httpd = _Server(("127.0.0.1", self.port), _Handler, self)
        except OSError as exc:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise LeadpackError(f"cannot serve on 127.0.0.1:{self.port}: {exc.strerror or exc} "
                                "(choose another port with --port)") from None
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        daemon=True, name="leadpack-preview-http")
        self._thread.start()
        if self.watch:
            self._watcher = Watcher(self.root, list(self.builder.sets), self.rebuild)
            self._watcher.start()
        return self

    def stop(self) -> None:
        if self._watcher:
            self._watcher.stop()
            self._watcher.join(timeout=5)
        self.events.close()
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    # ---- watch ----------------------------------------------------------------------------------------------
    def rebuild(self, set_ids: tuple[str, ...] | None, changed: list[Path]) -> None:
        """Rebuild what an edit touched; a mistake is shown in the LMS page and the last good build stays."""
        names = sorted({str(p.relative_to(self.root)) for p in changed})
        try:
            built = self.builder.build(set_ids or ())
        except ProblemsFound as exc:
            self._build_failed(set_ids, [str(p) for p in exc.problems])
        except LeadpackError as exc:
            self._build_failed(set_ids, [str(exc)])
        else:
            for item in built:
                self.log(f"rebuilt {item.id} in {item.seconds:.2f} s ({', '.join(names)})")
                self.events.publish("build", {"set": item.summary(), "changed": names})

    def _build_failed(self, set_ids: tuple[str, ...] | None, problems: list[str]) -> None:
        for problem in problems:
            self.log(problem)
        self.events.publish("build-failed", {"sets": list(set_ids or self.builder.sets), "problems": problems})

    # ---- the LMS server side --------------------------------------------------------------------------------
    @property
    def controls(self) -> dict[str, bool]:
        return self.side.controls

    def overview(self) -> dict:
        return {"format": self.builder.format.name, "side": self.side.info(), "controls": self.controls,
                "events": self.events.latest, "sets": [s.summary() for s in self.builder.sets.values()],
                "learners": [{"id": x.id, "name": x.name, "display": x.display} for x in self.learners.values()]}

    def find(self, set_id: str, unit_id: str = "") -> tuple[BuiltSet, str]:
        built = self.builder.sets.get(set_id)
        if not built:
            raise _Refused(404, f"no set '{set_id}' in this preview")
        unit = built.unit(unit_id) if unit_id else built.units[0]
        if not unit:
            raise _Refused(404, f"no unit '{unit_id}' in set '{set_id}'")
        return built, unit.id

    def learner(self, learner_id: str) -> Learner:
        if learner_id not in self.learners:
            raise _Refused(404, f"no learner '{learner_id}'")
        return self.learners[learner_id]

    def launch(self, set_id: str, unit_id: str, learner_id: str, origin: str) -> dict:
        built, unit_id = self.find(set_id, unit_id)
        unit, learner = built.unit(unit_id), self.learner(learner_id)
        url = f"/content/{built.id}/{built.serial}/{unit.href}"
        launch = self.side.launch(built.id, unit.launch, learner, origin, url)
        return {"set": built.id, "unit": unit.id, "learner": learner.id, **launch}

    def reset(self, learner_id: str) -> None:
        learner = self.learner(learner_id)
        self.side.reset(learner)
        self.events.publish("reset", {"learner": learner.id})

    def set_controls(self, changes: dict) -> dict:
        for name, value in changes.items():
            if name in self.controls and isinstance(value, bool):
                self.controls[name] = value
        self.events.publish("controls", dict(self.controls))
        return self.controls

    def explain(self, set_id: str, unit_id: str, text: str) -> dict:
        built, unit_id = self.find(set_id, unit_id)
        if not text:
            return {"empty": True}
        try:
            return explain(parse_state(text), [built.unit(unit_id).data]).as_dict()
        except StateError as exc:
            return {"error": str(exc)}


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, preview: PreviewServer):
        self.preview = preview
        super().__init__(address, handler)

    def handle_error(self, request, client_address) -> None:  # a browser closing a connection is not news
        pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet: the panel shows calls
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._route("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._route("DELETE")

    # ---- routing --------------------------------------------------------------------------------------------
    def _route(self, method: str) -> None:
        preview = self.server.preview
        parts = urlsplit(self.path)
        path, query = parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))
        try:
            self.body = self._body()
        except _Refused as exc:
            self.close_connection = True
            return self._send(Reply.error(exc.status, str(exc)))
        if self.headers.get("Host") not in (f"127.0.0.1:{preview.port}", f"localhost:{preview.port}"):
            return self._send(Reply.error(403, "the preview answers only at 127.0.0.1 or localhost"))
        try:
            rest = preview.side.route(path)
            if rest is not None:
                return self._side_route(method, rest, query)
            if path.startswith("/api/"):
                return self._send(Reply.json(200, self._api(method, path[len("/api/"):], query)))
            if method != "GET":
                return self._send(Reply.error(405, f"{method} not allowed here"))
            if path == "/events":
                return self._events(query)
            if path == "/favicon.ico":
                return self._send(Reply(204, b"", "image/x-icon"))
            if path in ("/", "/index.html"):
                return self._file(STATIC_DIR / "lms.html", STATIC_DIR)
            if path.startswith("/lms/format/"):
                return self._format_file(path[len("/lms/format/"):])
            if path.startswith("/lms/"):
                return self._file(STATIC_DIR / path[len("/lms/"):], STATIC_DIR)
            if path.startswith("/content/"):
                return self._content(path[len("/content/"):])
            self._send(Reply.error(404, "not found"))
        except _Refused as exc:
            self._send(Reply.error(exc.status, str(exc)))

    def _api(self, method: str, name: str, query: dict[str, str]) -> object:
        preview = self.server.preview
        if method == "GET" and name == "state":
            return preview.overview()
        if method == "GET" and name == "launch":
            origin = f"http://{self.headers['Host']}"
            return preview.launch(query.get("set", ""), query.get("unit", ""), query.get("learner", ""), origin)
        body = self._json() if method == "POST" else {}
        if method == "POST" and name == "reset":
            preview.reset(body.get("learner", ""))
            return {"ok": True}
        if method == "POST" and name == "controls":
            return preview.set_controls(body)
        if method == "POST" and name == "explain":
            return preview.explain(body.get("set", ""), body.get("unit", ""), str(body.get("text", "")))
        return self._side_api(method, name, query, body)

    def _side_api(self, method: str, name: str, query: dict[str, str], body: dict) -> object:
        """The format side's own API; the set, unit and learner it names are checked (and defaulted) here."""
        preview = self.server.preview
        for fields in (query, body):
            if "set" in fields:
                _, fields["unit"] = preview.find(str(fields.get("set", "")), str(fields.get("unit", "")))
            if "learner" in fields:
                fields["learner"] = preview.learner(str(fields["learner"])).id
        try:
            return preview.side.api(method, name, query, body)
        except LookupError:
            raise _Refused(404, f"no API {method} {name}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise _Refused(400, str(exc)) from None

    def _side_route(self, method: str, rest: str, query: dict[str, str]) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.preview.side.handle(method, rest, query, headers, self.body)
        self._send(reply)

    # ---- files ----------------------------------------------------------------------------------------------
    def _content(self, rest: str) -> None:
        preview = self.server.preview
        set_id, _, tail = rest.partition("/")
        serial, _, name = tail.partition("/")
        if not serial.isdigit() or not name:
            raise _Refused(404, "not found")
        self._file(preview.workdir / set_id / serial / name, preview.workdir)

    def _format_file(self, name: str) -> None:
        """A script the format's side names for the LMS page (its API object), from the file the side gives."""
        path = self.server.preview.side.script(name)
        if path is None or name not in self.server.preview.side.info().get("scripts", []):
            raise _Refused(404, "not found")
        self._file(path, path.parent)

    def _file(self, path: Path, inside: Path) -> None:
        path = path.resolve()
        if not path.is_relative_to(inside.resolve()) or not path.is_file():
            raise _Refused(404, "not found")
        kind = CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] \
            or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/json", "application/xml", "image/svg+xml"):
            kind += "; charset=utf-8"
        self._send(Reply(200, path.read_bytes(), kind))

    # ---- events ---------------------------------------------------------------------------------------------
    def _events(self, query: dict[str, str]) -> None:
        events = self.server.preview.events
        resume_from = self.headers.get("Last-Event-ID") or query.get("after", "")
        seen = int(resume_from) if resume_from.isdigit() else events.latest
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while True:
                items = events.after(seen, timeout=10)
                if items is None:
                    return
                chunks = [f"id: {n}\nevent: {kind}\ndata: {data}\n\n" for n, kind, data in items] or [": ping\n\n"]
                self.wfile.write("".join(chunks).encode("utf-8"))
                self.wfile.flush()
                seen = items[-1][0] if items else seen
        except OSError:
            return

    # ---- plumbing -------------------------------------------------------------------------------------------
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise _Refused(413, "request too large")
        return self.rfile.read(length) if length else b""

    def _json(self) -> dict:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            raise _Refused(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise _Refused(400, "the body must be a JSON object")
        return data

    def _send(self, reply: Reply, headers: dict[str, str] | None = None) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in {**reply.headers, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
