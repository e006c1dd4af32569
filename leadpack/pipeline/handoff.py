"""LMS hand-off sheets, written beside each package in HTML and Markdown for the administrator who uploads it.

Tracking works only when the LMS is set up the way the package expects, and an LMS's reports show answers by
interaction id and option letter (``leading-through-dialogue--which-of-these-best-describes-what``, ``c``). The
build knows both, so it says them: which file to upload (with its sha256) and why this format, the settings for
Moodle, Totara and any LMS of the standard, what the package records about learners, how to republish without
losing progress, and a key from each interaction id and letter to the question and option. The format gives its
own part (``Format.handoff``); the question key comes from the runtime data the package embeds, and the
identifiers from its manifest, so the sheet says what the package does. No dates: builds stay byte-reproducible.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from leadpack import formats
from leadpack.formats.base import LMS_SETTINGS, Format, Handoff, HandoffFacts
from leadpack.formats.package import FilesPackage
from leadpack.pipeline import model
from leadpack.pipeline.document import (
    Block,
    Code,
    Inline,
    Name,
    bullets,
    heading,
    joined,
    para,
    table,
    to_html,
    to_markdown,
)
from leadpack.pipeline.render import Site, strings_for
from leadpack.pipeline.runtime_data import RuntimeData

SUFFIX = "-handoff"  # <package name without .zip>-handoff.html and .md


def file_names(package_name: str) -> tuple[str, str]:
    stem = package_name.removesuffix(".zip") + SUFFIX
    return f"{stem}.html", f"{stem}.md"


def sheet_files(series: model.Series, course_set: model.CourseSet, fmt: Format, site: Site,
                files: dict[str, bytes], package_path: Path, data: bytes) -> list[tuple[Path, bytes]]:
    """The sheet for one built package (``files`` in it, ``data`` its zip), as (path, bytes) in HTML and Markdown."""
    name = package_path.name
    objectives = tuple(dict.fromkeys((entry.code, entry.objective) for unit in site.data for entry in unit.languages
                                     if entry.objective))
    facts = HandoffFacts(series, course_set, name, site.budgets, fmt.identity(FilesPackage(files, name)), objectives)
    blocks = sheet(facts, fmt, fmt.handoff(facts), site.data, data)
    html_name, md_name = file_names(name)
    title = f"LMS hand-off: {' '.join(course_set.title.split())} (version {course_set.version}), {fmt.title}"
    return [(package_path.with_name(html_name), to_html(blocks, title).encode("utf-8")),
            (package_path.with_name(md_name), to_markdown(blocks).encode("utf-8"))]


def sheet(facts: HandoffFacts, fmt: Format, part: Handoff, units: tuple[RuntimeData, ...], data: bytes) -> list[Block]:
    course_set = facts.course_set
    return [
        heading(1, "LMS hand-off: ", Name(course_set.title), f" (version {course_set.version}), {fmt.title}"),
        para("For the person who puts this course on the learning platform. leadpack wrote this sheet when it built ",
             Code(facts.package), "; it is true of that file only."),
        *_upload(facts, part, data),
        *_settings(part),
        *_languages(facts, fmt, part),
        *_records(facts, part),
        *_republish(facts, part),
        *_question_key(fmt, units),
    ]


def _upload(facts: HandoffFacts, part: Handoff, data: bytes) -> list[Block]:
    name, series = facts.package, facts.series
    edition = [("Edition: ", Name(series.organisation), " (", Code(series.edition), "): its own package identifier "
                "and activity ids, so it can sit beside other organisations' editions in one LMS or LRS")
               ] if series.edition else []
    return [
        heading(2, "The file to upload"),
        bullets(("File: ", Code(name)), *edition, f"Size: {len(data):,} bytes",
                ("sha256: ", Code(hashlib.sha256(data).hexdigest())),
                ("Check that the file is the one built before uploading it: ", Code(f"sha256sum {name}"),
                 " (Linux), ", Code(f"shasum -a 256 {name}"), " (macOS) or ", Code(f"Get-FileHash {name}"),
                 " (Windows PowerShell) prints the same sha256.")),
        heading(3, "Why this format"),
        para(*part.why),
    ]


def _settings(part: Handoff) -> list[Block]:
    blocks = [heading(2, "Settings that make tracking work")]
    for lms in part.lms:
        missing = [name for name in LMS_SETTINGS if name not in lms.values]
        if missing:
            raise ValueError(f"the hand-off settings for {lms.lms} lack {', '.join(missing)}")
        blocks += [heading(3, lms.lms), para(*lms.steps),
                   table(("Setting", "Value"), *((name, lms.values[name]) for name in LMS_SETTINGS))]
    return blocks


def _languages(facts: HandoffFacts, fmt: Format, part: Handoff) -> list[Block]:
    """For a set in several languages: which this package holds, how a learner's is chosen, and (built "apart")
    the packages of the others."""
    course_set = facts.course_set
    whole = next((each for each in facts.series.sets if each.id == course_set.id), course_set)
    if len(whole.language_versions) < 2:
        return []
    held = course_set.language_versions
    drafts = [each for each in held if each.status == "draft"]
    draft = [para(*joined([(_language(each),) for each in drafts]), " is a draft translation awaiting review"
                  if len(drafts) == 1 else " are draft translations awaiting review", "; the package's metadata say "
                  "so.")] if drafts else []
    if not facts.several_languages:
        others = [each for each in whole.packaged("apart") if each.language != course_set.language]
        return [heading(2, "Languages"), para(
            f"This package holds the set in {_language(course_set)} only. It is also built in ",
            *joined([(_language(each), ": ", Code(formats.package_file_name(each, fmt))) for each in others]),
            ". Give each language an activity of its own, or upload the package that holds every language (built "
            "with ", Code('languages = "together"'), "), so that each learner chooses."), *draft]
    return [
        heading(2, "Languages"),
        para("This package holds the set in ", *joined([(_language(each),) for each in held]), ". Each learner sees "
             "one language at a time and can change it on any page, keeping their place, answers and reflections: "
             "it is one attempt, whatever the language."),
        *draft,
        para("A learner starts in:"),
        bullets("the language they chose last in this course, kept with their saved progress;",
                *([("else the one the platform names: ", *part.language, ";")] if part.language else []),
                "else their browser's language;", f"else {_language(held[0])}, the set's first language."),
        *([para(*part.counted)] if part.counted else []),
        para("Interaction ids and option letters are the same in every language, so the question key below serves "
             "the reports of every language."),
    ]


def _language(course_set: model.CourseSet) -> str:
    """A language as the language switch names it (in itself), with its tag: "Cymraeg (cy)"."""
    return f"{strings_for(course_set.language)['language_name']} ({course_set.language})"


def _records(facts: HandoffFacts, part: Handoff) -> list[Block]:
    if facts.series.build.reflections == "lms":
        reflections = para("Reflections and action plans leave the device: this set keeps them in the learner's "
                           "record (", *part.reflections, "), where the LMS's reports and its administrators can "
                           "read them. Each reflection tells the learner so.")
    else:
        reflections = para("Reflections and action plans never leave the device: this set keeps them in the "
                           "learner's browser only (", Code('reflections = "device"'), "), and the learner's record "
                           "holds neither their text nor their length.")
    return [
        heading(2, "What the package records about learners"),
        para("The package loads nothing from outside itself and sends nothing anywhere but to the platform that "
             "launched it. It records:"),
        bullets(*part.records),
        reflections,
        para("The learner's browser keeps, on their device, each reflection's whole text and any progress still "
             "waiting to be saved, under the learner's id, so that a learner can read, print or download their "
             "reflections and action plan."),
    ]


def _republish(facts: HandoffFacts, part: Handoff) -> list[Block]:
    identity = facts.identity
    keys: list[Inline] = [(f"{label}: ", Code(value)) for label, value in identity.identifiers.items()]
    keys += [("item ", Code(identifier), " (", Name(title), ")") for identifier, title in identity.items.items()]
    return [
        heading(2, "Republishing without losing progress"),
        bullets(
            ("Before uploading a new release, compare it with this one: ", Code(f"leadpack diff {facts.package} "
             "NEW.zip"), " lists every change, gives the verdict (safe, or affects learners) and says what to do; "
             "exit 0 means safe."),
            ("Progress is keyed by ids made from names, never positions: adding or reordering pages and editing "
             "text keep it; renaming a module file, a page heading or a question, or changing a question's options, "
             "affects learners unless the old id is pinned (docs/authoring.md, section 10)."),
            ("Raise ", Code("version"), " in set.toml for every release, so the LMS and the people who run it can "
             "tell the two apart."),
            *part.republish,
        ),
        para("The LMS keys learners' records on these identifiers, which must stay as they are:"),
        bullets(*keys),
    ]


def _question_key(fmt: Format, units: tuple[RuntimeData, ...]) -> list[Block]:
    blocks = [heading(2, "Question key")]
    questions = [(unit, question) for unit in units for question in unit.questions]
    if not questions:
        return blocks + [para("This set has no knowledge-check questions, so the LMS records no answers.")]
    blocks.append(para("The LMS's reports list each answer by its interaction id and the letters of the options "
                       "chosen (options a and c are recorded as ", Code(fmt.reported_response("ac")), "). Below, "
                       "each id with its question, and each letter with its option; a tick marks the right ones."))
    if any(entry.texts for unit in units for entry in unit.languages):
        blocks.append(para("Learners answer in whichever of the package's languages they chose, with the same ids "
                           "and letters, so each question and option is given in each of its languages."))
    for unit in units:
        others = [entry for entry in unit.languages if entry.texts]  # the package's own language has none
        for module in unit.modules:
            mine = [q for q in unit.questions if q.module == module.id]
            if not mine:
                continue
            blocks.append(heading(3, "Module: ", Name(module.title)))
            for question in mine:
                several = "; more than one option is right" if question.multiple else ""
                blocks.append(para(Code(fmt.reported_id(question)), " (right: ",
                                   Code(fmt.reported_response(question.correct)), several, "): ", Name(question.text)))
                blocks += [para(f"{entry.name} ({entry.code}): ", Name(entry.texts[f"question:{question.id}"]))
                           for entry in others if f"question:{question.id}" in entry.texts]
                blocks.append(bullets(*((Code(letter), " ✓ " if letter in question.correct else " ", Name(text),
                                         *_translated(others, f"option:{question.id}:{letter}"))
                                        for letter, text in question.options.items())))
    return blocks


def _translated(others: list, key: str) -> Inline:
    """The text ``key`` names in each other language of the package, after the original's."""
    parts: list = []
    for entry in others:
        if key in entry.texts:
            parts += [f" · {entry.name}: ", Name(entry.texts[key])]
    return tuple(parts)
