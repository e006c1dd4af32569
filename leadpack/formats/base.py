"""What every output format provides: the one interface the pipeline, the package tools and the preview speak to.

A format is a folder under ``leadpack/formats/`` whose ``__init__`` holds ``FORMAT``, an instance of a
``Format`` subclass; the registry (``leadpack.formats``) lists the folders. Everything a standard means lives
there: its launchable units, its runtime adapter script, the manifest it adds, how to recognise and check one of
its packages, how ``diff`` reads a release's identifiers and how ``preview`` plays the LMS side. Nothing outside a
format's folder names a format or branches on one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit

from lxml import etree

from leadpack.formats.package import PackageView, Report
from leadpack.pipeline import model

if TYPE_CHECKING:
    from leadpack.pipeline.document import Inline
    from leadpack.pipeline.render import FileMap, Site
    from leadpack.pipeline.runtime_data import QuestionEntry
    from leadpack.pipeline.state import Budget


def package_identifier(series: model.Series, course_set: model.CourseSet) -> str:
    """The manifest identifier of a set's package: a reverse-domain name from the base IRI, globally unique,
    stable across releases, and a valid XML ID; an edition's has the edition's id in it, so two editions on one
    host (or on one LMS) never share one."""
    host = urlsplit(series.base_iri).hostname or "leadpack"
    reverse = ".".join(reversed(host.split(".")))
    edition = f".{series.edition}" if series.edition else ""
    return f"{reverse}{edition}.{course_set.id}".replace("..", ".")


DOCUMENT_LIMIT = 64_000  # the most saved state we put in one State API document


@dataclass(frozen=True)
class Identity:
    """What an LMS keys learners' tracking on, read from a package's manifest (for ``leadpack diff``)."""

    identifiers: dict[str, str] = field(default_factory=dict)  # e.g. manifest identifier, launch activity id
    items: dict[str, str] = field(default_factory=dict)  # launchable item identifier → title
    resources: dict[str, str] = field(default_factory=dict)  # launchable resource identifier → href
    mastery: dict[str, str] = field(default_factory=dict)  # item identifier → mastery score
    launches: tuple[str, ...] = ()  # the launch pages, as zip entries


@dataclass(frozen=True)
class LaunchUnit:
    """One thing an LMS launches, as it reads it from the package (for ``leadpack preview``)."""

    id: str
    title: str
    href: str
    mastery_score: str = ""
    activity_id: str = ""


# What the hand-off sheet says, for every LMS, about the settings that make tracking work; in this order.
LMS_SETTINGS = ("Display", "Attempts", "Grading", "Completion", "Pass mark", "Standards mode")


@dataclass(frozen=True)
class HandoffFacts:
    """What a format's part of the LMS hand-off sheet may depend on: the set, the package and its units."""

    series: model.Series
    course_set: model.CourseSet
    package: str  # the zip's file name
    budgets: tuple[Budget, ...]  # each launchable unit, with its saved-state budget
    identity: Identity  # what the LMS keys tracking on, read from the package's manifest
    objectives: tuple[tuple[str, str], ...] = ()  # (language, objective id) finishing in it is recorded under

    @property
    def pass_mark(self) -> int | None:
        """The set's pass mark, where it has questions to be judged by."""
        return self.course_set.completion.pass_mark if self.course_set.questions else None

    @property
    def units(self) -> tuple[model.Unit, ...]:
        return tuple(budget.unit for budget in self.budgets)

    @property
    def reflection_cap(self) -> int:
        """The most saved characters a reflection keeps in the learner's record, in every unit."""
        return min(budget.reflection_cap for budget in self.budgets)

    @property
    def several_languages(self) -> bool:
        """True when the package holds the set in more than one language (the learner chooses)."""
        return len(self.course_set.language_versions) > 1

    @property
    def per_module(self) -> bool:
        """True when each module is launched on its own (sco_per = "module")."""
        whole = self.units[0]
        return len(self.units) > 1 or whole.id != self.course_set.id or whole.modules != self.course_set.modules


