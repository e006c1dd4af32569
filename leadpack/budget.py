"""The learner's saved state (``cmi.suspend_data``) and its worst-case size, proven at build time.

The encoding is shared with ``runtime/lp-core.js`` (``encodeState``): compact JSON, version 1, keyed by short
stable hashes of ids, never by position, so a rebuild that inserts or reorders pages keeps progress attached:

    {"v":1,"l":"<page key>","p":"<page key><page key>...","a":{"<question key>":"ac"},"r":{"<key>":"text"},"d":"c"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from leadpack import model
from leadpack.errors import SourceError

STATE_VERSION = 1
MIN_REFLECTION_CHARS = 80
# JSON escapes a quote, backslash or newline as two characters; the runtime drops other control characters and
# lone surrogates before saving, so two characters per character typed is the worst case.
ESCAPE_FACTOR = 2


@dataclass(frozen=True)
class Unit:
    """What one launch covers: a whole set, or one module when each module is its own SCO."""

    id: str
    title: str
    file: str
    modules: tuple[model.Module, ...]

    @property
    def pages(self) -> tuple[model.Page, ...]:
        return tuple(page for module in self.modules for page in module.pages)

    @property
    def questions(self) -> tuple[model.Question, ...]:
        return tuple(q for module in self.modules for q in module.questions)

    @property
    def reflections(self) -> tuple[tuple[str, model.Reflection], ...]:
        return tuple((f"{m.id}/{r.id}", r) for m in self.modules for r in m.reflections)


@dataclass(frozen=True)
class Budget:
    unit: Unit
    limit: int
    reflection_cap: int
    worst_case: int


def encode(state: dict) -> str:
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


def worst_case_state(unit: Unit, reflection_text_length: int, store_reflections: bool) -> dict:
    keys = [model.state_key(page.full_id) for page in unit.pages]
    state: dict = {"v": STATE_VERSION, "l": keys[-1] if keys else "", "p": "".join(keys)}
    state["a"] = {model.state_key(f"{m.id}/{q.id}"): "".join(o.key for o in q.options)
                  for m in unit.modules for q in m.questions}
    if store_reflections:
        state["r"] = {model.state_key(rid): "x" * reflection_text_length for rid, _ in unit.reflections}
    state["d"] = "p"
    return state


def plan(unit: Unit, settings: model.BuildSettings, source: str) -> Budget:
    """Choose the longest reflection that fits and prove the worst case fits the limit, or fail clearly."""
    limit = settings.suspend_data_limit
    lms = settings.reflections == "lms"
    fixed = len(encode(worst_case_state(unit, 0, lms)))
    count = len(unit.reflections) if lms else 0
    cap = settings.reflection_max_chars
    if count:
        cap = min(cap, (limit - fixed) // (ESCAPE_FACTOR * count))
    if fixed > limit or (count and cap < MIN_REFLECTION_CHARS):
        need = fixed + ESCAPE_FACTOR * count * MIN_REFLECTION_CHARS if count else fixed
        raise SourceError(source, 1, f"'{unit.title}' cannot save a learner's progress within the LMS limit: "
                          f"its worst case needs {need} characters of suspend_data, the limit is {limit}",
                          'set sco_per = "module" or reflections = "device" in leadpack.toml, or raise '
                          "suspend_data_limit if your LMS is configured to store more")
    worst = fixed + ESCAPE_FACTOR * count * cap
    return Budget(unit, limit, cap, worst)


def check_key_collisions(unit: Unit, source: str) -> None:
    """Two ids of one kind sharing a short key would mix up progress; ask the author to pin a different id."""
    kinds = {
        "page": [p.full_id for p in unit.pages],
        "question": [f"{m.id}/{q.id}" for m in unit.modules for q in m.questions],
        "reflection": [rid for rid, _ in unit.reflections],
    }
    for ids in kinds.values():
        seen: dict[str, str] = {}
        for full_id in ids:
            key = model.state_key(full_id)
            if key in seen and seen[key] != full_id:
                raise SourceError(source, 1, f"'{full_id}' and '{seen[key]}' share the saved-state key '{key}'",
                                  "pin a different id on one of them")
            seen[key] = full_id
