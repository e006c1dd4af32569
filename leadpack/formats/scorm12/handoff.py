"""SCORM 1.2's part of the LMS hand-off sheet: the settings of Moodle's and Totara's SCORM activity (the README's
"Uploading to Moodle or Totara"), and the data model elements the adapter (lp-scorm12.js) reads and writes."""

from __future__ import annotations

from leadpack.formats.base import Handoff, HandoffFacts, LmsSettings
from leadpack.formats.scorm12 import spec
from leadpack.pipeline.document import Code, Inline, joined


def handoff(facts: HandoffFacts) -> Handoff:
    standard = f"{spec.SUSPEND_DATA_LIMIT:,}"
    if raised(facts):  # [build] suspend_data_limit above the standard's: only a relaxed LMS keeps it all
        moodle_standards: Inline = ("Off (required): the package saves up to ", f"{limit(facts):,} characters of ",
                                    Code("cmi.suspend_data"), f" (worst case {worst_case(facts)}), more than the "
                                    f"{standard} that Standards mode enforces, which would refuse its saves.")
        any_standards: Inline = ("Relaxed limits required: ", f"{limit(facts):,} characters of ",
                                 Code("cmi.suspend_data"), f" (worst case {worst_case(facts)}), beyond SCORM 1.2's "
                                 f"{standard}; an LMS that enforces the standard's limit refuses the saves.")
    else:
        moodle_standards = ("Off, unless your site requires it: the package fits the 4,096 characters of ",
                            Code("cmi.suspend_data"), " that Standards mode enforces (worst case "
                            f"{worst_case(facts)}).")
        any_standards = ("Strict SCORM 1.2 works: 4,096 characters of ", Code("cmi.suspend_data"),
                         f" (worst case {worst_case(facts)}), interaction ids of at most 255 characters.")
    moodle = moodle_settings(facts, "SCORM 1.2", "cmi.core.score.raw", standards=moodle_standards)
    return Handoff(
        why=("SCORM 1.2 is the standard Moodle's and Totara's built-in SCORM activity supports fully, and nearly "
             f"every LMS imports it. It keeps {limit(facts):,} characters of saved progress for each SCO, so a "
             f"reflection keeps up to {facts.reflection_cap:,} characters in the learner's record; where the LMS "
             "supports SCORM 2004 and longer reflections matter, upload the SCORM 2004 package instead."),
        lms=(moodle, LmsSettings("Totara", totara_steps(facts), moodle.values), LmsSettings(
            "Any SCORM 1.2 LMS", ("Import ", Code(facts.package), " as a SCORM 1.2 course: the LMS reads ",
                                  Code("imsmanifest.xml"), " at the zip's root."), {
                "Display": display_any(facts),
                "Attempts": ("Let a learner return to the same attempt: the package resumes from ",
                             Code("cmi.suspend_data"), " and ", Code("cmi.core.lesson_location"),
                             ". Do not start a new attempt at each launch."),
                "Grading": grading(facts, "cmi.core.score.raw"),
                "Completion": (Code("cmi.core.lesson_status"), " becomes ", *status_words(facts), "."),
                "Pass mark": pass_mark(facts, ("the manifest gives the same value as ", Code("adlcp:masteryscore"),
                                               ", so an LMS that judges from it agrees")),
                "Standards mode": any_standards,
            })),
        records=(
            (Code("cmi.core.lesson_status"), ": incomplete, then ", *status_words(facts), "."),
            (Code("cmi.core.score.raw"), " (with ", Code("min"), " 0 and ", Code("max"), " 100): the share of "
             "knowledge-check questions answered right."),
            (Code("cmi.core.lesson_location"), ": the page the learner is on (its id)."),
            (Code("cmi.suspend_data"), ": the saved progress: pages read, the option letters of each answer, tries "
             "at the checks, the finished status and, as set below, reflections."),
            (Code("cmi.interactions.n"), ": one record per answer: ", Code("id"), ", ", Code("type"), " choice, ",
             Code("student_response"), ", ", Code("correct_responses"), ", ", Code("result"), ", ", Code("time"),
             " and ", Code("latency"), "."),
            (Code("cmi.core.exit"), " and ", Code("cmi.core.session_time"), ": whether the learner will come back, "
             "and how long the session took."),
            *language_record(facts, "cmi.student_preference.language", (Code("status"),)),
            ("Read only: ", Code("cmi.core.student_name"), " (printed on the learner's own certificate, never sent "
             "anywhere), ", Code("cmi.core.student_id"), " (to keep one learner's notes on a shared computer apart "
             "from another's), ", *read_only(facts, "cmi.core.lesson_mode", "cmi.core.entry",
                                            language="cmi.student_preference.language"), "."),
        ),
        reflections=("in ", Code("cmi.suspend_data"), f", up to {facts.reflection_cap:,} characters "
                     "each"),
        republish=republish(facts),
        language=scorm_language("cmi.student_preference.language"),
        counted=counted_by_objective(facts),
    )


def language_record(facts: HandoffFacts, element: str, status: Inline) -> tuple[Inline, ...]:
    """The learner's language, written where the package holds several (SCORM 1.2 and 2004 alike), and the
    objective for the language they finished in, with its ``status`` elements."""
    if not facts.several_languages:
        return ()
    return ((Code(element), ": the language the learner chose (a tag such as ", Code("cy"), "), read at launch "
             "to start in it."),
            (Code("cmi.objectives.n"), ": for each language the learner finished in, an objective named for it (",
             *objective_ids(facts), ") with ", *status, "."))


def objective_ids(facts: HandoffFacts) -> Inline:
    return joined([(Code(objective),) for _, objective in facts.objectives])


