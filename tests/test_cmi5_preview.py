"""`leadpack preview` of a cmi5 package (issue 12): the in-memory cmi5 LMS (fetch once, LMS.LaunchData, the
learner preferences, statements, the State API) and the panel showing each statement with the cmi5 rules it
satisfies or breaks."""

from __future__ import annotations

import json
import uuid
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest

from leadpack.tools.preview.server import PreviewServer
from tests.conftest import FIXTURE_COURSE
from tests.test_preview_browser import Lms, fresh, get

VERBS = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture(scope="module")
def cmi5_preview():
    with PreviewServer(FIXTURE_COURSE, format_name="cmi5") as server:
        yield server


def call(server: PreviewServer, method: str, url: str, body: object = None, headers: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = Request(server.url + url.lstrip("/") if url.startswith("/") else url, data, method=method,
                      headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def launched(server: PreviewServer) -> dict[str, str]:
    """A fresh launch of the fixture for learner-1: its launch parameters."""
    launch = get(server, "/api/launch?set=every-block&learner=learner-1")
    return dict(parse_qsl(urlsplit(launch["url"]).query))


def test_the_lms_side_answers_fetch_once_and_keeps_launch_data_its_own(cmi5_preview):
    fresh(cmi5_preview)
    params = launched(cmi5_preview)
    assert set(params) == {"endpoint", "fetch", "actor", "registration", "activityId"}
    assert "account" in json.loads(params["actor"])
    assert call(cmi5_preview, "GET", params["fetch"])[0] == 405, "the fetch URL takes POST"
    status, first = call(cmi5_preview, "POST", params["fetch"])
    assert status == 200 and set(first) == {"auth-token"}
    assert call(cmi5_preview, "POST", params["fetch"]) == (200, {"error-code": "1", "error-text":
                                                                   "this fetch URL was used already (cmi5 8.2.3)"})
    headers = {"Authorization": "Basic " + first["auth-token"], "X-Experience-API-Version": "1.0.3"}
    where = urlencode({"activityId": params["activityId"], "agent": params["actor"],
                       "registration": params["registration"]})
    endpoint = params["endpoint"]
    status, data = call(cmi5_preview, "GET", f"{endpoint}activities/state?stateId=LMS.LaunchData&{where}",
                        headers=headers)
    assert status == 200 and data["launchMode"] == "Normal" and data["masteryScore"] == 0.5
    session_id = data["contextTemplate"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/sessionid"]
    assert data["contextTemplate"]["contextActivities"]["grouping"][0]["id"] == \
        "https://learning.example.org/fixture/every-block/au"
    assert call(cmi5_preview, "PUT", f"{endpoint}activities/state?stateId=LMS.LaunchData&{where}", {},
                headers)[0] == 403
    profile = f"{endpoint}agents/profile?" + urlencode({"profileId": "cmi5LearnerPreferences",
                                                       "agent": params["actor"]})
    assert call(cmi5_preview, "GET", profile, headers=headers)[1]["audioPreference"] == "on"
    assert call(cmi5_preview, "PUT", profile, {"audioPreference": "off"}, headers)[0] == 403
    assert call(cmi5_preview, "GET", f"{endpoint}statements", headers={"X-Experience-API-Version": "1.0.3"})[0] == 401

    def defined(verb: str, **result) -> dict:
        return {"id": str(uuid.uuid4()), "actor": json.loads(params["actor"]), "verb": {"id": VERBS + verb},
                "object": {"objectType": "Activity", "id": params["activityId"]},
                "context": {"registration": params["registration"], "extensions": data["contextTemplate"]["extensions"],
                            "contextActivities": {"category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]}},
                **({"result": result} if result else {})}

    completed = defined("completed", completion=True, duration="PT1S")
    assert call(cmi5_preview, "POST", f"{endpoint}statements", [completed], headers)[0] == 200
    rules = {s["statement"]["id"]: s["rules"] for s in get(cmi5_preview, "/api/statements")}
    broken = {r["id"] for r in rules[completed["id"]] if not r["ok"]}
    assert broken == {"9.3.0.0-4", "9.6.2.2-1"}, "not initialized first; no moveOn category"
    again = defined("completed", completion=True, duration="PT2S")
    call(cmi5_preview, "POST", f"{endpoint}statements", [again], headers)
    rules = {s["statement"]["id"]: s["rules"] for s in get(cmi5_preview, "/api/statements")}
    assert {"9.3.0.0-2", "9.3.0.0-6"} <= {r["id"] for r in rules[again["id"]] if not r["ok"]}
    assert session_id


def test_a_run_in_the_preview_keeps_every_rule_and_resumes(page, cmi5_preview):
    fresh(cmi5_preview)
    lms = Lms(page, cmi5_preview).open()
    lms.next()
    lms.next()
    lms.answer("first-steps/pick-b", "b")
    page.locator("#pv-statements li[data-verb$='/answered']").wait_for()
    page.locator("#pv-saved-pages li[data-id='first-steps/quiz'][data-done=true]").wait_for()
    items = page.locator("#pv-statements li")
    assert items.first.get_attribute("data-verb") == VERBS + "launched"
    initialized = page.locator(f"#pv-statements li[data-verb='{VERBS}initialized']")
    assert initialized.locator("[data-rule='9.3.0.0-4'][data-ok=true]").count() == 1
    assert page.locator("#pv-statements [data-ok=false]").count() == 0, page.locator("#pv-statements").inner_text()
    page.click("#pv-relaunch")
    lms.frame.locator("#lp-resume").wait_for()
    assert "Quiz" in lms.frame.locator("#lp-resume-page").inner_text()
    page.locator(f"#pv-statements li[data-verb='{VERBS}initialized']").nth(1).wait_for()
    verbs = [s["statement"]["verb"]["id"].removeprefix(VERBS) for s in get(cmi5_preview, "/api/statements")]
    assert verbs.count("launched") == 2 and "abandoned" in verbs, "the tab left without terminated is abandoned"
    assert not [r for s in get(cmi5_preview, "/api/statements") for r in s["rules"] if not r["ok"]]
