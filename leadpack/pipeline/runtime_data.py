"""The runtime data a launch page embeds (``<script type="application/json" id="lp-data">``): one typed contract.

The renderer writes it (``RuntimeData.for_unit`` → ``to_json``); the learner runtime reads it in the browser
(``runtime/lp-core.js``); ``explain``, ``diff`` and ``preview`` read it back from finished packages
(``read_html``), including packages nobody should trust, so the reader checks every field's type and turns
anything else into a clear error instead of a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import MISSING, dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from leadpack.errors import LeadpackError
from leadpack.pipeline import model, state

if TYPE_CHECKING:
    from leadpack.formats.base import Format

SCRIPT = re.compile(r'<script\b[^>]*\bid="lp-data"[^>]*>(.*?)</script>', re.S)


class RuntimeDataError(LeadpackError):
    """A launch page whose runtime data is missing pieces or has the wrong types: not a leadpack package."""


@dataclass(frozen=True)
class SetInfo:
    id: str
    title: str
    version: str
    description: str
    iri: str


@dataclass(frozen=True)
class ModuleEntry:
    id: str
    title: str
    iri: str


@dataclass(frozen=True)
class PageEntry:
    id: str
    key: str
    title: str
    module: str
    iri: str

    @property
    def text(self) -> str:
        return self.title


@dataclass(frozen=True)
class QuestionEntry:
    id: str
    key: str
    module: str
    iri: str
    text: str
    multiple: bool
    correct: str  # the correct option letters
    options: dict[str, str]  # letter → option text
    cmi_id: str  # the interaction id an LMS shows in its reports (Format.interaction_id): module--question,
    # whole by construction (ids are at most limits.MAX_ID_CHARS) and distinct (checks._joined_ids)


@dataclass(frozen=True)
class ReflectionEntry:
    id: str
    key: str
    prompt: str
    iri: str
    kind: str = "reflection"  # "reflection" | "action-plan" (absent from packages built before plans)

    @property
    def text(self) -> str:
        return self.prompt


@dataclass(frozen=True)
class LanguageEntry:
    """One language of a package holding several: its interface strings and its words for everything the runtime
    names (set, unit, modules, pages, questions with their options, reflections), keyed "kind:id" ("page:m/p",
    "option:m/q:a"). The package's own language has neither: they are the data's own ``strings`` and texts."""

    code: str
    name: str  # the language's name in itself, for the language switch ("Cymraeg")
    status: str  # a translation's: "draft" or "reviewed"; "" for the package's own language
    strings: dict[str, str]
    texts: dict[str, str]
    objective: str = ""  # where the format records finishing in this language (Format.language_objective), or ""

    @classmethod
    def of(cls, localised: model.CourseSet, unit: model.Unit, following: model.Unit | None, strings: dict[str, str],
           own: bool, objective: str = "") -> LanguageEntry:
        if own:
            return cls(localised.language, strings["language_name"], "", {}, {}, objective)
        ours = localised.unit_in(unit)
        texts = {"set": localised.title, "set.description": localised.description, "unit": ours.title}
        if following is not None:
            texts["next"] = localised.unit_in(following).title
        for module in ours.modules:
            texts[f"module:{module.id}"] = module.title
            texts.update((f"page:{page.full_id}", page.title) for page in module.pages)
            for question in module.questions:
                texts[f"question:{module.id}/{question.id}"] = question.stem_text
                texts.update((f"option:{module.id}/{question.id}:{option.key}", option.text)
                             for option in question.options)
        texts.update((f"reflection:{rid}", reflection.prompt_text) for rid, reflection in ours.reflections)
        return cls(localised.language, strings["language_name"], localised.status, strings, texts, objective)


# JSON names that differ from the Python field names.
JSON_NAMES = {"state_version": "stateVersion", "reflection_max": "reflectionMax", "pass_mark": "passMark",
              "cmi_id": "cmiId", "state_key_length": "stateKeyLength", "next_unit": "nextUnit",
              "max_tries": "maxTries"}
NESTED = {"set": SetInfo, "modules": ModuleEntry, "pages": PageEntry, "questions": QuestionEntry,
          "reflections": ReflectionEntry, "languages": LanguageEntry}


@dataclass(frozen=True)
class RuntimeData:
    """Everything the learner-side runtime needs for one launchable unit."""

    format: str
    state_version: int
    storage: str  # where reflections are kept: "lms" or "device"
    limit: int  # characters of saved state the LMS keeps
    reflection_max: int
    language: str
    set: SetInfo
    series: dict[str, str]  # title, iri
    unit: dict[str, str]  # id, title
    completion: dict[str, Any]  # rule, passMark
    modules: tuple[ModuleEntry, ...]
    pages: tuple[PageEntry, ...]
    questions: tuple[QuestionEntry, ...]
    reflections: tuple[ReflectionEntry, ...]
    strings: dict[str, str]
    state_key_length: int = state.KEY_LENGTH  # (absent from packages built before it was added)
    max_tries: int = state.MAX_TRIES  # the tries the saved-state budget counts on (absent from earlier packages)
    next_unit: dict[str, str] | None = None  # id and title of the unit after this one, when units are modules
    languages: tuple[LanguageEntry, ...] = ()  # every language, in the set's order, when there are several

    @property
    def unit_id(self) -> str:
        return str(self.unit.get("id", ""))

    @property
    def pass_mark(self) -> int | None:
        return self.completion.get("passMark")

    @classmethod
    def for_unit(cls, series: model.Series, course_set: model.CourseSet, unit: model.Unit, budget: state.Budget,
                 fmt: Format, strings: dict[str, str], next_unit: model.Unit | None = None,
                 languages: tuple[LanguageEntry, ...] = ()) -> RuntimeData:
        course_iri = series.activity_iri(course_set.id)
        return cls(
            format=fmt.name, state_version=state.VERSION, storage=series.build.reflections, limit=budget.limit,
            reflection_max=budget.reflection_cap, language=course_set.language,
            set=SetInfo(course_set.id, course_set.title, course_set.version, course_set.description, course_iri),
            series={"title": series.title, "iri": series.base_iri.rstrip("/")},
            unit={"id": unit.id, "title": unit.title},
            completion={"rule": course_set.completion.rule, "passMark": course_set.completion.pass_mark,
                        "attempts": course_set.completion.attempts},
            modules=tuple(ModuleEntry(m.id, m.title, f"{course_iri}/{m.id}") for m in unit.modules),
            pages=tuple(PageEntry(p.full_id, state.key(p.full_id), p.title, p.module_id, f"{course_iri}/{p.full_id}")
                        for p in unit.pages),
            questions=tuple(QuestionEntry(
                f"{m.id}/{q.id}", state.key(f"{m.id}/{q.id}"), m.id, f"{course_iri}/{m.id}/questions/{q.id}",
                q.stem_text, q.multiple, "".join(q.correct_keys), {o.key: o.text for o in q.options},
                fmt.interaction_id(course_set, m, q)) for m in unit.modules for q in m.questions),
            reflections=tuple(ReflectionEntry(rid, state.key(rid), r.prompt_text,
                                              f"{course_iri}/{rid.split('/')[0]}/reflections/{r.id}", r.kind)
                              for rid, r in unit.reflections),
            strings=strings,
            next_unit={"id": next_unit.id, "title": next_unit.title} if next_unit else None,
            languages=languages,
        )

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    def to_json(self) -> str:
        """JSON safe inside a <script> element: no '</script' or '<!--' can end or change it early."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return text.replace("<", "\\u003c")

    def merged(self, other: RuntimeData) -> RuntimeData:
        """This unit's data with another unit's modules, pages, questions and reflections added (one SCO per
        module puts each module's part in its own launch page; diff compares the whole package)."""
        return replace(self, modules=self.modules + other.modules, pages=self.pages + other.pages,
                       questions=self.questions + other.questions, reflections=self.reflections + other.reflections)

    @classmethod
    def from_dict(cls, data: object, where: str) -> RuntimeData:
        return _from_dict(cls, data, where)


