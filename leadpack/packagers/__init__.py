"""One packager per output format, behind one small interface."""

from __future__ import annotations

from typing import Protocol

from leadpack import model
from leadpack.render import FileMap, Site


class Packager(Protocol):
    format: str
    suffix: str

    def package(self, series: model.Series, course_set: model.CourseSet, site: Site) -> FileMap:
        """Return the files this format adds to the rendered site (its manifest)."""
        ...


def packager_for(name: str) -> Packager:
    from leadpack.packagers.scorm12 import Scorm12Packager
    from leadpack.packagers.xapi import XapiPackager

    return {"scorm12": Scorm12Packager(), "xapi": XapiPackager()}[name]


def package_file_name(course_set: model.CourseSet, packager: Packager) -> str:
    return f"{course_set.id}-{course_set.version}-{packager.suffix}.zip"
