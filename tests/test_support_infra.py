"""Smoke tests of the end-to-end test infrastructure itself (tests/support/).

They prove, on a machine set up by ``scripts/setup.sh --test``, that Debian's Chromium runs under
Playwright, that scorm-again / axe-core / xapi-validation from ``node_modules`` work, and that a
real Ralph LRS stores statements, survives a restart and accepts cross-origin posts from a page.
"""

from __future__ import annotations

import json
import shutil
import uuid
from urllib.request import urlopen

import pytest

from tests.support import AXE_JS, SCORM12_JS
from tests.support.fixtures import require_node_modules
from tests.support.http import StaticServer
from tests.support.ralph import RalphLRS
from tests.support.xapi import statement_problems

PAGE = (
    '<!doctype html><html lang="en"><head><title>Smoke</title></head>'
    "<body><main><h1>Hi</h1></main></body></html>"
)


def _statement(name: str, verb: str, activity: str, **extra) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": name, "mbox": f"mailto:{name}@example.org"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": activity},
        "timestamp": "2026-11-25T10:00:00+00:00",
        **extra,
    }


def test_static_server_serves_files_with_per_path_headers(tmp_path):
    (tmp_path / "index.html").write_text(PAGE)
    (tmp_path / "a.js").write_text("1;")
    headers = {"/index.html": {"Permissions-Policy": "unload=()"}, "*": {"X-Test": "yes"}}
    with StaticServer(tmp_path, headers=headers) as srv:
        assert srv.url.startswith("http://127.0.0.1:") and srv.url.endswith("/")
        with urlopen(srv.url + "index.html") as resp:
            assert resp.headers["Permissions-Policy"] == "unload=()"
            assert resp.headers["X-Test"] == "yes"
            assert resp.headers["Content-Type"].startswith("text/html")
        with urlopen(srv.url + "a.js") as resp:
            assert "Permissions-Policy" not in resp.headers
            assert resp.headers["Content-Type"].startswith("text/javascript")
        assert ("GET", "/index.html") in srv.requests


def test_chromium_loads_page_from_static_server(page, site):
    (site.directory / "index.html").write_text(PAGE)
    site.headers["/index.html"] = {"Permissions-Policy": "unload=()"}
    response = page.goto(site.url + "index.html")
    assert response.status == 200
    assert response.headers["permissions-policy"] == "unload=()"
    assert page.title() == "Smoke"
    assert page.page_errors == []


def test_scorm_again_scorm12_api_in_browser(page, site):
    require_node_modules("scorm-again")
    (site.directory / "index.html").write_text(PAGE)
    shutil.copy(SCORM12_JS, site.directory / "scorm12.js")
    page.goto(site.url + "index.html")
    page.add_script_tag(url=site.url + "scorm12.js")
    result = page.evaluate(
        """() => {
        const commits = [];
        // lmsCommitUrl: false -> nothing is sent; commits are observed with the LMSCommit event.
        const API = new Scorm12API({logLevel: 5, autocommit: false, lmsCommitUrl: false});
        API.on("LMSCommit", () => commits.push(JSON.parse(JSON.stringify(API.renderCommitCMI(false)))));
        API.loadFromJSON({core: {student_id: "s1", student_name: "Doe, Jane", entry: "resume"},
                          suspend_data: "saved"});
        window.API = API;  // where a SCO looks for it (window.parent/opener chain)
        const calls = [
          API.LMSInitialize(""),
          API.LMSGetValue("cmi.suspend_data"),
          API.LMSSetValue("cmi.core.lesson_status", "completed"),
          API.LMSSetValue("cmi.core.score.raw", "85"),
          API.LMSCommit(""),
          API.LMSFinish(""),
        ];
        return {calls, commits, status: API.cmi.core.lesson_status, error: API.LMSGetLastError()};
      }"""
    )
    assert result["calls"] == ["true", "saved", "true", "true", "true", "true"]
    assert result["error"] == "0"
    assert result["status"] == "completed"
    committed = result["commits"][0]["cmi"]
    assert committed["core"]["lesson_status"] == "completed"
    assert committed["core"]["score"]["raw"] == "85"
    assert committed["suspend_data"] == "saved"


