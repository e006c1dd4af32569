"""SCORM 1.2: imsmanifest.xml with one SCO per set (or per module), the lp-scorm12.js adapter, and the preview's
strict SCORM 1.2 LMS."""

from __future__ import annotations

from leadpack.formats.base import Format, Identity, LaunchUnit, PreviewServices, PreviewSide
from leadpack.formats.package import PackageView, Report, zip_path
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

    def package(self, series, course_set, site):  # noqa: ANN001, ANN201 - see Format.package
        from leadpack.formats.scorm12.manifest import package

        return package(series, course_set, site)

    def state_limit(self, settings: model.BuildSettings) -> int:
        return settings.suspend_data_limit

    def check(self, package: PackageView, report: Report) -> None:
        from leadpack.formats.scorm12.checks import ScormChecks

        ScormChecks(package.xml(self.manifest), package, report).run()

    def identity(self, package: PackageView) -> Identity:
        root = package.xml(self.manifest)
        identifiers = {"manifest identifier": root.get("identifier") or ""}
        items, mastery, resources, launches = {}, {}, {}, []
        organizations = root.find(spec.cp("organizations"))
        if organizations is not None:
            identifiers["default organization"] = organizations.get("default") or ""
            for item in organizations.iter(spec.cp("item")):
                items[item.get("identifier") or ""] = (item.findtext(spec.cp("title")) or "").strip()
                score = item.findtext(spec.adl("masteryscore"))
                if score is not None:
                    mastery[item.get("identifier") or ""] = score.strip()
        for resource in root.iter(spec.cp("resource")):
            if resource.get(spec.adl("scormtype")) == "sco" and resource.get("href"):
                resources[resource.get("identifier") or ""] = resource.get("href")
                name, _ = zip_path(resource.get("href"))
                if name:
                    launches.append(name)
        return Identity(identifiers, items, resources, mastery, tuple(launches))

    def launch_units(self, package: PackageView) -> list[LaunchUnit]:
        root = package.xml(self.manifest)
        hrefs = {r.get("identifier"): r.get("href") for r in root.iter(spec.cp("resource"))}
        return [LaunchUnit(item.get("identifier") or "", item.findtext(spec.cp("title")) or "",
                           hrefs[item.get("identifierref")],
                           (item.findtext(spec.adl("masteryscore")) or "").strip())
                for item in root.iter(spec.cp("item")) if hrefs.get(item.get("identifierref"))]

    def preview_side(self, services: PreviewServices) -> PreviewSide:
        from leadpack.formats.scorm12.lms import Scorm12Side

        return Scorm12Side(services)


FORMAT = Scorm12()
