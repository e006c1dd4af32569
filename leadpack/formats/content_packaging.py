"""IMS content packaging as both SCORM versions use it: the checks they share, and reading what an LMS keys on.

SCORM 1.2 (IMS CP 1.1.2) and SCORM 2004 (IMS CP 1.1.4) manifests have the same shape: organizations of items that
launch resources, resources listing files. The rules about that shape live here once; each format's checks
subclass ``ContentPackageChecks`` with its own namespace, spellings and item extensions.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import ClassVar

from lxml import etree

from leadpack.formats.base import Identity, LaunchUnit
from leadpack.formats.package import NCNAME, XML_BASE, PackageView, Report, zip_path
from leadpack.pipeline import model
from leadpack.pipeline.render import described

MANIFEST = "imsmanifest.xml"


class ContentPackageChecks:
    """IMS content-packaging rules as SCORM uses them: structure, identifiers, references, titles and files.

    A subclass names its standard's namespace, spellings and version, and checks its own item values.
    """

    standard: ClassVar[str]  # "SCORM 1.2"
    namespace: ClassVar[str]  # the IMS CP namespace of the manifest
    scormtype: ClassVar[str]  # the qualified name of the sco/asset attribute
    scormtype_name: ClassVar[str]  # how the standard spells it: "adlcp:scormtype"
    adl_namespace: ClassVar[str]  # the ADL CP namespace of that attribute
    schema_version: ClassVar[str]  # <schemaversion> in the metadata
    title_limit: ClassVar[int]
    parent_launch_severity: ClassVar[str] = "warning"  # an item with child items and an identifierref

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
        resources = self.root.find(self.cp("resources"))
        if resources is None:
            self.add(self.root, "the manifest has no <resources>", "list the package's files in <resources>")
        else:
            for resource in resources.findall(self.cp("resource")):
                self.resources.setdefault(resource.get("identifier") or "", resource)
            base = resources.get(XML_BASE) or ""
            for resource in resources.findall(self.cp("resource")):
                self._resource(resource, base)
        self._organizations()
        unlisted = sorted(name for name in self.names - self.listed - {MANIFEST} if not name.endswith((".xsd", ".dtd")))
        if unlisted:
            shown = ", ".join(unlisted[:5]) + (f" and {len(unlisted) - 5} more" if len(unlisted) > 5 else "")
            self.add(None, f"{len(unlisted)} file(s) in the zip are not listed in the manifest: {shown}",
                     "list them as <file> of a resource, or leave them out of the zip", severity="warning")

    def cp(self, tag: str) -> str:
        return f"{{{self.namespace}}}{tag}"

    def _root_ok(self) -> bool:
        if self.root.tag != self.cp("manifest"):
            self.add(self.root, f"the root element is {self.root.tag}, not <manifest> in the {self.standard} "
                     "namespace", f'write <manifest xmlns="{self.namespace}" ...>')
            return False
        return True

    def _metadata(self) -> None:
        metadata = self.root.find(self.cp("metadata"))
        schema = metadata.findtext(self.cp("schema")) if metadata is not None else None
        version = metadata.findtext(self.cp("schemaversion")) if metadata is not None else None
        if (schema or "").strip() != "ADL SCORM" or (version or "").strip() != self.schema_version:
            self.add(metadata if metadata is not None else self.root,
                     f"metadata must say <schema>ADL SCORM</schema> and <schemaversion>{self.schema_version}"
                     f"</schemaversion> (found {schema!r} and {version!r})", "LMSs detect the SCORM version from these")

    def _identifiers(self) -> None:
        seen: dict[str, int] = {}
        for element in [self.root, *self.root.iter(self.cp("organization"), self.cp("item"), self.cp("resource"))]:
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
        organizations = self.root.find(self.cp("organizations"))
        if organizations is None:
            self.add(self.root, "the manifest has no <organizations>", "add one organization with its items")
            return
        found = organizations.findall(self.cp("organization"))
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
            for item in organization.iter(self.cp("item")):
                self._item(item)

    def _title(self, element: etree._Element, what: str) -> None:
        title = element.find(self.cp("title"))
        text = (title.text or "").strip() if title is not None else ""
        if not text:
            self.add(element, f"the {what} '{element.get('identifier')}' has no title", "add <title>...</title>")
        elif len(text) > self.title_limit:
            self.add(title, f"the {what} title is {len(text)} characters long; {self.standard} allows "
                     f"{self.title_limit}", "shorten it")

    def _item(self, item: etree._Element) -> None:
        self._title(item, "item")
        reference = item.get("identifierref")
        children = item.findall(self.cp("item"))
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
                         f"in {self.standard} only leaf items launch; remove the identifierref",
                         severity=self.parent_launch_severity)
        elif not children:
            self.add(item, f"item '{item.get('identifier')}' launches nothing",
                     "add identifierref naming a resource", severity="warning")
        if (item.get("isvisible") or "true") not in ("true", "false"):
            self.add(item, f"isvisible='{item.get('isvisible')}' must be true or false")
        self.item_values(item)

    def item_values(self, item: etree._Element) -> None:
        """The standard's own item extensions (mastery, time limits, sequencing...)."""
        raise NotImplementedError

    def _resource(self, resource: etree._Element, base: str) -> None:
        identifier = resource.get("identifier")
        scormtype = resource.get(self.scormtype)
        if scormtype is None:
            spelled = [name for name in resource.attrib if name.lower().endswith("scormtype")]
            hint = (f"found {spelled[0]}: {self.standard} spells it {self.scormtype_name}, in namespace "
                    f"{self.adl_namespace}" if spelled
                    else f'add {self.scormtype_name}="sco" (launched and tracked) or "asset"')
            self.add(resource, f"resource '{identifier}' has no {self.scormtype_name}", hint)
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
        for element in resource.findall(self.cp("file")):
            if not element.get("href"):
                self.add(element, f"a <file> of resource '{identifier}' has no href")
            else:
                self._file(element, element.get("href"), base, "a listed file")
        for dependency in resource.findall(self.cp("dependency")):
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


