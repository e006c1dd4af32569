"""xAPI (Tin Can launch): tincan.xml naming the course activity, the lp-xapi.js adapter on the LRS client of
lp-lrs.js (statements to the LRS the LMS names at launch, resume from the State API), and the preview's in-memory
LRS."""

from __future__ import annotations

from pathlib import Path

from leadpack.formats.base import Format, Identity, LaunchUnit, PreviewServices, PreviewSide
from leadpack.formats.package import PackageView, Report, zip_path
from leadpack.formats.xapi.checks import TINCAN, TINCAN_FILE, check_tincan, tc

# The State API document lp-lrs.js keeps the encoded state in (its STATE_ID), beside the course activity, for
# xAPI and cmi5 alike: the preview's LMS sides and the hand-off sheets name it.
STATE_ID = "leadpack-progress"


class Xapi(Format):
    name = "xapi"
    title = "xAPI"
    suffix = "xapi"
    manifest = TINCAN_FILE
    adapter = "lp-xapi.js"
    schema_folder = "tincan"
    schemas = ((TINCAN, "tincan.xsd"),)
    namespace = TINCAN

    @property
    def scripts(self) -> tuple[Path, ...]:
        """The LRS client every xAPI-based format shares (cmi5 ships it too), then the Tin Can adapter."""
        return (self.folder / "lp-lrs.js", self.folder / self.adapter)

    def reported_id(self, question):  # noqa: ANN001, ANN201 - see Format.reported_id
        """The question's activity IRI: the id of the object of its "answered" statements."""
        return question.iri

    def handoff(self, facts):  # noqa: ANN001, ANN201 - see Format.handoff
        from leadpack.formats.xapi.handoff import handoff

        return handoff(facts)

    def package(self, series, course_set, site):  # noqa: ANN001, ANN201 - see Format.package
        from leadpack.formats.xapi.tincan import package

        return package(series, course_set, site)

    def check(self, package: PackageView, report: Report) -> None:
        check_tincan(package.xml(self.manifest), package, report)

    def _launching(self, package: PackageView):  # noqa: ANN202 - the course activity element, or None
        for activity in package.xml(self.manifest).iter(tc("activity")):
            if activity.findtext(tc("launch")) is not None:
                return activity
        return None

    def identity(self, package: PackageView) -> Identity:
        activity = self._launching(package)
        if activity is None:
            return Identity()
        name, _ = zip_path(activity.findtext(tc("launch")))
        return Identity({"launch activity id": activity.get("id") or ""}, launches=(name,) if name else ())

    def launch_units(self, package: PackageView) -> list[LaunchUnit]:
        activity = self._launching(package)
        if activity is None:
            return []
        return [LaunchUnit("course", activity.findtext(tc("name")) or "", activity.findtext(tc("launch")),
                           activity_id=activity.get("id") or "")]

    def saved_state(self, text: str) -> str:
        """A State API document as some LRS consoles show it: {"state": "<the encoded state>"}."""
        import json

        try:
            wrapper = json.loads(text)
        except (ValueError, RecursionError):
            return text
        if isinstance(wrapper, dict) and set(wrapper) == {"state"} and isinstance(wrapper["state"], str):
            return wrapper["state"]
        return text

    def preview_side(self, services: PreviewServices) -> PreviewSide:
        from leadpack.formats.xapi.lms import XapiSide

        return XapiSide(services)


FORMAT = Xapi()