@dataclass(frozen=True)
class LmsSettings:
    """How to set one LMS up for the package: how to add it, then a value for each of ``LMS_SETTINGS``."""

    lms: str  # "Moodle", "Totara", "Any SCORM 1.2 LMS"
    steps: Inline
    values: dict[str, Inline]


@dataclass(frozen=True)
class Handoff:
    """A format's part of the LMS hand-off sheet (pipeline/handoff.py writes the sheet around it)."""

    why: Inline  # why this format, and for which LMS
    lms: tuple[LmsSettings, ...]  # Moodle, Totara, then any LMS of the standard
    records: tuple[Inline, ...]  # each thing the package writes to, or reads from, the learner's record
    reflections: Inline  # where reflections go when the set keeps them in the learner's record
    republish: tuple[Inline, ...]  # what keeps learners' progress when a new release replaces this one
    language: Inline = ()  # where the platform gives the learner's language, for a package holding several
    counted: Inline = ()  # how the platform's reports count completions by language, for such a package


class Format:
    """One output standard. Subclasses set the class attributes and implement the methods marked abstract."""

    name: ClassVar[str]  # the value in leadpack.toml's [build] formats and in --format
    title: ClassVar[str]  # what people call it: "SCORM 1.2"
    suffix: ClassVar[str]  # the zip is <set>-<version>-<suffix>.zip
    manifest: ClassVar[str]  # the file at the zip's root that makes a package this format's
    adapter: ClassVar[str]  # the runtime adapter script (LP.adapters[name]) in this format's folder
    per_module: ClassVar[bool] = False  # sco_per = "module" launches each module on its own
    schema_folder: ClassVar[str] = ""  # sub-folder of a --schemas folder holding this format's XSDs
    schemas: ClassVar[tuple[tuple[str, str], ...]] = ()  # (namespace, file) the validating schema imports
    schema_patches: ClassVar[dict[str, list[tuple[bytes, bytes]]]] = {}  # in-memory fixes to official XSDs
    namespace: ClassVar[str] = ""  # the manifest's root namespace (recognises the package)
    state_element: ClassVar[str] = ""  # the LMS data-model element holding the saved state, where it has a limit

    @property
    def folder(self) -> Path:
        """This format's folder: its adapter script and any files it ships or serves."""
        return Path(__file__).resolve().parent / self.name

    @property
    def scripts(self) -> tuple[Path, ...]:
        """The runtime scripts this format adds to the shared core, in load order (each shipped as
        assets/<file name>): its adapter, after any script of a format it builds on."""
        return (self.folder / self.adapter,)

    # ---- building ----
    def units(self, course_set: model.CourseSet, sco_per: str) -> tuple[model.Unit, ...]:
        """What one launch covers: the whole set, or each module when the format launches modules apart."""
        if self.per_module and sco_per == "module":
            return tuple(model.Unit(m.id, m.title, f"{m.id}.html", (m,), "module") for m in course_set.modules)
        return (model.Unit(course_set.id, course_set.title, "index.html", course_set.modules),)

    def state_limit(self, settings: model.BuildSettings) -> int:
        """How many characters of saved state the platform keeps for one unit. A State API document has no limit in
        the standard; this keeps ours within what every LRS stores (a SCORM format says its LMS's limit)."""
        return DOCUMENT_LIMIT

    def interaction_id(self, course_set: model.CourseSet, module: model.Module, question: model.Question) -> str:
        """The id an LMS records a question's answers under (and shows in its reports): never cut, as ids are at
        most limits.MAX_ID_CHARS, so module--question fits SCORM 1.2's 255 characters."""
        return f"{module.id}--{question.id}"

    def language_objective(self, course_set: model.CourseSet, language: str) -> str:
        """The objective id under which a package holding several languages records that a learner finished in
        ``language`` (so an LMS's objectives report counts completions by language), or "" where the standard
        says the language otherwise (xAPI and cmi5: every statement's context.language)."""
        return ""

    def reported_id(self, question: QuestionEntry) -> str:
        """The id the LMS's reports list a question's answers under: the interaction id the adapter records."""
        return question.cmi_id

    def reported_response(self, letters: str) -> str:
        """Option letters as the LMS's reports show a response ("ac" → "a[,]c", the xAPI and SCORM 2004 form)."""
        return "[,]".join(letters)

    def handoff(self, facts: HandoffFacts) -> Handoff:
        """This format's part of the LMS hand-off sheet: why it, the LMS settings, what it records."""
        raise NotImplementedError

    def package(self, series: model.Series, course_set: model.CourseSet, site: Site) -> FileMap:
        """The files this format adds to the rendered site: its manifest and any control files."""
        raise NotImplementedError

    # ---- reading a package ----
    def recognises(self, package: PackageView) -> bool:
        """True when the package is this format's: its manifest is at the root, in this format's namespace."""
        root = package.xml(self.manifest)
        return root is not None and etree.QName(root).namespace == self.namespace

    def check(self, package: PackageView, report: Report) -> None:
        """The standard's packaging rules beyond its XSD, each finding added to ``report``."""
        raise NotImplementedError

    def identity(self, package: PackageView) -> Identity:
        """The identifiers an LMS keys tracking on, and the launch pages."""
        raise NotImplementedError

    def launch_units(self, package: PackageView) -> list[LaunchUnit]:
        """The units an LMS would offer, in order, read from the manifest as an LMS imports it."""
        raise NotImplementedError

    def saved_state(self, text: str) -> str:
        """The encoded learner state inside what support staff copy from the LMS (the value itself by default)."""
        return text

    def preview_side(self, services: PreviewServices) -> PreviewSide:
        """The LMS side ``leadpack preview`` plays for this format."""
        raise NotImplementedError


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def json(status: int, data: object) -> Reply:
        return Reply(status, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    @staticmethod
    def error(status: int, message: str) -> Reply:
        return Reply.json(status, {"error": message})


class PreviewServices:
    """What the preview server offers an LMS side: an event feed for the live panel and the launch credentials."""

    def __init__(self, publish, auth: str):  # noqa: ANN001 (publish: (kind, data) -> None)
        self.publish, self.auth = publish, auth


class PreviewSide:
    """The LMS side of one format in ``leadpack preview``.

    ``kind`` tells the LMS page how the package talks to the LMS: "api" (a JavaScript API object the page installs,
    with commits stored through ``/api/commit``) or "lrs" (launch parameters, and an LRS served under a route).
    """

    kind: ClassVar[str]
    controls: dict[str, bool]

    def info(self) -> dict:
        """What the LMS page needs to know up front: kind, title, scripts to load. "api" sides add api and apiClass
        (the global the package finds and the constructor the page calls), stateElement (the saved state), checks
        (the API's error-checking methods, hidden in the panel), notSet (an error code that only means "no value
        yet", if the standard has one) and limits (what the strict and relaxed choices mean); "lrs" sides stateId."""
        raise NotImplementedError

    def script(self, name: str) -> Path | None:
        """The file of a script ``info()`` names for the LMS page (served under /lms/format/), or None."""
        return None

    def launch(self, set_id: str, unit: LaunchUnit, learner, origin: str, url: str) -> dict:  # noqa: ANN001
        """The launch of ``unit`` for ``learner``: the URL to open and whatever the LMS page needs beside it."""
        raise NotImplementedError

    def reset(self, learner) -> None:  # noqa: ANN001
        """Forget everything the learner did."""

    def api(self, method: str, name: str, query: dict[str, str], body: dict) -> object:
        """Answer an ``/api/<name>`` request this side handles; raise LookupError for names it does not."""
        raise LookupError(name)

    def route(self, path: str) -> str | None:
        """The part of ``path`` after a route prefix this side serves (an LRS), or None."""
        return None

    def handle(self, method: str, rest: str, query: dict[str, str], headers: dict[str, str], body: bytes):  # noqa: ANN201
        """Answer a request under this side's route with a ``Reply``."""
        raise LookupError(rest)
