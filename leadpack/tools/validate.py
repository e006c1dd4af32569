"""``leadpack validate``: inspect any package of a format leadpack knows, ours or anyone's, before it is uploaded.

Checks the zip itself (no entry that could land outside the folder an LMS unpacks it into, no bomb, no damage),
finds the manifest of every format in the registry that the zip carries and lets that format check its own rules;
with a schema folder it also validates each manifest against the format's official XSDs. Every finding is a
Problem, printed as ``PACKAGE.zip!entry:line:col: error: message (hint)``.
"""

from __future__ import annotations

import posixpath
import re
import stat
import zipfile
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from leadpack import formats
from leadpack.errors import display_path
from leadpack.formats.base import Format
from leadpack.formats.package import PackageError, PackageView, Report, ZipPackage, unsafe_entry_name
from leadpack.pipeline.limits import MAX_ENTRY_BYTES


def validate_package(path: Path, schemas: Path | None = None) -> Report:
    report = Report(path)
    try:
        package = ZipPackage(path)
    except PackageError:
        report.add("", 0, f"not a readable zip file ({_zip_error(path)})",
                   "build the package again, or ask for a fresh copy")
        return report
    with package:
        bomb = package.bomb()
        package.names = _check_entries(package, report, check_content=not bomb)
        if bomb:
            report.add("", 0, bomb, "it looks like a zip bomb; an LMS would refuse it or run out of space")
            return report
        try:
            _check_manifests(package, report, schemas)
        except PackageError as exc:
            report.add("", 0, str(exc).removeprefix(f"{package.label}"), "build the package again")
    return report


def _zip_error(path: Path) -> str:
    try:
        zipfile.ZipFile(path).close()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        return str(exc)
    return "unknown reason"


def _check_manifests(package: PackageView, report: Report, schemas: Path | None) -> None:
    present = [name for name in dict.fromkeys(fmt.manifest for fmt in formats.every()) if name in package.names]
    if not present:
        _missing_manifest(package.names, report)
        return
    for name in present:
        error = package.xml_error(name)
        if error is not None:
            line, col = error.position if error.position else (1, 1)
            message = re.sub(r", line \d+, column \d+$", "", error.msg or "")
            report.add(name, line or 1, f"not well-formed XML: {message}", "fix the XML syntax", max(col, 1))
    found = formats.recognise(package)
    for fmt in found:
        report.kinds.append(fmt.name)
        fmt.check(package, report)
        if schemas is not None:
            _xsd(package.xml(fmt.manifest), fmt, schemas, report)
    for name in present:
        root = package.xml(name)
        if root is not None and not any(fmt.manifest == name for fmt in found):
            known = ", ".join(fmt.title for fmt in formats.every() if fmt.manifest == name)
            report.add(name, root.sourceline or 1, f"the root element is {root.tag}, which is not the manifest of "
                       f"a format leadpack knows ({known})", "check the namespace of the root element")


def _check_entries(package: ZipPackage, report: Report, check_content: bool) -> set[str]:
    """Check every entry; return the names of the safe files (as a browser would request them)."""
    names: set[str] = set()
    counts = Counter(info.filename for info in package.infos)
    for info in package.infos:
        name = info.filename
        reason = unsafe_entry_name(name)
        if reason:
            report.add("", 0, f"zip entry '{name}' has {reason}",
                       "an LMS unpacking it could write outside the package folder (zip slip); rebuild the zip "
                       "from the package folder's contents")
            continue
        size = len(name.encode("utf-8"))
        if size > MAX_ENTRY_BYTES:
            report.add("", 0, f"zip entry '{name[:60]}…' has a name of {size} bytes; file systems and learning "
                       f"platforms unpack names of at most {MAX_ENTRY_BYTES}",
                       "shorten the file and folder names inside the package (ids, with one SCO per module)")
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
    if not check_content:
        return names  # a bomb is not unpacked, not even to read its checksums
    broken = package.damaged()
    if broken:
        report.add("", 0, f"zip entry '{broken[0]}' is damaged ({broken[1]})",
                   "build the package again, or ask for a fresh copy")
    return names