def identity(root: etree._Element, namespace: str, scormtype: str, mastery: Callable[[etree._Element], str]
             ) -> Identity:
    """Manifest and organization identifiers, items, launchable resources and their mastery scores."""
    def cp(tag: str) -> str:
        return f"{{{namespace}}}{tag}"

    identifiers = {"manifest identifier": root.get("identifier") or ""}
    items, scores, resources, launches = {}, {}, {}, []
    organizations = root.find(cp("organizations"))
    if organizations is not None:
        identifiers["default organization"] = organizations.get("default") or ""
        for item in organizations.iter(cp("item")):
            items[item.get("identifier") or ""] = (item.findtext(cp("title")) or "").strip()
            score = mastery(item)
            if score:
                scores[item.get("identifier") or ""] = score
    for resource in root.iter(cp("resource")):
        if resource.get(scormtype) == "sco" and resource.get("href"):
            resources[resource.get("identifier") or ""] = resource.get("href")
            name, _ = zip_path(resource.get("href"))
            if name:
                launches.append(name)
    return Identity(identifiers, items, resources, scores, tuple(launches))


def launch_units(root: etree._Element, namespace: str, mastery: Callable[[etree._Element], str]) -> list[LaunchUnit]:
    """The items that launch something, in order, as an LMS offers them."""
    def cp(tag: str) -> str:
        return f"{{{namespace}}}{tag}"

    hrefs = {r.get("identifier"): r.get("href") for r in root.iter(cp("resource"))}
    return [LaunchUnit(item.get("identifier") or "", item.findtext(cp("title")) or "",
                       hrefs[item.get("identifierref")], mastery(item))
            for item in root.iter(cp("item")) if hrefs.get(item.get("identifierref"))]


LangStrings = Callable[[etree._Element, str, list[tuple[str, str]]], None]  # (parent, tag, [(language, text)])


def lom_general(general: etree._Element, course_set: model.CourseSet, langstring: LangStrings,
                language: Callable[[etree._Element], etree._Element]) -> None:
    """The LOM general category both SCORM versions write, each in its own elements (``langstring`` writes one
    element of texts in several languages, ``language`` adds a language element): title, the set's languages,
    description and keywords, in every language of the set."""
    described_texts = described(course_set)
    langstring(general, "title", [(e.language, e.title) for e in described_texts])
    for localised in described_texts:
        language(general).text = localised.language
    langstring(general, "description", [(e.language, e.description) for e in described_texts])
    for localised in described_texts:
        for keyword in localised.keywords:
            langstring(general, "keyword", [(localised.language, keyword)])
