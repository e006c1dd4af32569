"""What both SCORM versions must do alike, in Chromium against scorm-again as a strict LMS: each test runs once per
dialect and reads the LMS's record through that version's data model (tests.support.scorm_lms)."""

from __future__ import annotations

import pytest

from tests.support.learner_page import go
from tests.support.scorm_lms import DIALECTS, SCORM12, SCORM2004, Outcome, launch

SETS = ["introduction", "leading-for-resilience", "leading-for-dialogue", "leading-for-inclusion",
        "leading-for-innovation"]
BOTH = pytest.mark.parametrize("dialect", DIALECTS.values(), ids=DIALECTS.keys())


@BOTH
def test_wrong_answers_complete_but_fail_and_the_attempt_stays_open(page, site, fixture_build, dialect):
    run = launch(page, site, fixture_build["set"][dialect.name], dialect)
    run.walk(correct=False)
    course = run.course_data()
    run.close()
    assert run.outcome() == Outcome("completed", "failed", "0", "suspend", course["pages"][-1]["id"])
    assert [i["result"] for i in run.interactions()] == [dialect.model.wrong_result] * len(course["questions"])
    run.assert_clean()


@pytest.mark.parametrize("dialect, progress", [(SCORM12, None), (SCORM2004, "0.6")], ids=DIALECTS.keys())
def test_unfinished_is_incomplete_without_a_score_and_exits_suspend(page, site, fixture_build, dialect, progress):
    run = launch(page, site, fixture_build["set"][dialect.name], dialect)
    run.walk(stop_after=3)  # the first module only: one question of the second module is unanswered
    run.close()
    assert run.outcome() == Outcome("incomplete", "unknown", "", "suspend", "first-steps/quiz")
    assert run.last_data().get("progress_measure") == progress  # 3 of 5 pages; SCORM 1.2 has no such element
    run.assert_clean()


@BOTH
def test_every_page_read_with_a_knowledge_check_skipped_is_incomplete_without_a_score(page, site, fixture_build,
                                                                                     dialect):
    """The fixture set has a pass mark, so it counts only once every question is answered too: reading every page
    and leaving one check unanswered must not report completed (nor passed or failed), and sends no score."""
    run = launch(page, site, fixture_build["set"][dialect.name], dialect)
    course = run.course_data()
    skipped = course["questions"][1]  # the quiz's second question: its page is read, the check left
    run.next()  # from the start page
    for shown in course["pages"]:
        assert run.current_page() == shown["id"]
        for form in run.frame.locator(".lp-page:not([hidden]) form.lp-question").all():
            question = next(q for q in course["questions"] if q["id"] == form.get_attribute("data-question"))
            if question is not skipped:
                for key in question["correct"]:
                    form.locator(f'input[value="{key}"]').check()
                form.locator("button[type=submit]").click()
                form.locator(".lp-feedback:not(:empty)").wait_for()
        run.next()
    assert run.current_page() == "reflections"
    run.close()
    assert run.outcome() == Outcome("incomplete", "unknown", "", "suspend", course["pages"][-1]["id"])
    assert run.last_data().get("progress_measure") == (None if dialect is SCORM12 else "1")  # every page read
    scores = {"cmi.core.score.raw"} if dialect is SCORM12 else {"cmi.score.raw", "cmi.score.scaled"}
    written = [(entry[1], entry[2]) for entry in run.log() if entry[0] == dialect.set]
    assert not [(name, value) for name, value in written if name in scores or value in ("completed", "passed",
                                                                                        "failed")], written
    assert [i["id"] for i in run.interactions()] == [q["cmiId"] for q in course["questions"] if q is not skipped]
    run.assert_clean()


@BOTH
def test_the_test_lms_flags_calls_after_finish_and_oversized_suspend_data(page, site, fixture_build, dialect):
    """The checks above could fail: the flags catch both faults scorm-again lets through."""
    run = launch(page, site, fixture_build["set"][dialect.name], dialect)
    run.evaluate(f"{dialect.api}.{dialect.set}('cmi.suspend_data', 'x'.repeat({dialect.suspend_limit + 1}))")
    run.close()
    run.evaluate(f"{dialect.api}.{dialect.get}('cmi.suspend_data')")
    flags = run.flags()
    assert any(f"over {dialect.suspend_limit}" in f for f in flags)
    assert any(f"after {dialect.finish}" in f for f in flags)


@BOTH
def test_relaunch_resumes_at_the_bookmark_with_everything_restored(page, site, fixture_build, browser, dialect):
    package = fixture_build["set"][dialect.name]
    first = launch(page, site, package, dialect, stored=dialect.model.learner())
    first.walk(reflection="Kept across sessions", stop_after=3)
    first.close()
    stored = first.stored_for_relaunch()

    second_page = browser.new_page()
    run = launch(second_page, site, package, dialect, stored=stored)
    frame = run.frame
    assert frame.locator("#lp-resume").is_visible()
    assert "Ffion Jones" in frame.locator("#lp-greeting").text_content()
    frame.locator("#lp-resume-continue").click()
    assert run.current_page() == "first-steps/quiz"
    answered = frame.locator("form[data-question='first-steps/pick-b'] input[value=b]")
    assert answered.is_checked() and answered.is_disabled()
    visited = frame.locator(".lp-toc a.lp-visited").evaluate_all("links => links.map(a => a.dataset.page)")
    assert visited == ["first-steps/welcome", "first-steps/doing", "first-steps/quiz"]
    assert frame.locator("[data-reflection='first-steps/what-brings-you-to-this-course'] textarea").input_value() \
        == "Kept across sessions"
    run.walk(correct=True)
    run.close()
    assert run.outcome().success == "passed"
    run.assert_clean()
    second_page.close()


