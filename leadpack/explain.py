"""A learner's saved state, read back into plain words: which pages are done, the answers, the reflections.

Support staff get a ``cmi.suspend_data`` value from a Moodle or Totara track report (or the xAPI State API
document ``leadpack-progress``) when a learner says "my progress is gone". The encoding is the runtime's
(``runtime/lp-core.js`` ``encodeState``, documented in ``budget.py``): keys are short hashes of ids, so names
need the package's runtime data (the JSON in each launch page's ``<script id="lp-data">``).

Unlike the runtime, which silently drops keys it does not know (so a republished package keeps progress), this
reader refuses state that does not match the package: a support answer built on the wrong package is worse than
none.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from leadpack.budget import STATE_VERSION
from leadpack.errors import LeadpackError
from leadpack.render import runtime_data_from_html

FIELDS = {"v", "l", "p", "a", "r", "d"}
KEY = re.compile(r"^[0-9a-z]{5}$")
RESPONSE = re.compile(r"^[a-j]+$")
FINISHED = {"": "not yet", "c": "completed", "p": "passed", "f": "failed"}
COPY_HINT = "copy the whole cmi.suspend_data value from the learner's track report (or the state document)"


class ExplainError(LeadpackError):
    """Saved state that cannot be read, or that belongs to another package or version."""


@dataclass(frozen=True)
class SavedState:
    """The decoded fields, still keyed by the short state keys."""

    version: int
    location: str
    visited: tuple[str, ...]
    answers: dict[str, str]
    reflections: dict[str, str]
    done: str

    def keys(self) -> set[str]:
        return {k for k in (self.location, *self.visited, *self.answers, *self.reflections) if k}


@dataclass(frozen=True)
class PageLine:
    id: str
    title: str
    module: str
    done: bool


@dataclass(frozen=True)
class AnswerLine:
    id: str
    text: str
    response: str
    chosen: tuple[str, ...]
    correct: tuple[str, ...]
    right: bool | None


@dataclass(frozen=True)
class ReflectionLine:
    id: str
    prompt: str
    length: int


@dataclass(frozen=True)
class Explanation:
    """The state in the package's own terms (or, without a package, in keys only)."""

    state: SavedState
    unit: dict | None
    bookmark: str
    pages: tuple[PageLine, ...]
    answers: tuple[AnswerLine, ...]
    reflections: tuple[ReflectionLine, ...]

    @property
    def finished(self) -> str:
        return FINISHED[self.state.done]

    def as_dict(self) -> dict:
        return {"state": asdict(self.state), "unit": self.unit, "bookmark": self.bookmark,
                "finished": self.finished, "pages": [asdict(p) for p in self.pages],
                "answers": [asdict(a) for a in self.answers], "reflections": [asdict(r) for r in self.reflections]}


# ---- reading the input -------------------------------------------------------------------------------------

def unwrap(text: str) -> str:
    """Undo what copying does: surrounding space, HTML escapes from a report page, the xAPI state wrapper."""
    text = text.strip()
    if "&quot;" in text or "&#34;" in text:
        text = html.unescape(text)
    try:
        wrapper = json.loads(text)
    except ValueError:
        return text
    if isinstance(wrapper, dict) and set(wrapper) == {"state"} and isinstance(wrapper["state"], str):
        return wrapper["state"]
    return text


def parse_state(text: str) -> SavedState:
    """Check every field of the encoding; anything else means another package, version or a bad copy."""
    text = unwrap(text)
    if not text:
        raise ExplainError(f"the saved state is empty: the learner has no saved progress, or the copy missed it "
                           f"({COPY_HINT})")
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ExplainError(f"this is not leadpack saved state: it is not JSON ({exc.msg} at character "
                           f"{exc.pos + 1}); {COPY_HINT}") from None
    if not isinstance(raw, dict) or "v" not in raw:
        raise ExplainError(f"this is not leadpack saved state: it has no version field \"v\"; {COPY_HINT}")
    if raw["v"] != STATE_VERSION:
        raise ExplainError(f"this state was saved in format version {raw['v']!r}; this leadpack reads version "
                           f"{STATE_VERSION}: it comes from another version of leadpack or from another package")
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise ExplainError(f"unknown field(s) {', '.join(unknown)} in the saved state: it was not written by this "
                           "version of leadpack")
    return SavedState(STATE_VERSION, _location(raw.get("l", "")), _visited(raw.get("p", "")),
                      _answers(raw.get("a", {})), _reflections(raw.get("r", {})), _done(raw.get("d", "")))


