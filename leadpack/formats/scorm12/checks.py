"""SCORM 1.2 content-packaging rules (CAM) beyond the XSD: the shared IMS CP rules plus 1.2's item values."""

from __future__ import annotations

from lxml import etree

from leadpack.formats.content_packaging import ContentPackageChecks
from leadpack.formats.scorm12.spec import (
    ADLCP,
    ADLCP_2004,
    IMSCP,
    MANIFEST_TITLE_LIMIT,
    TIME_LIMIT_ACTIONS,
    TIMESPAN,
    adl,
)


class ScormChecks(ContentPackageChecks):
    standard = "SCORM 1.2"
    namespace = IMSCP
    scormtype = adl("scormtype")
    scormtype_name = "adlcp:scormtype"
    adl_namespace = ADLCP
    schema_version = "1.2"
    title_limit = MANIFEST_TITLE_LIMIT

    def item_values(self, item: etree._Element) -> None:
        for element in item.findall(adl("masteryscore")):
            try:
                valid = 0 <= float((element.text or "").strip()) <= 100
            except ValueError:
                valid = False
            if not valid:
                self.add(element, f"masteryscore '{(element.text or '').strip()}' is not a number from 0 to 100",
                         "write the pass mark as a percentage, e.g. 70")
        for element in item.findall(adl("maxtimeallowed")):
            if not TIMESPAN.match((element.text or "").strip()):
                self.add(element, f"maxtimeallowed '{element.text}' is not a time span", "write HHHH:MM:SS.SS")
        for element in item.findall(adl("timelimitaction")):
            if (element.text or "").strip() not in TIME_LIMIT_ACTIONS:
                self.add(element, f"timelimitaction '{element.text}' is not one of SCORM's values",
                         "use " + ", ".join(sorted(TIME_LIMIT_ACTIONS)))
        for element in item.iter(f"{{{ADLCP_2004}}}*"):
            self.add(element, f"<{etree.QName(element).localname}> uses the SCORM 2004 ADL namespace",
                     f"in SCORM 1.2 the adlcp namespace is {ADLCP}")
