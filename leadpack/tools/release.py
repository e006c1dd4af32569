"""``leadpack release OLD_DIR NEW_DIR``: release notes for a whole release, and an index of its packages.

A release is a folder of packages as ``build`` writes them (``dist/``), or one folder per edition inside it
(``dist/<edition>/``). Each package of NEW_DIR is paired with the package of the same edition, set and kind in
OLD_DIR and compared with ``diff`` (tools/diff.py, the one definition of what affects learners); the notes say,
per edition and set, whether uploading the new packages is safe and what changed, with the changes every format
shares listed once. The index lists every package with its checksum and verdict, for the people and scripts that
upload them.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from leadpack import formats
from leadpack.errors import counted, display_path
from leadpack.pipeline.document import Block, Code, Name, bullets, heading, para, table, to_markdown
from leadpack.tools.diff import CannotCompare, Change, Release, compare, read_release, subject_name, warnings

NOTES = "release-notes.md"
INDEX = "packages.json"
SAFE, AFFECTS, NEW = "safe", "affects learners", "new"


@dataclass
class Found:
    """One package of a release folder."""

    path: Path
    relative: str  # its path inside the release folder
    edition: str  # the edition folder it is in ("" at the top)
    release: Release

    @property
    def set_id(self) -> str:
        return self.release.data.set.id

    @functools.cached_property
    def payload(self) -> tuple[int, str]:
        """The zip's size and sha256, read once for the index and the notes alike."""
        data = self.path.read_bytes()
        return len(data), hashlib.sha256(data).hexdigest()

    @property
    def key(self) -> tuple[str, str, str]:
        """What pairs an old package with a new one: edition, set and the rest of its name (its kind)."""
        data = self.release.data
        kind = self.path.name.removesuffix(".zip").removeprefix(f"{data.set.id}-{data.set.version}-")
        return self.edition, data.set.id, kind


@dataclass
class Entry:
    """A package of the new release with its verdict against the old one."""

    new: Found
    old: Found | None
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.old is None:
            return NEW
        return AFFECTS if any(change.affects_progress for change in self.changes) else SAFE

    def as_dict(self) -> dict:
        data, (size, sha256) = self.new.release.data, self.new.payload
        return {"path": self.new.relative, "edition": self.new.edition, "set": data.set.id,
                "version": data.set.version, "format": self.new.release.kind,
                "sha256": sha256, "size": size, "verdict": self.verdict,
                "previous": self.old.relative if self.old else None,
                "previous_version": self.old.release.data.set.version if self.old else None,
                "changes": len(self.changes), "affecting": sum(c.affects_progress for c in self.changes),
                "warnings": self.warnings}


@dataclass
class Report:
    old: Path
    new: Path
    entries: list[Entry]
    removed: list[Found]

    @property
    def safe(self) -> bool:
        return all(entry.verdict != AFFECTS for entry in self.entries)

    def as_dict(self) -> dict:
        return {"old": str(self.old), "new": str(self.new), "safe": self.safe,
                "verdict": SAFE if self.safe else AFFECTS, "packages": [e.as_dict() for e in self.entries],
                "removed": [{"path": f.relative, "edition": f.edition, "set": f.set_id,
                             "version": f.release.data.set.version, "format": f.release.kind} for f in self.removed]}


def packages_in(folder: Path) -> list[Found]:
    """The leadpack packages at the top of ``folder`` and in its edition folders, in name order."""
    from leadpack.pipeline.build import output_name

    named = output_name()
    candidates = [path for path in sorted(folder.iterdir()) if path.is_file()] + \
        [path for edition in sorted(folder.iterdir()) if edition.is_dir() and not edition.is_symlink()
         for path in sorted(edition.iterdir()) if path.is_file()]
    found = []
    for path in candidates:
        if path.suffix != ".zip" or not named.fullmatch(path.name):
            continue
        release = read_release(path)
        if release.data is None:
            raise CannotCompare(f"{display_path(path)} has no leadpack runtime data; a release folder holds the "
                                "packages leadpack built")
        edition = "" if path.parent == folder else path.parent.name
        found.append(Found(path, path.relative_to(folder).as_posix(), edition, release))
    return found


def release(old_dir: Path, new_dir: Path) -> Report:
    new_packages = packages_in(new_dir)
    if not new_packages:
        raise CannotCompare(f"{display_path(new_dir)} holds no packages leadpack built (<set>-<version>-<format>.zip, "
                            "at its top or in one folder per edition); build into it first")
    old_packages = {found.key: found for found in packages_in(old_dir)}
    entries = []
    for found in new_packages:
        old = old_packages.pop(found.key, None)
        entry = Entry(found, old)
        if old is not None:
            entry.changes = compare(old.release, found.release)
            entry.warnings = warnings(old.release, found.release)
        entries.append(entry)
    return Report(old_dir, new_dir, entries, list(old_packages.values()))


# ---- release notes ----

