"""``leadpack validate``: inspect any SCORM 1.2 or xAPI (Tin Can) zip, ours or anyone's, before it is uploaded.

Checks the zip itself (no entry that could land outside the folder an LMS unpacks it into), the manifest
(well-formed, identifiers and references, SCORM values, files present) and tincan.xml (one launch activity,
launch file present); with a schema folder it also validates the manifest against the official XSDs.
Every finding is a Problem, printed as ``PACKAGE.zip!entry:line:col: error: message (hint)``.
"""

from __future__ import annotations

import posixpath
import re
import stat
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from leadpack.errors import Problem, display_path

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
IMSMD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
IMSCP_2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
TINCAN = "http://projecttincan.com/tincan.xsd"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
MANIFEST = "imsmanifest.xml"
TINCAN_FILE = "tincan.xml"
NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
TIMESPAN = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")
TIME_LIMIT_ACTIONS = {"exit,message", "exit,no message", "continue,message", "continue,no message"}
INTERACTION_TYPES = {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other"}
MANIFEST_TITLE_LIMIT = 200
DRIVE = re.compile(r"^[A-Za-z]:")
MAX_UNPACKED = 4_000_000_000


def cp(tag: str) -> str:
    return f"{{{IMSCP}}}{tag}"


def adl(name: str) -> str:
    return f"{{{ADLCP}}}{name}"


def tc(tag: str) -> str:
    return f"{{{TINCAN}}}{tag}"


@dataclass
class Report:
    """What validate found in one package."""

    path: Path
    kinds: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return display_path(self.path)

    def add(self, entry: str, line: int, message: str, hint: str = "", col: int = 1,
            severity: str = "error") -> None:
        where = f"{self.label}!{entry}" if entry else self.label
        problem = Problem(where, line, message, hint, col, severity)
        if problem not in self.problems:
            self.problems.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def as_dict(self) -> dict:
        return {"path": str(self.path), "kinds": self.kinds, "ok": not self.errors,
                "problems": [p.as_dict() for p in self.problems]}


def xml_parser() -> etree.XMLParser:
    """A parser that never fetches anything and never expands external entities (XXE-safe)."""
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)


def parse_xml(data: bytes, report: Report, entry: str) -> etree._Element | None:
    try:
        return etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (1, 1)
        message = re.sub(r", line \d+, column \d+$", "", exc.msg or "")
        report.add(entry, line or 1, f"not well-formed XML: {message}", "fix the XML syntax", max(col, 1))
        return None


