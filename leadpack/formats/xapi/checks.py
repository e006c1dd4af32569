"""Tin Can (xAPI) package rules for tincan.xml beyond the XSD: one launch activity, ids, launch file present."""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import etree

from leadpack.formats.package import PackageView, Report, zip_path

TINCAN = "http://projecttincan.com/tincan.xsd"
TINCAN_FILE = "tincan.xml"
INTERACTION_TYPES = {"true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other"}


def tc(tag: str) -> str:
    return f"{{{TINCAN}}}{tag}"


def check_tincan(root: etree._Element, package: PackageView, report: Report) -> None:
    names = package.names
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
