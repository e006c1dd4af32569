"""The course model: frozen dataclasses filled by the loader and read by every later stage.

Identifiers come from slugs of names (folder, file, heading, question text) or from ids an author pins, never
from positions, so a rebuild after an edit keeps every unchanged id and learners keep their progress.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
OPTION_KEYS = "abcdefghij"  # SCORM 1.2 choice responses allow one character per option, so at most ten


def slugify(text: str, max_length: int = 48) -> str:
    """Lower-case ASCII slug; Welsh and other accented letters fold to their base letter (ŵ → w)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug


@dataclass(frozen=True)
class Prose:
    html: str
    kind: str = "prose"


@dataclass(frozen=True)
class Reflection:
    """Something the learner writes and keeps: a reflection, or an action plan (its fields saved as one text, so
    a plan costs the saved-state budget what one reflection does)."""

    id: str
    prompt_html: str
    prompt_text: str
    line: int
    kind: str = "reflection"  # "reflection" | "action-plan"


@dataclass(frozen=True)
class Activity:
    title: str
    body_html: str
    kind: str = "activity"


@dataclass(frozen=True)
class Discussion:
    body_html: str
    kind: str = "discussion"


@dataclass(frozen=True)
class Callout:
    style: str
    title: str
    body_html: str
    kind: str = "callout"


@dataclass(frozen=True)
class Summary:
    body_html: str
    kind: str = "summary"


@dataclass(frozen=True)
class Figure:
    src: str
    alt: str
    caption: str
    description_html: str
    kind: str = "figure"


@dataclass(frozen=True)
class Media:
    """Video or audio; the transcript is required so no learner misses what is said."""

    kind: str
    src: str
    title: str
    transcript_html: str


@dataclass(frozen=True)
class Download:
    src: str
    title: str
    description_html: str
    kind: str = "download"


@dataclass(frozen=True)
class Option:
    key: str  # one of OPTION_KEYS
    html: str
    text: str
    correct: bool
    feedback_html: str


@dataclass(frozen=True)
class Question:
    id: str
    stem_html: str
    stem_text: str
    options: tuple[Option, ...]
    multiple: bool
    line: int
    kind: str = "question"

    @property
    def correct_keys(self) -> tuple[str, ...]:
        return tuple(option.key for option in self.options if option.correct)


Block = Prose | Reflection | Activity | Discussion | Callout | Summary | Figure | Media | Download | Question


@dataclass(frozen=True)
class Page:
    id: str
    module_id: str
    title: str
    blocks: tuple[Block, ...]
    line: int
    words: int

    @property
    def full_id(self) -> str:
        return f"{self.module_id}/{self.id}"

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Question))

    @property
    def reflections(self) -> tuple[Reflection, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Reflection))


@dataclass(frozen=True)
class Placeholder:
    """Where a module's source asks for an edition's text: ``[[name]]`` at a line and column."""

    name: str
    line: int
    col: int


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    minutes: int
    outcomes: tuple[str, ...]
    description: str
    pages: tuple[Page, ...]
    source: Path
    placeholders: tuple[Placeholder, ...] = ()  # every [[name]] in the file, in order (see pipeline/editions.py)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for page in self.pages for q in page.questions)

    @property
    def reflections(self) -> tuple[Reflection, ...]:
        return tuple(r for page in self.pages for r in page.reflections)

    @property
    def words(self) -> int:
        return sum(page.words for page in self.pages)


@dataclass(frozen=True)
class Asset:
    """A file under the set folder that pages use (image, media, download)."""

    src: str  # path relative to the set folder, with '/' separators
    source: Path
    referenced_from: Path
    line: int


@dataclass(frozen=True)
class Completion:
    rule: str  # "all-pages" | "all-pages-and-checks"
    pass_mark: int | None
    attempts: int = 0  # tries at the knowledge checks; 0: as many as it takes to pass


