"""SCORM 1.2: imsmanifest.xml with one SCO per set (or per module), the lp-scorm12.js adapter, and the preview's
strict SCORM 1.2 LMS."""

from __future__ import annotations

from pathlib import Path

from leadpack.formats import content_packaging
from leadpack.formats.base import Format, Identity, LaunchUnit, PreviewServices, PreviewSide
from leadpack.formats.package import PackageView, Report
from leadpack.formats.scorm12 import spec
from leadpack.pipeline import model


class Scorm12(Format):
    name = "scorm12"
    title = "SCORM 1.2"
    suffix = "scorm12"
    manifest = spec.MANIFEST
    adapter = "lp-scorm12.js"
    per_module = True
    schema_folder = "scorm12"
    schemas = spec.SCHEMAS
    schema_patches = spec.SCHEMA_PATCHES
    namespace = spec.IMSCP
    state_element = "cmi.suspend_data"

    @property
    def scripts(self) -> tuple[Path, ...]:
        """The SCORM API session both SCORM versions share, then the 1.2 adapter."""
        return (self.folder / "lp-scorm.js", self.folder / self.adapter)

    def reported_response(self, letters: str) -> str:
        """SCORM 1.2's choice response: the letters with commas ("ac" → "a,c")."""
        return ",".join(letters)

    def language_objective(self, course_set: model.CourseSet, language: str) -> str:
        """A CMIIdentifier (printable, no spaces) that says the language: language-cy."""
        return f"{spec.LANGUAGE_OBJECTIVE_PREFIX}{language}"

    def handoff(self, facts):  # noqa: ANN001, ANN201 - see Format.handoff
        from leadpack.formats.scorm12.handoff import handoff

        return handoff(facts)

    def package(self, series, course_set, site):  # noqa: ANN001, ANN201 - see Format.package
        from leadpack.formats.scorm12.manifest import package

        return package(series, course_set, site)

    def state_limit(self, settings: model.BuildSettings) -> int:
        return settings.suspend_data_limit

    def check(self, package: PackageView, report: Report) -> None:
        from leadpack.formats.scorm12.checks import ScormChecks

        ScormChecks(package.xml(self.manifest), package, report).run()

    def identity(self, package: PackageView) -> Identity:
        return content_packaging.identity(package.xml(self.manifest), self.namespace, spec.adl("scormtype"),
                                          _mastery)

    def launch_units(self, package: PackageView) -> list[LaunchUnit]:
        return content_packaging.launch_units(package.xml(self.manifest), self.namespace, _mastery)

    def preview_side(self, services: PreviewServices) -> PreviewSide:
        from leadpack.formats.scorm12.lms import Scorm12Side

        return Scorm12Side(services)


def _mastery(item) -> str:  # noqa: ANN001 - an <item> element
    return (item.findtext(spec.adl("masteryscore")) or "").strip()


FORMAT = Scorm12()
