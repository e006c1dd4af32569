"""SCORM 1.2 packager: imsmanifest.xml (IMS CP 1.1.2 + ADL CP + IMS MD 1.2.1), written with lxml."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from leadpack import model
from leadpack.render import FileMap, Site

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_FILES = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas" / "scorm12"


def _cp(tag: str) -> str:
    return f"{{{IMSCP}}}{tag}"


def _md(tag: str) -> str:
    return f"{{{IMSMD}}}{tag}"


def manifest_identifier(series: model.Series, course_set: model.CourseSet) -> str:
    """A reverse-domain name from the base IRI: globally unique, stable, and a valid XML ID."""
    host = urlsplit(series.base_iri).hostname or "leadpack"
    reverse = ".".join(reversed(host.split(".")))
    return f"{reverse}.{course_set.id}".replace("..", ".")


class Scorm12Packager:
    format = "scorm12"
    suffix = "scorm12"

    def package(self, series: model.Series, course_set: model.CourseSet, site: Site) -> FileMap:
        added = {name: (SCHEMA_DIR / name).read_bytes() for name in SCHEMA_FILES}
        sco_files = {unit.file for unit in site.units}
        shared = sorted(name for name in site.files if name not in sco_files)
        manifest = self.manifest(series, course_set, site, shared, sorted(added))
        added["imsmanifest.xml"] = manifest
        return added

    def manifest(self, series: model.Series, course_set: model.CourseSet, site: Site,
                 shared: list[str], control: list[str]) -> bytes:
        root = etree.Element(_cp("manifest"), nsmap={None: IMSCP, "adlcp": ADLCP, "imsmd": IMSMD, "xsi": XSI})
        root.set("identifier", manifest_identifier(series, course_set))
        root.set("version", course_set.version)
        root.set(f"{{{XSI}}}schemaLocation", " ".join([
            IMSCP, "imscp_rootv1p1p2.xsd", IMSMD, "imsmd_rootv1p2p1.xsd", ADLCP, "adlcp_rootv1p2.xsd"]))
        self._metadata(root, course_set)
        organizations = etree.SubElement(root, _cp("organizations"), default=f"ORG-{course_set.id}")
        organization = etree.SubElement(organizations, _cp("organization"), identifier=f"ORG-{course_set.id}",
                                        structure="hierarchical")
        etree.SubElement(organization, _cp("title")).text = course_set.title
        resources = etree.SubElement(root, _cp("resources"))
        for unit in site.units:
            item = etree.SubElement(organization, _cp("item"), identifier=f"ITEM-{unit.id}",
                                    identifierref=f"RES-{unit.id}", isvisible="true")
            etree.SubElement(item, _cp("title")).text = unit.title
            if course_set.completion.pass_mark is not None and unit.questions:
                etree.SubElement(item, f"{{{ADLCP}}}masteryscore").text = str(course_set.completion.pass_mark)
            resource = etree.SubElement(resources, _cp("resource"), identifier=f"RES-{unit.id}",
                                        type="webcontent", href=unit.file)
            resource.set(f"{{{ADLCP}}}scormtype", "sco")
            etree.SubElement(resource, _cp("file"), href=unit.file)
            etree.SubElement(resource, _cp("dependency"), identifierref="RES-shared")
        self._asset_resource(resources, "RES-shared", shared)
        self._asset_resource(resources, "RES-schemas", control)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    @staticmethod
    def _asset_resource(resources: etree._Element, identifier: str, files: list[str]) -> None:
        resource = etree.SubElement(resources, _cp("resource"), identifier=identifier, type="webcontent")
        resource.set(f"{{{ADLCP}}}scormtype", "asset")
        for name in files:
            etree.SubElement(resource, _cp("file"), href=name)

    @staticmethod
    def _metadata(root: etree._Element, course_set: model.CourseSet) -> None:
        metadata = etree.SubElement(root, _cp("metadata"))
        etree.SubElement(metadata, _cp("schema")).text = "ADL SCORM"
        etree.SubElement(metadata, _cp("schemaversion")).text = "1.2"
        lom = etree.SubElement(metadata, _md("lom"))
        general = etree.SubElement(lom, _md("general"))

        def langstring(parent: etree._Element, tag: str, text: str) -> None:
            holder = etree.SubElement(parent, _md(tag))
            string = etree.SubElement(holder, _md("langstring"))
            string.set(XML_LANG, course_set.language)
            string.text = text

        langstring(general, "title", course_set.title)
        etree.SubElement(general, _md("language")).text = course_set.language
        langstring(general, "description", course_set.description or course_set.title)
        for keyword in course_set.keywords:
            langstring(general, "keyword", keyword)
        lifecycle = etree.SubElement(lom, _md("lifecycle"))
        langstring(lifecycle, "version", course_set.version)
