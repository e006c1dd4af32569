"""xAPI (Tin Can) packager: tincan.xml describing the course, its modules, pages, questions and reflections.

Activity definitions are built with the ``tincan`` library (the same objects the runtime's statements parse
into), then written as tincan.xml. Only the course activity carries ``launch``: it is the activity the LMS tracks.
Activity IRIs sit under the series base IRI and depend only on ids, so they are stable across rebuilds; questions
and reflections get their own path segment so that they never share an IRI with a page of the same id. The
runtime reads the same IRIs from the launch page's data (render.runtime_data). Endpoint and credentials are never
written: the LMS passes them at launch.
"""

from __future__ import annotations

import tincan
from lxml import etree

from leadpack.formats.xapi.checks import TINCAN, TINCAN_FILE
from leadpack.pipeline import model
from leadpack.pipeline.render import FileMap, Site, described, strings_for

INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "module": "http://adlnet.gov/expapi/activities/module",
    "page": "http://activitystrea.ms/schema/1.0/page",
    "question": INTERACTION,
    "reflection": INTERACTION,
}
NAME_MAX = 250  # a name is a label in LRS reports; the full text goes in the description


def activity_definitions(series: model.Series, course_set: model.CourseSet) -> list[tincan.Activity]:
    """The course activity first (the one the LMS launches and tracks), then each module and what it holds, each
    named in every language of the set (the same IRIs in each: one activity, one language map)."""
    merged: dict[str, tincan.Activity] = {}
    for localised, said in zip(course_set.language_versions, described(course_set), strict=True):
        for activity in _activities(series, course_set.id, localised, said.description):
            known = merged.setdefault(activity.id, activity)
            if known is activity:
                continue
            known.definition.name.update(activity.definition.name)
            known.definition.description.update(activity.definition.description)
            for mine, theirs in zip(known.definition.choices or [], activity.definition.choices or [], strict=True):
                mine.description.update(theirs.description)
    return list(merged.values())


def _activities(series: model.Series, set_id: str, localised: model.CourseSet,
                description: str) -> list[tincan.Activity]:
    """The activities in one language; modules and pages are described by their place, in that language."""
    language, strings = localised.language, strings_for(localised.language)
    course_iri = series.activity_iri(set_id)

    def activity(iri: str, kind: str, name: str, description: str, **interaction) -> tincan.Activity:
        definition = tincan.ActivityDefinition(
            name={language: name[:NAME_MAX]}, description={language: description or name},
            type=ACTIVITY_TYPES[kind], **interaction)
        return tincan.Activity(id=iri, definition=definition)

    activities = [activity(course_iri, "course", localised.title, description)]
    for number, module in enumerate(localised.modules, start=1):
        module_iri = f"{course_iri}/{module.id}"
        place = strings["activity_module"].format(n=number, set=localised.title)
        activities.append(activity(module_iri, "module", module.title, module.description or place))
        for index, page in enumerate(module.pages, start=1):
            activities.append(activity(f"{course_iri}/{page.full_id}", "page", page.title,
                                       strings["activity_page"].format(n=index, module=module.title)))
        for question in module.questions:
            activities.append(activity(
                f"{module_iri}/questions/{question.id}", "question", question.stem_text, question.stem_text,
                interaction_type="choice",
                correct_responses_pattern=["[,]".join(question.correct_keys)],
                choices=[tincan.InteractionComponent(id=o.key, description={language: o.text})
                         for o in question.options],
            ))
        for reflection in module.reflections:
            activities.append(activity(f"{module_iri}/reflections/{reflection.id}", "reflection",
                                       reflection.prompt_text, reflection.prompt_text,
                                       interaction_type="long-fill-in"))
    return activities


def tincan_xml(activities: list[tincan.Activity], launch: str) -> bytes:
    """tincan.xml (schema: tincan.xsd); element order follows the schema's sequence."""
    root = etree.Element(f"{{{TINCAN}}}tincan", nsmap={None: TINCAN})
    container = etree.SubElement(root, f"{{{TINCAN}}}activities")
    for position, activity in enumerate(activities):
        definition = activity.definition
        element = etree.SubElement(container, f"{{{TINCAN}}}activity", id=activity.id, type=definition.type)
        _langstrings(element, "name", definition.name)
        _langstrings(element, "description", definition.description)
        if position == 0:
            for language in sorted(definition.name):
                etree.SubElement(element, f"{{{TINCAN}}}launch", lang=language).text = launch
        if definition.interaction_type:
            _interaction(element, definition)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _interaction(element: etree._Element, definition: tincan.ActivityDefinition) -> None:
    etree.SubElement(element, f"{{{TINCAN}}}interactionType").text = definition.interaction_type
    if definition.correct_responses_pattern:
        patterns = etree.SubElement(element, f"{{{TINCAN}}}correctResponsePatterns")
        for pattern in definition.correct_responses_pattern:
            etree.SubElement(patterns, f"{{{TINCAN}}}correctResponsePattern").text = pattern
    if definition.choices:
        choices = etree.SubElement(element, f"{{{TINCAN}}}choices")
        for choice in definition.choices:
            component = etree.SubElement(choices, f"{{{TINCAN}}}component")
            etree.SubElement(component, f"{{{TINCAN}}}id").text = choice.id
            _langstrings(component, "description", choice.description)


def _langstrings(parent: etree._Element, tag: str, language_map) -> None:
    for language in sorted(language_map):
        etree.SubElement(parent, f"{{{TINCAN}}}{tag}", lang=language).text = language_map[language]


def package(series: model.Series, course_set: model.CourseSet, site: Site) -> FileMap:
    """tincan.xml: the course activity launches the set's launch page."""
    return {TINCAN_FILE: tincan_xml(activity_definitions(series, course_set), site.units[0].file)}