def validate_package(path: Path, schemas: Path | None = None) -> Report:
    report = Report(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        report.add("", 0, f"not a readable zip file ({exc})", "build the package again, or ask for a fresh copy")
        return report
    with archive:
        names = _check_entries(archive, report)
        if _looks_like_a_bomb(archive, report):
            return report
        found = _find_manifests(names, report)
        if MANIFEST in found:
            report.kinds.append("scorm12")
            root = parse_xml(archive.read(MANIFEST), report, MANIFEST)
            if root is not None:
                ScormChecks(root, names, report).run()
                if schemas is not None:
                    _xsd(root, "scorm12", schemas, report, MANIFEST)
        if TINCAN_FILE in found:
            report.kinds.append("xapi")
            root = parse_xml(archive.read(TINCAN_FILE), report, TINCAN_FILE)
            if root is not None:
                _check_tincan(root, names, report)
                if schemas is not None:
                    _xsd(root, "tincan", schemas, report, TINCAN_FILE)
    return report


# The zip itself --------------------------------------------------------------------------------------------------

def unsafe_entry_name(name: str) -> str:
    """Why an entry name could be written outside the folder an LMS unpacks into, or '' when it is safe."""
    parts = re.split(r"[/\\]", name)
    if name.startswith(("/", "\\")):
        return "an absolute path"
    if DRIVE.match(name):
        return "a drive letter"
    if ".." in parts:
        return "'..' (it climbs out of the package folder)"
    if any(ord(char) < 32 for char in name):
        return "a control character"
    return ""


def _check_entries(archive: zipfile.ZipFile, report: Report) -> set[str]:
    """Check every entry; return the names of the safe files (as a browser would request them)."""
    names: set[str] = set()
    counts = Counter(info.filename for info in archive.infolist())
    for info in archive.infolist():
        name = info.filename
        reason = unsafe_entry_name(name)
        if reason:
            report.add("", 0, f"zip entry '{name}' has {reason}",
                       "an LMS unpacking it could write outside the package folder (zip slip); rebuild the zip "
                       "from the package folder's contents")
            continue
        if "\\" in name:
            report.add("", 0, f"zip entry '{name}' uses \\ as a folder separator",
                       "zip the folder with a tool that writes / (leadpack build does)")
        if counts[name] > 1:
            report.add("", 0, f"zip entry '{name}' appears {counts[name]} times",
                       "an LMS may unpack either copy; rebuild the zip")
        if stat.S_ISLNK(info.external_attr >> 16):
            report.add("", 0, f"zip entry '{name}' is a symbolic link",
                       "LMSs refuse or mis-handle links: put the file itself in the zip")
            continue
        if info.flag_bits & 0x1:
            report.add("", 0, f"zip entry '{name}' is encrypted", "an LMS cannot unpack it: zip without a password")
            continue
        if not info.is_dir():
            names.add(name)
    if _looks_like_a_bomb(archive, Report(report.path)):
        return names  # reported by validate_package, which then stops
    try:
        broken = archive.testzip()
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as exc:
        report.add("", 0, f"the zip cannot be read: {exc}", "build the package again")
    else:
        if broken:
            report.add("", 0, f"zip entry '{broken}' is damaged (its checksum does not match)",
                       "build the package again, or ask for a fresh copy")
    return names


def _looks_like_a_bomb(archive: zipfile.ZipFile, report: Report) -> bool:
    """A zip that would unpack to far more than it holds is not unpacked (nor are its checksums read)."""
    total = sum(info.file_size for info in archive.infolist())
    packed = sum(info.compress_size for info in archive.infolist()) or 1
    if total > MAX_UNPACKED or (total > 100_000_000 and total / packed > 200):
        report.add("", 0, f"the zip would unpack to {total:,} bytes from {packed:,}",
                   "it looks like a zip bomb; an LMS would refuse it or run out of space")
        return True
    return False


def _find_manifests(names: set[str], report: Report) -> set[str]:
    found = {name for name in (MANIFEST, TINCAN_FILE) if name in names}
    if found:
        return found
    for wanted in (MANIFEST, TINCAN_FILE):
        for name in sorted(names):
            if name.lower() == wanted:
                report.add(name, 0, f"'{name}' must be named '{wanted}', in lower case",
                           "LMSs look for the exact name; rename it")
                return found
            if posixpath.basename(name).lower() == wanted:
                report.add("", 0, f"{wanted} is in the folder '{posixpath.dirname(name)}/', not at the root of "
                           "the zip", "zip the folder's contents, not the folder itself")
                return found
    if "cmi5.xml" in names:
        report.add("cmi5.xml", 0, "this is a cmi5 package; leadpack validate checks SCORM 1.2 and xAPI (Tin Can) "
                   "packages", "use a cmi5 tool for it")
    else:
        report.add("", 0, "neither imsmanifest.xml (SCORM) nor tincan.xml (xAPI) is at the root of the zip",
                   "this does not look like an e-learning package")
    return found


def zip_path(reference: str, base: str = "") -> tuple[str, str]:
    """(the zip entry a relative URL names, or '' for a web address; why it is unusable, or '')."""
    value = (reference or "").strip()
    if urlsplit(value).scheme and not DRIVE.match(value):
        return "", ""
    path = unquote(value.split("?", 1)[0].split("#", 1)[0])
    joined = posixpath.join(base, path) if base else path
    reason = unsafe_entry_name(joined)
    if reason:
        return "", reason
    return posixpath.normpath(joined), ""


# SCORM 1.2 -------------------------------------------------------------------------------------------------------

class ScormChecks:
    """SCORM 1.2 content-packaging rules (CAM): structure, identifiers, references, values and files."""

    def __init__(self, root: etree._Element, names: set[str], report: Report):
        self.root, self.names, self.report = root, names, report
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
        tag = self.root.tag
        if tag == f"{{{IMSCP_2004}}}manifest":
            self.add(self.root, "this is a SCORM 2004 manifest; leadpack validate checks SCORM 1.2 and xAPI packages",
                     "use a SCORM 2004 validator for it")
            return False
        if tag != cp("manifest"):
            self.add(self.root, f"the root element is {tag}, not <manifest> in the SCORM 1.2 namespace",
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


# Tin Can (xAPI) --------------------------------------------------------------------------------------------------

def _check_tincan(root: etree._Element, names: set[str], report: Report) -> None:
    def add(element: etree._Element | None, message: str, hint: str = "", severity: str = "error") -> None:
        line = element.sourceline if element is not None and element.sourceline else 1
        report.add(TINCAN_FILE, line, message, hint, severity=severity)

    if root.tag != tc("tincan"):
        add(root, f"the root element is {root.tag}, not <tincan> in the Tin Can namespace",
            f'write <tincan xmlns="{TINCAN}">')
        return
    activities = [a for holder in root.findall(tc("activities")) for a in holder.findall(tc("activity"))]
    if not activities:
        add(root, "tincan.xml lists no activity", "list the course as an <activity> with a <launch>")
        return
    seen: dict[str, int] = {}
    launching = []
    for activity in activities:
        identifier = activity.get("id") or ""
        if not identifier:
            add(activity, "an activity has no id", "give it an IRI, e.g. id=\"https://example.org/course\"")
        elif not urlsplit(identifier).scheme or " " in identifier:
            add(activity, f"activity id '{identifier}' is not an IRI", "use a full address such as https://...")
        elif identifier in seen:
            add(activity, f"activity id '{identifier}' is listed twice (first on line {seen[identifier]})",
                "each activity is listed once")
        else:
            seen[identifier] = activity.sourceline or 1
        if activity.find(tc("name")) is None:
            add(activity, f"activity '{identifier}' has no name", "add <name lang=\"en\">...</name>")
        if activity.find(tc("description")) is None:
            add(activity, f"activity '{identifier}' has no description", "the Tin Can schema requires one",
                severity="warning")
        kind = activity.findtext(tc("interactionType"))
        if kind is not None and kind.strip() not in INTERACTION_TYPES:
            add(activity.find(tc("interactionType")), f"interactionType '{kind}' is not an xAPI interaction type",
                "use one of " + ", ".join(sorted(INTERACTION_TYPES)))
        if activity.find(tc("launch")) is not None or activity.find(tc("resource")) is not None:
            launching.append(activity)
    if not launching:
        add(activities[0], "no activity has a <launch>", "the LMS needs one launch activity: add "
            "<launch lang=\"en\">index.html</launch> to the course activity")
    for extra in launching[1:]:
        add(extra, f"activity '{extra.get('id')}' also has a launch; only one activity may",
            f"keep the launch on the course activity '{launching[0].get('id')}' only")
    for activity in launching[:1]:
        for launch in activity.findall(tc("launch")):
            name, reason = zip_path(launch.text or "")
            if not (launch.text or "").strip():
                add(launch, "the launch is empty", "write the launch file, e.g. index.html")
            elif reason:
                add(launch, f"launch '{launch.text.strip()}' has {reason}", "use a path relative to tincan.xml")
            elif name and name not in names:
                add(launch, f"launch file '{name}' is not in the zip", "add the file or correct the name")
            elif not name:
                add(launch, f"launch '{launch.text.strip()}' is a web address, outside the package",
                    severity="warning")
    for secret in root.iter(tc("secret")):
        add(secret, "tincan.xml carries a secret", "never ship credentials in a package; remove <provider>")


# XSD -------------------------------------------------------------------------------------------------------------

SCHEMA_SETS = {
    "scorm12": [(IMSCP, "imscp_rootv1p1p2.xsd"), (ADLCP, "adlcp_rootv1p2.xsd"), (IMSMD, "imsmd_rootv1p2p1.xsd")],
    "tincan": [(TINCAN, "tincan.xsd")],
}
# libxml2 cannot compile two official SCORM 1.2 files as shipped: ims_xml.xsd binds the xml namespace as its
# default namespace, and imsmd's <any namespace="##any"> breaks Unique Particle Attribution. Both are fixed in
# memory (the fixes IMS made later); the files stay as published.
PATCHES = {
    "ims_xml.xsd": [(b' xmlns="http://www.w3.org/XML/1998/namespace"', b"")],
    "imsmd_rootv1p2p1.xsd": [(b'namespace="##any"', b'namespace="##other"')],
}
_SCHEMAS: dict[tuple[str, str], etree.XMLSchema] = {}


class SchemaError(Exception):
    """The schema folder cannot be used (a usage problem, exit 2)."""


class MissingSchema(SchemaError):
    """The folder lacks one kind's schema files: that kind is checked by the rules only."""


class _LocalResolver(etree.Resolver):
    """Loads schema files from the folder only, applying PATCHES; every web address is refused."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder

    def resolve(self, url, pubid, context):  # noqa: ANN001 (lxml's signature)
        name = posixpath.basename(urlsplit(url or "").path)
        local = self.folder / name
        if name.endswith((".xsd", ".dtd")) and local.is_file():
            data = local.read_bytes()
            for old, new in PATCHES.get(name, []):
                data = data.replace(old, new)
            return self.resolve_string(data, context, base_url=local.resolve().as_uri())
        if urlsplit(url or "").scheme in ("http", "https", "ftp"):
            raise SchemaError(f"the schemas refer to {url}, which is not in {self.folder}")
        return None


def schema_folder(schemas: Path, kind: str) -> Path:
    """DIR/scorm12 (or DIR/tincan) when present, as in the shared schema folder; else DIR itself."""
    sub = schemas / kind
    folder = sub if sub.is_dir() else schemas
    missing = [name for _, name in SCHEMA_SETS[kind] if not (folder / name).is_file()]
    if missing:
        raise MissingSchema(f"{display_path(folder)} lacks {', '.join(missing)}")
    return folder


def load_schema(schemas: Path, kind: str) -> etree.XMLSchema:
    folder = schema_folder(schemas, kind)
    key = (str(folder.resolve()), kind)
    if key in _SCHEMAS:
        return _SCHEMAS[key]
    xs = "http://www.w3.org/2001/XMLSchema"
    driver = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
    for namespace, name in SCHEMA_SETS[kind]:
        etree.SubElement(driver, f"{{{xs}}}import", namespace=namespace, schemaLocation=name)
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalResolver(folder))
    document = etree.fromstring(etree.tostring(driver), parser,
                                base_url=(folder.resolve() / "_driver.xsd").as_uri()).getroottree()
    try:
        schema = etree.XMLSchema(document)
    except etree.XMLSchemaParseError as exc:
        raise SchemaError(f"cannot load the {kind} schemas from {display_path(folder)}: {exc}") from None
    _SCHEMAS[key] = schema
    return schema


def _xsd(root: etree._Element, kind: str, schemas: Path, report: Report, entry: str) -> None:
    try:
        schema = load_schema(schemas, kind)
    except MissingSchema as exc:
        report.add(entry, 0, f"not checked against its schema: {exc}", "point --schemas at a folder with "
                   "scorm12/ and tincan/ sub-folders", severity="warning")
        return
    if schema.validate(root.getroottree()):
        return
    for error in schema.error_log:
        message = re.sub(r"\{[^}]*\}", "", error.message)
        report.add(entry, error.line or 1, f"schema: {message}", f"see the {kind} XSD", max(error.column, 1))
