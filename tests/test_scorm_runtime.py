"""Issue 3 acceptance: what is particular to the SCORM 1.2 runtime in Chromium against scorm-again as a strict LMS."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import FIXTURE_COURSE, run_cli
from tests.support.learner_page import go, press_next
from tests.support.scorm_lms import DIALECTS, LmsRun, install_package, launch

TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")


def test_walking_a_whole_set_passes_with_full_tracking(page, site, fixture_build):
    run = launch(page, site, fixture_build["set"]["scorm12"])
    seen = run.walk(correct=True, reflection="I will ask more open questions.")
    course = run.course_data()
    assert seen == [p["id"] for p in course["pages"]]
    run.close()
    data = run.last_data()
    assert data["core"]["lesson_status"] == "passed"
    assert data["core"]["score"] == {"raw": "100", "min": "0", "max": "100"}
    assert data["core"]["exit"] == ""
    assert TIMESPAN.match(data["core"]["session_time"])
    assert data["core"]["lesson_location"] == course["pages"][-1]["id"]
    interactions = data["interactions"]
    assert len(interactions) == len(course["questions"])
    by_id = {i["id"]: i for i in interactions.values()} if isinstance(interactions, dict) else \
        {i["id"]: i for i in interactions}
    for question in course["questions"]:
        interaction = by_id[question["cmiId"]]
        assert interaction["type"] == "choice"
        assert interaction["result"] == "correct"
        assert interaction["student_response"] == ",".join(question["correct"])
        assert TIMESPAN.match(interaction["latency"]) and re.match(r"^\d\d:\d\d:\d\d$", interaction["time"])
    run.assert_clean()
    calls = [entry[0] for entry in run.log()]
    assert calls.count("LMSInitialize") == 1 and calls.count("LMSFinish") == 1


def test_a_link_out_of_the_course_opens_a_new_tab_and_the_session_goes_on(page, site, fixture_build):
    """A web link in the text, followed in the course's own frame, would unload it: the LMS would take that as the
    end of the session. It opens in a new tab, says so to a screen reader first, and the session stays open."""
    run = launch(page, site, fixture_build["set"]["scorm12"])
    link = run.frame.locator('a[href="https://example.org/reading"]')
    assert link.get_attribute("target") == "_blank" and link.get_attribute("rel") == "noopener"
    assert link.evaluate("a => a.textContent") == "further reading " + run.course_data()["strings"]["opens_new_tab"]
    go(run.frame, link.evaluate("a => a.closest('.lp-page').dataset.page"))
    page.context.route("https://example.org/**", lambda route: route.fulfill(body="elsewhere"))  # loopback only
    with page.context.expect_page() as opened:
        link.click()
    opened.value.close()
    assert "/pkg/index.html" in run.frame.url and not [entry for entry in run.log() if entry[0] == "LMSFinish"]
    run.frame.locator("#lp-next").click()  # the course goes on in the same session
    run.close()
    assert [entry[0] for entry in run.log()].count("LMSInitialize") == 1
    run.assert_clean()


def test_closing_mid_way_with_unload_forbidden_commits_everything(page, site, fixture_build):
    run = launch(page, site, fixture_build["set"]["scorm12"])
    assert run.evaluate("document.featurePolicy ? document.featurePolicy.allowsFeature('unload') : false") is False
    run.walk(reflection="Mid-way thought", stop_after=3)  # on the quiz page, both questions answered
    run.close()
    data = run.last_data()
    assert run.commits()[-1]["kind"] == "finish"
    assert data["core"]["lesson_location"] == "first-steps/quiz"
    assert data["core"]["exit"] == "suspend"
    assert len(data["interactions"]) == 2
    assert "Mid-way thought" in data["suspend_data"]
    run.assert_clean()


def test_a_finished_status_is_never_downgraded(page, site, fixture_build):
    stored = {"core": {"lesson_status": "passed", "entry": "", "lesson_location": "first-steps/welcome"},
              "suspend_data": ""}
    run = launch(page, site, fixture_build["set"]["scorm12"], stored=stored)
    run.walk(correct=False, stop_after=2)
    run.close()
    sets = [entry for entry in run.log() if entry[0] == "LMSSetValue" and entry[1] == "cmi.core.lesson_status"]
    assert sets == []
    assert run.last_data()["core"]["lesson_status"] == "passed"
    run.assert_clean()


def test_rebuild_with_an_inserted_page_keeps_progress(page, site, tmp_path, browser):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    old_out, new_out = tmp_path / "old", tmp_path / "new"
    assert run_cli("-q", "build", "--format", "scorm12", "--out", old_out, root=course).exit_code == 0
    first = launch(page, site, next(old_out.glob("*.zip")))
    first.walk(stop_after=3)
    first.close()
    stored = first.stored_for_relaunch()

    module = course / "content" / "every-block" / "first-steps.md"
    module.write_text(module.read_text().replace("# Doing things {#doing}",
                                                 "# Inserted page\n\nSomething new.\n\n# Doing things {#doing}"))
    assert run_cli("-q", "build", "--format", "scorm12", "--out", new_out, root=course).exit_code == 0
    second_page = browser.new_page()
    run = launch(second_page, site, next(new_out.glob("*.zip")), stored=stored)
    frame = run.frame
    visited = frame.locator(".lp-toc a.lp-visited").evaluate_all("links => links.map(a => a.dataset.page)")
    assert visited == ["first-steps/welcome", "first-steps/doing", "first-steps/quiz"]
    assert "first-steps/inserted-page" not in visited
    assert frame.locator("form[data-question='first-steps/pick-b'] input[value=b]").is_checked()
    frame.locator("#lp-resume-continue").click()
    assert run.current_page() == "first-steps/quiz"
    run.close()
    run.assert_clean()
    second_page.close()


def test_refused_commits_show_a_notice_and_are_delivered_once_the_lms_recovers(page, site, fixture_build):
    run = launch(page, site, fixture_build["set"]["scorm12"])
    run.evaluate("lmsControl.failCommits = true")
    run.next()
    frame = run.frame
    notice = frame.locator("#lp-notice")
    notice.wait_for(state="visible")
    assert "could not be saved" in notice.text_content()
    before = len(run.commits())
    run.evaluate("lmsControl.failCommits = false")
    frame.locator("#lp-save.lp-save-saved").wait_for(timeout=10_000)
    assert len(run.commits()) > before
    assert run.last_data()["core"]["lesson_location"] == "first-steps/welcome"  # the first page after the start
    assert notice.text_content() == ""
    run.close()
    assert run.flags() == []


def test_unsupported_optional_elements_are_tolerated(page, site, fixture_build):
    run = LmsRun(page, site)
    install_package(fixture_build["set"]["scorm12"], site)
    page.add_init_script("window.__lmsControl = {unsupported: ['cmi.interactions._count', 'cmi.core.student_name',"
                         " 'cmi.core.lesson_mode']};")
    run.open()
    run.walk(correct=True)
    run.close()
    refused = [entry for entry in run.log() if entry[3] in ("", "false") and entry[1] in
               ("cmi.interactions._count", "cmi.core.student_name", "cmi.core.lesson_mode")]
    assert refused, "the LMS answered 401 for the optional elements"
    assert run.last_data()["core"]["lesson_status"] == "passed"
    assert len(run.last_data()["interactions"]) == 3
    assert run.flags() == []


def test_at_most_one_commit_per_page_view(page, site, fixture_build):
    run = launch(page, site, fixture_build["set"]["scorm12"])
    run.walk(correct=True, reflection="Batching check")
    views = len(run.course_data()["pages"])
    commits = [entry for entry in run.log() if entry[0] == "LMSCommit"]
    assert 1 <= len(commits) <= views


def test_worst_case_suspend_data_fits_in_a_real_browser(page, site, course_build):
    """Every reflection at its maximum, made of characters JSON must escape, plus every answer: still ≤ 4096."""
    run = launch(page, site, course_build[("leading-for-resilience", "scorm12")])
    limit = run.course_data()["reflectionMax"]
    run.walk(correct=True, reflection='"\\' * limit)
    run.close()
    suspend = run.last_data()["suspend_data"]
    assert 3500 < len(suspend) <= 4096
    assert run.flags() == []


def test_no_lms_runs_standalone_and_keeps_progress(page, site, fixture_build):
    install_package(fixture_build["set"]["scorm12"], site)
    page.goto(site.url + "pkg/index.html")
    assert "No learning platform found" in page.locator("#lp-save").text_content()
    for _ in range(3):  # from the start page to the third page
        press_next(page)
    page.goto(site.url + "pkg/index.html")  # a fresh launch, without a page in the address
    assert page.locator("#lp-resume").is_visible()
    page.locator("#lp-resume-continue").click()
    assert page.locator(".lp-page:not([hidden])").get_attribute("data-page") == "first-steps/quiz"
    assert page.page_errors == []


def test_browser_back_and_forward_stay_inside_one_lms_session(page, site, fixture_build):
    run = launch(page, site, fixture_build["set"]["scorm12"])
    for _ in range(3):  # from the start page to the third page
        run.next()
    assert run.current_page() == "first-steps/quiz"
    run.frame.evaluate("history.back()")
    run.frame.wait_for_function("document.querySelector('.lp-page:not([hidden])').dataset.page === 'first-steps/doing'")
    run.frame.evaluate("history.forward()")
    run.frame.wait_for_function("document.querySelector('.lp-page:not([hidden])').dataset.page === 'first-steps/quiz'")
    run.frame.locator(".lp-toc a[data-page='second-steps/looking-back']").click()
    run.frame.wait_for_function(
        "document.querySelector('.lp-page:not([hidden])').dataset.page === 'second-steps/looking-back'")
    assert run.frame.locator("#lp-progress").get_attribute("aria-valuenow") == "80"
    calls = [entry[0] for entry in run.log()]
    assert calls.count("LMSInitialize") == 1 and "LMSFinish" not in calls


def test_budget_overflow_fails_the_build_with_a_clear_message(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    config = course / "leadpack.toml"
    config.write_text(config.read_text() + "\n[build]\nsuspend_data_limit = 256\n")
    out = tmp_path / "out"
    result = run_cli("build", "--out", out, root=course)
    assert result.exit_code == 1
    assert "cannot save a learner's progress within the LMS limit" in result.stderr
    assert "the limit is 256" in result.stderr and 'sco_per = "module"' in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_device_reflections_stay_in_the_browser_and_learner_text_stays_text(page, site, device_build):
    hostile = '<img src=x onerror="window.pwned=1">Plan: ask "why?"'
    run = launch(page, site, device_build["scorm12"],
                 stored={"core": {"student_id": "learner-7", "student_name": "Evans, Siân"}, "suspend_data": ""})
    run.walk(reflection=hostile)
    assert run.current_page() == "reflections"  # Next on the last page leads to the learner's own page
    frame = run.frame
    written = frame.locator(".lp-written")
    written.first.wait_for()
    assert written.all_text_contents() == [hostile, hostile]
    assert frame.evaluate("window.pwned") is None
    stored = frame.evaluate("JSON.stringify(localStorage)")
    assert "learner-7" in stored and "Plan: ask" in stored
    frame.locator("#lp-clear").click()
    frame.locator("#lp-clear").click()  # the second press confirms
    assert "Plan: ask" not in frame.evaluate("JSON.stringify(localStorage)")
    assert frame.locator(".lp-written").count() == 0
    run.close()
    assert all("Plan: ask" not in str(entry[2]) for entry in run.log()), "device reflections reached the LMS"
    run.assert_clean()


def test_resume_names_a_bookmarked_page_that_shares_its_id_with_a_reflection(page, site, fixture_build):
    first = launch(page, site, fixture_build["set"]["scorm12"])
    first.walk(stop_after=4, reflection="Looking back")
    assert first.current_page() == "second-steps/looking-back"
    first.close()
    stored = first.stored_for_relaunch()
    second = page.context.new_page()
    run = launch(second, site, fixture_build["set"]["scorm12"], stored=stored)
    assert run.frame.locator("#lp-resume-page").text_content() == "Looking back"
    assert run.frame.locator("[data-reflection='second-steps/looking-back'] textarea").input_value() == "Looking back"
    run.close()
    run.assert_clean()


@pytest.mark.parametrize("dialect", DIALECTS.values(), ids=DIALECTS.keys())
def test_a_package_launched_in_a_new_window_finds_the_api_on_its_opener(page, site, fixture_build, dialect):
    """Moodle's "New window" display: the API object (API or API_1484_11) is on the window that opened it."""
    install_package(fixture_build["set"][dialect.name], site)
    run = LmsRun(page, site, popup=True, dialect=dialect)
    run.open()
    assert run.frame.evaluate("window.opener !== null && window.parent === window")
    run.walk(correct=True)
    run.close()
    outcome = run.outcome()
    assert (outcome.completion, outcome.success, outcome.exit) == ("completed", "passed", dialect.model.ended_exit)
    assert [entry[0] for entry in run.log()].count(dialect.finish) == 1
    run.assert_clean()
