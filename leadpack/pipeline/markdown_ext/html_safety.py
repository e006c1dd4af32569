"""The safe HTML subset, checked on the HTML that Markdown produced (docs/authoring.md §7).

Python-Markdown passes raw HTML through untouched, and its ``attr_list`` extension can add any attribute to
an element, so checking source lines with patterns is not enough: this module parses the converted HTML and
allows only the elements and attributes listed here. Anything the parser cannot account for (a ``<`` that
starts no tag, a comment a browser would end early) is reported too, so what ships is what was checked.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from leadpack.pipeline.limits import MAX_PROBLEMS_PER_FILE, MAX_SCAN_STEPS, SCAN_READINGS

# What Markdown itself writes, plus the small raw-HTML subset documented for authors.
MARKDOWN_ELEMENTS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "em", "strong", "a", "img", "code", "pre",
                     "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "sup", "div",
                     "abbr"}
AUTHOR_ELEMENTS = {"abbr", "kbd", "sup", "sub", "br", "span", "b", "i", "s", "del", "ins", "mark", "small",
                   "q", "cite", "dfn", "var", "samp", "time"}
ALLOWED_ELEMENTS = MARKDOWN_ELEMENTS | AUTHOR_ELEMENTS
GLOBAL_ATTRIBUTES = {"lang", "dir", "title"}
ELEMENT_ATTRIBUTES = {
    "a": {"href", "rel", "class", "target"}, "img": {"src", "alt", "width", "height"}, "ol": {"start", "type"},
    "span": {"class"},
    "th": {"style", "colspan", "rowspan"}, "td": {"style", "colspan", "rowspan"}, "time": {"datetime"},
    "li": {"id"}, "sup": {"id"}, "div": {"class"}, "code": {"class"},
}
FOOTNOTE_CLASSES = {"footnote", "footnote-ref", "footnote-backref"}
NEW_WINDOW_CLASS = "lp-visually-hidden lp-new-window"  # the span links.py puts in a link that opens a new tab
FOOTNOTE_ID = re.compile(r"^fn(ref\d*)?:[\w.-]+$")
CODE_LANGUAGE = re.compile(r"^language-[\w+.#-]{1,40}$")  # fenced code with a language: ```python
TABLE_ALIGN = re.compile(r"^text-align: (left|right|center);$")
NUMBER = re.compile(r"^\d{1,4}%?$")
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
LINK_SCHEMES = {"http", "https", "mailto", "tel"}
CODE_SCHEMES = {"javascript", "vbscript", "data", "livescript"}

SCRIPT_HINT = "remove it: course text cannot run code"
ELEMENT_MESSAGES = {
    "script": ("a <script> element is not allowed", "scripts are not allowed in course text"),
    "noscript": ("a <noscript> element is not allowed", SCRIPT_HINT),
    "iframe": ("an embedded frame (<iframe>) is not allowed",
               "link to the page instead, or use ::: video with a file in media/"),
    "style": ("a <style> element is not allowed", "styling comes from the theme in leadpack.toml"),
    "h1": ("a level-one heading inside a page",
           "a new page starts at a line '# Title' (with a space after #); use '## Title' for a heading inside "
           "a page"),
    "svg": ("inline <svg> is not allowed", "save the picture as a file in media/ and show it with ::: figure"),
    "math": ("inline <math> is not allowed", "write the formula in text, or as a picture with ::: figure"),
}
for _name in ("object", "embed", "frame", "frameset", "applet", "portal"):
    ELEMENT_MESSAGES[_name] = (f"an embedded object (<{_name}>) is not allowed", ELEMENT_MESSAGES["iframe"][1])
for _name in ("link", "meta", "base"):
    ELEMENT_MESSAGES[_name] = (f"a <{_name}> element is not allowed", "it changes the page; remove it")
for _name in ("form", "input", "button", "textarea", "select", "option", "label", "fieldset"):
    ELEMENT_MESSAGES[_name] = (f"a <{_name}> element is not allowed",
                               "ask the learner with ::: question or ::: reflection instead")


@dataclass(frozen=True)
class Finding:
    """One unsafe thing in a piece of HTML; ``needles`` are source texts that locate it, best first."""

    message: str
    hint: str
    needles: tuple[str, ...]


def url_scheme(value: str) -> str:
    """The scheme a browser would see: it ignores whitespace and control characters inside a URL."""
    cleaned = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    found = SCHEME.match(cleaned)
    return found.group(1) if found else ""


class _SafetyParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self._found: dict[Finding, None] = {}  # in order, each once

    @property
    def findings(self) -> list[Finding]:
        return list(self._found)

    def add(self, message: str, hint: str, *needles: str) -> None:
        if len(self._found) <= MAX_PROBLEMS_PER_FILE:  # no file lists more
            self._found.setdefault(Finding(message, hint, tuple(n for n in needles if n)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_ELEMENTS:
            message, hint = ELEMENT_MESSAGES.get(tag, (
                f"the HTML element <{tag}> is not allowed",
                "use Markdown, or the safe HTML listed in docs/authoring.md §7 (abbr, kbd, sup, sub, br, span)"))
            needles = ("#",) if tag == "h1" else ()
            self.add(message, hint, f"<{tag}", *needles)
        for name, value in attrs:
            if tag in ALLOWED_ELEMENTS or name.startswith("on"):
                self._attribute(tag, name, value or "")
        given = dict(attrs)
        href = given.get("href") or ""
        if tag == "a" and leaves_the_course(href) and url_scheme(href) in ("", "http", "https") \
                and given.get("target") != "_blank":  # other schemes have their own message (_href)
            self.add("a link out of the course written in HTML would close the course's page",
                     "write it in Markdown, [text](address): such links open in a new tab", "<a", "href")
        if tag == "img" and not "".join(value or "" for name, value in attrs if name == "alt").strip():
            self.add("the image has no alt text",
                     "describe it between the brackets: ![What the picture shows](media/file.jpg)", "![", "<img")

    handle_startendtag = handle_starttag

    def _attribute(self, tag: str, name: str, value: str) -> None:
        needles = (f"{name}=", f"{name} =", name)
        if name.startswith("on"):
            self.add(f"an event-handler attribute ({name}=) is not allowed", SCRIPT_HINT, *needles)
        elif name not in GLOBAL_ATTRIBUTES | ELEMENT_ATTRIBUTES.get(tag, set()):
            hint = ("styling comes from the theme in leadpack.toml" if name == "style"
                    else "remove it: ids, classes and data attributes could clash with the course player"
                    if name in ("id", "class") or name.startswith("data-") else "remove it")
            self.add(f"the attribute '{name}' is not allowed on <{tag}>", hint, *needles)
        elif name == "href":
            self._href(value)
        elif name == "src":
            self._src(value)
        elif not _value_ok(tag, name, value):
            self.add(f"the attribute {name}=\"{value}\" is not allowed on <{tag}>", "remove it", *needles)

    def _href(self, value: str) -> None:
        scheme = url_scheme(value)
        if scheme in CODE_SCHEMES:
            self.add(f"a {scheme}: link is not allowed", "link to a page id (#page) or a web address",
                     value, f"{scheme}:", "href", "](")
        elif scheme and scheme not in LINK_SCHEMES:
            self.add(f"link '{value}' cannot work inside a package",
                     "use a web address (https://...) or a page id (#page-id)", value, "href", "](")

    def _src(self, value: str) -> None:
        scheme = url_scheme(value)
        if scheme in ("http", "https") or value.strip().startswith("//"):
            self.add(f"'{value}' would load from the web", "packages load nothing from outside: save the file "
                     "in media/ and write media/<file>", value, "src", "](")
        elif scheme:
            self.add(f"'{value}' is not a file in the package", "save the file in media/ and write media/<file>",
                     value, f"{scheme}:", "src", "](")

    def handle_data(self, data: str) -> None:
        if "<" in data and self.cdata_elem is None:
            self.add("a '<' that starts no allowed HTML tag",
                     "write &lt; for a less-than sign, or remove the broken tag", "<")

    def handle_comment(self, data: str) -> None:
        if "<" in data or ">" in data or data.startswith("-"):
            self.add("an HTML comment that holds markup is not allowed",
                     "remove the comment, or keep only plain words in it", "<!--")

    def handle_decl(self, decl: str) -> None:
        self.add("an HTML declaration is not allowed", "remove it", "<!")

    unknown_decl = handle_decl

    def handle_pi(self, data: str) -> None:
        self.add("an HTML processing instruction is not allowed", "remove it", "<?")


def leaves_the_course(href: str) -> bool:
    """A web address, or a file of the package: anything but a link to one of the course's pages (or mail)."""
    href = href.strip()
    return bool(href) and not href.startswith("#") and not href.lower().startswith(("mailto:", "tel:"))