def counted_by_objective(facts: HandoffFacts) -> Inline:
    """Both SCORM versions: the objectives the package records, and the Moodle report that shows them."""
    return ("As a learner finishes (completed, passed or failed), the package records it in the language they see "
            "as an objective named for that language: ", *joined([(Code(objective), f" ({language})")
                                                                 for language, objective in facts.objectives]),
            ". Moodle's Objectives report (the activity's Reports, then Objectives) shows a column for each, with "
            "the learner's status, so completions can be counted by language.")


def read_only(facts: HandoffFacts, *elements: str, language: str) -> Inline:
    """``elements`` as "a, b and c"; with the language element too where it is only read (a package in one
    language reads it at launch and does nothing with it)."""
    read = [*elements, *(() if facts.several_languages else (language,))]
    return joined([(Code(element),) for element in read])


def scorm_language(element: str) -> Inline:
    return (Code(element), ", which the package writes with each choice the learner makes (Moodle starts each new "
            "attempt with it empty, so a learner's first launch follows their browser)")


def limit(facts: HandoffFacts) -> int:
    """The characters of saved state this package's units may use (the build's suspend_data_limit)."""
    return min(budget.limit for budget in facts.budgets)


def raised(facts: HandoffFacts) -> bool:
    """Whether the saved state can outgrow what Standards mode (and a strict LMS) keeps: a raised limit used."""
    return max(budget.worst_case for budget in facts.budgets) > spec.SUSPEND_DATA_LIMIT


def worst_case(facts: HandoffFacts) -> str:
    worst = max(facts.budgets, key=lambda budget: budget.worst_case)
    return f"{worst.worst_case:,} of {worst.limit:,} characters"


def status_words(facts: HandoffFacts) -> Inline:
    if facts.pass_mark is not None:
        return (Code("passed"), " or ", Code("failed"), f" once every page is read and every question answered "
                f"(pass mark {facts.pass_mark}%); a retry can turn failed into passed, never back")
    return (Code("completed"), " once ", rule_words(facts))


def rule_words(facts: HandoffFacts) -> str:
    if facts.course_set.completion.rule == "all-pages-and-checks":
        return "every page is read and every question answered"
    return "every page is read"


def completion(facts: HandoffFacts) -> Inline:
    """Moodle's and Totara's activity completion, for both SCORM versions."""
    if facts.pass_mark is not None:
        return ("Completion tracking: Show activity as complete when conditions are met; Require status: ",
                "Passed (the set has a pass mark); optionally Require minimum score.")
    return ("Completion tracking: Show activity as complete when conditions are met; Require status: Completed "
            f"(the set has no pass mark: it is complete once {rule_words(facts)}).")


def grading(facts: HandoffFacts, element: str) -> Inline:
    if not facts.course_set.questions:
        return ("The set has no knowledge-check questions, so the package sends no score: grade on completion "
                "(Moodle and Totara: Grading method: Learning objects), or not at all.")
    return ("Grading method: Highest grade; Maximum grade: 100. The package sends ", Code(element),
            " from 0 to 100 (the share of questions answered right).")


def pass_mark(facts: HandoffFacts, agreeing: Inline) -> Inline:
    if facts.pass_mark is None:
        return ("None: the set is complete once ", rule_words(facts), ".")
    attempts = facts.course_set.completion.attempts
    tries = (f"; the package allows {attempts} tr{'y' if attempts == 1 else 'ies'} at the checks in all"
             if attempts else "; a failed learner may retry the questions they got wrong until they pass")
    return (f"{facts.pass_mark}%, judged by the package; ", *agreeing, tries, ".")


def moodle_settings(facts: HandoffFacts, title: str, score: str, standards: Inline) -> LmsSettings:
    """The SCORM package activity of Moodle, which Totara shares: only the standards line differs by version."""
    return LmsSettings("Moodle", ("Add an activity or resource → SCORM package; upload ", Code(facts.package),
                                  f" (Moodle reads it as {title} from its manifest)."), {
        "Display": display_moodle(facts),
        "Attempts": ("Number of attempts: Unlimited; Force new attempt: No; Lock after final attempt: No (the "
                     "package counts its own tries at the checks, and resumes the open attempt)."),
        "Grading": grading(facts, score),
        "Completion": completion(facts),
        "Pass mark": pass_mark(facts, ("the manifest carries the same mastery score, so the LMS agrees",)),
        "Standards mode": standards,
    })


def display_moodle(facts: HandoffFacts) -> Inline:
    if facts.per_module:
        return ("Display package: Current window (or New window); Student skip content structure page: Never; "
                "Display course structure in player: To the side, so learners move from module to module "
                f"({len(facts.units)} SCOs, one per module); Show navigation: Under content.")
    return ("Display package: Current window (or New window); Student skip content structure page: Always; "
            "Display course structure in player: Hidden; Show navigation: No (the package has its own contents "
            "and navigation).")


def display_any(facts: HandoffFacts) -> Inline:
    if facts.per_module:
        return (f"{len(facts.units)} SCOs, one per module: show the LMS's course structure so learners can move "
                "between them; a frame or a new window both work.")
    return ("One SCO with its own contents and navigation: hide the LMS's course structure and navigation; a frame "
            "or a new window both work.")


def totara_steps(facts: HandoffFacts) -> Inline:
    return ("Add an activity → SCORM package; upload ", Code(facts.package), ". Totara's SCORM activity has "
            "Moodle's settings, below; in a program or certification, the course completes with this activity.")


def republish(facts: HandoffFacts) -> tuple[Inline, ...]:
    """How to replace a SCORM package in the LMS without losing attempts, for both versions."""
    return (("Replace the package of the existing activity (Moodle and Totara: the activity's settings → Package "
             "file) rather than adding a new activity: the LMS keeps learners' attempts and their saved progress."),)
