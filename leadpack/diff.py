"""``leadpack diff OLD.zip NEW.zip``: what changed between two releases, and whether learners keep their progress.

An LMS keys learners' tracking on the manifest's item identifiers (SCORM) or the launch activity id (xAPI), and
the package keys its saved state on page, question and reflection ids, encoded with a versioned format. This
module reads both packages (manifest, tincan.xml and the runtime data embedded in each launch page) and sorts
every change into safe ones and ones that would reset or misattribute progress once the new package is uploaded
over the old one, with advice for each.
"""

from __future__ import annotations

import difflib
import json
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lxml import etree

from leadpack.errors import LeadpackError, display_path
from leadpack.render import runtime_data_from_html
from leadpack.validate import MANIFEST, TINCAN_FILE, adl, cp, tc, xml_parser, zip_path


class CannotCompare(LeadpackError):
    """The two files cannot be compared (not packages, or different formats): a usage problem, exit 2."""


@dataclass
class Release:
    """What one package says about identity and content."""

    path: Path
    kind: str
    identity: dict[str, str] = field(default_factory=dict)  # manifest/organization/launch activity ids
    items: dict[str, str] = field(default_factory=dict)  # SCORM item identifier → title
    scos: dict[str, str] = field(default_factory=dict)  # SCORM sco resource identifier → href
    mastery: dict[str, str] = field(default_factory=dict)  # item identifier → masteryscore
    data: dict = field(default_factory=dict)  # runtime data merged over every launch page
    has_data: bool = False

    @property
    def label(self) -> str:
        set_data = self.data.get("set", {})
        name = f"{set_data.get('id', '?')} {set_data.get('version', '')}".strip() if self.has_data else self.kind
        return f"{display_path(self.path)} ({self.kind}, {name})"


@dataclass
class Change:
    area: str  # identifiers | pages | questions | reflections | settings
    change: str  # added | removed | renamed | changed
    subject: str
    message: str
    affects_progress: bool = False
    advice: str = ""


# Reading a package ----------------------------------------------------------------------------------------------

def read_release(path: Path) -> Release:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CannotCompare(f"{display_path(path)} is not a readable zip file ({exc})") from None
    with archive:
        names = set(archive.namelist())
        if MANIFEST in names:
            release = Release(path, "scorm12")
            launches = _read_manifest(release, _xml(archive, MANIFEST, path))
        elif TINCAN_FILE in names:
            release = Release(path, "xapi")
            launches = _read_tincan(release, _xml(archive, TINCAN_FILE, path))
        else:
            raise CannotCompare(f"{display_path(path)} has neither imsmanifest.xml nor tincan.xml at its root; "
                                "it is not a SCORM 1.2 or xAPI package")
        for launch in launches:
            if launch in names:
                _merge(release, runtime_data_from_html(archive.read(launch).decode("utf-8", "replace")) or {})
    return release


def _xml(archive: zipfile.ZipFile, name: str, path: Path) -> etree._Element:
    try:
        return etree.fromstring(archive.read(name), xml_parser())
    except etree.XMLSyntaxError as exc:
        raise CannotCompare(f"{display_path(path)}!{name} is not well-formed XML ({exc.msg}); run leadpack "
                            "validate on it") from None


def _read_manifest(release: Release, root: etree._Element) -> list[str]:
    release.identity["manifest identifier"] = root.get("identifier") or ""
    organizations = root.find(cp("organizations"))
    if organizations is not None:
        release.identity["default organization"] = organizations.get("default") or ""
        for organization in organizations.findall(cp("organization")):
            for item in organization.iter(cp("item")):
                release.items[item.get("identifier") or ""] = (item.findtext(cp("title")) or "").strip()
                mastery = item.findtext(adl("masteryscore"))
                if mastery is not None:
                    release.mastery[item.get("identifier") or ""] = mastery.strip()
    launches = []
    for resource in root.iter(cp("resource")):
        if resource.get(adl("scormtype")) == "sco" and resource.get("href"):
            release.scos[resource.get("identifier") or ""] = resource.get("href")
            name, _ = zip_path(resource.get("href"))
            if name:
                launches.append(name)
    return launches


def _read_tincan(release: Release, root: etree._Element) -> list[str]:
    for activity in root.iter(tc("activity")):
        launch = activity.findtext(tc("launch"))
        if launch is not None:
            release.identity["launch activity id"] = activity.get("id") or ""
            name, _ = zip_path(launch)
            return [name] if name else []
    return []


