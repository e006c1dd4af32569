"""SCORM 2004 4th Edition packaging rules (CAM) beyond the XSD: the shared IMS CP rules plus 2004's own.

The 2004 CP schema processes foreign attributes laxly, so 1.2's ``adlcp:scormtype`` or an ADL attribute in the
wrong namespace passes the XSD; these rules catch them, check the item extensions' values and the sequencing
values the runtime's rules depend on.
"""

from __future__ import annotations

from lxml import etree

from leadpack.formats.content_packaging import ContentPackageChecks
from leadpack.formats.scorm2004.spec import (
    ADLCP,
    ADLCP_12,
    HIDE_LMS_UI,
    IMSCP,
    SCHEMA_VERSION,
    TIME_LIMIT_ACTIONS,
    TITLE_LIMIT,
    adlcp,
    adlnav,
    ss,
)


class Scorm2004Checks(ContentPackageChecks):
    standard = "SCORM 2004 4th Edition"
    namespace = IMSCP
    scormtype = adlcp("scormType")
    scormtype_name = "adlcp:scormType"
    adl_namespace = ADLCP
    schema_version = SCHEMA_VERSION
    title_limit = TITLE_LIMIT
    parent_launch_severity = "error"  # ADL's checker refuses it

    def item_values(self, item: etree._Element) -> None:
        for element in item.findall(adlcp("timeLimitAction")):
            if (element.text or "").strip() not in TIME_LIMIT_ACTIONS:
                self.add(element, f"timeLimitAction '{element.text}' is not one of SCORM's values",
                         "use " + ", ".join(sorted(TIME_LIMIT_ACTIONS)))
        for element in item.iter(adlnav("hideLMSUI")):
            if (element.text or "").strip() not in HIDE_LMS_UI:
                self.add(element, f"hideLMSUI '{element.text}' is not one of SCORM's values",
                         "use " + ", ".join(sorted(HIDE_LMS_UI)))
        for element in item.iter(ss("minNormalizedMeasure")):
            try:
                valid = -1 <= float((element.text or "").strip()) <= 1
            except ValueError:
                valid = False
            if not valid:
                self.add(element, f"minNormalizedMeasure '{(element.text or '').strip()}' is not a number from -1 "
                         "to 1", "write the pass mark as a fraction, e.g. 0.7 for 70%")
        for element in item.iter(f"{{{ADLCP_12}}}*"):
            self.add(element, f"<{etree.QName(element).localname}> uses the SCORM 1.2 ADL namespace",
                     f"in SCORM 2004 the adlcp namespace is {ADLCP}")
        children = item.findall(self.cp("item"))
        if not children and item.get("identifierref") is None:
            self.add(item, f"item '{item.get('identifier')}' has no identifierref",
                     "in SCORM 2004 every leaf item launches a resource")
