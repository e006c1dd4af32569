"""SCORM 1.2 content-packaging rules (CAM) beyond the XSD: structure, identifiers, references, values, files."""

from __future__ import annotations

import posixpath

from lxml import etree

from leadpack.formats.package import NCNAME, XML_BASE, PackageView, Report, zip_path
from leadpack.formats.scorm12.spec import (
    ADLCP,
    ADLCP_2004,
    IMSCP,
    MANIFEST,
    MANIFEST_TITLE_LIMIT,
    TIME_LIMIT_ACTIONS,
    TIMESPAN,
    adl,
    cp,
)


class ScormChecks:
    """SCORM 1.2 content-packaging rules (CAM): structure, identifiers, references, values and files."""

    def __init__(self, root: etree._Element, package: PackageView, report: Report):
        self.root, self.names, self.report = root, package.names, report
        self.resources: dict[str, etree._Element] = {}
        self.listed: set[str] = set()

    def add(self, element: etree._Element | None, message: str, hint: str = "", severity: str = "error") -> None:
        line = element.sourceline if element is not None and element.sourceline else 1
        self.report.add(MANIFEST, line, message, hint, severity=severity)

    def run(self) -> None:
        if not self._root_ok():
            return
        self._metadata()
        self._identifiers()
        resources = self.root.find(cp("resources"))
        if resources is None:
            self.add(self.root, "the manifest has no <resources>", "list the package's files in <resources>")
        else:
            for resource in resources.findall(cp("resource")):
                self.resources.setdefault(resource.get("identifier") or "", resource)
            base = resources.get(XML_BASE) or ""
            for resource in resources.findall(cp("resource")):
                self._resource(resource, base)
        self._organizations()
        unlisted = sorted(name for name in self.names - self.listed - {MANIFEST} if not name.endswith(".xsd"))
        if unlisted:
            shown = ", ".join(unlisted[:5]) + (f" and {len(unlisted) - 5} more" if len(unlisted) > 5 else "")
            self.add(None, f"{len(unlisted)} file(s) in the zip are not listed in the manifest: {shown}",
                     "list them as <file> of a resource, or leave them out of the zip", severity="warning")

    def _root_ok(self) -> bool:
        if self.root.tag != cp("manifest"):
            self.add(self.root, f"the root element is {self.root.tag}, not <manifest> in the SCORM 1.2 namespace",
                     f'write <manifest xmlns="{IMSCP}" ...>')
            return False
        return True

    def _metadata(self) -> None:
        metadata = self.root.find(cp("metadata"))
        schema = metadata.findtext(cp("schema")) if metadata is not None else None
        version = metadata.findtext(cp("schemaversion")) if metadata is not None else None
        if (schema or "").strip() != "ADL SCORM" or (version or "").strip() != "1.2":
            self.add(metadata if metadata is not None else self.root,
                     f"metadata must say <schema>ADL SCORM</schema> and <schemaversion>1.2</schemaversion> "
                     f"(found {schema!r} and {version!r})", "LMSs detect the SCORM version from these")

    def _identifiers(self) -> None:
        seen: dict[str, int] = {}
        for element in [self.root, *self.root.iter(cp("organization"), cp("item"), cp("resource"))]:
            identifier = element.get("identifier")
            name = etree.QName(element).localname
            if identifier is None:
                self.add(element, f"<{name}> has no identifier", "every manifest, organization, item and resource "
                         "needs a unique identifier")
                continue
            if not NCNAME.match(identifier):
                self.add(element, f"identifier '{identifier}' is not a valid XML ID",
                         "start with a letter or _, then letters, digits, '.', '-' or '_' only")
            if identifier in seen:
                self.add(element, f"identifier '{identifier}' is used twice (first on line {seen[identifier]})",
                         "identifiers must be unique in the manifest")
            else:
                seen[identifier] = element.sourceline or 1

    def _organizations(self) -> None:
        organizations = self.root.find(cp("organizations"))
        if organizations is None:
            self.add(self.root, "the manifest has no <organizations>", "add one organization with its items")
            return
        found = organizations.findall(cp("organization"))
        ids = {o.get("identifier") for o in found}
        default = organizations.get("default")
        if not found:
            self.add(organizations, "there is no <organization>: the LMS has nothing to show",
                     "add an organization with at least one item")
        elif default is None:
            self.add(organizations, "<organizations> has no default", f'add default="{found[0].get("identifier")}"',
                     severity="warning")
        elif default not in ids:
            self.add(organizations, f"organizations default '{default}' names no organization",
                     "set default to an organization's identifier")
        for organization in found:
            self._title(organization, "organization")
            for item in organization.iter(cp("item")):
                self._item(item)

    def _title(self, element: etree._Element, what: str) -> None:
        title = element.find(cp("title"))
        text = (title.text or "").strip() if title is not None else ""
        if not text:
            self.add(element, f"the {what} '{element.get('identifier')}' has no title", "add <title>...</title>")
        elif len(text) > MANIFEST_TITLE_LIMIT:
            self.add(title, f"the {what} title is {len(text)} characters long; SCORM 1.2 allows "
                     f"{MANIFEST_TITLE_LIMIT}", "shorten it")

    def _item(self, item: etree._Element) -> None:
        self._title(item, "item")
        reference = item.get("identifierref")
        children = item.findall(cp("item"))
        if reference is not None:
            resource = self.resources.get(reference)
            if resource is None:
                self.add(item, f"item '{item.get('identifier')}' points to resource '{reference}', which does not "
                         "exist", "set identifierref to a resource's identifier")
            elif not resource.get("href"):
                self.add(item, f"item '{item.get('identifier')}' launches resource '{reference}', which has no href",
                         "give the resource an href: the file the LMS opens")
            if children:
                self.add(item, f"item '{item.get('identifier')}' has child items and an identifierref",
                         "in SCORM 1.2 only leaf items launch; remove the identifierref", severity="warning")
        elif not children:
            self.add(item, f"item '{item.get('identifier')}' launches nothing",
                     "add identifierref naming a resource", severity="warning")
        if (item.get("isvisible") or "true") not in ("true", "false"):
            self.add(item, f"isvisible='{item.get('isvisible')}' must be true or false")
        self._adl_values(item)

    def _adl_values(self, item: etree._Element) -> None:
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

    def _resource(self, resource: etree._Element, base: str) -> None:
        identifier = resource.get("identifier")
        scormtype = resource.get(adl("scormtype"))
        if scormtype is None:
            spelled = [name for name in resource.attrib if name.lower().endswith("scormtype")]
            hint = (f"found {spelled[0]}: SCORM 1.2 spells it adlcp:scormtype, in namespace {ADLCP}" if spelled
                    else 'add adlcp:scormtype="sco" (launched and tracked) or "asset"')
            self.add(resource, f"resource '{identifier}' has no adlcp:scormtype", hint)
        elif scormtype not in ("sco", "asset"):
            hint = f'write "{scormtype.lower()}" in lower case' if scormtype.lower() in ("sco", "asset") \
                else 'use "sco" or "asset"'
            self.add(resource, f"scormtype '{scormtype}' of resource '{identifier}' is not sco or asset", hint)
        if not resource.get("type"):
            self.add(resource, f"resource '{identifier}' has no type", 'add type="webcontent"')
        if scormtype == "sco" and not resource.get("href"):
            self.add(resource, f"sco resource '{identifier}' has no href to launch", "add href=\"index.html\"")
        base = posixpath.join(base, resource.get(XML_BASE) or "") if resource.get(XML_BASE) else base
        href = resource.get("href")
        if href:
            self._file(resource, href, base, "its launch file")
        for element in resource.findall(cp("file")):
            if not element.get("href"):
                self.add(element, f"a <file> of resource '{identifier}' has no href")
            else:
                self._file(element, element.get("href"), base, "a listed file")
        for dependency in resource.findall(cp("dependency")):
            if dependency.get("identifierref") not in self.resources:
                self.add(dependency, f"resource '{identifier}' depends on '{dependency.get('identifierref')}', "
                         "which does not exist", "set identifierref to a resource's identifier")

    def _file(self, element: etree._Element, href: str, base: str, what: str) -> None:
        name, reason = zip_path(href, base)
        if reason:
            self.add(element, f"'{href}' has {reason}", "refer to files inside the package by relative paths")
        elif name:
            self.listed.add(name)
            if name not in self.names:
                self.add(element, f"{what} '{name}' is not in the zip", "add the file or correct the name")