def test_axe_core_runs_in_browser(page, site):
    require_node_modules("axe-core")
    (site.directory / "index.html").write_text(PAGE.replace("</h1>", '</h1><img src="x.png">'))
    page.goto(site.url + "index.html")
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => (await axe.run(document)).violations.map(v => v.id)")
    assert "image-alt" in result


def test_xapi_validation_flags_bad_statements():
    require_node_modules("xapi-validation")
    good = _statement("alice", "completed", "https://example.org/course/a")
    bad = {"actor": {"mbox": "alice@example.org"}, "verb": {"id": "completed"}, "object": {"id": "x"}}
    problems = statement_problems([good, bad])
    assert {(i, path) for i, path, _, _ in problems} == {
        (1, "statement.actor.mbox"),
        (1, "statement.verb.id"),
        (1, "statement.object.id"),
    }


def test_ralph_stores_filters_and_survives_restart(tmp_path):
    lrs = RalphLRS(tmp_path / "lrs")
    with lrs:
        assert lrs.endpoint.endswith("/xAPI/") and lrs.auth_header.startswith("Basic ")
        registration = str(uuid.uuid4())
        first = _statement(
            "alice", "experienced", "https://example.org/course/m1",
            context={"registration": registration,
                     "contextActivities": {"parent": [{"id": "https://example.org/course"}]}},
        )  # fmt: skip
        second = _statement("bob", "completed", "https://example.org/course/m2")
        assert lrs.post_statements(first) == [first["id"]]
        assert lrs.post_statements([second]) == [second["id"]]  # 2nd write: needs the append fix
        assert {s["id"] for s in lrs.statements()} == {first["id"], second["id"]}

        names = lambda stmts: sorted(s["actor"]["name"] for s in stmts)  # noqa: E731
        assert names(lrs.statements(agent={"mbox": "mailto:alice@example.org"})) == ["alice"]
        assert names(lrs.statements(verb="http://adlnet.gov/expapi/verbs/completed")) == ["bob"]
        assert names(lrs.statements(activity="https://example.org/course/m2")) == ["bob"]
        assert names(lrs.statements(registration=registration)) == ["alice"]
        assert lrs.statements(activity="https://example.org/course") == []
        assert names(lrs.statements(activity="https://example.org/course", related_activities=True)) == [
            "alice"
        ]

        status, _, body = lrs.request("GET", "statements", auth=False)
        assert status == 401, body

    assert not lrs.running
    with pytest.raises(OSError):
        urlopen(lrs.endpoint + "statements", timeout=2)

    with lrs:  # same data dir, same port, same credentials
        third = _statement("carol", "passed", "https://example.org/course/m3")
        lrs.post_statements(third)
        lrs.post_statements([_statement(f"u{i}", "experienced", "https://example.org/p") for i in range(5)])
        assert len(lrs.statements()) == 8
        assert len(lrs.statements(limit=2)) == 8  # follows `more` links
        assert len(lrs.statements(activity="https://example.org/p", limit=2)) == 5
    assert len(lrs.stored_lines()) == 8


def test_ralph_accepts_cross_origin_posts_from_a_page(page, site, lrs):
    (site.directory / "index.html").write_text(PAGE)
    page.goto(site.url + "index.html")
    statement = _statement("dana", "completed", "https://example.org/course/cors")
    status = page.evaluate(
        """async ([endpoint, auth, statement]) => {
        const r = await fetch(endpoint + "statements", {
          method: "POST",
          headers: {"Authorization": auth, "Content-Type": "application/json",
                    "X-Experience-API-Version": "1.0.3"},
          body: JSON.stringify(statement)});
        return [r.status, await r.json()];
      }""",
        [lrs.endpoint, lrs.auth_header, statement],
    )
    assert status == [200, [statement["id"]]]
    assert [s["id"] for s in lrs.wait_for_statements(1)] == [statement["id"]]

    # An origin Ralph was not told about is refused by the browser (CORS preflight fails).
    with StaticServer(site.directory) as other:
        page.goto(other.url + "index.html")
        outcome = page.evaluate(
            """async ([endpoint, auth]) => {
            try {
              await fetch(endpoint + "statements", {headers: {"Authorization": auth}});
              return "allowed";
            } catch (e) { return "blocked"; }
          }""",
            [lrs.endpoint, lrs.auth_header],
        )
    assert outcome == "blocked"
    assert json.loads(json.dumps(lrs.statements()))[0]["id"] == statement["id"]
