"""Errors a content maintainer can act on: each names a file, a line and a fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One finding about the sources, printed as ``path:line:col: severity: message (hint)``."""

    path: str
    line: int
    message: str
    hint: str = ""
    col: int = 1
    severity: str = "error"

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
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


class ProblemsFound(LeadpackError):
    """The checks found errors; the build writes nothing."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def display_path(path: Path | str) -> str:
    """Show paths relative to the working directory when possible, as editors expect."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
