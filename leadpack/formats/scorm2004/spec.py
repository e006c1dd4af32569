"""SCORM 2004 4th Edition in one place: the namespaces, names, vocabularies and limits the packager, the checks and
the preview share (shared/spec/scorm2004-4th.md digests the standard)."""

from __future__ import annotations

IMSCP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
LOM = "http://ltsc.ieee.org/xsd/LOM"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"  # a common mistake in 2004 manifests
MANIFEST = "imsmanifest.xml"
SCHEMA_VERSION = "2004 4th Edition"
# Prefixes as ADL writes them: Moodle ignores namespaces and matches prefixed names (ADLCP:SCORMTYPE).
NSMAP = {None: IMSCP, "adlcp": ADLCP, "adlseq": ADLSEQ, "adlnav": ADLNAV, "imsss": IMSSS, "lom": LOM, "xsi": XSI}
# (namespace, file) the manifest's schemaLocation names and the validating schema imports.
SCHEMAS = ((IMSCP, "imscp_v1p1.xsd"), (ADLCP, "adlcp_v1p3.xsd"), (ADLSEQ, "adlseq_v1p3.xsd"),
           (ADLNAV, "adlnav_v1p3.xsd"), (IMSSS, "imsss_v1p0.xsd"), (LOM, "lom.xsd"))
SCORM_TYPES = ("sco", "asset")
TIME_LIMIT_ACTIONS = {"exit,message", "exit,no message", "continue,message", "continue,no message"}
HIDE_LMS_UI = {"previous", "continue", "exit", "exitAll", "abandon", "abandonAll", "suspendAll"}
TITLE_LIMIT = 200  # organization and item titles (SPM)
SUSPEND_DATA_LIMIT = 64000  # characters of cmi.suspend_data an LMS must keep (SPM)
LOCATION_LIMIT = 1000  # cmi.location (SPM)
INTERACTION_ID_PREFIX = "urn:leadpack:"  # interaction ids are URIs; Moodle wants urn:NID:NSS


def cp(tag: str) -> str:
    return f"{{{IMSCP}}}{tag}"


def adlcp(name: str) -> str:
    return f"{{{ADLCP}}}{name}"


def adlseq(name: str) -> str:
    return f"{{{ADLSEQ}}}{name}"


def adlnav(name: str) -> str:
    return f"{{{ADLNAV}}}{name}"


def ss(tag: str) -> str:
    return f"{{{IMSSS}}}{tag}"


def lom(tag: str) -> str:
    return f"{{{LOM}}}{tag}"
