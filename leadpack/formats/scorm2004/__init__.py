"""SCORM 2004 4th Edition: imsmanifest.xml with simple sequencing, one SCO per set (or a flow of one per module),
the lp-scorm2004.js adapter (completion and success apart, 64,000 characters of suspend_data), and the preview's
strict SCORM 2004 LMS."""

from __future__ import annotations

from pathlib import Path

from leadpack.formats import content_packaging
from leadpack.formats.base import Format, Identity, LaunchUnit, PreviewServices, PreviewSide
from leadpack.formats.package import PackageView, Report
from leadpack.formats.scorm12.spec import LANGUAGE_OBJECTIVE_PREFIX
from leadpack.formats.scorm2004 import spec
from leadpack.pipeline import model


class Scorm2004(Format):
    name = "scorm2004"
    title = "SCORM 2004"
    suffix = "scorm2004"
    manifest = spec.MANIFEST
    adapter = "lp-scorm2004.js"
    per_module = True
    schema_folder = "scorm2004-4th"
    schemas = spec.SCHEMAS
    namespace = spec.IMSCP
    state_element = "cmi.suspend_data"

    @property
    def scripts(self) -> tuple[Path, ...]:
        """The SCORM API session both SCORM versions share (it lives with SCORM 1.2), then the 2004 adapter."""
        return (self.folder.parent / "scorm12" / "lp-scorm.js", self.folder / self.adapter)

    def handoff(self, facts):  # noqa: ANN001, ANN201 - see Format.handoff
        from leadpack.formats.scorm2004.handoff import handoff

        return handoff(facts)

    def package(self, series, course_set, site):  # noqa: ANN001, ANN201 - see Format.package
        from leadpack.formats.scorm2004.manifest import package

        return package(series, course_set, site)

    def state_limit(self, settings: model.BuildSettings) -> int:
        return spec.SUSPEND_DATA_LIMIT

    def interaction_id(self, course_set: model.CourseSet, module: model.Module, question: model.Question) -> str:
        """A URI, as SCORM 2004 asks: urn:leadpack:<set>:<module>--<question>."""
        return f"{spec.INTERACTION_ID_PREFIX}{course_set.id}:{module.id}--{question.id}"

    def language_objective(self, course_set: model.CourseSet, language: str) -> str:
        """A URI too (long_identifier_type, as interaction ids): urn:leadpack:<set>:language-cy."""
        return f"{spec.INTERACTION_ID_PREFIX}{course_set.id}:{LANGUAGE_OBJECTIVE_PREFIX}{language}"

    def check(self, package: PackageView, report: Report) -> None:
        from leadpack.formats.scorm2004.checks import Scorm2004Checks

        Scorm2004Checks(package.xml(self.manifest), package, report).run()

    def identity(self, package: PackageView) -> Identity:
        return content_packaging.identity(package.xml(self.manifest), self.namespace, spec.adlcp("scormType"),
                                          _mastery)

    def launch_units(self, package: PackageView) -> list[LaunchUnit]:
        return content_packaging.launch_units(package.xml(self.manifest), self.namespace, _mastery)

    def preview_side(self, services: PreviewServices) -> PreviewSide:
        from leadpack.formats.scorm2004.lms import Scorm2004Side

        return Scorm2004Side(services)


def _mastery(item) -> str:  # noqa: ANN001 - an <item> element
    """The pass mark as a percentage, from the primary objective's minNormalizedMeasure."""
    measure = item.findtext(f"{spec.ss('sequencing')}/{spec.ss('objectives')}/{spec.ss('primaryObjective')}/"
                            f"{spec.ss('minNormalizedMeasure')}")
    try:
        return f"{float(measure) * 100:g}" if measure else ""
    except ValueError:
        return measure.strip()


FORMAT = Scorm2004()
