"""The learner's saved state: its one definition, shared by the budget proof, ``explain``, ``diff`` and the runtime.

The runtime (``runtime/lp-core.js``, ``encodeState``/``decodeState``) writes it to ``cmi.suspend_data`` (SCORM) or
the State API document (xAPI): compact JSON, keyed by short stable hashes of ids, never by position, so a rebuild
that inserts or reorders pages keeps progress attached:

    {"v":1,"l":"<page key>","p":"<page key>...","a":{"<question key>":"ac"},"r":{"<key>":"text"},"t":2,"d":"c",
     "g":"cy"}

``v`` version, ``l`` bookmark, ``p`` visited pages, ``a`` answers (option letters), ``r`` reflections and action
plans (a plan's fields joined by ``PLAN_FIELD_SEPARATOR``), ``t`` tries at the knowledge checks after the first
(absent: none), ``d`` the finished status (c completed, p passed, f failed), ``g`` the language the learner last
chose, in a package of more than one language (absent in one of a single language). Ids are the same in every
language, so one state serves them all: switching language keeps the place, the answers and the reflections.
The build embeds the version and key length in the launch page (``runtime_data``), proves the worst case fits the
LMS limit (``plan``), and ``parse`` reads a copied state back.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from leadpack.errors import LeadpackError, SourceError
from leadpack.pipeline import model

VERSION = 1
KEY_LENGTH = 5
KEY_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
FIELDS = ("v", "l", "p", "a", "r", "t", "d", "g")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
PLAN_FIELD_SEPARATOR = "\u241e"  # ␞: one character in the saved state, never typed by a learner
MAX_TRIES = 99
FINISHED = {"": "not yet", "c": "completed", "p": "passed", "f": "failed"}
KEY = re.compile(rf"^[{KEY_ALPHABET}]{{{KEY_LENGTH}}}$")
RESPONSE = re.compile(rf"^[{model.OPTION_KEYS}]+$")
MIN_REFLECTION_CHARS = 80  # the runtime counts a reflection in saved characters (JSON escapes count twice)


def key(full_id: str) -> str:
    """A short, stable key for an id, used in the learner's saved state to stay within the LMS size limit."""
    number = int.from_bytes(hashlib.sha256(full_id.encode("utf-8")).digest()[:8], "big")
    chars = []
    for _ in range(KEY_LENGTH):
        number, digit = divmod(number, len(KEY_ALPHABET))
        chars.append(KEY_ALPHABET[digit])
    return "".join(chars)


def encode(state: dict) -> str:
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


# ---- the worst case, proven at build time ------------------------------------------------------------------

@dataclass(frozen=True)
class Budget:
    unit: model.Unit
    limit: int
    reflection_cap: int
    worst_case: int


def worst_case_state(unit: model.Unit, reflection_text_length: int, store_reflections: bool,
                     languages: tuple[str, ...] = ()) -> dict:
    """Every page visited, every question answered with the most letters it allows, every reflection full, and
    in a package of several languages the longest language code."""
    keys = [key(page.full_id) for page in unit.pages]
    state: dict = {"v": VERSION, "l": keys[-1] if keys else "", "p": "".join(keys)}
    state["a"] = {key(f"{m.id}/{q.id}"): "".join(o.key for o in q.options) if q.multiple else q.options[0].key
                  for m in unit.modules for q in m.questions}
    if store_reflections:
        state["r"] = {key(rid): "x" * reflection_text_length for rid, _ in unit.reflections}
    state["t"] = MAX_TRIES
    state["d"] = "p"
    if len(languages) > 1:
        state["g"] = max(languages, key=len)
    return state