def _missing_manifest(names: set[str], report: Report) -> None:
    """No known manifest at the root: say whether it is misnamed or in a folder, else what was expected."""
    wanted = list(dict.fromkeys(fmt.manifest for fmt in formats.every()))
    for manifest in wanted:
        for name in sorted(names):
            if name.lower() == manifest:
                report.add(name, 0, f"'{name}' must be named '{manifest}', in lower case",
                           "LMSs look for the exact name; rename it")
                return
            if posixpath.basename(name).lower() == manifest:
                report.add("", 0, f"{manifest} is in the folder '{posixpath.dirname(name)}/', not at the root of "
                           "the zip", "zip the folder's contents, not the folder itself")
                return
    known = "; ".join(f"{fmt.manifest} ({fmt.title})" for fmt in formats.every())
    report.add("", 0, f"no manifest of a format leadpack knows is at the root of the zip (looked for {known})",
               "this does not look like an e-learning package")


# XSD -------------------------------------------------------------------------------------------------------------

_SCHEMAS: dict[tuple[str, str], etree.XMLSchema] = {}


class SchemaError(Exception):
    """The schema folder cannot be used (a usage problem, exit 2)."""


class MissingSchema(SchemaError):
    """The folder lacks one format's schema files: that format is checked by its rules only."""


class _LocalResolver(etree.Resolver):
    """Loads schema files from the folder only, applying the format's in-memory fixes; a web address is mapped to
    the local copy of the same file (xml.xsd) or refused."""

    def __init__(self, folder: Path, patches: dict[str, list[tuple[bytes, bytes]]]):
        super().__init__()
        self.folder, self.patches = folder.resolve(), patches

    def resolve(self, url, pubid, context):  # noqa: ANN001 (lxml's signature)
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https", "ftp"):
            local = self.folder / posixpath.basename(parts.path)
            if not local.is_file():
                raise SchemaError(f"the schemas refer to {url}, which is not in {display_path(self.folder)}")
        elif parts.scheme in ("", "file"):
            local = Path(unquote(parts.path))
            if not local.is_absolute():
                local = self.folder / local
            local = local.resolve()
            if not local.is_relative_to(self.folder) or not local.is_file():
                return None
        else:
            return None
        data = local.read_bytes()
        for old, new in self.patches.get(local.name, []):
            data = data.replace(old, new)
        return self.resolve_string(data, context, base_url=local.as_uri())


def schema_folder(schemas: Path, fmt: Format) -> Path:
    """DIR/<the format's schema folder> when present, as in the shared schema folder; else DIR itself."""
    sub = schemas / fmt.schema_folder
    folder = sub if sub.is_dir() else schemas
    missing = [name for _, name in fmt.schemas if not (folder / name).is_file()]
    if missing:
        raise MissingSchema(f"{display_path(folder)} lacks {', '.join(missing)}")
    return folder


def load_schema(schemas: Path, fmt: Format) -> etree.XMLSchema:
    folder = schema_folder(schemas, fmt)
    key = (str(folder.resolve()), fmt.name)
    if key in _SCHEMAS:
        return _SCHEMAS[key]
    xs = "http://www.w3.org/2001/XMLSchema"
    driver = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
    for namespace, name in fmt.schemas:
        etree.SubElement(driver, f"{{{xs}}}import", namespace=namespace, schemaLocation=name)
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalResolver(folder, fmt.schema_patches))
    document = etree.fromstring(etree.tostring(driver), parser,
                                base_url=(folder.resolve() / "_driver.xsd").as_uri()).getroottree()
    try:
        schema = etree.XMLSchema(document)
    except etree.XMLSchemaParseError as exc:
        raise SchemaError(f"cannot load the {fmt.title} schemas from {display_path(folder)}: {exc}") from None
    _SCHEMAS[key] = schema
    return schema


def _xsd(root: etree._Element, fmt: Format, schemas: Path, report: Report) -> None:
    try:
        schema = load_schema(schemas, fmt)
    except MissingSchema as exc:
        folders = " and ".join(f"{f.schema_folder}/" for f in formats.every())
        report.add(fmt.manifest, 0, f"not checked against its schema: {exc}",
                   f"point --schemas at a folder with {folders} sub-folders", severity="warning")
        return
    if schema.validate(root.getroottree()):
        return
    for error in schema.error_log:
        message = re.sub(r"\{[^}]*\}", "", error.message)
        report.add(fmt.manifest, error.line or 1, f"schema: {message}", f"see the {fmt.title} XSD",
                   max(error.column, 1))
