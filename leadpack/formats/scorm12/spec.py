"""SCORM 1.2 in one place: the namespaces, names, vocabularies and limits the packager and the checks share."""

from __future__ import annotations

import re

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"  # a common mistake in 1.2 manifests
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MANIFEST = "imsmanifest.xml"
SCHEMA_FILES = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")
# What the validating schema imports, and the in-memory fixes libxml2 needs: ims_xml.xsd binds the xml namespace
# as its default namespace, and imsmd's <any namespace="##any"> breaks Unique Particle Attribution (both fixed the
# way IMS later did); the files stay as published.
SCHEMAS = ((IMSCP, "imscp_rootv1p1p2.xsd"), (ADLCP, "adlcp_rootv1p2.xsd"), (IMSMD, "imsmd_rootv1p2p1.xsd"))
SCHEMA_PATCHES = {
    "ims_xml.xsd": [(b' xmlns="http://www.w3.org/XML/1998/namespace"', b"")],
    "imsmd_rootv1p2p1.xsd": [(b'namespace="##any"', b'namespace="##other"')],
}
TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")  # CMITimespan
TIME_LIMIT_ACTIONS = {"exit,message", "exit,no message", "continue,message", "continue,no message"}
MANIFEST_TITLE_LIMIT = 200  # organization and item titles
SUSPEND_DATA_LIMIT = 4096  # the characters of cmi.suspend_data every SCORM 1.2 LMS must keep
LANGUAGE_OBJECTIVE_PREFIX = "language-"  # cmi.objectives.n.id recording the language a learner finished in


def cp(tag: str) -> str:
    return f"{{{IMSCP}}}{tag}"


def adl(name: str) -> str:
    return f"{{{ADLCP}}}{name}"


def md(tag: str) -> str:
    return f"{{{IMSMD}}}{tag}"
