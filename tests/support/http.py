"""A threaded static HTTP server on 127.0.0.1 for serving built packages to a real browser.

Example::

    from tests.support.http import StaticServer

    with StaticServer(tmp_path / "site", headers={"/index.html": {"Permissions-Policy": "unload=()"}}) as srv:
        page.goto(srv.url + "index.html")      # srv.url == "http://127.0.0.1:PORT/"
        srv.origin                               # "http://127.0.0.1:PORT" (for CORS allow-lists)
        srv.requests                             # [(method, path), ...] seen so far

``headers`` maps a URL path to extra response headers. A key ending in ``*`` is a prefix
("/scorm/*"), the key ``"*"`` applies to every response. Several matching keys are merged, the
more specific (exact, then longest prefix) winning. Logs are silent. Responses carry
``Cache-Control: no-store`` so a re-built package is never served stale.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

HeaderMap = Mapping[str, Mapping[str, str]]


class _Handler(http.server.SimpleHTTPRequestHandler):
    # Set per server through functools.partial.
    extra_headers: HeaderMap = {}
    request_log: list[tuple[str, str]] | None = None

    # HTTP/1.1 keep-alive, like a real web server (the threaded server handles each connection).
    protocol_version = "HTTP/1.1"

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".json": "application/json",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
        ".xsd": "application/xml",
        ".webm": "video/webm",
        ".mp4": "video/mp4",
        ".vtt": "text/vtt",
        ".woff2": "font/woff2",
    }

    def log_message(self, format, *args):  # noqa: A002 - silence access/error logs
        pass

    def _headers_for(self, path: str) -> dict[str, str]:
        merged: dict[str, str] = {}
        matches: list[tuple[int, Mapping[str, str]]] = []
        for key, hdrs in self.extra_headers.items():
            if key == "*":
                matches.append((0, hdrs))
            elif key.endswith("*") and path.startswith(key[:-1]):
                matches.append((len(key), hdrs))
            elif key == path:
                matches.append((10**6, hdrs))
        for _, hdrs in sorted(matches, key=lambda m: m[0]):
            merged.update(hdrs)
        return merged

    def end_headers(self):
        path = unquote(urlsplit(self.path).path)
        self.send_header("Cache-Control", "no-store")
        for name, value in self._headers_for(path).items():
            self.send_header(name, value)
        super().end_headers()

    def send_head(self):
        if self.request_log is not None:
            self.request_log.append((self.command, urlsplit(self.path).path))
        return super().send_head()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):  # silence broken-pipe noise from the browser
        pass


class StaticServer:
    """Serve ``directory`` on ``http://127.0.0.1:<free port>/`` from a background thread."""

    def __init__(self, directory: str | Path, headers: HeaderMap | None = None, port: int = 0):
        self.directory = Path(directory)
        self.headers: dict[str, dict[str, str]] = {k: dict(v) for k, v in (headers or {}).items()}
        self.requests: list[tuple[str, str]] = []
        self._port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> StaticServer:
        if self._httpd is not None:
            return self
        handler = type("Handler", (_Handler,), {"extra_headers": self.headers, "request_log": self.requests})
        self._httpd = _Server(
            ("127.0.0.1", self._port), functools.partial(handler, directory=str(self.directory))
        )
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def url(self) -> str:
        return self.origin + "/"

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class LoopbackService:
    """A test service (an LRS, an LMS) on ``http://127.0.0.1:<free port>``, answering from a background thread with
    ``handler_class``, which sees the service as its attribute ``service_name``."""

    handler_class: type[http.server.BaseHTTPRequestHandler]
    service_name: str
    _httpd: http.server.ThreadingHTTPServer | None = None

    def start(self):  # noqa: ANN201 - the service itself
        handler = type("Handler", (self.handler_class,), {self.service_name: self})
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):  # noqa: ANN204
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"


class XapiHandler(http.server.BaseHTTPRequestHandler):
    """What the test-side xAPI services (the State-API LRS, the cmi5 LMS) answer alike: CORS for the origins the
    service allows, the xAPI version header on every answer, and the preflight a page's fetch sends first.
    A service's handler says which origins (``cors_origins``) and may hear each answer (``answered``)."""

    protocol_version = "HTTP/1.1"
    xapi_version = "1.0.3"
    EXPOSED = "ETag, Last-Modified, X-Experience-API-Version"

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass

    def cors_origins(self) -> Sequence[str]:
        raise NotImplementedError

    def exposed_headers(self) -> str:
        return self.EXPOSED

    def answered(self, status: int) -> None:
        """Called for every answer before it is sent (a service that logs its answers overrides it)."""

    def _cors(self) -> None:
        origin = self.headers.get("Origin")
        if origin and origin in self.cors_origins():
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
            self.send_header("Access-Control-Expose-Headers", self.exposed_headers())

    def _answer(self, status: int, body: bytes = b"", content_type: str = "application/json",
                extra: dict[str, str] | None = None) -> None:
        self.answered(status)
        self.send_response(status)
        self._cors()
        self.send_header("X-Experience-API-Version", self.xapi_version)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_OPTIONS(self) -> None:  # noqa: N802 - CORS preflight
        self.send_response(204)
        self._cors()
        self.send_header("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE")
        self.send_header("Access-Control-Allow-Headers",
                         "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()
