"""Files in media/ that a browser would run as code: SVG, XML and HTML with scripts, handlers or outside references.

An SVG shown with <img> cannot run scripts, but the same file opened on its own (a learner following a link to it,
an LMS listing the package's files) is a document in the package's origin: its scripts run with the learner's LMS
session. So a picture or page that could act is refused, with the line of the first thing that could: a script
element, an event-handler attribute, a javascript: address, embedded HTML (<foreignObject>), entity declarations
a browser would expand, or anything it would load from outside the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from lxml import etree

from leadpack.errors import SourceError
from leadpack.pipeline.config import read_file
from leadpack.pipeline.limits import MAX_SCAN_STEPS, MAX_SCANNED_MEDIA_BYTES, SCAN_READINGS
from leadpack.pipeline.markdown_ext.html_safety import tag_steps

XML_SUFFIXES = {".svg", ".xml", ".xhtml", ".xht", ".xsl", ".xslt"}
HTML_SUFFIXES = {".html", ".htm"}
CODE_ELEMENTS = {"script", "handler", "listener", "iframe", "frame", "frameset", "object", "embed", "applet",
                 "base", "portal"}
LOADING_ATTRIBUTES = {"href", "src", "data", "poster", "srcset", "background", "action", "formaction", "codebase"}
CODE_URL = re.compile(r"(?:java|vb|live)script:|data:text/html|data:application/(?:x-)?(?:xhtml|javascript)")
OUTSIDE_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|\\\\)", re.I)
CSS_OUTSIDE = re.compile(r"@import|url\(\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:|//)|expression\(|behavior\s*:", re.I)
SCRIPT_HINT = "a file that runs code would act as the learner inside the LMS: export it again without scripts"
OUTSIDE_HINT = "a package loads nothing from outside: embed what it needs, or save it in media/ and refer to it there"


@dataclass(frozen=True)
class Active:
    """One thing in a media file that a browser would run or fetch, at its line and column."""

    line: int
    col: int
    message: str
    hint: str


def active_content(path: Path) -> list[Active]:
    """Everything in ``path`` that would run or load from outside when a browser opens it on its own."""
    suffix = path.suffix.lower()
    if suffix not in XML_SUFFIXES | HTML_SUFFIXES:
        return []
    kind = "SVG" if suffix == ".svg" else "HTML page" if suffix in HTML_SUFFIXES else "XML file"
    try:
        data = read_file(path, MAX_SCANNED_MEDIA_BYTES)
    except SourceError as exc:
        return [Active(1, 1, f"the {kind} cannot be checked for scripts: {exc.problem.message}", exc.problem.hint)]
    findings = _html(data) if suffix in HTML_SUFFIXES else _xml(data, kind)
    unique = {finding.message: finding for finding in reversed(findings)}
    return sorted(unique.values(), key=lambda f: (f.line, f.col))


def _attribute_findings(name: str, value: str, line: int, col: int, loads: bool) -> list[Active]:
    """What one attribute would run or fetch; ``loads`` says the attribute makes the browser fetch its URL."""
    found = []
    cleaned = re.sub(r"[\x00-\x20]+", "", value).lower()
    if name.startswith("on"):
        found.append(Active(line, col, f"an event-handler attribute ({name}=) runs code", SCRIPT_HINT))
    elif CODE_URL.search(cleaned):
        found.append(Active(line, col, f"the attribute {name}= holds a script address", SCRIPT_HINT))
    elif name == "style" and CSS_OUTSIDE.search(value):
        found.append(Active(line, col, "a style attribute loads from outside the package", OUTSIDE_HINT))
    elif loads and OUTSIDE_URL.match(value.strip()) and not cleaned.startswith("data:"):
        found.append(Active(line, col, f"{name}=\"{value.strip()[:80]}\" loads from outside the package",
                            OUTSIDE_HINT))
    return found


def _xml(data: bytes, kind: str) -> list[Active]:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 1
        return [Active(max(line, 1), 1, f"the {kind} is not well-formed XML, so it cannot be checked for scripts "
                       f"({exc.msg})", "export it again from the program that made it")]
    found: list[Active] = []
    doctype = root.getroottree().docinfo.internalDTD
    if doctype is not None and any(True for _ in doctype.iterentities()):
        line = data.count(b"\n", 0, max(data.find(b"<!ENTITY"), 0)) + 1
        found.append(Active(line, 1, f"the {kind} declares entities (<!ENTITY> in its DOCTYPE), which a browser "
                            "expands into markup", "export it again without a DOCTYPE"))
    node = root
    while node.getprevious() is not None:
        node = node.getprevious()
        if isinstance(node, etree._ProcessingInstruction) and node.target.lower() == "xml-stylesheet":
            found.append(Active(node.sourceline or 1, 1, f"the {kind} links a stylesheet (<?xml-stylesheet?>)",
                                OUTSIDE_HINT))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        found += _xml_element(element, kind)
    return found


def _xml_element(element: etree._Element, kind: str) -> list[Active]:
    line = element.sourceline or 1
    name = etree.QName(element).localname.lower()
    found = []
    if name in CODE_ELEMENTS:
        found.append(Active(line, 1, f"the {kind} holds a <{name}> element, which runs code or loads a page",
                            SCRIPT_HINT))
    elif name == "foreignobject":
        found.append(Active(line, 1, f"the {kind} embeds HTML (<foreignObject>), which can run code",
                            "export the picture again without embedded HTML"))
    elif name == "style" and CSS_OUTSIDE.search(element.text or ""):
        found.append(Active(line, 1, f"a <style> in the {kind} loads from outside the package", OUTSIDE_HINT))
    if name in ("set", "animate") and (element.get("attributeName") or "").lower().startswith("on"):
        found.append(Active(line, 1, f"an <{name}> element sets an event handler, which runs code", SCRIPT_HINT))
    for attribute, value in element.attrib.items():
        local = etree.QName(attribute).localname.lower()
        loads = local in LOADING_ATTRIBUTES and not (name == "a" and local == "href")  # a link is followed, not loaded
        found += _attribute_findings(local, value, line, 1, loads)
    return found


class _PageScanner(HTMLParser):
    """Reads an HTML page for what would run or load, with the source position of each start tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Active] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, offset = self.getpos()
        col = offset + 1
        if tag in CODE_ELEMENTS:
            self.found.append(Active(line, col, f"the HTML page holds a <{tag}> element, which runs code or loads a "
                                     "page", SCRIPT_HINT))
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append(Active(line, col, "the HTML page redirects (<meta http-equiv=\"refresh\">)",
                                     "remove the redirect"))
        loads_href = tag == "link"
        for name, value in values.items():
            loads = name in LOADING_ATTRIBUTES and (name != "href" or loads_href)
            self.found += _attribute_findings(name, value, line, col, loads)

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style" and CSS_OUTSIDE.search(data):
            line, offset = self.getpos()
            self.found.append(Active(line, offset + 1, "a <style> in the HTML page loads from outside the package",
                                     OUTSIDE_HINT))


def _html(data: bytes) -> list[Active]:
    text = data.decode("utf-8", "replace")
    steps, at, _ = tag_steps(text)
    if steps > MAX_SCAN_STEPS + SCAN_READINGS * len(text):
        line = text.count("\n", 0, at) + 1
        return [Active(line, at - text.rfind("\n", 0, at), "the HTML page has many tags that never close, so it "
                       "cannot be checked for scripts", "close each tag with >, or write &lt; for a less-than sign")]
    scanner = _PageScanner()
    scanner.feed(text)
    scanner.close()
    return scanner.found
