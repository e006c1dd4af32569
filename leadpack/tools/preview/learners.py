"""The made-up learners the preview launches packages for (every LMS side reads the same few attributes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Learner:
    id: str
    name: str  # "Last, First", the form LMSs hand SCORM packages

    @property
    def display(self) -> str:
        last, _, first = self.name.partition(", ")
        return f"{first} {last}".strip()

    @property
    def mbox(self) -> str:
        return f"mailto:{self.id}@preview.invalid"


LEARNERS = (Learner("learner-1", "Learner, Alex"), Learner("learner-2", "Learner, Sam"))
