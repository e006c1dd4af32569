"""cmi5's part of the LMS hand-off sheet: importing cmi5.xml (moveOn, masteryScore, launchMethod), the README's
"Uploading to a cmi5 LMS", and the statements lp-cmi5.js sends on the xAPI tracker it shares."""

from __future__ import annotations

from leadpack.formats.base import Handoff, HandoffFacts, LmsSettings
from leadpack.formats.cmi5 import spec
from leadpack.formats.scorm12.handoff import rule_words
from leadpack.formats.xapi import STATE_ID
from leadpack.formats.xapi.handoff import by_statement_language, statements
from leadpack.pipeline.document import Code, Inline


def handoff(facts: HandoffFacts) -> Handoff:
    course = cmi5_course(facts)
    return Handoff(
        why=("cmi5 is xAPI with the launch, the session rules and the completion decision defined, so any LMS "
             "that lists cmi5 among its course types imports it without a plugin's guesswork and keeps every "
             "statement in its LRS. Choose it over the plain xAPI package wherever the LMS offers cmi5."),
        lms=(LmsSettings("Moodle", ("With a cmi5 activity plugin installed: add the activity and upload ",
                                    Code(facts.package), " as it is (the plugin reads ", Code(spec.MANIFEST),
                                    " at its root). Without one, use the SCORM 1.2 package."), course),
             LmsSettings("Totara", ("Where the site has a cmi5 course type or plugin, upload ", Code(facts.package),
                                    " as for Moodle; otherwise use the SCORM 2004 package."), course),
             LmsSettings("Any cmi5 LMS", ("Create a cmi5 course (or cmi5 package activity) and upload ",
                                          Code(facts.package), " as it is."), course)),
        records=(*statements((
            Code("initialized"), " first in each session; ", Code("experienced"), " for each page, ", Code("answered"),
            " for each question (the option letters chosen, whether right, how long it took) as allowed statements; ",
            Code("completed"), " once, ", Code("passed"), "/", Code("failed"), " with the scaled score and the "
            "masteryScore it was judged by, and ", Code("terminated"), " with the session's duration at Save and "
            "exit. Each carries the LMS's context template (session id, publisher id) and the cmi5 category.")), (
            Code(spec.LAUNCH_DATA), " and ", Code(spec.LEARNER_PREFERENCES), " are read, never written; in Browse "
            "and Review only ", Code("initialized"), " and ", Code("terminated"), " are sent.")),
        reflections=("in ", Code("responded"), " statements and the State API document ", Code(STATE_ID),
                     ", up to ", f"{facts.reflection_cap:,} characters each"),
        republish=(("Upload the new zip over the same course: the LMS keys its records on the course id and the "
                    "AU ids below, which stay the same while the set folder, the module ids and ", Code("base_iri"),
                    " do. Switching between one AU per set and one per module makes the LMS treat the AUs as "
                    "new."),),
        language=(Code("languagePreference"), " in the learner's ", Code(spec.LEARNER_PREFERENCES), " (an LMS "
                  "sets it from the learner's profile, where it can)"),
        counted=by_statement_language(),
    )


def cmi5_course(facts: HandoffFacts) -> dict[str, Inline]:
    """The settings every cmi5 LMS reads from cmi5.xml, and the few it lets an administrator change."""
    units = len(facts.units)
    judged = facts.pass_mark is not None
    return {
        "Display": (f"launchMethod {spec.LAUNCH_METHOD}: a frame or a new window both work; ",
                    f"{units} AUs, one per module, in a block." if facts.per_module else "one AU for the set."),
        "Attempts": ("Nothing to set: each launch is a session of the learner's registration; the package resumes "
                     "from the State API document ", Code(STATE_ID), ", and a tab closed without Save and exit is "
                     "recorded as abandoned."),
        "Grading": ("The score is the ", Code("passed"), "/", Code("failed"), " statement's ",
                    Code("result.score.scaled"), ", judged by the masteryScore; the LMS grades from it.")
        if judged else ("None: the set has no pass mark, so no score is judged.",),
        "Completion": ("moveOn ", Code("CompletedAndPassed" if judged else "Completed"), ": the LMS marks the AU "
                       "satisfied once the package has sent ", *moved_on(facts)),
        "Pass mark": (f"masteryScore {spec.mastery_score(facts.pass_mark)} ({facts.pass_mark}%); an LMS setting "
                      "that changes it wins: the package judges by the score the LMS hands it.") if judged
        else ("None: the set is complete once ", rule_words(facts), "."),
        "Standards mode": ("cmi5 (xAPI 1.0.3 statements). If the LRS is on another origin than the content, it "
                           "must answer CORS preflights as for the xAPI package.",),
    }


def moved_on(facts: HandoffFacts) -> Inline:
    if facts.pass_mark is None:
        return (Code("completed"), f" ({rule_words(facts)}).")
    return (Code("completed"), " and ", Code("passed"), " (one of passed or failed per session, so a retry "
            "passes in the learner's next session).")
