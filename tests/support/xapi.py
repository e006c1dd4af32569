"""Validate xAPI statements with Learning Locker's validator (npm ``xapi-validation``, via node).

Example::

    from tests.support.xapi import statement_problems

    problems = statement_problems(lrs.statements())
    assert problems == [], problems     # [(statement index, "statement.verb.id", "IRI", value), ...]

The validator checks the structure and value types of the xAPI 1.0.x statement schema (IRIs,
mailto: IFIs, UUIDs, ISO 8601 timestamps and durations, score ranges, language maps, interaction
types...). It does not check cross-field rules an LRS applies (e.g. voiding).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable

from . import NODE_MODULES, REPO_ROOT

_SCRIPT = REPO_ROOT / "tests" / "support" / "xapi_validate.cjs"


def validate_statements(statements: dict | Iterable[dict]) -> list[list[dict]]:
    """Return, per statement, the validator's warnings (``[]`` for a valid statement)."""
    node = shutil.which("node")
    if node is None or not (NODE_MODULES / "xapi-validation").is_dir():
        raise RuntimeError("node or node_modules/xapi-validation missing: run scripts/setup.sh --test")
    batch = [statements] if isinstance(statements, dict) else list(statements)
    result = subprocess.run(
        [node, str(_SCRIPT)],
        input=json.dumps(batch),
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"xapi-validation failed: {result.stderr}")
    return json.loads(result.stdout)


def statement_problems(statements: dict | Iterable[dict]) -> list[tuple[int, str, str, object]]:
    """Flattened warnings: ``(index, path, typeName, offending value)``; empty when all are valid."""
    return [
        (i, w["path"], w["typeName"], w["data"])
        for i, warnings in enumerate(validate_statements(statements))
        for w in warnings
    ]