@dataclass(frozen=True)
class CourseSet:
    id: str
    title: str
    description: str
    version: str
    language: str
    keywords: tuple[str, ...]
    completion: Completion
    modules: tuple[Module, ...]
    assets: tuple[Asset, ...]
    external_links: tuple[str, ...]
    folder: Path
    stages: tuple[str, ...] = ()  # how the set moves through the series' three stages, one line each
    languages: tuple[str, ...] = ()  # every language, in display order; () for a set in its own language only
    translations: tuple[CourseSet, ...] = ()  # the set in each other language: the same ids, answers and files
    status: str = ""  # a translation's: "draft" (awaiting a reviewer) or "reviewed"; "" for the set's own
    placeholders: tuple[Placeholder, ...] = ()  # every [[name]] in the set's own set.toml (see pipeline/editions.py)

    @property
    def pages(self) -> tuple[Page, ...]:
        return tuple(page for module in self.modules for page in module.pages)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for module in self.modules for q in module.questions)

    @property
    def language_versions(self) -> tuple[CourseSet, ...]:
        """The set in every language it has, in display order (``languages``); itself alone when it has one."""
        by_language = {self.language: self, **{t.language: t for t in self.translations}}
        return tuple(by_language[code] for code in self.languages or (self.language,) if code in by_language)

    def packaged(self, mode: str) -> tuple[CourseSet, ...]:
        """What a build packages: the set with every language ("together"), or each language on its own ("apart":
        each language version with ``languages`` naming only its own language, which puts the language in its
        file names)."""
        if mode != "apart" or len(self.language_versions) < 2:
            return (self,)
        return tuple(replace(localised, languages=(localised.language,), translations=())
                     for localised in self.language_versions)

    def unit_in(self, unit: Unit) -> Unit:
        """``unit`` of the set's own language as this language version has it: the same id and file, these words."""
        modules = {m.id: m for m in self.modules}
        ours = tuple(modules.get(m.id, m) for m in unit.modules)
        return replace(unit, title=self.title if unit.covers == "set" else ours[0].title, modules=ours)


@dataclass(frozen=True)
class Unit:
    """What one launch covers: a whole set, or one module when each module is its own SCO."""

    id: str
    title: str
    file: str
    modules: tuple[Module, ...]
    covers: str = "set"  # "set": the whole set; "module": one module (its title is the module's)

    @property
    def pages(self) -> tuple[Page, ...]:
        return tuple(page for module in self.modules for page in module.pages)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for module in self.modules for q in module.questions)

    @property
    def reflections(self) -> tuple[tuple[str, Reflection], ...]:
        return tuple((f"{m.id}/{r.id}", r) for m in self.modules for r in m.reflections)


@dataclass(frozen=True)
class Theme:
    primary: str = "#1d4f73"
    accent: str = "#8a3b12"
    logo: str = ""


# Named local texts for [[name]] placeholders: (language, ((name, value), ...)); language "" is every language.
Texts = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@dataclass(frozen=True)
class Accessibility:
    """What only the publisher can put in an accessibility statement; '' leaves a [placeholder] in the draft."""

    email: str = ""
    phone: str = ""
    prepared: str = ""  # dates as YYYY-MM-DD
    reviewed: str = ""
    tested: str = ""


@dataclass(frozen=True)
class Edition:
    """One organisation's edition of the series (content/editions/<id>.toml): its name, look, IRIs and texts."""

    id: str
    organisation: str
    base_iri: str
    theme: Theme
    accessibility: Accessibility
    texts: Texts
    path: Path
    translations: tuple[tuple[str, str], ...] = ()  # (language, the organisation's name in it)


@dataclass(frozen=True)
class BuildSettings:
    formats: tuple[str, ...] = ()  # names in the format registry; the loader fills in its default
    sco_per: str = "set"
    reflections: str = "lms"
    suspend_data_limit: int = 4096
    reflection_max_chars: int = 2000  # the longest reflection; SCORM 1.2 budgets cut it further
    out: str = "dist"
    templates: str = ""
    languages: str = "together"  # "together": one package per set holds every language; "apart": one per language


@dataclass(frozen=True)
class Series:
    title: str
    organisation: str
    base_iri: str
    description: str
    theme: Theme
    build: BuildSettings
    sets: tuple[CourseSet, ...]
    root: Path
    config_path: Path | None = None
    catalogue: tuple[tuple[str, str], ...] = ()  # (id, title) of every set of the series, in order, built or not
    # the series' title, organisation and description in other languages: language -> setting -> text
    translations: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    edition: str = ""  # the edition these packages are for; '' for the series' own
    accessibility: Accessibility = Accessibility()
    texts: Texts = ()  # the series' own values for [[name]] placeholders, which every edition inherits
    editions: tuple[Edition, ...] = ()  # every edition in content/editions/, in id order

    def in_language(self, language: str) -> Series:
        """The series as a page in ``language`` names it (its own words where leadpack.toml gives none)."""
        words = dict(dict(self.translations).get(language, ()))
        return replace(self, **words) if words else self

    def place_of(self, course_set: CourseSet) -> tuple[int, int] | None:
        """The set's number in the series and how many sets there are, when the series has more than one."""
        ids = [set_id for set_id, _ in self.catalogue]
        return (ids.index(course_set.id) + 1, len(ids)) if course_set.id in ids and len(ids) > 1 else None

    def next_after(self, course_set: CourseSet) -> str:
        """The title of the set that follows in the series, or ''."""
        ids = [set_id for set_id, _ in self.catalogue]
        index = ids.index(course_set.id) + 1 if course_set.id in ids else len(ids)
        return self.catalogue[index][1] if index < len(ids) else ""

    def activity_iri(self, *parts: str) -> str:
        """Stable xAPI activity IRI under the series base IRI."""
        return self.base_iri + "/".join(parts)
