"""``leadpack diff OLD.zip NEW.zip``: what changed between two releases, and whether learners keep their progress.

An LMS keys learners' tracking on the manifest's item identifiers (SCORM) or the launch activity id (xAPI), and
the package keys its saved state on page, question and reflection ids, encoded with a versioned format. This
module reads both packages (manifest, tincan.xml and the runtime data embedded in each launch page) and sorts
every change into safe ones and ones that would reset or misattribute progress once the new package is uploaded
over the old one, with advice for each.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from leadpack import formats
from leadpack.errors import LeadpackError, counted, display_path
from leadpack.formats.package import PackageError, ZipPackage
from leadpack.pipeline.document import joined
from leadpack.pipeline.runtime_data import (
    PageEntry,
    QuestionEntry,
    ReflectionEntry,
    RuntimeData,
    RuntimeDataError,
    read_html,
)

Entry = PageEntry | QuestionEntry | ReflectionEntry


class CannotCompare(LeadpackError):
    """The two files cannot be compared (not packages, or different formats): a usage problem, exit 2."""


@dataclass
class Release:
    """What one package says about identity and content."""

    path: Path
    kind: str  # the format's name
    identity: dict[str, str] = field(default_factory=dict)  # manifest/organization/launch activity ids
    items: dict[str, str] = field(default_factory=dict)  # launchable item identifier → title
    resources: dict[str, str] = field(default_factory=dict)  # launchable resource identifier → href
    mastery: dict[str, str] = field(default_factory=dict)  # item identifier → mastery score
    data: RuntimeData | None = None  # the runtime data of every launch page, merged
    scripts: dict[str, str] = field(default_factory=dict)  # each script the package ships → its sha256

    @property
    def has_data(self) -> bool:
        return self.data is not None

    @property
    def label(self) -> str:
        name = f"{self.data.set.id} {self.data.set.version}".strip() if self.data else self.kind
        return f"{display_path(self.path)} ({self.kind}, {name})"


@dataclass
class Change:
    area: str  # identifiers | modules | pages | questions | reflections | settings
    change: str  # added | removed | renamed | changed
    subject: str
    message: str
    affects_progress: bool = False  # resets, misattributes or cuts something a learner saved
    advice: str = ""
    module: str = ""  # the old id of the module it is in ("" for the package and its settings)
    follows_from: str = ""  # the module rename this change only follows from (shown on that module's line)


# Reading a package ----------------------------------------------------------------------------------------------

def read_release(path: Path) -> Release:
    try:
        with ZipPackage(path) as package:
            found = formats.recognise(package)
            if not found:
                broken = next((name for name in package.names if package.xml_error(name) is not None
                               and name in {fmt.manifest for fmt in formats.every()}), None)
                if broken:
                    raise CannotCompare(f"{display_path(path)}!{broken} is not well-formed XML "
                                        f"({package.xml_error(broken).msg}); run leadpack validate on it")
                known = ", ".join(f"{fmt.manifest} ({fmt.title})" for fmt in formats.every())
                raise CannotCompare(f"{display_path(path)} has no manifest of a format leadpack knows at its root "
                                    f"(looked for {known}); it is not a package leadpack can compare")
            fmt = found[0]
            identity = fmt.identity(package)
            release = Release(path, fmt.name, dict(identity.identifiers), dict(identity.items),
                              dict(identity.resources), dict(identity.mastery))
            release.scripts = {name: hashlib.sha256(package.read(name)).hexdigest() for name in package.names
                               if name.endswith(".js")}
            for launch in identity.launches:
                if launch in package.names:
                    data = read_html(package.text(launch), f"{display_path(path)}!{launch}")
                    if data is not None:
                        release.data = data if release.data is None else release.data.merged(data)
    except (PackageError, RuntimeDataError) as exc:
        raise CannotCompare(f"{exc}; run leadpack validate on it") from None
    return release


# Comparing ------------------------------------------------------------------------------------------------------

def compare(old: Release, new: Release) -> list[Change]:
    if old.kind != new.kind:
        raise CannotCompare(f"{display_path(old.path)} is a {old.kind} package and {display_path(new.path)} a "
                            f"{new.kind} package; compare two packages of the same format")
    changes = _identity(old, new)
    if old.has_data and new.has_data:
        modules = _renamed_modules(old.data, new.data)
        changes += _modules(old.data, new.data, modules)
        for area in ("pages", "questions", "reflections"):
            changes += _items(area, getattr(old.data, area), getattr(new.data, area), modules)
        changes += _settings(old.data, new.data)
    return changes + _scripts(old, new)


def _scripts(old: Release, new: Release) -> list[Change]:
    """The learner runtime (or any script in the package) changed: no progress is at stake while the saved state's
    format stays (settings say when it does not), but what learners see and the platform records may differ."""
    changed = sorted(name for name in set(old.scripts) | set(new.scripts)
                     if old.scripts.get(name) != new.scripts.get(name))
    if not changed:
        return []
    names = ", ".join(Path(name).name for name in changed)
    return [Change("settings", "changed", "scripts", f"the learner runtime changed ({names})", False,
                   "try the new package in the LMS's test course before replacing the old one")]


def same_version(old: Release, new: Release) -> str:
    """The version both packages carry, when they carry the same one (a new release should raise it)."""
    if old.has_data and new.has_data and old.data.set.version == new.data.set.version:
        return old.data.set.version
    return ""


def _identity(old: Release, new: Release) -> list[Change]:
    changes = []
    for name in sorted(set(old.identity) | set(new.identity)):
        before, after = old.identity.get(name, ""), new.identity.get(name, "")
        if before != after:
            changes.append(Change("identifiers", "changed", name, f"the {name} changed from '{before}' to '{after}'",
                                  True, "keep it as it was: the LMS keys learners' tracking on it (rebuild with the "
                                  "old set folder name and base_iri)"))
    for removed in sorted(set(old.items) - set(new.items)):
        changes.append(Change("identifiers", "removed", removed, f"the item '{removed}' ({old.items[removed]}) is gone",
                              True, "LMSs such as Totara clear the tracking of items whose identifier changes; keep "
                              "module ids stable (pin id = \"...\" in a renamed module's front matter)"))
    for added in sorted(set(new.items) - set(old.items)):
        changes.append(Change("identifiers", "added", added, f"a new item '{added}' ({new.items[added]})",
                              False, "learners who finished the old items will find a new one to do"))
    for removed in sorted(set(old.resources) - set(new.resources)):
        changes.append(Change("identifiers", "removed", removed, f"the launchable resource '{removed}' "
                              f"({old.resources[removed]}) is gone", True,
                              "keep resource identifiers stable between releases: they follow the module ids"))
    for name in sorted(set(old.mastery) & set(new.mastery)):
        if old.mastery[name] != new.mastery[name]:
            changes.append(Change("settings", "changed", name, f"masteryscore of '{name}' changed from "
                                  f"{old.mastery[name]} to {new.mastery[name]}", False,
                                  "learners already passed or failed keep that status"))
    return changes


def _renamed_modules(old: RuntimeData, new: RuntimeData) -> dict[str, str]:
    """Old module id → new id, for modules whose id changed but whose title stayed (a renamed file)."""
    old_modules = {m.id: m.title for m in old.modules}
    new_modules = {m.id: m.title for m in new.modules}
    gone = {mid: title for mid, title in old_modules.items() if mid not in new_modules}
    came = {mid: title for mid, title in new_modules.items() if mid not in old_modules}
    renamed = {}
    for old_id, title in gone.items():
        match = [new_id for new_id, new_title in came.items() if new_title == title and new_id not in renamed.values()]
        if match:
            renamed[old_id] = match[0]
    return renamed


def _modules(old: RuntimeData, new: RuntimeData, renamed: dict[str, str]) -> list[Change]:
    changes = []
    old_ids = [m.id for m in old.modules]
    new_ids = [m.id for m in new.modules]
    for old_id, new_id in renamed.items():
        changes.append(Change("modules", "renamed", old_id, f"module '{old_id}' is now '{new_id}': the ids of "
                              f"{_contents(old, old_id)} in it changed", True,
                              f"pin the old id: add id = \"{old_id}\" to the front matter of {new_id}.md",
                              module=old_id))
    for removed in [m for m in old_ids if m not in new_ids and m not in renamed]:
        changes.append(Change("modules", "removed", removed, f"module '{removed}' was removed", True,
                              "learners' progress in it is dropped; keep the module if learners are part-way",
                              module=removed))
    for added in [m for m in new_ids if m not in old_ids and m not in renamed.values()]:
        changes.append(Change("modules", "added", added, f"module '{added}' was added", module=added))
    kept = [m for m in old_ids if m in new_ids]
    if kept != [m for m in new_ids if m in old_ids]:
        changes.append(Change("modules", "changed", "order", "the modules are in a new order", False,
                              "progress is kept: it is keyed by ids, not positions"))
    return changes


def _contents(data: RuntimeData, module: str) -> str:
    """'3 pages, 2 questions and 1 reflection': what a module holds, to say how much a rename touches."""
    counts = [(len([e for e in getattr(data, area) if e.id.startswith(f"{module}/")]), area[:-1])
              for area in ("pages", "questions", "reflections")]
    parts = [counted(number, noun) for number, noun in counts if number]
    return "".join(joined([(part,) for part in parts])) if parts else "nothing"


def _items(area: str, old: tuple[Entry, ...], new: tuple[Entry, ...], renamed_modules: dict[str, str]) -> list[Change]:
    singular = area[:-1]
    before = {item.id: item for item in old}
    after = {item.id: item for item in new}
    gone = [i for i in before if i not in after]
    came = [i for i in after if i not in before]
    changes = []
    matched: set[str] = set()
    for old_id in gone:
        new_id = _counterpart(before[old_id], old_id, [c for c in came if c not in matched], after, renamed_modules)
        label = _label(before[old_id])
        if new_id:
            matched.add(new_id)
            module_renamed = old_id.split("/")[0] in renamed_modules
            same_local = old_id.rpartition("/")[2] == new_id.rpartition("/")[2]
            advice = ("pin the old id of the module" if module_renamed and same_local
                      else f"pin the old id of the module, and {_pin_advice(singular, old_id)}"
                      if module_renamed else _pin_advice(singular, old_id))
            changes.append(Change(area, "renamed", old_id, f"{singular} {label} changed id from '{old_id}' to "
                                  f"'{new_id}'", True, f"learners' {_what(singular)} is lost; {advice}",
                                  follows_from=old_id.rpartition("/")[0] if module_renamed and same_local else ""))
        else:
            changes.append(Change(area, "removed", old_id, f"{singular} '{old_id}' {label} was removed", True,
                                  f"learners' {_what(singular)} is dropped"
                                  + ("; their score and pass/fail are recalculated without it"
                                     if singular == "question" else "")))
    for new_id in came:
        if new_id not in matched:
            changes.append(Change(area, "added", new_id, f"{singular} '{new_id}' {_label(after[new_id])} was added",
                                  False, "learners part-way through will meet it" if singular != "reflection" else ""))
    for item_id in [i for i in before if i in after]:
        changes += _changed_item(area, singular, before[item_id], after[item_id])
    old_order = [i for i in before if i in after]
    if area == "pages" and old_order != [i for i in after if i in before]:
        changes.append(Change(area, "changed", "order", "pages are in a new order", False,
                              "progress is kept: it is keyed by ids, not positions"))
    old_module = {new_id: old_id for old_id, new_id in renamed_modules.items()}
    for change in changes:
        if change.subject != "order":  # subjects are module/local ids, the new one for an added item
            module = change.subject.rpartition("/")[0]
            change.module = old_module.get(module, module)
    return changes


def _counterpart(item: Entry, old_id: str, candidates: list[str], after: dict[str, Entry],
                 renamed_modules: dict[str, str]) -> str:
    """The new id of an item whose id changed: same module (or the renamed one) and same title or text."""
    module, _, local = old_id.rpartition("/")
    target_module = renamed_modules.get(module, module)
    if module in renamed_modules and f"{target_module}/{local}" in candidates:
        return f"{target_module}/{local}"
    text = _text(item)
    same_module = [c for c in candidates if c.rpartition("/")[0] == target_module]
    for candidate in same_module:
        if text and _text(after[candidate]) == text:
            return candidate
    close = difflib.get_close_matches(text, [_text(after[c]) for c in same_module], n=1, cutoff=0.8) if text else []
    return next((c for c in same_module if close and _text(after[c]) == close[0]), "")


def _changed_item(area: str, singular: str, old: Entry, new: Entry) -> list[Change]:
    changes = []
    if singular == "question":
        before, after = old.options, new.options
        moved = [key for key in before if before[key] != after.get(key)]
        if moved:
            changes.append(Change(area, "changed", old.id, f"question '{old.id}' has different options or "
                                  "correct answers", True, "answers are saved as option letters: learners' earlier "
                                  "answers now count for other options. Keep options in place and add new ones at "
                                  "the end, or give the changed question a new id so it is asked afresh"))
        elif old.correct != new.correct:
            changes.append(Change(area, "changed", old.id, f"question '{old.id}' has a new correct answer "
                                  f"({old.correct} → {new.correct})", True, "learners' earlier answers "
                                  "are scored against the new answer; give the question a new id to ask it afresh"))
        elif after != before:
            changes.append(Change(area, "changed", old.id, f"question '{old.id}' has a new option at the end"))
        elif _text(old) != _text(new):
            changes.append(Change(area, "changed", old.id, f"question '{old.id}' has new wording"))
    elif _text(old) != _text(new):
        changes.append(Change(area, "changed", old.id, f"{singular} '{old.id}' has a new title "
                              f"{_label(new)}" if singular == "page" else f"{singular} '{old.id}' has new wording"))
    return changes


SETTINGS = [  # (path in the runtime data, affects learners, what it is called, advice)
    (("stateVersion",), True, "the saved-state encoding version", "learners' saved progress cannot be read by "
     "the new package: every learner starts again. Publish it as a new activity, or at a moment when no "
     "learner is part-way"),
    (("set", "id"), True, "the set id", "every id in the package follows from it; keep the set folder's name"),
    (("set", "iri"), True, "the course activity IRI", "xAPI statements and saved state are keyed on it; keep "
     "base_iri and the set folder's name"),
    (("storage",), None, "where reflections are saved", ""),
    (("reflectionMax",), None, "the longest reflection saved", ""),
    (("completion", "rule"), False, "the completion rule", "learners already completed keep that status; "
     "others are judged by the new rule"),
    (("completion", "passMark"), False, "the pass mark", "learners already passed or failed keep that status"),
    (("set", "version"), False, "the version", ""),
    (("set", "title"), False, "the title", ""),
    (("limit",), False, "the suspend_data limit", ""),
    (("language",), False, "the language", ""),
]
SETTING_NAMES = {".".join(path): name for path, _, name, _ in SETTINGS}


def _settings(old: RuntimeData, new: RuntimeData) -> list[Change]:
    changes = []
    old_json, new_json = old.to_dict(), new.to_dict()

    def changed(path: tuple[str, ...]) -> tuple[object, object] | None:
        """The setting at ``path`` in the runtime data's JSON names, before and after, if it changed."""
        before, after = old_json, new_json
        for key in path:
            before = before.get(key) if isinstance(before, dict) else None
            after = after.get(key) if isinstance(after, dict) else None
        return (before, after) if before != after else None

    for path, affects, name, advice in SETTINGS:
        found = changed(path)
        if found is None:
            continue
        before, after = found
        if path == ("storage",):
            affects = before == "lms" and after == "device"
            advice = ("reflections learners saved in the LMS are no longer read, and are dropped at their next save"
                      if affects else "reflections are saved in the LMS from now on")
        elif path == ("reflectionMax",):  # kept, but no longer whole in the LMS once the learner edits it
            affects = isinstance(before, int) and isinstance(after, int) and after < before
            advice = (f"a saved reflection longer than {after} characters is kept whole, and the learner told so, "
                      f"until they edit it; from then the LMS keeps its first {after} characters and the whole "
                      "text stays in that browser only (kept texts that would take the saved state over the "
                      f"LMS's limit are cut to {after} at once); raise suspend_data_limit if the LMS stores more, "
                      "and set reflection_max_chars at or below the cap from the first release so that pages "
                      "added later do not lower it" if affects else "")
        changes.append(Change("settings", "changed", ".".join(path), f"{name} changed from {json.dumps(before)} "
                              f"to {json.dumps(after)}", bool(affects), advice))
    return changes


