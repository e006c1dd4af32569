"""A real Ralph LRS (PyPI ``ralph-malph`` 5.x, extras ``[cli,lrs]``) for end-to-end xAPI tests.

Ralph runs in a subprocess (uvicorn, ``tests/support/ralph_server.py``) on ``127.0.0.1`` at a free
port, with its filesystem backend storing statements as JSON lines in ``<data_dir>/statements/``.
Basic-auth credentials are created with Ralph's own tooling (``python -m ralph auth ... -w``) into
``<data_dir>/auth.json``. It can be stopped mid-test and started again on the same data directory
(and the same port, so a page configured with ``endpoint`` keeps working).

Layout of ``data_dir``::

    auth.json                 users (bcrypt hashes), written by `ralph auth`
    statements/fs_lrs.jsonl   the stored statements, one JSON object per line
    history.json              Ralph's backend read/write history (RALPH_HISTORY_FILE)
    ralph.log                 uvicorn + Ralph log (read it when a request fails)

CORS: Ralph 5.x supports CORS natively (``RALPH_RUNSERVER_CORS_ALLOW_ORIGINS``, a JSON list of
exact origins; it then installs Starlette's CORSMiddleware allowing GET/POST/PUT/DELETE with the
headers Authorization, Content-Type, X-Experience-API-Version, User-Agent, Keep-Alive). That is
how a real deployment lets content hosted elsewhere post statements, so no proxy is used: pass the
content server's origin(s) in ``cors_origins`` (start the static server first, or set
``lrs.cors_origins`` and restart). With no origins, Ralph has no CORS middleware at all and a
browser's cross-origin preflight fails -- which a test can use on purpose.

Example fixture (put it in tests/conftest.py)::

    import pytest
    from tests.support.http import StaticServer
    from tests.support.ralph import RalphLRS

    @pytest.fixture
    def site(tmp_path):
        with StaticServer(tmp_path / "site") as srv:
            yield srv

    @pytest.fixture
    def lrs(tmp_path, site):
        lrs = RalphLRS(tmp_path / "lrs", cors_origins=[site.origin])
        lrs.start()
        yield lrs
        lrs.stop()

    def test_statements_arrive(lrs, site, page):
        page.goto(site.url + "index.html?endpoint=" + lrs.endpoint + "&auth=" + lrs.auth_header)
        ...
        stmts = lrs.wait_for_statements(2, verb="http://adlnet.gov/expapi/verbs/completed")
        lrs.stop(); lrs.start()           # LRS restarts on the same data dir and port
        assert len(lrs.statements()) >= 2

``statements(**params)`` sends xAPI GET /statements query parameters and follows ``more`` links.
Filters that Ralph 5.1's fs backend implements: ``agent`` (dict, JSON-encoded for you; mbox,
mbox_sha1sum, openid or account), ``verb``, ``activity``, ``registration``, ``since``/``until``
(compared with the statement's ``timestamp``, not ``stored``), ``related_agents``,
``related_activities`` (object, context activities, sub-statement), ``limit`` (max 100 per page).
Order: the fs backend returns statements in storage order, oldest first (not the xAPI default of
newest first), and ``ascending=true`` reverses each page; don't rely on order. Beware that Ralph
passes raw query strings to the fs backend, so ``related_agents=false`` would be treated as true:
this helper drops ``False`` booleans instead of sending them.

Ralph 5.1 bugs patched at server start (``ralph_server.py``): the fs backend's second write failing
with 500 (default operation switched to APPEND) and ``verb``/``activity`` filters never matching.
Known limits, not patched: Ralph serves only ``/xAPI/statements`` (GET/POST/PUT) -- no State,
Activity Profile, Agent Profile or ``/xAPI/about`` resources (404), no ``X-Experience-API-Version``
response header; ``GET ?statementId=`` answers ``{"statements": [...]}`` instead of the statement;
an invalid statement gets 500 (its 400 error fails to render) and validation is lenient (e.g.
``result.score.scaled = 2`` is stored): check statements with ``tests.support.xapi`` as well.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urljoin
from urllib.request import Request, urlopen

XAPI_VERSION = "1.0.3"
_SERVER_SCRIPT = Path(__file__).with_name("ralph_server.py")
_LIVE: weakref.WeakSet[RalphLRS] = weakref.WeakSet()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # runs in the child between fork and exec (Linux only)
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:  # noqa: BLE001 - best effort: atexit also stops the server
        pass


class RalphError(RuntimeError):
    pass


class RalphLRS:
    """A Ralph LRS on 127.0.0.1 with the filesystem backend in ``data_dir``.

    Attributes: ``endpoint`` ("http://127.0.0.1:PORT/xAPI/"), ``auth_header`` ("Basic ..."),
    ``username``, ``password``, ``origin``, ``port``, ``data_dir``, ``statements_file``,
    ``log_path``, ``cors_origins`` (list, read at each start).
    """

    def __init__(
        self,
        data_dir: str | Path,
        *,
        username: str = "leadpack-test",
        password: str = "leadpack-test-secret",
        agent_mbox: str = "mailto:lrs-client@example.org",
        cors_origins: Sequence[str] = (),
        port: int | None = None,
        log_level: str = "info",
        start_timeout: float = 30.0,
    ):
        self.data_dir = Path(data_dir).resolve()
        self.username = username
        self.password = password
        self.agent_mbox = agent_mbox
        self.cors_origins = list(cors_origins)
        self.port = port or free_port()
        self.log_level = log_level
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen | None = None
        self._log_file = None
        _LIVE.add(self)

    # -- addresses and credentials -------------------------------------------------------------
    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        """The xAPI base endpoint, with trailing slash (statements are at ``endpoint + "statements"``)."""
        return self.origin + "/xAPI/"

    @property
    def auth_header(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return "Basic " + token

    @property
    def auth_file(self) -> Path:
        return self.data_dir / "auth.json"

    @property
    def statements_dir(self) -> Path:
        return self.data_dir / "statements"

    @property
    def statements_file(self) -> Path:
        return self.statements_dir / "fs_lrs.jsonl"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "ralph.log"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- lifecycle ------------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RALPH_")}
        env.update(
            {
                "RALPH_APP_DIR": str(self.data_dir / "app"),
                "RALPH_AUTH_FILE": str(self.auth_file),
                "RALPH_HISTORY_FILE": str(self.data_dir / "history.json"),
                "RALPH_RUNSERVER_BACKEND": "fs",
                "RALPH_RUNSERVER_AUTH_BACKENDS": "Basic",
                # The LRS fs backend's own settings prefix is RALPH_BACKENDS__LRS__FS__ (the
                # RALPH_BACKENDS__DATA__FS__ prefix belongs to the plain data backend, unused here).
                "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.statements_dir),
                "RALPH_RUNSERVER_CORS_ALLOW_ORIGINS": json.dumps(self.cors_origins),
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def _ensure_user(self, env: dict[str, str]) -> None:
        if self.auth_file.exists():
            users = json.loads(self.auth_file.read_text() or "[]")
            if any(u.get("username") == self.username for u in users):
                return
        cmd = [
            sys.executable, "-m", "ralph", "auth",
            "--username", self.username,
            "--password", self.password,
            "--scope", "all",
            "--agent-ifi-mbox", self.agent_mbox,
            "--write-to-disk",
        ]  # fmt: skip
        result = subprocess.run(cmd, env=env, cwd=self.data_dir, capture_output=True, text=True)
        if result.returncode != 0:
            raise RalphError(f"`ralph auth` failed ({result.returncode}):\n{result.stderr}")

    def start(self) -> RalphLRS:
        if self.running:
            return self
        self.statements_dir.mkdir(parents=True, exist_ok=True)
        env = self._env()
        self._ensure_user(env)
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log_file.write(f"\n=== start {time.strftime('%H:%M:%S')} port {self.port}\n".encode())
        self._log_file.flush()
        self._proc = subprocess.Popen(
            [
                sys.executable,
                # -P: don't put tests/support/ on sys.path, where http.py would shadow the stdlib.
                "-P",
                str(_SERVER_SCRIPT),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                self.log_level,
            ],
            env=env,
            cwd=self.data_dir,  # Ralph reads a `.env` from the working directory: keep it ours
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self._cleanup()
                raise RalphError(f"Ralph exited with {code} while starting:\n{self.log_tail()}")
            try:
                with urlopen(self.origin + "/__lbheartbeat__", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RalphError(f"Ralph did not answer within {self.start_timeout}s:\n{self.log_tail()}")
            time.sleep(0.1)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=timeout)
        self._cleanup()

    def _cleanup(self) -> None:
        self._proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def restart(self) -> RalphLRS:
        self.stop()
        return self.start()

    def __enter__(self) -> RalphLRS:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    # -- HTTP -----------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path_or_url: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        timeout: float = 30.0,
    ) -> tuple[int, dict[str, str], Any]:
        """Send a request; returns (status, headers, parsed JSON body or text). Never raises on 4xx/5xx."""
        is_url = path_or_url.startswith(("http://", "https://"))
        url = path_or_url if is_url else urljoin(self.endpoint, path_or_url)
        data = None
        hdrs = {"X-Experience-API-Version": XAPI_VERSION}
        if auth:
            hdrs["Authorization"] = self.auth_header
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        req = Request(url, data=data, method=method, headers=hdrs)
        try:
            with urlopen(req, timeout=timeout) as resp:
                status, rh, raw = resp.status, dict(resp.headers), resp.read()
        except HTTPError as err:
            status, rh, raw = err.code, dict(err.headers), err.read()
        text = raw.decode("utf-8", "replace")
        try:
            payload = json.loads(text) if text else None
        except ValueError:
            payload = text
        return status, rh, payload

    def post_statements(self, statements: dict | Iterable[dict]) -> list[str]:
        """POST one or more statements; returns the ids Ralph answers with. Raises on non-2xx."""
        body = statements if isinstance(statements, dict) else list(statements)
        status, _, payload = self.request("POST", "statements", body)
        if status not in (200, 204):
            raise RalphError(f"POST statements -> {status}: {payload}\n{self.log_tail(10)}")
        return payload or []

    def statements(self, **params: Any) -> list[dict]:
        """GET /xAPI/statements with xAPI query params, following ``more`` links; all pages joined."""
        query: dict[str, str] = {}
        for key, value in params.items():
            if value is None or value is False:
                continue  # see module doc: Ralph's fs backend treats the string "false" as true
            if isinstance(value, dict):
                value = json.dumps(value, separators=(",", ":"))
            elif value is True:
                value = "true"
            elif isinstance(value, uuid.UUID):
                value = str(value)
            query[key] = str(value)
        url = self.endpoint + "statements" + ("?" + urlencode(query) if query else "")
        out: list[dict] = []
        seen_pages = set()
        while url:
            status, _, payload = self.request("GET", url)
            if status != 200:
                raise RalphError(f"GET {url} -> {status}: {payload}\n{self.log_tail(10)}")
            out.extend(payload.get("statements", []))
            more = payload.get("more")
            if not more or more in seen_pages:
                break
            seen_pages.add(more)
            url = urljoin(self.origin, more)
        return out

    def wait_for_statements(
        self, count: int, timeout: float = 10.0, interval: float = 0.2, **params: Any
    ) -> list[dict]:
        """Poll ``statements(**params)`` until at least ``count`` arrive; returns them (or raises)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.statements(**params)
            if len(found) >= count or time.monotonic() > deadline:
                if len(found) < count:
                    raise AssertionError(
                        f"expected >= {count} statements matching {params}, got {len(found)}: "
                        f"{json.dumps(found, indent=1)[:4000]}"
                    )
                return found
            time.sleep(interval)

    def stored_lines(self) -> list[dict]:
        """Read the statements straight from the fs backend's file (no HTTP)."""
        if not self.statements_file.exists():
            return []
        return [json.loads(line) for line in self.statements_file.read_text().splitlines() if line]

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<RalphLRS {self.endpoint} {state} data_dir={self.data_dir}>"


@atexit.register
def _stop_all() -> None:
    for lrs in list(_LIVE):
        with contextlib.suppress(Exception):
            lrs.stop(timeout=3)
