"""`leadpack preview`, server side (issue 8): the LMS records, the in-memory LRS, watch rebuilds, the command.

Browser tests of the LMS page and its SCORM API are in test_preview_browser.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

from leadpack import formats
from leadpack.formats.base import LaunchUnit, PreviewServices
from leadpack.formats.scorm_records import ScormRecords
from leadpack.tools.preview.learners import LEARNERS
from leadpack.tools.preview.server import PreviewServer
from tests.conftest import FIXTURE_COURSE, REPO

ALEX = LEARNERS[0]
ACTOR = {"objectType": "Agent", "name": "Alex Learner", "mbox": ALEX.mbox}


def call(server: PreviewServer, method: str, path: str, body: object = None, headers: dict | None = None,
         raw: bytes | None = None) -> tuple[int, dict, object]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = Request(server.url + path.lstrip("/"), data=data, method=method, headers=headers or {})
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urlopen(request, timeout=10) as response:
            status, reply_headers, payload = response.status, dict(response.headers), response.read()
    except HTTPError as error:
        status, reply_headers, payload = error.code, dict(error.headers), error.read()
    try:
        return status, reply_headers, json.loads(payload) if payload else None
    except ValueError:
        return status, reply_headers, payload.decode("utf-8", "replace")


def xapi(server: PreviewServer, method: str, resource: str, query: dict | None = None, body: object = None,
         headers: dict | None = None):
    sent = {"Authorization": server.auth, "X-Experience-API-Version": "1.0.3", **(headers or {})}
    path = f"/xapi/{resource}" + (f"?{urlencode(query)}" if query else "")
    return call(server, method, path, body, sent)


def statement(verb: str, activity: str, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "actor": ACTOR, "object": {"objectType": "Activity", "id": activity},
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"}, **extra}




# ---- the LMS's SCORM records -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Names:
    """What one SCORM version calls the elements these tests look at, and how it writes times."""

    entry: str
    exit: str
    location: str
    session_time: str
    total_time: str
    learner_id: str
    learner_name: str
    ninety_seconds: str  # a session_time of 1 minute 30.5 seconds
    ten_seconds: str
    zero: str  # total_time before any session
    total: str  # 1 minute 40.5 seconds as total_time
    pass_mark: tuple[str, str]  # the element with the fixture set's pass mark (50%), and its value


NAMES = {
    "scorm12": Names("cmi.core.entry", "cmi.core.exit", "cmi.core.lesson_location", "cmi.core.session_time",
                     "cmi.core.total_time", "cmi.core.student_id", "cmi.core.student_name", "00:01:30.50",
                     "00:00:10", "0000:00:00.00", "0000:01:40.50",
                     ("cmi.student_data.mastery_score", "50")),
    "scorm2004": Names("cmi.entry", "cmi.exit", "cmi.location", "cmi.session_time", "cmi.total_time",
                       "cmi.learner_id", "cmi.learner_name", "PT1M30.5S", "PT10S", "PT0H0M0S", "PT0H1M40.5S",
                       ("cmi.scaled_passing_score", "0.5")),
}
SIDES = {name: formats.get(name).preview_side(PreviewServices(lambda kind, data: None, "")) for name in formats.names()}
API_FORMATS = [name for name, side in SIDES.items() if side.kind == "api"]
SCO = LaunchUnit("sco", "A SCO", "index.html", mastery_score="50")


def records(name: str) -> ScormRecords:
    return formats.get(name).preview_side(PreviewServices(lambda kind, data: None, "")).store


@pytest.fixture(scope="module", params=API_FORMATS)
def api_preview(request):
    """`leadpack preview` of the fixture course in each format whose LMS side is an API object."""
    with PreviewServer(FIXTURE_COURSE, format_name=request.param) as server:
        yield server


@pytest.mark.parametrize("fmt", API_FORMATS)
def test_a_suspended_session_resumes_and_session_times_add_up(fmt):
    names, store = NAMES[fmt], records(fmt)
    first = store.launch(ALEX, "set", SCO)
    assert first[names.entry] == "ab-initio" and first[names.total_time] == names.zero
    assert first[names.learner_id] == ALEX.id and first[names.learner_name] == ALEX.name
    store.commit(ALEX.id, "set", "sco", {names.exit: "suspend", names.location: "m/p2",
                                         names.session_time: names.ninety_seconds, names.learner_id: "forged"},
                 final=True)
    second = store.launch(ALEX, "set", SCO)
    assert second[names.entry] == "resume" and second[names.location] == "m/p2"
    assert second[names.learner_id] == ALEX.id, "a commit cannot change what the LMS provides"
    assert names.exit not in second and names.session_time not in second
    # A session that commits but never finishes still has its time counted, once.
    store.commit(ALEX.id, "set", "sco", {names.exit: "suspend", names.session_time: names.ten_seconds}, final=False)
    assert store.launch(ALEX, "set", SCO)[names.total_time] == names.total
    assert store.launch(ALEX, "set", SCO)[names.total_time] == names.total
    store.reset(ALEX.id)
    assert store.launch(ALEX, "set", SCO)[names.entry] == "ab-initio"


def test_scorm12_keeps_the_attempt_after_any_exit():
    store, names = records("scorm12"), NAMES["scorm12"]
    first = store.launch(ALEX, "set", SCO)
    assert first["cmi.core.lesson_status"] == "not attempted" and first["cmi.student_data.mastery_score"] == "50"
    store.commit(ALEX.id, "set", "sco", {names.exit: "", names.location: "m/p2",
                                         names.session_time: names.ninety_seconds}, final=True)
    again = store.launch(ALEX, "set", SCO)
    assert again[names.entry] == "" and again[names.location] == "m/p2"


def test_scorm2004_starts_a_new_attempt_unless_the_last_session_suspended():
    store = records("scorm2004")
    first = store.launch(ALEX, "set", SCO)
    assert first["cmi.mode"] == "normal" and first["cmi.credit"] == "credit" and first["cmi._version"] == "1.0"
    assert first["cmi.completion_status"] == "unknown" and first["cmi.success_status"] == "unknown"
    assert "cmi.location" not in first and "cmi.suspend_data" not in first, "never set: GetValue answers 403"
    for exit_value in ("normal", ""):
        store.commit(ALEX.id, "set", "sco", {"cmi.exit": "suspend", "cmi.location": "m/p2", "cmi.suspend_data": "{}",
                                             "cmi.session_time": "PT30S"}, final=True)
        assert store.launch(ALEX, "set", SCO)["cmi.entry"] == "resume"
        store.commit(ALEX.id, "set", "sco", {"cmi.exit": exit_value, "cmi.location": "m/p3",
                                             "cmi.completion_status": "completed", "cmi.session_time": "PT1H2M3.45S"},
                     final=True)
        after = store.launch(ALEX, "set", SCO)
        assert after["cmi.entry"] == "ab-initio", f"exit {exit_value!r} ends the attempt"
        assert "cmi.location" not in after and "cmi.suspend_data" not in after
        assert after["cmi.completion_status"] == "unknown" and after["cmi.total_time"] == "PT0H0M0S"
    assert store.record(ALEX.id, "set", "sco").attempts == 3


def test_scorm2004_total_time_sums_iso_durations_within_an_attempt():
    store = records("scorm2004")
    store.launch(ALEX, "set", SCO)
    for session_time in ("PT1H2M3.45S", "PT58M", "P1DT0.55S", "PT"):  # "PT" is not a duration: it counts nothing
        store.commit(ALEX.id, "set", "sco", {"cmi.exit": "suspend", "cmi.session_time": session_time}, final=True)
        last = store.launch(ALEX, "set", SCO)
    assert last["cmi.total_time"] == "PT26H0M4S"
    assert store.describe(store.record(ALEX.id, "set", "sco"))["totalTime"] == "PT26H0M4S"


@pytest.mark.parametrize(("mastery", "scaled"), [("50", "0.5"), ("67", "0.67"), ("100", "1"), ("80.5", "0.805"),
                                                 ("", None), ("lots", None)])
def test_scorm2004_scaled_passing_score_is_the_mastery_percentage(mastery, scaled):
    model = records("scorm2004").launch(ALEX, "set", LaunchUnit("sco", "A SCO", "index.html", mastery))
    assert model.get("cmi.scaled_passing_score") == scaled


@pytest.mark.parametrize("fmt", API_FORMATS)
def test_commit_refuses_values_that_are_not_strings(fmt):
    with pytest.raises(ValueError):
        records(fmt).commit(ALEX.id, "set", "sco", {NAMES[fmt].location: 50}, final=False)


def test_launch_and_commit_over_http(api_preview):
    names = NAMES[api_preview.builder.format.name]
    status, _, launch = call(api_preview, "GET", f"/api/launch?set=every-block&learner={LEARNERS[1].id}")
    assert status == 200 and launch["url"].endswith("/index.html")
    assert launch["model"][names.learner_name] == LEARNERS[1].name
    element, pass_mark = names.pass_mark
    assert launch["model"][element] == pass_mark, "the pass mark, read from the manifest as an LMS imports it"
    status, _, page = call(api_preview, "GET", launch["url"])
    assert status == 200 and 'id="lp-data"' in page
    status, _, record = call(api_preview, "POST", "/api/commit", {
        "set": "every-block", "unit": "every-block", "learner": LEARNERS[1].id, "final": True,
        "values": {"cmi.suspend_data": "{}", names.exit: "suspend"}})
    assert status == 200 and record["values"]["cmi.suspend_data"] == "{}"
    status, _, launch = call(api_preview, "GET", f"/api/launch?set=every-block&learner={LEARNERS[1].id}")
    assert launch["model"][names.entry] == "resume"
    assert call(api_preview, "GET", "/api/launch?set=nope&learner=learner-1")[0] == 404
    for script in api_preview.side.info()["scripts"]:
        status, headers, _ = call(api_preview, "GET", f"/lms/format/{script}")
        assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    for other in ("lms.py", "scorm_records.py", "..%2Fscorm_records.py", "__init__.py"):
        assert call(api_preview, "GET", f"/lms/format/{other}")[0] == 404, other



# ---- the in-memory LRS -----------------------------------------------------------------------------------------

def test_statements_are_stored_and_filtered(xapi_preview):
    course = "https://example.org/course-a"
    sent = [statement("experienced", course + "/p1", context={"registration": str(uuid.uuid4()),
                      "contextActivities": {"parent": [{"id": course}]}}),
            statement("completed", course), statement("completed", "https://example.org/other")]
    status, headers, ids = xapi(xapi_preview, "POST", "statements", body=sent)
    assert status == 200 and ids == [s["id"] for s in sent]
    assert headers["X-Experience-API-Version"] == "1.0.3"
    status, _, one = xapi(xapi_preview, "GET", "statements", {"statementId": sent[1]["id"]})
    assert one["verb"]["id"].endswith("completed") and one["stored"] and one["authority"]
    agent = json.dumps(ACTOR)
    by_activity = xapi(xapi_preview, "GET", "statements", {"agent": agent, "activity": course})[2]["statements"]
    assert [s["id"] for s in by_activity] == [sent[1]["id"]]
    related = xapi(xapi_preview, "GET", "statements", {"agent": agent, "activity": course,
                                                       "related_activities": "true", "ascending": "true"})[2]
    assert [s["id"] for s in related["statements"]] == [sent[0]["id"], sent[1]["id"]]
    by_verb = xapi(xapi_preview, "GET", "statements", {"verb": "http://adlnet.gov/expapi/verbs/completed",
                                                       "registration": sent[0]["context"]["registration"]})
    assert by_verb[2]["statements"] == []
    paged = xapi(xapi_preview, "GET", "statements", {"agent": agent, "limit": "2"})[2]
    assert len(paged["statements"]) == 2 and paged["more"]
    rest = call(xapi_preview, "GET", paged["more"], headers={"Authorization": xapi_preview.auth,
                                                             "X-Experience-API-Version": "1.0.3"})[2]
    assert len(rest["statements"]) >= 1 and rest["statements"][0]["id"] not in {s["id"] for s in paged["statements"]}


def test_the_lrs_refuses_what_a_real_one_would(xapi_preview):
    good = statement("experienced", "https://example.org/x")
    assert xapi(xapi_preview, "POST", "statements", body=good)[0] == 200
    assert xapi(xapi_preview, "POST", "statements", body=good)[0] == 409
    assert xapi(xapi_preview, "POST", "statements", body={"actor": ACTOR, "object": {"id": "x"}})[0] == 400
    version, auth = {"X-Experience-API-Version": "1.0.3"}, {"Authorization": xapi_preview.auth}
    assert call(xapi_preview, "POST", "/xapi/statements", statement("x", "y"), version)[0] == 401
    assert call(xapi_preview, "POST", "/xapi/statements", statement("x", "y"), auth)[0] == 400
    assert xapi(xapi_preview, "GET", "agents/profile")[0] == 404


def test_state_documents_put_get_merge_list_delete(xapi_preview):
    query = {"activityId": "https://example.org/course-b", "agent": json.dumps(ACTOR), "registration": "r-1"}
    assert xapi(xapi_preview, "GET", "activities/state", {**query, "stateId": "s"})[0] == 404
    assert xapi(xapi_preview, "PUT", "activities/state", {**query, "stateId": "s"}, {"a": 1})[0] == 204
    assert xapi(xapi_preview, "POST", "activities/state", {**query, "stateId": "s"}, {"b": 2})[0] == 204
    status, headers, document = xapi(xapi_preview, "GET", "activities/state", {**query, "stateId": "s"})
    assert status == 200 and document == {"a": 1, "b": 2} and headers["Content-Type"] == "application/json"
    other_registration = {**query, "registration": "r-2", "stateId": "s"}
    assert xapi(xapi_preview, "GET", "activities/state", other_registration)[0] == 404
    assert xapi(xapi_preview, "GET", "activities/state", query)[2] == ["s"]
    assert xapi(xapi_preview, "DELETE", "activities/state", query)[0] == 204
    assert xapi(xapi_preview, "GET", "activities/state", {**query, "stateId": "s"})[0] == 404
    assert xapi(xapi_preview, "GET", "activities/state", {"stateId": "s"})[0] == 400


def test_state_documents_keep_the_concurrency_rules_unless_the_lrs_is_lenient(xapi_preview):
    query = {"activityId": "https://example.org/course-c", "agent": json.dumps(ACTOR), "registration": "r-3",
             "stateId": "s"}
    status, headers, _ = xapi(xapi_preview, "PUT", "activities/state", query, {"a": 1}, {"If-None-Match": "*"})
    assert status == 204 and headers["ETag"].startswith('"')
    status, headers, document = xapi(xapi_preview, "GET", "activities/state", query)
    etag = headers["ETag"]
    assert status == 200 and document == {"a": 1} and etag == headers["ETag"]
    assert xapi(xapi_preview, "GET", "activities/state", {k: v for k, v in query.items() if k != "stateId"})[1]["ETag"]
    status, _, problem = xapi(xapi_preview, "PUT", "activities/state", query, {"a": 2})
    assert status == 409 and "If-Match" in problem["error"]
    assert xapi(xapi_preview, "PUT", "activities/state", query, {"a": 2}, {"If-None-Match": "*"})[0] == 412
    assert xapi(xapi_preview, "PUT", "activities/state", query, {"a": 2}, {"If-Match": '"stale"'})[0] == 412
    assert xapi(xapi_preview, "DELETE", "activities/state", query, headers={"If-Match": '"stale"'})[0] == 412
    status, headers, _ = xapi(xapi_preview, "PUT", "activities/state", query, {"a": 2}, {"If-Match": etag})
    assert status == 204 and headers["ETag"] != etag
    assert xapi(xapi_preview, "POST", "activities/state", query, {"b": 3})[0] == 204, "a merge needs no ETag"
    assert call(xapi_preview, "POST", "/api/controls", {"lrsLenient": True})[2]["lrsLenient"] is True
    try:
        assert xapi(xapi_preview, "PUT", "activities/state", query, {"a": 4})[0] == 204
        assert xapi(xapi_preview, "PUT", "activities/state", query, {"a": 5}, {"If-Match": '"stale"'})[0] == 204
        assert xapi(xapi_preview, "GET", "activities/state", query)[2] == {"a": 5}
    finally:
        call(xapi_preview, "POST", "/api/controls", {"lrsLenient": False})
    assert xapi(xapi_preview, "PUT", "activities/state", query, {"a": 6})[0] == 409


def test_lrs_offline_answers_503_until_turned_off(xapi_preview):
    assert call(xapi_preview, "POST", "/api/controls", {"lrsOffline": True})[2]["lrsOffline"] is True
    try:
        assert xapi(xapi_preview, "POST", "statements", body=statement("x", "https://example.org/y"))[0] == 503
    finally:
        call(xapi_preview, "POST", "/api/controls", {"lrsOffline": False})
    assert xapi(xapi_preview, "POST", "statements", body=statement("x", "https://example.org/y"))[0] == 200


def test_xapi_launch_carries_tin_can_parameters(xapi_preview):
    status, _, launch = call(xapi_preview, "GET", "/api/launch?set=every-block&learner=learner-1")
    assert status == 200
    query = dict(p.split("=", 1) for p in launch["url"].split("?", 1)[1].split("&"))
    assert set(query) >= {"endpoint", "auth", "actor", "registration", "activity_id"}
    assert query["endpoint"] == f"http%3A%2F%2F127.0.0.1%3A{xapi_preview.port}%2Fxapi%2F"
    assert launch["actor"]["mbox"] == ALEX.mbox


# ---- the server as a whole -------------------------------------------------------------------------------------

def test_serves_only_on_loopback_and_only_its_own_files(scorm_preview):
    assert scorm_preview._httpd.server_address[0] == "127.0.0.1"
    assert call(scorm_preview, "GET", "/")[0] == 200
    assert call(scorm_preview, "GET", "/lms/format/lms-api.js")[0] == 200
    assert call(scorm_preview, "GET", "/lms/../server.py")[0] == 404
    assert call(scorm_preview, "GET", "/content/every-block/1/../../../etc/passwd")[0] == 404
    assert call(scorm_preview, "GET", "/", headers={"Host": "attacker.example:80"})[0] == 403


def test_explain_endpoint_decodes_with_the_built_unit(scorm_preview):
    unit = next(iter(scorm_preview.builder.sets.values())).units[0].data
    welcome = unit.pages[0].key
    text = json.dumps({"v": 1, "l": welcome, "p": welcome})
    result = call(scorm_preview, "POST", "/api/explain", {"set": "every-block", "unit": "", "text": text})[2]
    assert [p["done"] for p in result["pages"]] == [True, False, False, False, False]
    assert "format version 9" in call(scorm_preview, "POST", "/api/explain",
                                      {"set": "every-block", "text": '{"v":9}'})[2]["error"]


# ---- watch: rebuild only what changed --------------------------------------------------------------------------

@pytest.fixture
def two_set_course(tmp_path) -> Path:
    course = shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    other = shutil.copytree(course / "content" / "every-block", course / "content" / "other-set")
    (other / "set.toml").write_text((other / "set.toml").read_text().replace("Every Block", "Other Set"))
    return course


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_watch_rebuilds_only_the_set_that_changed_and_keeps_serving_on_mistakes(two_set_course):
    with PreviewServer(two_set_course, watch=True) as server:
        serials = {s: b.serial for s, b in server.builder.sets.items()}
        seen = server.events.latest
        module = two_set_course / "content" / "every-block" / "first-steps.md"
        module.write_text(module.read_text().replace("Plain **Markdown**", "Edited **Markdown**"))
        build = wait_for(lambda: [e for e in server.events.after(seen, 0.2) or [] if e[1] == "build"])
        data = json.loads(build[0][2])
        assert data["set"]["id"] == "every-block" and data["changed"] == ["content/every-block/first-steps.md"]
        assert server.builder.sets["other-set"].serial == serials["other-set"]
        rebuilt = server.builder.sets["every-block"]
        assert rebuilt.serial > serials["every-block"]
        served = call(server, "GET", f"/content/every-block/{rebuilt.serial}/index.html")[2]
        assert "Edited <strong>Markdown</strong>" in served
        seen = server.events.latest
        module.write_text(module.read_text().replace("# Quiz {#quiz}", "# Quiz {#quiz}\n\n# Empty page\n"))
        failed = wait_for(lambda: [e for e in server.events.after(seen, 0.2) or [] if e[1] == "build-failed"])
        assert "is empty" in failed[0][2]
        assert server.builder.sets["every-block"].serial == rebuilt.serial, "the last good build stays"


def test_watch_rebuilds_when_the_templates_folder_leadpack_toml_names_changes(tmp_path):
    """[build] templates = "my-templates" (a folder of the course's own, docs/authoring.md §2): an edit there
    rebuilds as one in templates/ does."""
    course = shutil.copytree(FIXTURE_COURSE, tmp_path / "course")
    own = course / "my-templates"
    own.mkdir()
    page = (REPO / "templates" / "page.html").read_text()
    (own / "page.html").write_text(page)
    (course / "leadpack.toml").write_text((course / "leadpack.toml").read_text()
                                          + '\n[build]\ntemplates = "my-templates"\n')
    with PreviewServer(course, watch=True) as server:
        serial = server.builder.sets["every-block"].serial
        seen = server.events.latest
        (own / "page.html").write_text(page.replace("</section>", "<!-- edited --></section>", 1))
        build = wait_for(lambda: [e for e in server.events.after(seen, 0.2) or [] if e[1] == "build"])
        assert json.loads(build[0][2])["changed"] == ["my-templates/page.html"]
        rebuilt = server.builder.sets["every-block"]
        assert rebuilt.serial > serial
        served = call(server, "GET", f"/content/every-block/{rebuilt.serial}/index.html")[2]
        assert "<!-- edited -->" in served


# ---- the command -----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_preview_command_serves_until_stopped(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "leadpack", "--root", str(FIXTURE_COURSE), "preview",
                                "--format", "xapi", "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        first = process.stdout.readline()
        assert first.strip() == f"previewing every-block (xapi) at http://127.0.0.1:{port}/"
        with urlopen(f"http://127.0.0.1:{port}/api/state", timeout=10) as response:
            assert json.load(response)["format"] == "xapi"
        busy = subprocess.run([sys.executable, "-m", "leadpack", "--root", str(FIXTURE_COURSE), "preview",
                               "--port", str(port)], capture_output=True, text=True, env=env, timeout=60)
        assert busy.returncode == 1 and f"cannot serve on 127.0.0.1:{port}" in busy.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=20)
    assert process.returncode == 0, errors
    assert "preview stopped" in errors


def test_preview_of_an_unknown_set_is_a_clear_mistake():
    from tests.conftest import run_cli

    result = run_cli("preview", "no-such-set", "--port", "0", root=FIXTURE_COURSE)
    assert result.exit_code == 1 and "no set 'no-such-set'" in result.stderr
