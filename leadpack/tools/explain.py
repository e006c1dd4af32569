"""A learner's saved state, read back into plain words: which pages are done, the answers, the reflections.

Support staff get a ``cmi.suspend_data`` value from a Moodle or Totara track report (or the xAPI State API
document ``leadpack-progress``) when a learner says "my progress is gone". The encoding is the runtime's
(``runtime/lp-core.js`` ``encodeState``, defined in ``pipeline/state.py``): keys are short hashes of ids, so names
need the package's runtime data (the JSON in each launch page's ``<script id="lp-data">``).

Unlike the runtime, which silently drops keys it does not know (so a republished package keeps progress), this
reader refuses state that does not match the package: a support answer built on the wrong package is worse than
none.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass
from pathlib import Path

from leadpack import formats
from leadpack.formats.package import PackageError, ZipPackage
from leadpack.pipeline.runtime_data import QuestionEntry, RuntimeData, RuntimeDataError, read_html
from leadpack.pipeline.state import SavedState, StateError, parse

COPY_HINT = "copy the whole cmi.suspend_data value from the learner's track report (or the state document)"


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
        return self.state.finished

    def as_dict(self) -> dict:
        return {"state": asdict(self.state), "unit": self.unit, "bookmark": self.bookmark,
                "finished": self.finished, "pages": [asdict(p) for p in self.pages],
                "answers": [asdict(a) for a in self.answers], "reflections": [asdict(r) for r in self.reflections]}


# ---- reading the input -------------------------------------------------------------------------------------

def unwrap(text: str) -> str:
    """Undo what copying does: surrounding space, HTML escapes from a report page, a format's own wrapper."""
    text = text.strip()
    if "&quot;" in text or "&#34;" in text:
        text = html.unescape(text)
    for fmt in formats.every():
        text = fmt.saved_state(text)
    return text


def parse_state(text: str) -> SavedState:
    """The saved state in ``text``, checked field by field (``StateError`` says what is wrong)."""
    return parse(unwrap(text), COPY_HINT)


# ---- the package's runtime data ----------------------------------------------------------------------------

def units_in_package(path: Path) -> list[RuntimeData]:
    """The runtime data of every launch page at the top of a leadpack zip (one per SCO)."""
    try:
        with ZipPackage(path) as package:
            pages = sorted(n for n in package.names if n.endswith(".html") and "/" not in n)
            units = [read_html(package.text(n), f"{package.label}!{n}") for n in pages]
    except (PackageError, RuntimeDataError) as exc:
        raise StateError(f"cannot read the package: {exc}; pass the .zip built by leadpack") from None
    units = [u for u in units if u]
    if not units:
        raise StateError(f"{path}: no leadpack launch page inside; pass a package built by leadpack")
    return units


# ---- explaining ----------------------------------------------------------------------------------------------

def explain(state: SavedState, units: list[RuntimeData] | None = None) -> Explanation:
    """Name everything in the state from the matching unit; without units, describe what the keys alone say."""
    if units is None:
        return _keys_only(state)
    unit = _matching_unit(state, units)
    visited = set(state.visited)
    modules = {m.id: m.title for m in unit.modules}
    pages = tuple(PageLine(p.id, p.title, modules.get(p.module, p.module), p.key in visited) for p in unit.pages)
    answers = tuple(_answer_line(q, state.answers.get(q.key, "")) for q in unit.questions)
    reflections = tuple(ReflectionLine(r.id, r.prompt, len(state.reflections.get(r.key, "")))
                        for r in unit.reflections)
    bookmark = next((p.id for p in unit.pages if p.key == state.location), state.location)
    about = {"set": unit.set.id, "title": unit.set.title, "version": unit.set.version,
             "unit": unit.unit_id, "unit_title": unit.unit.get("title", ""), "format": unit.format,
             "storage": unit.storage, "pass_mark": unit.pass_mark}
    return Explanation(state, about, bookmark, pages, answers, reflections)


def _matching_unit(state: SavedState, units: list[RuntimeData]) -> RuntimeData:
    """The unit that knows every key; the package cannot be the learner's if none does."""
    versions = {u.state_version for u in units}
    if state.version not in versions:
        raise StateError(f"this state was saved in format version {state.version}; the package uses version "
                         f"{', '.join(map(str, sorted(versions)))}")
    best, best_unknown = units[0], None
    for unit in units:
        known = {item.key for items in (unit.pages, unit.questions, unit.reflections) for item in items}
        unknown = sorted(state.keys() - known)
        if not unknown:
            return unit
        if best_unknown is None or len(unknown) < len(best_unknown):
            best, best_unknown = unit, unknown
    title = f"'{best.set.title}' {best.set.version}"
    raise StateError(f"{len(best_unknown)} key(s) in the saved state are not in {title} "
                     f"({', '.join(best_unknown[:8])}{', …' if len(best_unknown) > 8 else ''}): the state comes "
                     "from another package or another version of this one; pass the package the learner used "
                     "(the runtime itself would drop these keys, and the progress they hold, on resume)")


def _answer_line(question: QuestionEntry, response: str) -> AnswerLine:
    options = question.options
    right = sorted(response) == sorted(question.correct) if response else None
    return AnswerLine(question.id, question.text, response, tuple(options.get(k, k) for k in response),
                      tuple(options.get(k, k) for k in question.correct), right)


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
    return lines + _language(explanation.state) + [f"Finished: {explanation.finished}"]


def _language(state: SavedState) -> list[str]:
    """The language the learner last chose, in a package of several (the state holds none in one of one)."""
    return [f"Language: {state.language} (the one the learner last chose)"] if state.language else []


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
    return lines + _language(state) + [f"Finished: {explanation.finished}"]