def _merge(release: Release, data: dict) -> None:
    """With one SCO per module, each launch page holds its module's part: gather them into one view."""
    if not data:
        return
    release.has_data = True
    for key, value in data.items():
        if key in ("pages", "questions", "reflections", "modules"):
            release.data.setdefault(key, []).extend(value)
        else:
            release.data.setdefault(key, value)


# Comparing ------------------------------------------------------------------------------------------------------

def compare(old: Release, new: Release) -> list[Change]:
    if old.kind != new.kind:
        raise CannotCompare(f"{display_path(old.path)} is a {old.kind} package and {display_path(new.path)} a "
                            f"{new.kind} package; compare two packages of the same format")
    changes = _identity(old, new)
    if old.has_data and new.has_data:
        modules = _renamed_modules(old.data, new.data)
        changes += _modules(old.data, new.data, modules)
        changes += _items("pages", old.data.get("pages", []), new.data.get("pages", []), modules)
        changes += _items("questions", old.data.get("questions", []), new.data.get("questions", []), modules)
        changes += _items("reflections", old.data.get("reflections", []), new.data.get("reflections", []), modules)
        changes += _settings(old.data, new.data)
    return changes


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
    for removed in sorted(set(old.scos) - set(new.scos)):
        changes.append(Change("identifiers", "removed", removed, f"the SCO resource '{removed}' is gone", True,
                              "keep SCO identifiers stable between releases"))
    for name in sorted(set(old.mastery) & set(new.mastery)):
        if old.mastery[name] != new.mastery[name]:
            changes.append(Change("settings", "changed", name, f"masteryscore of '{name}' changed from "
                                  f"{old.mastery[name]} to {new.mastery[name]}", False,
                                  "learners already passed or failed keep that status"))
    return changes


def _renamed_modules(old: dict, new: dict) -> dict[str, str]:
    """Old module id → new id, for modules whose id changed but whose title stayed (a renamed file)."""
    old_modules = {m["id"]: m.get("title", "") for m in old.get("modules", [])}
    new_modules = {m["id"]: m.get("title", "") for m in new.get("modules", [])}
    gone = {mid: title for mid, title in old_modules.items() if mid not in new_modules}
    came = {mid: title for mid, title in new_modules.items() if mid not in old_modules}
    renamed = {}
    for old_id, title in gone.items():
        match = [new_id for new_id, new_title in came.items() if new_title == title and new_id not in renamed.values()]
        if match:
            renamed[old_id] = match[0]
    return renamed


def _modules(old: dict, new: dict, renamed: dict[str, str]) -> list[Change]:
    changes = []
    old_ids = [m["id"] for m in old.get("modules", [])]
    new_ids = [m["id"] for m in new.get("modules", [])]
    for old_id, new_id in renamed.items():
        changes.append(Change("modules", "renamed", old_id, f"module '{old_id}' is now '{new_id}': every page, "
                              "question and reflection id in it changed", True,
                              f"pin the old id: add id = \"{old_id}\" to the front matter of {new_id}.md"))
    for removed in [m for m in old_ids if m not in new_ids and m not in renamed]:
        changes.append(Change("modules", "removed", removed, f"module '{removed}' was removed", True,
                              "learners' progress in it is dropped; keep the module if learners are part-way"))
    for added in [m for m in new_ids if m not in old_ids and m not in renamed.values()]:
        changes.append(Change("modules", "added", added, f"module '{added}' was added"))
    kept = [m for m in old_ids if m in new_ids]
    if kept != [m for m in new_ids if m in old_ids]:
        changes.append(Change("modules", "changed", "order", "the modules are in a new order", False,
                              "progress is kept: it is keyed by ids, not positions"))
    return changes


def _items(area: str, old: list[dict], new: list[dict], renamed_modules: dict[str, str]) -> list[Change]:
    singular = area[:-1]
    before = {item["id"]: item for item in old}
    after = {item["id"]: item for item in new}
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
            advice = ("pin the old id of the module (see above)" if module_renamed and same_local
                      else f"pin the old id of the module (see above), and {_pin_advice(singular, old_id)}"
                      if module_renamed else _pin_advice(singular, old_id))
            changes.append(Change(area, "renamed", old_id, f"{singular} {label} changed id from '{old_id}' to "
                                  f"'{new_id}'", True, f"learners' {_what(singular)} is lost; {advice}"))
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
    return changes


