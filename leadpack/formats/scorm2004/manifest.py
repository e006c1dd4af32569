"""SCORM 2004 4th Edition packager: imsmanifest.xml (IMS CP 1.1.4 + ADL CP/SEQ/NAV + IMS SS + IEEE LOM), with lxml.

The runtime decides completion and success itself (the set's rule and pass mark), so the manifest says so:
``completionSetByContent`` and ``objectiveSetByContent`` are true (else an LMS sequencer marks an attempt completed
and satisfied when it ends), there is no ``completionThreshold`` (which would make the LMS judge completion from
``cmi.progress_measure`` instead), and a unit with knowledge checks has a primary objective satisfied by measure
with ``minNormalizedMeasure`` = pass mark / 100: the same rule the runtime applies to ``cmi.score.scaled``.
One SCO per set hides the LMS's previous/continue buttons (the package has its own). One SCO per module flows:
the organization allows choice and flow, the LMS's buttons stay, and modules without checks do not count towards
the set's satisfaction.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from leadpack.formats.base import package_identifier
from leadpack.formats.content_packaging import lom_general
from leadpack.formats.scorm2004.spec import (
    MANIFEST,
    NSMAP,
    SCHEMA_VERSION,
    SCHEMAS,
    XSI,
    adlcp,
    adlnav,
    adlseq,
    cp,
    lom,
    ss,
)
from leadpack.pipeline import model
from leadpack.pipeline.render import FileMap, Site

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def control_files() -> FileMap:
    """The schema files the manifest names, with everything they include, at the package root."""
    return {path.relative_to(SCHEMA_DIR).as_posix(): path.read_bytes()
            for path in sorted(SCHEMA_DIR.rglob("*")) if path.is_file()}


def package(series: model.Series, course_set: model.CourseSet, site: Site) -> FileMap:
    added = control_files()
    unit_files = {unit.file for unit in site.units}
    shared = sorted(name for name in site.files if name not in unit_files)
    added[MANIFEST] = manifest(series, course_set, site, shared, sorted(added))
    return added


def manifest(series: model.Series, course_set: model.CourseSet, site: Site,
             shared: list[str], control: list[str]) -> bytes:
    root = etree.Element(cp("manifest"), nsmap=NSMAP)
    root.set("identifier", package_identifier(series, course_set))
    root.set("version", course_set.version)
    root.set(f"{{{XSI}}}schemaLocation", " ".join(f"{ns} {name}" for ns, name in SCHEMAS))
    _metadata(root, course_set)
    organizations = etree.SubElement(root, cp("organizations"), default=f"ORG-{course_set.id}")
    organization = etree.SubElement(organizations, cp("organization"), identifier=f"ORG-{course_set.id}")
    organization.set(adlseq("objectivesGlobalToSystem"), "false")
    etree.SubElement(organization, cp("title")).text = course_set.title
    resources = etree.SubElement(root, cp("resources"))
    several = len(site.units) > 1
    for unit in site.units:
        _item(organization, unit, course_set.completion.pass_mark, several)
        resource = etree.SubElement(resources, cp("resource"), identifier=f"RES-{unit.id}", type="webcontent",
                                    href=unit.file)
        resource.set(adlcp("scormType"), "sco")
        etree.SubElement(resource, cp("file"), href=unit.file)
        etree.SubElement(resource, cp("dependency"), identifierref="RES-shared")
    if several:
        sequencing = etree.SubElement(organization, ss("sequencing"))
        etree.SubElement(sequencing, ss("controlMode"), choice="true", flow="true")
    _asset_resource(resources, "RES-shared", shared)
    _asset_resource(resources, "RES-schemas", control)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _item(organization: etree._Element, unit: model.Unit, pass_mark: int | None, several: bool) -> None:
    item = etree.SubElement(organization, cp("item"), identifier=f"ITEM-{unit.id}", identifierref=f"RES-{unit.id}")
    etree.SubElement(item, cp("title")).text = unit.title
    sequencing = etree.SubElement(item, ss("sequencing"))
    scored = pass_mark is not None and bool(unit.questions)
    if several and not scored:
        etree.SubElement(sequencing, ss("rollupRules"), rollupObjectiveSatisfied="false")
    if scored:
        objectives = etree.SubElement(sequencing, ss("objectives"))
        primary = etree.SubElement(objectives, ss("primaryObjective"), objectiveID=f"PASS-{unit.id}",
                                   satisfiedByMeasure="true")
        etree.SubElement(primary, ss("minNormalizedMeasure")).text = f"{pass_mark / 100:g}"
    etree.SubElement(sequencing, ss("deliveryControls"), completionSetByContent="true",
                     objectiveSetByContent="true")
    if not several:
        interface = etree.SubElement(etree.SubElement(item, adlnav("presentation")), adlnav("navigationInterface"))
        for button in ("previous", "continue"):
            etree.SubElement(interface, adlnav("hideLMSUI")).text = button


def _asset_resource(resources: etree._Element, identifier: str, files: list[str]) -> None:
    resource = etree.SubElement(resources, cp("resource"), identifier=identifier, type="webcontent")
    resource.set(adlcp("scormType"), "asset")
    for name in files:
        etree.SubElement(resource, cp("file"), href=name)


def _metadata(root: etree._Element, course_set: model.CourseSet) -> None:
    metadata = etree.SubElement(root, cp("metadata"))
    etree.SubElement(metadata, cp("schema")).text = "ADL SCORM"
    etree.SubElement(metadata, cp("schemaversion")).text = SCHEMA_VERSION
    general = etree.SubElement(etree.SubElement(metadata, lom("lom")), lom("general"))

    def langstring(parent: etree._Element, tag: str, texts: list[tuple[str, str]]) -> None:
        holder = etree.SubElement(parent, lom(tag))
        for language, text in texts:
            etree.SubElement(holder, lom("string"), language=language).text = text

    lom_general(general, course_set, langstring, lambda parent: etree.SubElement(parent, lom("language")))
    lifecycle = etree.SubElement(metadata[-1], lom("lifeCycle"))
    langstring(lifecycle, "version", [(course_set.language, course_set.version)])