def read_html(text: str, where: str) -> RuntimeData | None:
    """The runtime data a launch page embeds, or None for a page without any; malformed data is an error."""
    match = SCRIPT.search(text)
    if not match:
        return None
    try:
        data = json.loads(match.group(1))
    except (ValueError, RecursionError):
        raise RuntimeDataError(f"{where}: the runtime data in the page is not valid JSON") from None
    if not state.all_text(data):
        raise RuntimeDataError(f"{where}: the runtime data holds text that is not valid Unicode (an unpaired "
                               "surrogate escape such as \\ud800)")
    return RuntimeData.from_dict(data, where)


def _to_dict(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {JSON_NAMES.get(f.name, f.name): _to_dict(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple):
        return [_to_dict(item) for item in value]
    return value


SIMPLE_TYPES = {"str": str, "int": int, "bool": bool, "dict[str, str]": dict, "dict[str, Any]": dict,
                "int | None": (int, type(None)), "dict[str, str] | None": (dict, type(None))}
# The small objects whose keys the runtime reads by name: each key's type.
OBJECT_KEYS = {"series": {"title": str, "iri": str}, "unit": {"id": str, "title": str},
               "completion": {"rule": str, "passMark": (int, type(None))}}
# Keys added later, so absent from packages built before them: checked only when present.
LATER_KEYS = {"completion": {"attempts": int}}


def _from_dict(cls: type, data: object, where: str) -> Any:
    if not isinstance(data, dict):
        raise RuntimeDataError(f"{where}: the runtime data holds {type(data).__name__} where an object belongs")
    values = {}
    for f in fields(cls):
        name = JSON_NAMES.get(f.name, f.name)
        if name not in data and f.default is not MISSING:
            continue
        if name not in data:
            raise RuntimeDataError(f"{where}: the runtime data has no '{name}' (not a package of this leadpack)")
        value = data[name]
        if f.name in NESTED:
            kind = NESTED[f.name]
            if f.name == "set":
                value = _from_dict(kind, value, where)
            elif isinstance(value, list):
                value = tuple(_from_dict(kind, item, where) for item in value)
            else:
                raise RuntimeDataError(f"{where}: the runtime data's '{name}' is not a list")
        else:
            wanted = SIMPLE_TYPES[str(f.type)]
            if not isinstance(value, wanted) or (isinstance(value, bool) and wanted is int) or (
                    str(f.type).startswith("dict[str, str]") and isinstance(value, dict)
                    and not all(isinstance(v, str) for v in value.values())):
                raise RuntimeDataError(f"{where}: the runtime data's '{name}' has the wrong type "
                                       f"({type(value).__name__})")
            _check_keys(name, value, where)
        values[f.name] = value
    return cls(**values)


def _check_keys(name: str, value: dict, where: str) -> None:
    for key, kind in {**OBJECT_KEYS.get(name, {}), **LATER_KEYS.get(name, {})}.items():
        if key not in value and key in LATER_KEYS.get(name, {}):
            continue
        if key not in value:
            raise RuntimeDataError(f"{where}: the runtime data's '{name}' has no '{key}'")
        if not isinstance(value[key], kind) or isinstance(value[key], bool):
            raise RuntimeDataError(f"{where}: the runtime data's '{name}.{key}' has the wrong type "
                                   f"({type(value[key]).__name__})")
