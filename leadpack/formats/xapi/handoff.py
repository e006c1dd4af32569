"""xAPI's part of the LMS hand-off sheet: an xAPI (Tin Can) launch such as Moodle's xAPI Launch Link plugin, the
README's CORS advice, and the statements and State API document lp-xapi.js sends."""

from __future__ import annotations

from leadpack.formats.base import Handoff, HandoffFacts, LmsSettings
from leadpack.formats.scorm12.handoff import rule_words
from leadpack.formats.xapi import STATE_ID
from leadpack.pipeline.document import Code, Inline


def handoff(facts: HandoffFacts) -> Handoff:
    launch = launch_plugin(facts)
    return Handoff(
        why=("xAPI (Tin Can) sends every page read, answer and result to a Learning Record Store as statements. "
             "Upload it only where the LMS offers an xAPI launch (\"xAPI Launch Link\") activity and no cmi5: an "
             "LMS that imports cmi5 courses should get the cmi5 package, and a plain SCORM activity the SCORM "
             "package."),
        lms=(LmsSettings("Moodle", ("Add an activity → xAPI Launch Link (the plugin); upload ", Code(facts.package),
                                    " as its launch package; the plugin reads the launch page and the activity id "
                                    "from ", Code("tincan.xml"), "."), launch),
             LmsSettings("Totara", ("Add the same xAPI Launch Link activity, where the plugin is installed; upload ",
                                    Code(facts.package), "."), launch),
             LmsSettings("Any xAPI launch", ("Host the package where the LMS can launch ", Code("index.html"),
                                             " with the xAPI launch parameters (", Code("endpoint"), ", ",
                                             Code("auth"), ", ", Code("actor"), ", ", Code("registration"), ", ",
                                             Code("activity_id"), ")."), {
                 **launch,
                 "Display": ("A new window or a frame; the package has its own contents and navigation.",),
                 "Completion": ("Count the learner complete on the ", Code("completed"), " statement for the "
                                "course activity, sent once ", completes_when(facts), "."),
             })),
        records=statements((
            Code("initialized"), " (or ", Code("resumed"), "), ", Code("experienced"), " for each page, ",
            Code("answered"), " for each question (the option letters chosen, whether right, how long it took), ",
            Code("completed"), ", ", Code("passed"), "/", Code("failed"), " with the score, then ", Code("suspended"),
            " or ", Code("terminated"), " with the session's duration; each with the language the learner sees "
            "and the set's version.")),
        reflections=("in ", Code("responded"), " statements and the State API document ", Code(STATE_ID),
                     ", up to ", f"{facts.reflection_cap:,} characters each"),
        republish=(("Keep the same activity in the LMS and replace its package: the LRS keys statements and saved "
                    "progress on the activity id, the learner and the registration."),
                   ("Let learners keep their registration: a new registration starts them afresh.",)),
        language=("a ", Code("language"), " parameter on the launch link (a tag such as ", Code("cy"), ", or "
                  "several, best first), which an LMS or launcher may add"),
        counted=by_statement_language(),
    )


def launch_plugin(facts: HandoffFacts) -> dict[str, Inline]:
    """The settings every xAPI launch shares: the package judges completion and success, the LRS keeps them."""
    passing = (f"{facts.pass_mark}%, judged by the package: it sends ", Code("passed"), " or ", Code("failed"),
               " with the score; a retry can send passed after failed.") if facts.pass_mark is not None else \
        ("None: the set is complete once ", rule_words(facts), ".")
    return {
        "Display": ("The plugin opens the package in a new window; nothing to set.",),
        "Attempts": ("Allow learners to return to their registration: the package resumes from the State API "
                     "document ", Code(STATE_ID), " and the learner's statements for it."),
        "Grading": ("No LMS grade: the score travels in the ", Code("passed"), "/", Code("failed"),
                    " statement's result (", Code("result.score.scaled"), ") in the LRS.")
        if facts.course_set.questions else ("None: the set has no knowledge-check questions.",),
        "Completion": ("Completion verb: ", Code("http://adlnet.gov/expapi/verbs/completed"), " (the plugin's "
                       "default), sent once ", completes_when(facts), "."),
        "Pass mark": passing,
        "Standards mode": ("xAPI 1.0.3 statements (", Code("X-Experience-API-Version: 1.0.3"), "). The LRS must "
                           "answer CORS preflights for the origin the LMS serves content from (the ",
                           Code("Authorization"), ", ", Code("X-Experience-API-Version"), ", ", Code("If-Match"),
                           " and ", Code("If-None-Match"), " headers, exposing ", Code("ETag"), "), or sit behind "
                           "the LMS's own origin."),
    }


def completes_when(facts: HandoffFacts) -> str:
    """With a pass mark, completing takes every page and every question, whatever the rule says."""
    return rule_words(facts) if facts.pass_mark is None else "every page is read and every question answered"


def by_statement_language() -> Inline:
    """xAPI and cmi5 alike: the statements say the language, so the LRS's reports can count by it."""
    return ("Each statement says the language the learner saw in ", Code("context.language"), ", the ",
            Code("completed"), " and ", Code("passed"), " ones too, so a query of the LRS by it counts completions "
            "by language.")


def statements(verbs: Inline) -> tuple[Inline, ...]:
    """What the tracker (lp-xapi.js) sends and keeps, shared by the xAPI and cmi5 packages: ``verbs`` says which
    statements a session sends."""
    return (
        ("The actor the LMS names at launch (its account or e-mail identifier and name) on every statement; the "
         "package never holds credentials and never stores ", Code("auth"), "."),
        verbs,
        ("The State API document ", Code(STATE_ID), ": the saved progress (pages read, the option letters of each "
         "answer, tries at the checks, the finished status and, as set below, reflections)."),
        ("Statements wait in the browser's storage while the LRS cannot be reached, and are sent once it can.",),
    )