def plan(unit: model.Unit, limit: int, settings: model.BuildSettings, source: str,
         languages: tuple[str, ...] = ()) -> Budget:
    """Choose the longest reflection that fits ``limit`` and prove the worst case fits, or fail clearly. The cap
    counts saved characters (the runtime measures each reflection as JSON writes it), so plain text gets all of it."""
    lms = settings.reflections == "lms"
    fixed = len(encode(worst_case_state(unit, 0, lms, languages)))
    count = len(unit.reflections) if lms else 0
    cap = settings.reflection_max_chars
    if count:
        cap = min(cap, (limit - fixed) // count)
    if fixed > limit or (count and cap < MIN_REFLECTION_CHARS):
        need = fixed + count * MIN_REFLECTION_CHARS if count else fixed
        raise SourceError(source, 1, f"'{unit.title}' cannot save a learner's progress within the LMS limit: "
                          f"its worst case needs {need} characters of suspend_data, the limit is {limit}",
                          'set sco_per = "module" or reflections = "device" in leadpack.toml, or raise '
                          "suspend_data_limit if your LMS is configured to store more")
    worst = fixed + count * cap
    return Budget(unit, limit, cap, worst)


def check_key_collisions(unit: model.Unit, source: str) -> None:
    """Two ids of one kind sharing a short key would mix up progress; ask the author to pin a different id."""
    kinds = {
        "page": [p.full_id for p in unit.pages],
        "question": [f"{m.id}/{q.id}" for m in unit.modules for q in m.questions],
        "reflection": [rid for rid, _ in unit.reflections],
    }
    for ids in kinds.values():
        seen: dict[str, str] = {}
        for full_id in ids:
            found = key(full_id)
            if found in seen and seen[found] != full_id:
                raise SourceError(source, 1, f"'{full_id}' and '{seen[found]}' share the saved-state key '{found}'",
                                  "pin a different id on one of them")
            seen[found] = full_id


# ---- reading a copied state back ---------------------------------------------------------------------------

SURROGATE = re.compile("[\ud800-\udfff]")


def all_text(data: object) -> bool:
    """False when any string in parsed JSON (keys too) holds an unpaired surrogate, which JSON's \\u escapes can
    write but no output can print; walked without recursion, however deep the data nests."""
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if SURROGATE.search(value):
                return False
        elif isinstance(value, dict):
            pending += value.keys()
            pending += value.values()
        elif isinstance(value, list):
            pending += value
    return True


class StateError(LeadpackError):
    """Text that is not saved state of this encoding and version."""


@dataclass(frozen=True)
class SavedState:
    """The decoded fields, still keyed by the short state keys."""

    version: int
    location: str
    visited: tuple[str, ...]
    answers: dict[str, str]
    reflections: dict[str, str]
    done: str
    tries: int = 0
    language: str = ""  # the language the learner last chose ("" in a package of one language)

    def keys(self) -> set[str]:
        return {k for k in (self.location, *self.visited, *self.answers, *self.reflections) if k}

    @property
    def finished(self) -> str:
        return FINISHED[self.done]


def parse(text: str, copy_hint: str) -> SavedState:
    """Check every field of the encoding; anything else means another package, version or a bad copy."""
    if not text:
        raise StateError(f"the saved state is empty: the learner has no saved progress, or the copy missed it "
                         f"({copy_hint})")
    try:
        raw = json.loads(text)
    except ValueError as exc:
        position = f" at character {exc.pos + 1}" if isinstance(exc, json.JSONDecodeError) else ""
        raise StateError(f"this is not leadpack saved state: it is not JSON ({getattr(exc, 'msg', exc)}"
                         f"{position}); {copy_hint}") from None
    except RecursionError:
        raise StateError(f"this is not leadpack saved state: it is nested far too deeply; {copy_hint}") from None
    if SURROGATE.search(text) or not all_text(raw):
        raise StateError("this is not leadpack saved state: it holds bytes or escapes that are not Unicode text "
                         f"(the runtime never saves those); {copy_hint}")
    if not isinstance(raw, dict) or "v" not in raw:
        raise StateError(f"this is not leadpack saved state: it has no version field \"v\"; {copy_hint}")
    if raw["v"] != VERSION or isinstance(raw["v"], bool):
        raise StateError(f"this state was saved in format version {raw['v']!r:.40}; this leadpack reads version "
                         f"{VERSION}: it comes from another version of leadpack or from another package")
    unknown = sorted(str(name) for name in set(raw) - set(FIELDS))
    if unknown:
        raise StateError(f"unknown field(s) {', '.join(unknown)[:200]} in the saved state: it was not written by "
                         "this version of leadpack")
    return SavedState(VERSION, _location(raw.get("l", "")), _visited(raw.get("p", "")),
                      _answers(raw.get("a", {})), _reflections(raw.get("r", {})), _done(raw.get("d", "")),
                      _tries(raw.get("t", 0)), _language(raw.get("g", "")))


def _location(value: object) -> str:
    if not isinstance(value, str) or (value and not KEY.match(value)):
        raise StateError(f"malformed bookmark \"l\": {value!r:.60} is not a page key")
    return value


def _visited(value: object) -> tuple[str, ...]:
    if not isinstance(value, str) or len(value) % KEY_LENGTH:
        raise StateError(f"malformed page list \"p\": {value!r:.60} is not a run of {KEY_LENGTH}-character page keys")
    keys = tuple(value[i:i + KEY_LENGTH] for i in range(0, len(value), KEY_LENGTH))
    bad = [k for k in keys if not KEY.match(k)]
    if bad:
        raise StateError(f"malformed page list \"p\": {bad[0]!r} is not a page key")
    return keys


def _answers(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise StateError("malformed answers \"a\": expected an object of question key → chosen options")
    for name, response in value.items():
        if not KEY.match(name) or not isinstance(response, str) or not RESPONSE.match(response):
            raise StateError(f"malformed answer {name!r:.40}: {response!r:.40} (expected option letters "
                             f"{model.OPTION_KEYS[0]} to {model.OPTION_KEYS[-1]})")
    return dict(value)


def _reflections(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(KEY.match(k) and isinstance(t, str) for k, t in value.items()):
        raise StateError("malformed reflections \"r\": expected an object of reflection key → text")
    return dict(value)


def _tries(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_TRIES:
        raise StateError(f"malformed tries \"t\": {value!r:.40} (expected a whole number from 0 to {MAX_TRIES})")
    return value


def _language(value: object) -> str:
    if not isinstance(value, str) or value and not LANGUAGE.match(value):
        raise StateError(f"malformed language \"g\": {value!r:.40} (expected a language tag such as cy)")
    return value


def _done(value: object) -> str:
    if not isinstance(value, str) or value not in FINISHED:
        raise StateError(f"malformed finished marker \"d\": {value!r:.40} (expected c, p or f)")
    return value
