"""Errors a content maintainer can act on: each names a file, a line and a fix."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from leadpack.pipeline.limits import MAX_PROBLEMS_PER_FILE

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One finding, printed as ``path:line:col: severity: message (hint)``; line 0 means the whole file."""

    path: str
    line: int
    message: str
    hint: str = ""
    col: int = 1
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line > 0 else self.path
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


class LeadpackError(Exception):
    """A user-facing failure: printed without a traceback, exit code 1."""


class SourceError(LeadpackError):
    """A mistake in a source file, at a known place."""

    def __init__(self, path: Path | str, line: int, message: str, hint: str = "", col: int = 1):
        self.problem = Problem(display_path(path), max(line, 1), message, hint, max(col, 1))
        super().__init__(str(self.problem))

    def __reduce__(self):  # noqa: ANN204 - a build process sends it back whole (pickle knows only ``args``)
        problem = self.problem
        return type(self), (problem.path, problem.line, problem.message, problem.hint, problem.col)


class ProblemsFound(LeadpackError):
    """The checks found errors; the build writes nothing."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self):  # noqa: ANN204 - as SourceError's
        return type(self), (self.problems,)


class Problems(list):
    """Problems collected while reading on past a mistake, so one run reports every mistake it can.

    Each problem is kept once, and at most MAX_PROBLEMS_PER_FILE per file (then one line says there are more), so
    a file with a mistake on every line costs no more to report than to read."""

    def __init__(self, *problems: Problem):
        super().__init__()
        self._seen: set[Problem] = set()
        self._per_file: dict[str, int] = {}
        for problem in problems:
            self.append(problem)

    def append(self, problem: Problem) -> None:
        if problem in self._seen:
            return
        count = self._per_file.get(problem.path, 0)
        if count > MAX_PROBLEMS_PER_FILE:
            return
        self._per_file[problem.path] = count + 1
        if count == MAX_PROBLEMS_PER_FILE:
            problem = Problem(problem.path, 0, f"more than {MAX_PROBLEMS_PER_FILE} problems in this file; only the "
                              f"first {MAX_PROBLEMS_PER_FILE} are listed", "fix those and run leadpack check again",
                              severity=problem.severity)
        self._seen.add(problem)
        super().append(problem)

    def full(self, path: Path | str) -> bool:
        """True when ``path`` has as many problems as are listed: looking for more there is wasted work."""
        return self._per_file.get(display_path(path), 0) >= MAX_PROBLEMS_PER_FILE

    def add(self, path: Path | str, line: int, message: str, hint: str = "", col: int = 1,
            severity: str = "error") -> None:
        self.append(Problem(display_path(path), max(line, 1), message, hint, max(col, 1), severity))

    def attempt(self, action: Callable[[], T], default: T) -> T:
        """Run ``action``; on a SourceError record it and carry on with ``default``."""
        try:
            return action()
        except SourceError as exc:
            self.append(exc.problem)
            return default

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.severity == "error"]


def counted(number: int, noun: str) -> str:
    """"1 package", "3 packages": a count as the messages say it (every noun they count takes an s)."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def display_path(path: Path | str) -> str:
    """Show paths relative to the working directory when possible, as editors expect."""
    absolute = Path(os.path.abspath(path))  # not resolve(): a symlink is shown where it sits, not where it points
    try:
        return str(absolute.relative_to(os.getcwd()))
    except (ValueError, OSError):
        return str(path)
