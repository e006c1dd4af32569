"""cmi5 course structure rules beyond the XSD (sections 3, 8.1, 13 and 14): fully qualified and unique ids, AU URLs
present in the zip and free of the launch parameters' names, and moveOn consistent with masteryScore."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from leadpack.formats.cmi5 import spec
from leadpack.formats.package import PackageView, Report, zip_path

tag = spec.tag


class Cmi5Checks:
    def __init__(self, root: etree._Element, package: PackageView, report: Report):
        self.root, self.package = root, package
        self.add = report.at(spec.MANIFEST)

    def run(self) -> None:
        if self.root.tag != tag("courseStructure"):
            self.add(self.root, f"the root element is {self.root.tag}, not <courseStructure> in the cmi5 namespace",
                     f'write <courseStructure xmlns="{spec.NAMESPACE}">')
            return
        self.ids()
        aus = list(self.root.iter(tag("au")))
        if not aus:
            self.add(self.root, "cmi5.xml lists no AU", "add an <au> with a <url> to the course's launch page")
        for au in aus:
            self.url(au)
            self.move_on(au)

    def ids(self) -> None:
        """Every course, block, AU and objective id: a fully qualified IRI (3.0.0.0-1), used once (13.1.x)."""
        seen: dict[str, int] = {}
        for element in self.root.iter(tag("course"), tag("block"), tag("au"), tag("objective")):
            kind = etree.QName(element).localname
            identifier = (element.get("id") or "").strip()
            if element.get("id") is None and kind == "objective" and element.get("idref") is not None:
                continue  # a reference to an objective, not one
            if not identifier:
                self.add(element, f"a <{kind}> has no id", "give it an IRI under your base address")
            elif not urlsplit(identifier).scheme or " " in identifier:
                self.add(element, f"{kind} id '{identifier}' is not a fully qualified IRI",
                         "cmi5 wants full addresses such as https://example.org/course/au (requirement 3.0.0.0-1)")
            elif identifier in seen:
                self.add(element, f"{kind} id '{identifier}' is used twice (first on line {seen[identifier]})",
                         "every id in cmi5.xml is unique: the LMS keys learners' records on it")
            else:
                seen[identifier] = element.sourceline or 1

    def url(self, au: etree._Element) -> None:
        """The AU's launch URL: in the zip when relative (14.1.0.0-3), with no query name the LMS adds (8.1.0.0-6)."""
        element = au.find(tag("url"))
        identifier = au.get("id") or ""
        if element is None or not (element.text or "").strip():
            self.add(au if element is None else element, f"AU '{identifier}' has no url",
                     "add <url>index.html</url> naming its launch page")
            return
        value = element.text.strip()
        name, reason = zip_path(value)
        if reason:
            self.add(element, f"AU url '{value}' has {reason}", "use a path relative to cmi5.xml")
        elif name and name not in self.package.names:
            self.add(element, f"AU url '{value}' is not in the zip", "add the file or correct the url")
        elif not name:
            self.add(element, f"AU url '{value}' is a web address, outside the package", severity="warning")
        clashes = sorted({key for key, _ in parse_qsl(urlsplit(value).query)} & set(spec.LAUNCH_PARAMETERS))
        if clashes:
            self.add(element, f"AU url '{value}' uses the launch parameter name(s) {', '.join(clashes)}",
                     "the LMS adds these at launch; rename the AU's own parameters")

    def move_on(self, au: etree._Element) -> None:
        """masteryScore a decimal from 0 to 1 (4 places), and moveOn consistent with it."""
        identifier, move_on = au.get("id") or "", (au.get("moveOn") or "NotApplicable").strip()
        raw = au.get("masteryScore")
        if raw is not None:
            try:
                score = Decimal(raw.strip())
                valid = 0 <= score <= 1 and -score.as_tuple().exponent <= spec.MASTERY_DECIMALS
            except InvalidOperation:
                valid = False
            if not valid:
                self.add(au, f"AU '{identifier}' has masteryScore '{raw}', not a decimal from 0 to 1 with at most "
                         f"{spec.MASTERY_DECIMALS} decimal places", "write the pass mark as a fraction, e.g. 0.8")
        if move_on not in spec.MOVE_ON:
            self.add(au, f"AU '{identifier}' has moveOn '{move_on}', not a cmi5 value",
                     "use one of " + ", ".join(spec.MOVE_ON))
        elif raw is not None and move_on not in spec.MOVE_ON_NEEDS_PASS:
            self.add(au, f"AU '{identifier}' has a masteryScore but moveOn '{move_on}' never asks for a pass",
                     "use moveOn=\"CompletedAndPassed\" (or remove the masteryScore)", severity="warning")
        elif raw is None and move_on in spec.MOVE_ON_NEEDS_PASS:
            self.add(au, f"AU '{identifier}' has moveOn '{move_on}' but no masteryScore to judge a pass by",
                     "add masteryScore (the pass mark as a fraction), or use moveOn=\"Completed\"",
                     severity="warning")