@BOTH
@pytest.mark.parametrize("mode", ["browse", "review"])
def test_browse_and_review_modes_change_no_status(page, site, fixture_build, dialect, mode):
    run = launch(page, site, fixture_build["set"][dialect.name], dialect, stored=dialect.model.stored_in_mode(mode))
    said = {"browse": "Browse mode: your learning platform opened this course for you to look around",
            "review": "Review mode: your record will not change."}[mode]
    assert said in run.frame.locator("#lp-notice").text_content()
    run.walk(correct=True)
    run.close()
    written = {entry[1] for entry in run.log() if entry[0] == dialect.set}
    assert not written & dialect.model.tracking_elements
    assert not any(name.startswith("cmi.interactions") for name in written)
    assert run.flags() == []


@BOTH
def test_one_sco_per_module_tracks_that_module(page, site, fixture_build, dialect):
    run = launch(page, site, fixture_build["module"][dialect.name], dialect, launch_file="second-steps.html")
    assert [p["id"] for p in run.course_data()["pages"]] == ["second-steps/looking-back", "second-steps/wrapping-up"]
    run.walk(correct=True)
    questions = run.course_data()["questions"]
    run.close()
    assert run.outcome()[:3] == ("completed", "passed", "100")
    assert [i["id"] for i in run.interactions()] == [q["cmiId"] for q in questions]
    run.assert_clean()


@BOTH
@pytest.mark.parametrize("set_id", SETS)
def test_a_learner_passes_each_real_set_and_resumes_it_half_way(page, site, course_build, browser, set_id, dialect):
    package = course_build[(set_id, dialect.name)]
    first = launch(page, site, package, dialect)
    pages = first.course_data()["pages"]
    half = len(pages) // 2
    first.walk(correct=True, reflection="A thought to keep.", stop_after=half)
    first.close()
    second_page = browser.new_page()
    run = launch(second_page, site, package, dialect, stored=first.stored_for_relaunch())
    run.frame.locator("#lp-resume-continue").click()
    assert run.current_page() == pages[half - 1]["id"]
    seen = run.walk(correct=True)
    course = run.course_data()
    assert seen == [p["id"] for p in pages[half - 1:]]
    run.close()
    assert run.outcome() == Outcome("completed", "passed", "100", dialect.model.ended_exit, pages[-1]["id"])
    recorded = {i["id"] for i in first.interactions() + run.interactions()}  # SCORM 1.2's are write-only
    assert recorded == {q["cmiId"] for q in course["questions"]}
    run.assert_clean()
    second_page.close()


# A commit in the LMS's record holding the answer: its interaction record, and the response in suspend_data.
HOLDS_ANSWER = """(cmi, q) => Object.values(cmi.interactions || {}).some(i => i.id === q.cmiId) &&
  (JSON.parse(cmi.suspend_data || "{}").a || {})[q.key] === q.correct"""
# A commit in the LMS's record holding the reflection's text in suspend_data.
HOLDS_REFLECTION = """(cmi, r) => (JSON.parse(cmi.suspend_data || "{}").r || {})[r.key] === r.text"""


@BOTH
def test_an_answer_and_a_reflection_reach_the_lms_with_no_page_change(page, site, fixture_build, dialect):
    """Issue 13 point 9: after the page view's own commit, an answer and a reflection typed and left are committed
    a few seconds later on their own (no page change, close or reload), so a browser killed then loses neither."""
    run = launch(page, site, fixture_build["set"][dialect.name], dialect)
    course = run.course_data()
    question = course["questions"][0]
    form = run.frame.locator(f'form[data-question="{question["id"]}"]')
    go(run.frame, form.evaluate("f => f.closest('.lp-page').dataset.page"))
    for key in question["correct"]:
        form.locator(f'input[value="{key}"]').check()
    form.locator("button[type=submit]").click()
    committed = run.wait_for_commit(HOLDS_ANSWER, question)
    recorded = next(i for i in dialect.model.interactions(committed) if i["id"] == question["cmiId"])
    assert recorded["result"] == "correct"

    reflection = {**course["reflections"][0], "text": "Listen first, then ask."}
    box = run.frame.locator(f'[data-reflection="{reflection["id"]}"]')
    shown = box.evaluate("b => b.closest('.lp-page').dataset.page")
    go(run.frame, shown)
    box.locator("textarea").fill(reflection["text"])  # typed, and the learner stays in the box
    run.wait_for_commit(HOLDS_REFLECTION, reflection)
    assert run.current_page() == shown
    assert not [entry for entry in run.log() if entry[0] == dialect.finish], "the session is still open"
    run.assert_clean()
