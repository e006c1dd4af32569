"""cmi5: cmi5.xml (the course, one AU per set or per module in a block), the lp-cmi5.js adapter on the xAPI LRS
client of lp-lrs.js (fetch-token launch, LMS.LaunchData, the defined statements and their rules, resume from a
State API document of ours), and the preview's in-memory cmi5 LMS."""

from __future__ import annotations

from pathlib import Path

from leadpack.formats.base import Format, Identity, LaunchUnit, PreviewServices, PreviewSide
from leadpack.formats.cmi5 import spec
from leadpack.formats.package import PackageView, Report, zip_path


class Cmi5(Format):
    name = "cmi5"
    title = "cmi5"
    suffix = "cmi5"
    manifest = spec.MANIFEST
    adapter = "lp-cmi5.js"
    per_module = True
    schema_folder = "cmi5"
    schemas = ((spec.NAMESPACE, spec.SCHEMA_FILE),)
    namespace = spec.NAMESPACE

    @property
    def scripts(self) -> tuple[Path, ...]:
        """The xAPI LRS client cmi5 builds on (it lives with the xAPI format), then the cmi5 adapter."""
        return (self.folder.parent / "xapi" / "lp-lrs.js", self.folder / self.adapter)

    def reported_id(self, question):  # noqa: ANN001, ANN201 - see Format.reported_id
        """The question's activity IRI: the id of the object of its "answered" statements."""
        return question.iri

    def handoff(self, facts):  # noqa: ANN001, ANN201 - see Format.handoff
        from leadpack.formats.cmi5.handoff import handoff

        return handoff(facts)

    def package(self, series, course_set, site):  # noqa: ANN001, ANN201 - see Format.package
        from leadpack.formats.cmi5.structure import package

        return package(series, course_set, site)

    def check(self, package: PackageView, report: Report) -> None:
        from leadpack.formats.cmi5.checks import Cmi5Checks

        Cmi5Checks(package.xml(self.manifest), package, report).run()

    def _aus(self, package: PackageView) -> list:  # the <au> elements, in course order
        return list(package.xml(self.manifest).iter(spec.tag("au")))

    def identity(self, package: PackageView) -> Identity:
        """The LMS keys its records on the course id and each AU's id: change one and it starts the AU anew."""
        root = package.xml(self.manifest)
        course = root.find(spec.tag("course"))
        identifiers = {"course id": (course.get("id") or "").strip()} if course is not None else {}
        items, mastery, launches = {}, {}, []
        for au in self._aus(package):
            identifier = (au.get("id") or "").strip()
            items[identifier] = _text(au, "title")
            if au.get("masteryScore") is not None:
                mastery[identifier] = au.get("masteryScore").strip()
            name, _ = zip_path(au.findtext(spec.tag("url")) or "")
            if name:
                launches.append(name)
        return Identity(identifiers, items, mastery=mastery, launches=tuple(launches))

    def launch_units(self, package: PackageView) -> list[LaunchUnit]:
        return [LaunchUnit(au.get("id") or "", _text(au, "title"), (au.findtext(spec.tag("url")) or "").strip(),
                           au.get("masteryScore") or "", activity_id=au.get("id") or "")
                for au in self._aus(package)]

    def preview_side(self, services: PreviewServices) -> PreviewSide:
        from leadpack.formats.cmi5.lms import Cmi5Side

        return Cmi5Side(services)


def _text(element, name: str) -> str:  # noqa: ANN001 - the first langstring of a <title> or <description>
    return (element.findtext(f"{spec.tag(name)}/{spec.tag('langstring')}") or "").strip()


FORMAT = Cmi5()
