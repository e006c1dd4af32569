"""SCORM 1.2 packager: imsmanifest.xml (IMS CP 1.1.2 + ADL CP + IMS MD 1.2.1), written with lxml."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from leadpack.formats.base import package_identifier
from leadpack.formats.content_packaging import lom_general
from leadpack.formats.scorm12.spec import ADLCP, IMSCP, IMSMD, MANIFEST, SCHEMA_FILES, XML_LANG, XSI, cp, md
from leadpack.pipeline import model
from leadpack.pipeline.render import FileMap, Site

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def package(series: model.Series, course_set: model.CourseSet, site: Site) -> FileMap:
    """imsmanifest.xml and the schema files it names; every rendered file is listed in a resource."""
    added = {name: (SCHEMA_DIR / name).read_bytes() for name in SCHEMA_FILES}
    sco_files = {unit.file for unit in site.units}
    shared = sorted(name for name in site.files if name not in sco_files)
    added[MANIFEST] = manifest(series, course_set, site, shared, sorted(added))
    return added


def manifest(series: model.Series, course_set: model.CourseSet, site: Site,
             shared: list[str], control: list[str]) -> bytes:
    root = etree.Element(cp("manifest"), nsmap={None: IMSCP, "adlcp": ADLCP, "imsmd": IMSMD, "xsi": XSI})
    root.set("identifier", package_identifier(series, course_set))
    root.set("version", course_set.version)
    root.set(f"{{{XSI}}}schemaLocation", " ".join([
        IMSCP, "imscp_rootv1p1p2.xsd", IMSMD, "imsmd_rootv1p2p1.xsd", ADLCP, "adlcp_rootv1p2.xsd"]))
    _metadata(root, course_set)
    organizations = etree.SubElement(root, cp("organizations"), default=f"ORG-{course_set.id}")
    organization = etree.SubElement(organizations, cp("organization"), identifier=f"ORG-{course_set.id}",
                                    structure="hierarchical")
    etree.SubElement(organization, cp("title")).text = course_set.title
    resources = etree.SubElement(root, cp("resources"))
    for unit in site.units:
        item = etree.SubElement(organization, cp("item"), identifier=f"ITEM-{unit.id}",
                                identifierref=f"RES-{unit.id}", isvisible="true")
        etree.SubElement(item, cp("title")).text = unit.title
        if course_set.completion.pass_mark is not None and unit.questions:
            etree.SubElement(item, f"{{{ADLCP}}}masteryscore").text = str(course_set.completion.pass_mark)
        resource = etree.SubElement(resources, cp("resource"), identifier=f"RES-{unit.id}",
                                    type="webcontent", href=unit.file)
        resource.set(f"{{{ADLCP}}}scormtype", "sco")
        etree.SubElement(resource, cp("file"), href=unit.file)
        etree.SubElement(resource, cp("dependency"), identifierref="RES-shared")
    _asset_resource(resources, "RES-shared", shared)
    _asset_resource(resources, "RES-schemas", control)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

def _asset_resource(resources: etree._Element, identifier: str, files: list[str]) -> None:
    resource = etree.SubElement(resources, cp("resource"), identifier=identifier, type="webcontent")
    resource.set(f"{{{ADLCP}}}scormtype", "asset")
    for name in files:
        etree.SubElement(resource, cp("file"), href=name)

def _metadata(root: etree._Element, course_set: model.CourseSet) -> None:
    metadata = etree.SubElement(root, cp("metadata"))
    etree.SubElement(metadata, cp("schema")).text = "ADL SCORM"
    etree.SubElement(metadata, cp("schemaversion")).text = "1.2"
    lom = etree.SubElement(metadata, md("lom"))
    general = etree.SubElement(lom, md("general"))

    def langstring(parent: etree._Element, tag: str, texts: list[tuple[str, str]]) -> None:
        holder = etree.SubElement(parent, md(tag))
        for language, text in texts:
            string = etree.SubElement(holder, md("langstring"))
            string.set(XML_LANG, language)
            string.text = text

    lom_general(general, course_set, langstring, lambda parent: etree.SubElement(parent, md("language")))
    lifecycle = etree.SubElement(lom, md("lifecycle"))
    langstring(lifecycle, "version", [(course_set.language, course_set.version)])
