"""cmi5.xml, the course structure an LMS imports: the set as the course, and one AU for the set or, with
``sco_per = "module"``, one AU per module grouped in a block.

Publisher ids sit under the series base IRI and depend only on the set and module ids, so a rebuild keeps them and
the LMS keeps learners' records: the course is the set's IRI (the one the xAPI package tracks), the set's AU is
``<set>/au``, the block ``<set>/modules`` and each module's AU ``<set>/modules/<module>``. The LMS makes its own
activity ids from these at launch; no endpoint, actor or credential is ever written.
"""

from __future__ import annotations

from lxml import etree

from leadpack.formats.cmi5 import spec
from leadpack.pipeline import model
from leadpack.pipeline.render import FileMap, Site, described


def course_id(series: model.Series, course_set: model.CourseSet) -> str:
    return series.activity_iri(course_set.id)


def whole_set(course_set: model.CourseSet, unit: model.Unit) -> bool:
    """True for the one AU of ``sco_per = "set"``; False for a module's AU."""
    return unit.covers == "set"


def au_id(series: model.Series, course_set: model.CourseSet, unit: model.Unit) -> str:
    """The AU's publisher id: the set's own, or its module's under the block."""
    if whole_set(course_set, unit):
        return series.activity_iri(course_set.id, "au")
    return series.activity_iri(course_set.id, "modules", unit.id)


def block_id(series: model.Series, course_set: model.CourseSet) -> str:
    return series.activity_iri(course_set.id, "modules")


def course_structure(series: model.Series, course_set: model.CourseSet, units: tuple[model.Unit, ...]) -> bytes:
    """cmi5.xml (schema: CourseStructure.xsd); element order follows the schema's sequences."""
    described_texts = described(course_set)
    texts = [(e.language, e.title, e.description) for e in described_texts]
    root = etree.Element(spec.tag("courseStructure"), nsmap={None: spec.NAMESPACE})
    course = etree.SubElement(root, spec.tag("course"), id=course_id(series, course_set))
    _texts(course, texts)
    parent = root
    if not whole_set(course_set, units[0]):
        parent = etree.SubElement(root, spec.tag("block"), id=block_id(series, course_set))
        _texts(parent, texts)
    for number, unit in enumerate(units, start=1):
        _au(parent, series, course_set, unit, number)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _au(parent: etree._Element, series: model.Series, course_set: model.CourseSet, unit: model.Unit,
        number: int) -> None:
    """One AU: moveOn from the completion rule, masteryScore from the pass mark where the unit has checks."""
    pass_mark = course_set.completion.pass_mark
    scored = pass_mark is not None and bool(unit.questions)
    attributes = {"id": au_id(series, course_set, unit), "moveOn": "CompletedAndPassed" if scored else "Completed"}
    if scored:
        attributes["masteryScore"] = spec.mastery_score(pass_mark)
    attributes["launchMethod"] = spec.LAUNCH_METHOD
    au = etree.SubElement(parent, spec.tag("au"), attributes)
    texts = []
    for localised, said in zip(course_set.language_versions, described(course_set), strict=True):
        ours = localised.unit_in(unit)
        if whole_set(course_set, unit):
            description = said.description
        elif localised.language == course_set.language:
            description = unit.modules[0].description or f"Module {number} of {course_set.title}"
        else:
            description = ours.modules[0].description or ours.title
        texts.append((localised.language, ours.title, description))
    _texts(au, texts)
    etree.SubElement(au, spec.tag("url")).text = unit.file


def _texts(element: etree._Element, texts: list[tuple[str, str, str]]) -> None:
    """title and description, each with a langstring per language."""
    for position, name in ((1, "title"), (2, "description")):
        holder = etree.SubElement(element, spec.tag(name))
        for found in texts:
            etree.SubElement(holder, spec.tag("langstring"), lang=found[0]).text = found[position] or found[1]


def package(series: model.Series, course_set: model.CourseSet, site: Site) -> FileMap:
    return {spec.MANIFEST: course_structure(series, course_set, site.units)}