def _location(value: object) -> str:
    if not isinstance(value, str) or (value and not KEY.match(value)):
        raise ExplainError(f"malformed bookmark \"l\": {value!r} is not a page key")
    return value


def _visited(value: object) -> tuple[str, ...]:
    if not isinstance(value, str) or len(value) % 5:
        raise ExplainError(f"malformed page list \"p\": {value!r} is not a run of 5-character page keys")
    keys = tuple(value[i:i + 5] for i in range(0, len(value), 5))
    bad = [k for k in keys if not KEY.match(k)]
    if bad:
        raise ExplainError(f"malformed page list \"p\": {bad[0]!r} is not a page key")
    return keys


def _answers(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ExplainError("malformed answers \"a\": expected an object of question key → chosen options")
    for key, response in value.items():
        if not KEY.match(key) or not isinstance(response, str) or not RESPONSE.match(response):
            raise ExplainError(f"malformed answer {key!r}: {response!r} (expected option letters a to j)")
    return dict(value)


def _reflections(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(KEY.match(k) and isinstance(t, str) for k, t in value.items()):
        raise ExplainError("malformed reflections \"r\": expected an object of reflection key → text")
    return dict(value)


def _done(value: object) -> str:
    if value not in FINISHED:
        raise ExplainError(f"malformed finished marker \"d\": {value!r} (expected c, p or f)")
    return str(value)


# ---- the package's runtime data ----------------------------------------------------------------------------

def units_in_package(path: Path) -> list[dict]:
    """The runtime data of every launch page in a SCORM or xAPI zip (one per SCO)."""
    try:
        with zipfile.ZipFile(path) as archive:
            pages = sorted(n for n in archive.namelist() if n.endswith(".html") and "/" not in n)
            units = [runtime_data_from_html(archive.read(n).decode("utf-8")) for n in pages]
    except (OSError, zipfile.BadZipFile) as exc:
        raise ExplainError(f"{path}: cannot read the package ({exc}); pass the .zip built by leadpack") from None
    units = [u for u in units if u]
    if not units:
        raise ExplainError(f"{path}: no leadpack launch page inside; pass a package built by leadpack")
    return units


# ---- explaining ----------------------------------------------------------------------------------------------

def explain(state: SavedState, units: list[dict] | None = None) -> Explanation:
    """Name everything in the state from the matching unit; without units, describe what the keys alone say."""
    if units is None:
        return _keys_only(state)
    unit = _matching_unit(state, units)
    visited = set(state.visited)
    pages = tuple(PageLine(p["id"], p["title"], _module_title(unit, p["module"]), p["key"] in visited)
                  for p in unit["pages"])
    answers = tuple(_answer_line(q, state.answers.get(q["key"], "")) for q in unit["questions"])
    reflections = tuple(ReflectionLine(r["id"], r["prompt"], len(state.reflections.get(r["key"], "")))
                        for r in unit["reflections"])
    bookmark = next((p["id"] for p in unit["pages"] if p["key"] == state.location), state.location)
    about = {"set": unit["set"]["id"], "title": unit["set"]["title"], "version": unit["set"]["version"],
             "unit": unit["unit"]["id"], "unit_title": unit["unit"]["title"], "format": unit["format"],
             "storage": unit["storage"], "pass_mark": unit["completion"]["passMark"]}
    return Explanation(state, about, bookmark, pages, answers, reflections)


def _matching_unit(state: SavedState, units: list[dict]) -> dict:
    """The unit that knows every key; the package cannot be the learner's if none does."""
    versions = {u["stateVersion"] for u in units}
    if state.version not in versions:
        raise ExplainError(f"this state was saved in format version {state.version}; the package uses version "
                           f"{', '.join(map(str, sorted(versions)))}")
    best, best_unknown = units[0], None
    for unit in units:
        known = {item["key"] for kind in ("pages", "questions", "reflections") for item in unit[kind]}
        unknown = sorted(state.keys() - known)
        if not unknown:
            return unit
        if best_unknown is None or len(unknown) < len(best_unknown):
            best, best_unknown = unit, unknown
    title = f"'{best['set']['title']}' {best['set']['version']}"
    raise ExplainError(f"{len(best_unknown)} key(s) in the saved state are not in {title} "
                       f"({', '.join(best_unknown[:8])}{', …' if len(best_unknown) > 8 else ''}): the state comes "
                       "from another package or another version of this one; pass the package the learner used "
                       "(the runtime itself would drop these keys, and the progress they hold, on resume)")


def _module_title(unit: dict, module_id: str) -> str:
    return next((m["title"] for m in unit["modules"] if m["id"] == module_id), module_id)


def _answer_line(question: dict, response: str) -> AnswerLine:
    options = question["options"]
    right = None
    if response:
        right = sorted(response) == sorted(question["correct"])
    return AnswerLine(question["id"], question["text"], response, tuple(options.get(k, k) for k in response),
                      tuple(options[k] for k in question["correct"]), right)


def _keys_only(state: SavedState) -> Explanation:
    pages = tuple(PageLine(key, "", "", True) for key in state.visited)
    answers = tuple(AnswerLine(key, "", response, tuple(response.upper()), (), None)
                    for key, response in sorted(state.answers.items()))
    reflections = tuple(ReflectionLine(key, "", len(text)) for key, text in sorted(state.reflections.items()))
    return Explanation(state, None, state.location, pages, answers, reflections)


# ---- plain words ---------------------------------------------------------------------------------------------

def describe(explanation: Explanation) -> list[str]:
    """The lines ``leadpack explain`` prints."""
    if explanation.unit is None:
        return _describe_keys(explanation)
    unit, pages = explanation.unit, explanation.pages
    lines = [f"Saved progress in '{unit['title']}' {unit['version']} (set {unit['set']}"
             + (f", SCO {unit['unit']})" if unit["unit"] != unit["set"] else ")")]
    bookmark = next((p for p in pages if p.id == explanation.bookmark), None)
    lines.append(f"Bookmark: {bookmark.module} › {bookmark.title} ({bookmark.id})" if bookmark
                 else "Bookmark: none (the learner starts at the first page)")
    done = [p for p in pages if p.done]
    lines.append(f"Pages: {len(done)} of {len(pages)} done")
    lines += [f"  {'done   ' if p.done else 'missing'}  {p.module} › {p.title} ({p.id})" for p in pages]
    answered = [a for a in explanation.answers if a.response]
    right = sum(1 for a in answered if a.right)
    lines.append(f"Questions: {len(answered)} of {len(explanation.answers)} answered, {right} right"
                 + (f" (pass mark {unit['pass_mark']}%)" if unit["pass_mark"] is not None else ""))
    for answer in explanation.answers:
        if not answer.response:
            lines.append(f"  not answered  {answer.text} ({answer.id})")
            continue
        verdict = "right" if answer.right else "wrong"
        chosen = "; ".join(answer.chosen)
        lines.append(f"  {verdict:<12}  {answer.text} ({answer.id}): answered {chosen}"
                     + ("" if answer.right else f"; the answer is {'; '.join(answer.correct)}"))
    lines += _describe_reflections(explanation, unit["storage"])
    lines.append(f"Finished: {explanation.finished}")
    return lines


def _describe_reflections(explanation: Explanation, storage: str) -> list[str]:
    written = [r for r in explanation.reflections if r.length]
    if storage != "lms":
        return [f"Reflections: kept on the learner's device only ({len(explanation.reflections)} in this package)"]
    lines = [f"Reflections: {len(written)} of {len(explanation.reflections)} hold text"]
    for reflection in explanation.reflections:
        amount = f"{reflection.length} characters" if reflection.length else "empty"
        lines.append(f"  {amount:<15}  {reflection.prompt} ({reflection.id})")
    return lines


def _describe_keys(explanation: Explanation) -> list[str]:
    state = explanation.state
    lines = [f"Saved progress, format version {state.version}. Names need the package: run again with "
             "--package <the .zip the learner used>.",
             f"Bookmark: page key {state.location}" if state.location else "Bookmark: none",
             f"Pages done: {len(state.visited)}" + (f" (keys {', '.join(state.visited)})" if state.visited else "")]
    lines.append(f"Questions answered: {len(state.answers)}")
    lines += [f"  question key {a.id}: chose {', '.join(a.chosen)}" for a in explanation.answers]
    lines.append(f"Reflections holding text: {sum(1 for r in explanation.reflections if r.length)}")
    lines += [f"  reflection key {r.id}: {r.length} characters" for r in explanation.reflections]
    lines.append(f"Finished: {explanation.finished}")
    return lines