def _text(item: Entry) -> str:
    return item.text


def _label(item: Entry) -> str:
    text = _text(item)
    return f'"{text[:60]}…"' if len(text) > 60 else f'"{text}"' if text else ""


def _what(singular: str) -> str:
    return {"page": "visit to it", "question": "answer to it", "reflection": "saved text for it"}[singular]


def _pin_advice(singular: str, old_id: str) -> str:
    local = old_id.rpartition("/")[2]
    if singular == "page":
        return f"pin the old id on the heading: # Title {{#{local}}}"
    return f'pin the old id: ::: {singular} id="{local}"'


# Presenting -----------------------------------------------------------------------------------------------------

def warnings(old: Release, new: Release) -> list[str]:
    found = []
    if not (old.has_data and new.has_data):
        found.append("no leadpack runtime data in one of the packages: only identifiers were compared")
    version = same_version(old, new)
    if version:
        found.append(f"both packages are version {version}: raise version in set.toml for a new release, so that "
                     "the LMS and the people who run it can tell the two apart")
    return found


def summary(old: Release, new: Release, changes: list[Change]) -> dict:
    affecting = [c for c in changes if c.affects_progress]
    notes = [w for w in warnings(old, new) if w.startswith("no leadpack runtime data")]
    return {"old": str(old.path), "new": str(new.path), "format": old.kind, "safe": not affecting,
            "verdict": "affects learners" if affecting else "safe", "changes": [asdict(c) for c in changes],
            "notes": notes, "warnings": [w for w in warnings(old, new) if w not in notes]}


