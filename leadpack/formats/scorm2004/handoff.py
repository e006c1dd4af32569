"""SCORM 2004's part of the LMS hand-off sheet: Moodle's and Totara's SCORM activity with the 2004 differences
the README lists, and the data model elements lp-scorm2004.js reads and writes."""

from __future__ import annotations

from dataclasses import replace

from leadpack.formats.base import Handoff, HandoffFacts, LmsSettings
from leadpack.formats.scorm12.handoff import (
    counted_by_objective,
    display_any,
    grading,
    language_record,
    moodle_settings,
    pass_mark,
    read_only,
    republish,
    rule_words,
    scorm_language,
    totara_steps,
    worst_case,
)
from leadpack.pipeline.document import Code, Inline


def handoff(facts: HandoffFacts) -> Handoff:
    moodle = moodle_settings(facts, "SCORM 2004 4th Edition", "cmi.score.raw", standards=(
        "Not needed: SCORM 2004 keeps 64,000 characters of ", Code("cmi.suspend_data"),
        f" (worst case {worst_case(facts)})."))
    moodle = replace(moodle, values={**moodle.values, "Completion": (
        *moodle.values["Completion"], " Moodle judges completion from ", Code("cmi.completion_status"),
        " only; the package sets both statuses.")})
    return Handoff(
        why=("SCORM 2004 4th Edition reports completion and success apart and keeps 64,000 characters of saved "
             f"progress, so a reflection keeps up to {facts.reflection_cap:,} characters in the learner's "
             "record. Choose it for an LMS that prefers or requires SCORM 2004 (Totara, Cornerstone, Docebo, SCORM "
             "Cloud and others); for Moodle's own SCORM activity, whose 2004 support is partial, the SCORM 1.2 "
             "package is the safer choice."),
        lms=(moodle, LmsSettings("Totara", totara_steps(facts), moodle.values), LmsSettings(
            "Any SCORM 2004 LMS", ("Import ", Code(facts.package), " as a SCORM 2004 4th Edition course: the LMS "
                                   "reads ", Code("imsmanifest.xml"), " at the zip's root."), {
                "Display": (*display_any(facts), *navigation(facts)),
                "Attempts": ("The attempt stays open (", Code("cmi.exit"), " suspend) until the learner has "
                             "finished, then ends with ", Code("normal"), ", so the next launch is a new attempt; "
                             "a failed learner's attempt stays open for a retry."),
                "Grading": grading(facts, "cmi.score.raw"),
                "Completion": (Code("cmi.completion_status"), " becomes completed once ", rule_words(facts),
                               *success(facts)),
                "Pass mark": pass_mark(facts, ("an LMS passing score wins: the package uses ",
                                               Code("cmi.scaled_passing_score"), " when the LMS gives one")),
                "Standards mode": ("SCORM 2004 4th Edition with simple sequencing; ",
                                   Code("completionSetByContent"), " and ", Code("objectiveSetByContent"),
                                   " are true, so the content, not the LMS, decides both statuses."),
            })),
        records=(
            (Code("cmi.completion_status"), " and ", Code("cmi.success_status"), ", reported apart; ",
             Code("cmi.progress_measure"), ": the share of the set done."),
            (Code("cmi.score.raw"), ", ", Code("cmi.score.scaled"), ", ", Code("cmi.score.min"), " and ",
             Code("cmi.score.max"), ": the share of knowledge-check questions answered right."),
            (Code("cmi.location"), ": the page the learner is on (its id)."),
            (Code("cmi.suspend_data"), ": the saved progress: pages read, the option letters of each answer, tries "
             "at the checks, the finished status and, as set below, reflections."),
            (Code("cmi.interactions.n"), ": one record per answer: ", Code("id"), ", ", Code("type"), " choice, ",
             Code("description"), " (the question), ", Code("learner_response"), ", ", Code("correct_responses"),
             ", ", Code("result"), ", ", Code("timestamp"), " and ", Code("latency"), "."),
            (Code("cmi.exit"), ", ", Code("cmi.session_time"), " and, between modules, ", Code("adl.nav.request"),
             "."),
            *language_record(facts, "cmi.learner_preference.language",
                             (Code("completion_status"), " and ", Code("success_status"))),
            ("Read only: ", Code("cmi.learner_name"), " (printed on the learner's own certificate, never sent "
             "anywhere), ", Code("cmi.learner_id"), " (to keep one learner's notes on a shared computer apart "
             "from another's), ", *read_only(facts, "cmi.mode", "cmi.entry", "cmi.scaled_passing_score",
                                            language="cmi.learner_preference.language"), "."),
        ),
        reflections=("in ", Code("cmi.suspend_data"), f", up to {facts.reflection_cap:,} characters "
                     "each"),
        republish=republish(facts),
        language=scorm_language("cmi.learner_preference.language"),
        counted=counted_by_objective(facts),
    )


def navigation(facts: HandoffFacts) -> Inline:
    if facts.per_module:
        return (" The organization allows choice and flow: the end of each module asks for the next (",
                Code("adl.nav.request"), " continue), and the LMS's own navigation stays available.")
    return (" The package hides the LMS's previous and continue buttons (", Code("adl:hideLMSUI"), ").",)


def success(facts: HandoffFacts) -> Inline:
    if facts.pass_mark is None:
        return ("; the set has no pass mark, so ", Code("cmi.success_status"), " stays unknown.")
    return ("; ", Code("cmi.success_status"), f" becomes passed or failed against the pass mark "
            f"({facts.pass_mark}%); a retry can turn failed into passed, never back.")
