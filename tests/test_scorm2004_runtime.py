"""Issue 11 acceptance: SCORM 2004 4th Edition packages in Chromium against scorm-again's Scorm2004API as the LMS."""

from __future__ import annotations

import re

from tests.support.scorm_lms import SCORM2004, launch

DURATION = re.compile(r"^PT(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)$")  # H/M/S only: Moodle's adder mishandles days
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,2})?Z$")  # a zone only after a fraction


def test_walking_a_whole_set_completes_passes_and_records_every_answer(page, site, fixture_build):
    run = launch(page, site, fixture_build["set"]["scorm2004"], SCORM2004)
    seen = run.walk(correct=True, reflection="I will ask more open questions.")
    course = run.course_data()
    assert seen == [p["id"] for p in course["pages"]]
    run.close()
    data = run.last_data()
    assert data["completion_status"] == "completed" and data["success_status"] == "passed"
    assert data["score"] == {"scaled": "1", "raw": "100", "min": "0", "max": "100"}
    assert data["exit"] == "normal"  # finished: the attempt ends
    assert DURATION.match(data["session_time"]), data["session_time"]
    assert data["location"] == course["pages"][-1]["id"]
    recorded = {i["id"]: i for i in SCORM2004.model.interactions(data)}
    assert len(recorded) == len(course["questions"])
    for question in course["questions"]:
        interaction = recorded[question["cmiId"]]
        assert question["cmiId"].startswith("urn:leadpack:every-block:")
        assert interaction["type"] == "choice" and interaction["result"] == "correct"
        assert interaction["learner_response"] == "[,]".join(sorted(question["correct"]))
        assert interaction["correct_responses"]["0"]["pattern"] == "[,]".join(sorted(question["correct"]))
        assert interaction["description"] == question["text"]
        assert TIMESTAMP.match(interaction["timestamp"]) and DURATION.match(interaction["latency"])
    run.assert_clean()
    calls = [entry[0] for entry in run.log()]
    assert calls.count("Initialize") == 1 and calls.count("Terminate") == 1


def test_a_passing_score_from_the_lms_overrides_the_pass_mark(page, site, fixture_build):
    """The manifest says 0.5; an LMS administrator who sets 1.0 gets 'failed' for 2 of 3 right."""
    run = launch(page, site, fixture_build["set"]["scorm2004"], SCORM2004, stored={"scaled_passing_score": "1"})
    course = run.course_data()
    wrong_once = course["questions"][0]["id"]
    run.next()  # from the start page
    for _ in course["pages"]:
        forms = run.frame.locator(".lp-page:not([hidden]) form.lp-question")
        for index in range(forms.count()):
            form = forms.nth(index)
            question = next(q for q in course["questions"] if q["id"] == form.get_attribute("data-question"))
            keys = [k for k in question["options"] if k not in question["correct"]][:1] \
                if question["id"] == wrong_once else list(question["correct"])
            for key in keys:
                form.locator(f'input[value="{key}"]').check()
            form.locator("button[type=submit]").click()
        run.next()
    run.close()
    data = run.last_data()
    assert data["score"]["raw"] == "67" and data["success_status"] == "failed"
    run.assert_clean()


def test_a_2000_character_reflection_is_all_there_after_a_relaunch(page, site, course_build, browser):
    package = course_build[("leading-for-innovation", "scorm2004")]
    first = launch(page, site, package, SCORM2004)
    course = first.course_data()
    assert course["reflectionMax"] >= 2000
    text = ("I will try one small change each week and write down what happened. " * 40)[:2000]
    first.walk(reflection=text, stop_after=len(course["pages"]))
    first.close()
    stored = first.stored_for_relaunch()
    written = [r for r in course["reflections"] if r["kind"] == "reflection"]
    assert len(stored["suspend_data"]) > 2000 * len(written)
    second_page = browser.new_page()
    run = launch(second_page, site, package, SCORM2004, stored=stored)
    areas = run.frame.locator("[data-reflection]:not(.lp-action-plan) textarea")
    assert areas.count() == len([r for r in course["reflections"] if r["kind"] == "reflection"])
    for index in range(areas.count()):
        assert areas.nth(index).input_value() == text
    run.close()
    run.assert_clean()
    second_page.close()


def test_one_sco_per_module_tracks_each_and_asks_the_lms_for_the_next(page, site, fixture_build):
    run = launch(page, site, fixture_build["module"]["scorm2004"], SCORM2004, launch_file="first-steps.html")
    assert [p["id"] for p in run.course_data()["pages"]] == ["first-steps/welcome", "first-steps/doing",
                                                           "first-steps/quiz"]
    run.walk(correct=True)  # the last Next leads to the module's reflections page, the next one to its results
    run.next()
    assert run.current_page() == "finish"
    assert run.frame.locator("#lp-next").is_enabled()
    run.next_unit()
    log = run.log()
    names = [entry[0] for entry in log]
    request = [entry for entry in log if entry[0] == "SetValue" and entry[1] == "adl.nav.request"]
    assert request == [["SetValue", "adl.nav.request", "continue", "true", "0"]]
    assert names.index("Terminate") > names.index("SetValue", log.index(request[0]))
    data = run.last_data()
    assert data["completion_status"] == "completed" and data["success_status"] == "passed"
    run.assert_clean()


def test_an_lms_that_will_not_continue_from_the_sco_leaves_it_open_and_says_where_to_go(page, site, fixture_build):
    """adl.nav.request_valid.continue is "false" (the LMS's sequencing, or one that navigates only from its own
    menu): Next on the module's results asks nothing, ends nothing, and tells the learner to choose the next
    module in the LMS's menu, instead of leaving them on a finished module 'opening' it."""
    stored = {"adl": {"nav": {"request_valid": {"continue": "false"}}}}
    run = launch(page, site, fixture_build["module"]["scorm2004"], SCORM2004, launch_file="first-steps.html",
                 stored=stored)
    assert run.page.evaluate("API_1484_11.GetValue('adl.nav.request_valid.continue')") == "false"
    run.walk(correct=True)
    run.next()
    assert run.current_page() == "finish"
    run.frame.locator("#lp-next").click()
    strings, following = run.course_data()["strings"], run.course_data()["nextUnit"]["title"]
    run.frame.wait_for_function("t => document.getElementById('lp-notice').textContent === t",
                                arg=strings["next_unit_from_lms"].replace("{title}", following))
    names = [entry[0] for entry in run.log()]
    assert "Terminate" not in names and not [e for e in run.log() if e[:2] == ["SetValue", "adl.nav.request"]]
    run.close()  # the learner leaves as usual: the session ends then, with the module finished
    assert run.last_data()["completion_status"] == "completed"
    run.assert_clean()


def test_the_last_module_sco_offers_no_next(page, site, fixture_build):
    run = launch(page, site, fixture_build["module"]["scorm2004"], SCORM2004, launch_file="second-steps.html")
    run.walk(correct=True)
    run.next()
    assert run.current_page() == "finish" and run.frame.locator("#lp-next").is_disabled()
    run.close()
    assert run.last_data()["success_status"] == "passed"
    run.assert_clean()