def render_text(old: Release, new: Release, changes: list[Change]) -> list[str]:
    """One line per change, grouped by module; then the verdict and what to do. Changes that only follow from a
    module's rename are counted on that module's line (``--json`` lists each of them)."""
    lines = [f"old: {old.label}", f"new: {new.label}"]
    lines += [f"{'note' if w.startswith('no leadpack') else 'warning'}: {w}" for w in warnings(old, new)]
    lines.append("")
    shown = [c for c in changes if not c.follows_from]
    for heading, group in _groups(old, new, shown):
        lines.append(heading)
        lines += [f"  {_mark(c)} {c.message}" + (f" ({c.advice})" if c.advice and not c.affects_progress else "")
                  for c in group]
    if not changes:
        lines.append("No changes to pages, questions, reflections, settings or identifiers.")
    return lines + [""] + _verdict(old, new, [c for c in shown if c.affects_progress])


def _mark(change: Change) -> str:
    return "!" if change.affects_progress else {"added": "+", "removed": "-"}.get(change.change, "~")


def _groups(old: Release, new: Release, changes: list[Change]) -> list[tuple[str, list[Change]]]:
    """The package and its settings first, then each module in the old order, then modules added."""
    old_titles = {m.id: m.title for m in old.data.modules} if old.data else {}
    new_titles = {m.id: m.title for m in new.data.modules} if new.data else {}
    renamed = _renamed_modules(old.data, new.data) if old.data and new.data else {}
    order = ["", *old_titles, *(m for m in new_titles if m not in old_titles)]
    groups = []
    for module in sorted({c.module for c in changes}, key=lambda m: order.index(m) if m in order else len(order)):
        title = old_titles.get(module) or new_titles.get(module, "")
        name = f"{module} → {renamed[module]}" if module in renamed else module
        heading = f"Module {name}" + (f', "{title}"' if title else "") + ":" if module else "Package and settings:"
        groups.append((heading, [c for c in changes if c.module == module]))
    return groups


def _verdict(old: Release, new: Release, affecting: list[Change]) -> list[str]:
    before, after = (old.path.name, new.path.name) if old.path.name != new.path.name else \
        (display_path(old.path), display_path(new.path))
    if not affecting:
        return [f"Verdict: safe. Uploading {after} over {before} keeps every learner's progress.",
                f"What to do: upload {after} as a new version of the same activity in the LMS."]
    lines = [f"Verdict: affects learners. {counted(len(affecting), 'change')} would reset, "
             f"misattribute or cut what learners saved if {after} replaced {before}.", "What to do:"]
    advice: dict[str, list[str]] = {}
    for change in affecting:
        advice.setdefault(change.advice or "publish it as a new activity, or when no learner is part-way", []).append(
            subject_name(change))
    return lines + [f"  - {', '.join(subjects)}: {text}" for text, subjects in advice.items()]


def subject_name(change: Change) -> str:
    return SETTING_NAMES.get(change.subject, change.subject) if change.area == "settings" else change.subject