def _counterpart(item: dict, old_id: str, candidates: list[str], after: dict[str, dict],
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


def _changed_item(area: str, singular: str, old: dict, new: dict) -> list[Change]:
    changes = []
    if singular == "question":
        before, after = old.get("options") or {}, new.get("options") or {}
        moved = [key for key in before if before[key] != after.get(key)]
        if moved:
            changes.append(Change(area, "changed", old["id"], f"question '{old['id']}' has different options or "
                                  "correct answers", True, "answers are saved as option letters: learners' earlier "
                                  "answers now count for other options. Keep options in place and add new ones at "
                                  "the end, or give the changed question a new id so it is asked afresh"))
        elif old.get("correct") != new.get("correct"):
            changes.append(Change(area, "changed", old["id"], f"question '{old['id']}' has a new correct answer "
                                  f"({old.get('correct')} → {new.get('correct')})", True, "learners' earlier answers "
                                  "are scored against the new answer; give the question a new id to ask it afresh"))
        elif after != before:
            changes.append(Change(area, "changed", old["id"], f"question '{old['id']}' has a new option at the end"))
        elif _text(old) != _text(new):
            changes.append(Change(area, "changed", old["id"], f"question '{old['id']}' has new wording"))
    elif _text(old) != _text(new):
        changes.append(Change(area, "changed", old["id"], f"{singular} '{old['id']}' has a new title "
                              f"{_label(new)}" if singular == "page" else f"{singular} '{old['id']}' has new wording"))
    return changes


def _settings(old: dict, new: dict) -> list[Change]:
    changes = []

    def changed(path: tuple[str, ...]) -> tuple[object, object] | None:
        before, after = old, new
        for key in path:
            before = before.get(key) if isinstance(before, dict) else None
            after = after.get(key) if isinstance(after, dict) else None
        return (before, after) if before != after else None

    rules = [
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
    for path, affects, name, advice in rules:
        found = changed(path)
        if found is None:
            continue
        before, after = found
        if path == ("storage",):
            affects = before == "lms" and after == "device"
            advice = ("reflections learners saved in the LMS are no longer read, and are dropped at their next save"
                      if affects else "reflections are saved in the LMS from now on")
        elif path == ("reflectionMax",):  # progress is kept; only the tail of a very long reflection is cut
            shorter = isinstance(before, int) and isinstance(after, int) and after < before
            advice = (f"a saved reflection longer than {after} characters is cut to {after} at the learner's next "
                      "save" if shorter else "")
        changes.append(Change("settings", "changed", ".".join(path), f"{name} changed from {json.dumps(before)} "
                              f"to {json.dumps(after)}", bool(affects), advice))
    return changes


def _text(item: dict) -> str:
    return str(item.get("title") or item.get("text") or item.get("prompt") or "")


def _label(item: dict) -> str:
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

def summary(old: Release, new: Release, changes: list[Change]) -> dict:
    affecting = [c for c in changes if c.affects_progress]
    notes = []
    if not (old.has_data and new.has_data):
        notes.append("no leadpack runtime data in one of the packages: only identifiers were compared")
    return {"old": str(old.path), "new": str(new.path), "format": old.kind, "safe": not affecting,
            "changes": [asdict(c) for c in changes], "notes": notes}


def render_text(old: Release, new: Release, changes: list[Change]) -> list[str]:
    lines = [f"old: {old.label}", f"new: {new.label}", ""]
    if not (old.has_data and new.has_data):
        lines += ["note: no leadpack runtime data in one of the packages: only identifiers were compared", ""]
    areas = ["identifiers", "modules", "pages", "questions", "reflections", "settings"]
    for area in areas:
        found = [c for c in changes if c.area == area]
        if not found:
            continue
        lines.append(f"{area.capitalize()}:")
        for change in found:
            mark = "!" if change.affects_progress else {"added": "+", "removed": "-"}.get(change.change, "~")
            lines.append(f"  {mark} {change.message}")
    if not changes:
        lines.append("No changes to pages, questions, reflections, settings or identifiers.")
    affecting = [c for c in changes if c.affects_progress]
    lines.append("")
    if not affecting:
        lines.append(f"Learners' progress: safe. Uploading {new.path.name} over {old.path.name} keeps every "
                     "learner's progress.")
        return lines
    lines.append(f"Learners' progress: AFFECTED. {len(affecting)} change(s) would reset or misattribute "
                 f"progress if {new.path.name} replaced {old.path.name}:")
    for change in affecting:
        lines.append(f"  ! {change.message}")
        if change.advice:
            lines.append(f"    advice: {change.advice}")
    return lines
