"""Reading finished packages, for every format and every command: safe zip access, XML parsing, findings.

A package is read through a ``PackageView`` (a zip, or the folder ``preview`` unpacked it into), never by path
tricks: every member read is bounded in size, every XML parse refuses the network and external entities, and every
reference is resolved the way an LMS would resolve it. Formats use these pieces to check and read their own
manifests; ``validate``, ``diff``, ``explain`` and ``preview`` use them to open packages.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from leadpack.errors import LeadpackError, Problem, display_path

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
DRIVE = re.compile(r"^[A-Za-z]:")
MAX_UNPACKED = 4_000_000_000  # a zip that would unpack to more is refused unread
MAX_RATIO = 200  # nor one over 100 MB that unpacks to more than 200 times its packed size
MAX_MEMBER = 64 * 1024 * 1024  # the most of one member any command reads into memory


# What reading a damaged or unusual member can raise: bad headers or checksums, broken compressed data, a
# compression method or encryption zipfile does not support.
READ_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError)


class PackageError(LeadpackError):
    """A package that cannot be opened or read at all."""


def xml_parser() -> etree.XMLParser:
    """A parser that never fetches anything and never expands external entities (XXE-safe)."""
    return etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)


class PackageView:
    """A package's files by name; ``read`` is bounded, ``xml`` parses a member once and keeps the result."""

    label: str
    names: set[str]

    def read(self, name: str) -> bytes:
        raise NotImplementedError

    def xml(self, name: str) -> etree._Element | None:
        """The member parsed as XML, or None when it is missing or not well-formed (``xml_error`` says why)."""
        cache = self.__dict__.setdefault("_xml", {})
        if name not in cache:
            cache[name] = None
            if name in self.names:
                try:
                    cache[name] = etree.fromstring(self.read(name), xml_parser())
                except etree.XMLSyntaxError as exc:
                    self.__dict__.setdefault("_xml_errors", {})[name] = exc
        return cache[name]

    def xml_error(self, name: str) -> etree.XMLSyntaxError | None:
        self.xml(name)
        return self.__dict__.get("_xml_errors", {}).get(name)

    def text(self, name: str) -> str:
        return self.read(name).decode("utf-8", "replace")


class FilesPackage(PackageView):
    """A package still in memory (a build's files by name), read as a finished one is."""

    def __init__(self, files: dict[str, bytes], label: str):
        self.files, self.label, self.names = files, label, set(files)

    def read(self, name: str) -> bytes:
        return self.files[name]


class ZipPackage(PackageView):
    """A zip read safely: a bomb is refused before anything is unpacked, a damaged member is a clear error."""

    def __init__(self, path: Path):
        self.path, self.label = path, display_path(path)
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise PackageError(f"{self.label} is not a readable zip file ({exc})") from None
        self.infos = self.archive.infolist()
        self.names = {info.filename for info in self.infos if not info.is_dir()}

    def __enter__(self) -> ZipPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.archive.close()

    def unpacked_size(self) -> tuple[int, int]:
        """(bytes it would unpack to, bytes it holds)."""
        return sum(i.file_size for i in self.infos), sum(i.compress_size for i in self.infos) or 1

    def bomb(self) -> str:
        """Why the zip must not be unpacked, or ''."""
        total, packed = self.unpacked_size()
        if total > MAX_UNPACKED or (total > 100_000_000 and total / packed > MAX_RATIO):
            return f"the zip would unpack to {total:,} bytes from {packed:,}"
        return ""

    def extract(self, folder: Path) -> None:
        """Unpack into ``folder`` the way an LMS would, through the same bounded reads: no entry may land outside
        it, and a bomb or a damaged member is an error before anything is written for it."""
        for info in self.infos:
            reason = unsafe_entry_name(info.filename)
            if reason:
                raise PackageError(f"{self.label}: zip entry '{info.filename}' has {reason}; it is not unpacked")
            target = folder.joinpath(*info.filename.split("/"))
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(self.read(info.filename))

    def damaged(self) -> tuple[str, str] | None:
        """(the first member whose data does not unpack to what its header and checksum say, why), or None.
        Read in chunks, so checking a large member costs no memory."""
        for info in self.infos:
            if info.is_dir() or info.flag_bits & 0x1:  # encrypted members are reported on their own
                continue
            try:
                with self.archive.open(info) as stream:
                    while stream.read(1 << 20):
                        pass
            except READ_ERRORS as exc:
                return info.filename, str(exc) or type(exc).__name__
        return None

    def read(self, name: str) -> bytes:
        reason = self.bomb()
        if reason:
            raise PackageError(f"{self.label}: {reason}; it looks like a zip bomb, so it is not unpacked")
        try:
            info = self.archive.getinfo(name)
            if info.file_size > MAX_MEMBER:
                raise PackageError(f"{self.label}!{name} is {info.file_size:,} bytes; leadpack reads members of "
                                   f"at most {MAX_MEMBER:,} bytes")
            with self.archive.open(info) as stream:
                data = stream.read(MAX_MEMBER + 1)
        except KeyError:
            raise PackageError(f"{self.label} has no member '{name}'") from None
        except READ_ERRORS as exc:
            raise PackageError(f"{self.label}!{name} cannot be read ({exc}); the zip is damaged: build the "
                               "package again, or ask for a fresh copy") from None
        if len(data) > MAX_MEMBER:
            raise PackageError(f"{self.label}!{name} unpacks to more than its header says; the zip is damaged")
        return data


class FolderPackage(PackageView):
    """A package unpacked into a folder (``preview`` serves it from there, as an LMS does)."""

    def __init__(self, folder: Path):
        self.folder, self.label = folder, str(folder)
        self.names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}

    def read(self, name: str) -> bytes:
        return (self.folder / name).read_bytes()


@dataclass
class Report:
    """What checking one package found: its formats, and every problem as ``PACKAGE.zip!entry:line:col``."""

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

    def at(self, entry: str):  # noqa: ANN201 - a function (element, message, hint="", severity="error")
        """A reporter for one manifest: findings at an element's source line."""
        def add(element: etree._Element | None, message: str, hint: str = "", severity: str = "error") -> None:
            line = element.sourceline if element is not None and element.sourceline else 1
            self.add(entry, line, message, hint, severity=severity)
        return add

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def as_dict(self) -> dict:
        return {"path": str(self.path), "kinds": self.kinds, "ok": not self.errors,
                "problems": [p.as_dict() for p in self.problems]}


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
