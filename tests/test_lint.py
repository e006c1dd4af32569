"""The code style the project aims for: `ruff check .` is clean."""

import shutil
import subprocess
import sys

from tests.conftest import REPO


def test_ruff_is_clean():
    command = [shutil.which("ruff")] if shutil.which("ruff") else [sys.executable, "-m", "ruff"]
    result = subprocess.run([*command, "check", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_outside_the_formats_folder_no_code_names_a_format():
    """Issue 11: the format registry is the one place formats are known; the pipeline, the tools, the shared
    runtime and the templates never name one (so adding a format means adding one folder)."""
    import ast
    import re

    from leadpack import formats

    names = set(formats.names()) | {formats.get(name).suffix for name in formats.names()}
    found = []
    for path in sorted((REPO / "leadpack").rglob("*.py")):
        if "formats" in path.relative_to(REPO / "leadpack").parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() in names:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value!r}")
    alternatives = "|".join(map(re.escape, sorted(names)))
    quoted = re.compile(rf"""["'](?:{alternatives})["']""")
    shared = [*(REPO / "leadpack" / "runtime").glob("*.js"), *(REPO / "templates").glob("*.html"),
              *(REPO / "leadpack" / "tools" / "preview" / "static").glob("*.js")]
    for path in sorted(shared):
        for number, line in enumerate(path.read_text("utf-8").split("\n"), 1):
            if quoted.search(line):
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert found == []
    assert len(names) >= 4, "the check knows the registered formats"