def by_set(report: Report) -> dict[str, dict[str, list[Entry]]]:
    """edition → set id → its entries, in the order the packages were found."""
    grouped: dict[str, dict[str, list[Entry]]] = {}
    for entry in report.entries:
        grouped.setdefault(entry.new.edition, {}).setdefault(entry.new.set_id, []).append(entry)
    return grouped


def set_verdict(entries: list[Entry]) -> str:
    verdicts = {entry.verdict for entry in entries}
    return AFFECTS if AFFECTS in verdicts else NEW if verdicts == {NEW} else SAFE


def _line(change: Change) -> str:
    mark = "!" if change.affects_progress else {"added": "+", "removed": "-"}.get(change.change, "~")
    return f"{mark} {change.message}"


def notes(report: Report, edition: str, sets: dict[str, list[Entry]]) -> list[Block]:
    title = f"Release notes: {edition}" if edition else "Release notes"
    count = counted(sum(len(entries) for entries in sets.values()), "package")
    blocks = [heading(1, title), para(f"{count} in ", Code(display_path(report.new)), ", compared with ",
                                      Code(display_path(report.old)), ". ", *_summary(sets))]
    for entries in sets.values():
        blocks += _set_notes(entries)
    removed = [found for found in report.removed if found.edition == edition]
    if removed:
        blocks += [heading(2, "Packages no longer in the release"),
                   bullets(*((Code(found.relative), " (", Name(found.release.data.set.title), ")")
                             for found in removed))]
    return blocks


def _summary(sets: dict[str, list[Entry]]) -> tuple[str, ...]:
    verdicts = [set_verdict(entries) for entries in sets.values()]
    parts = [counted(verdicts.count(kind), "set") + f" {words}" for kind, words in
             ((SAFE, "safe for learners"), (AFFECTS, "affecting learners"), (NEW, "new")) if kind in verdicts]
    return (", ".join(parts) + ".",)


def _set_notes(entries: list[Entry]) -> list[Block]:
    first = entries[0]
    data = first.new.release.data
    before = sorted({e.old.release.data.set.version for e in entries if e.old})
    versions = f"{' / '.join(before)} → {data.set.version}" if before else f"{data.set.version} (new)"
    blocks = [heading(2, Name(data.set.title), f" ({data.set.id}) {versions}: {set_verdict(entries)}")]
    blocks += [para("Warning: ", warning) for warning in sorted({w for e in entries for w in e.warnings})]
    compared = [entry for entry in entries if entry.old]
    lines = {entry.new.release.kind: [_line(c) for c in entry.changes if not c.follows_from] for entry in compared}
    shared = [line for line in next(iter(lines.values()), []) if all(line in mine for mine in lines.values())]
    if compared and not any(lines.values()):
        blocks.append(para("No changes to pages, questions, reflections, settings or identifiers."))
    elif shared:
        blocks += [para("In every package:" if len(compared) > 1 else "Changes:"), _listed(shared)]
    for entry in compared:
        own = [line for line in lines[entry.new.release.kind] if line not in shared]
        if own:
            blocks += [para(f"In the {formats.get(entry.new.release.kind).title} package only:"), _listed(own)]
    advice = sorted({f"{subject_name(c)}: {c.advice}" for e in compared for c in e.changes
                     if c.affects_progress and c.advice})
    if advice:
        blocks += [para("What to do before uploading:"), _listed(advice)]
    blocks.append(table(("package", "verdict", "sha256"), *(
        (Code(e.new.relative), e.verdict, Code(e.new.payload[1][:16]))
        for e in entries)))
    return blocks


def _listed(lines: list[str]) -> Block:
    """Lines that quote author text (titles, question wording), escaped so none of it becomes Markdown."""
    return bullets(*((Name(line),) for line in lines))


def notes_files(report: Report, out: Path) -> list[tuple[Path, bytes]]:
    """release-notes.md for the top of the release and for each edition folder, and the index packages.json."""
    import json

    files = [((out / edition / NOTES) if edition else out / NOTES, to_markdown(notes(report, edition, sets))
              .encode("utf-8")) for edition, sets in by_set(report).items()]
    index = json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
    return [*files, (out / INDEX, index.encode("utf-8"))]


def render_text(report: Report) -> list[str]:
    """The terminal summary: one line per set, its changes under it, then the verdict."""
    lines = []
    for edition, sets in by_set(report).items():
        for entries in sets.values():
            data = entries[0].new.release.data
            where = f"{edition}/" if edition else ""
            lines.append(f"{where}{data.set.id} {data.set.version}: {set_verdict(entries)} "
                         f"({counted(len(entries), 'package')})")
            shown = sorted({_line(c) for e in entries for c in e.changes if not c.follows_from and c.affects_progress})
            lines += [f"  {line}" for line in shown]
            lines += [f"  warning: {w}" for w in sorted({w for e in entries for w in e.warnings})]
    for found in report.removed:
        lines.append(f"{found.relative}: no longer in the release")
    affecting = sum(entry.verdict == AFFECTS for entry in report.entries)
    lines.append(f"Verdict: {'safe' if report.safe else 'affects learners'}. "
                 f"{counted(len(report.entries), 'package')}, {affecting} affecting learners.")
    return lines