def _value_ok(tag: str, name: str, value: str) -> bool:
    if name == "class":
        if tag == "span":
            return value == NEW_WINDOW_CLASS
        return bool(CODE_LANGUAGE.match(value)) if tag == "code" else value in FOOTNOTE_CLASSES
    if name == "target":
        return value == "_blank"
    if name == "id":
        return bool(FOOTNOTE_ID.match(value))
    if name == "style":
        return bool(TABLE_ALIGN.match(value))
    if name in ("width", "height", "colspan", "rowspan", "start"):
        return bool(NUMBER.match(value))
    return True


TAG_START = re.compile(r"<[A-Za-z/!?]")
TAG_STOPS = re.compile(r"""[>"']""")


def tag_steps(text: str) -> tuple[int, int, int]:
    """(the characters the standard library's HTML parser may read looking for the end of each tag, the tag start
    that costs most, its cost), counted in one pass.

    The parser reads from each '<' that could start a tag to the '>' that ends it, skipping quoted attribute
    values (a value may hold '>'), and when none does, starts again one character later: text with many unclosed
    tags costs the square of its length, so callers refuse it before parsing. A quote counts as opening a value
    when an '=' stands before it, as in the parser's own pattern; the count is never less than what it reads."""
    stops = [found.start() for found in TAG_STOPS.finditer(text)]
    reach: dict[int, int] = {}  # stop position -> where reading from it ends
    closing: dict[str, int] = {}  # the nearest quote of each kind to the right
    for position in reversed(stops):
        char = text[position]
        if char == ">":
            reach[position] = position
            continue
        after = closing.get(char)
        closing[char] = position
        if after is not None and _opens_value(text, position):
            reach[position] = _reach(stops, reach, after + 1, len(text))
        else:
            reach[position] = _reach(stops, reach, position + 1, len(text))
    total, worst, worst_cost = 0, 0, -1
    for found in TAG_START.finditer(text):
        cost = _reach(stops, reach, found.start() + 1, len(text)) - found.start()
        total += cost
        if cost > worst_cost:
            worst, worst_cost = found.start(), cost
    return total, worst, worst_cost


def _opens_value(text: str, quote: int) -> bool:
    """True when an '=' (then only spaces) stands before the quote at ``quote``: it opens an attribute value."""
    before = quote - 1
    while before >= 0 and text[before] in " \t\n\r\f":
        before -= 1
    return before >= 0 and text[before] == "="


def _reach(stops: list[int], reach: dict[int, int], start: int, end: int) -> int:
    """Where reading from ``start`` ends: at the first stop from there on (resolved already), or at ``end``."""
    index = bisect.bisect_left(stops, start)
    return reach[stops[index]] if index < len(stops) else end


def unsafe_html(fragment: str) -> list[Finding]:
    """Every element, attribute or URL in ``fragment`` that is outside the safe subset."""
    if tag_steps(fragment)[0] > MAX_SCAN_STEPS + SCAN_READINGS * len(fragment):
        return [Finding("many HTML tags on this page are never closed by '>'", "write &lt; for a less-than sign, "
                        "or close each tag with >", ("<",))]
    parser = _SafetyParser()
    parser.feed(fragment)
    parser.close()
    if parser.rawdata:  # an unfinished tag at the very end: the parser never reported it
        parser.add("an HTML tag that is never finished", "close the tag with >, or write &lt;", "<")
    return parser.findings
