"""Issue 15: docs/authoring.md names every warning leadpack can give (check, build, validate), so the guide cannot
fall behind the code: a new warning fails here until the guide lists it."""

from __future__ import annotations

import ast
import re

from tests.conftest import REPO

AUTHORING = REPO / "docs" / "authoring.md"

# (the file that gives the warning, a run of fixed words of its message): the guide must hold the same words.
WARNINGS = [
    ("leadpack/pipeline/checks.py", "is not listed in"),
    ("leadpack/pipeline/checks.py", "no page uses this file"),
    ("leadpack/pipeline/checks.py", "questions the right option is the only longest one"),
    ("leadpack/pipeline/checks.py", "every option of this question is marked correct"),
    ("leadpack/pipeline/checks.py", "so screen readers' list of headings skips a level"),
    ("leadpack/pipeline/checks.py", "pages show them in English"),
    ("leadpack/pipeline/load.py", "is not in sets, so it comes after the listed sets"),
    ("leadpack/pipeline/load.py", "holds module files but no set.toml, so it is not built"),
    ("leadpack/pipeline/parity.py", "so texts of the original that change later cannot be found"),
    ("leadpack/pipeline/parity.py", "not translated yet: "),
    ("leadpack/pipeline/parity.py", "the original changed after this was translated"),
    ("leadpack/pipeline/editions.py", "so the [texts] one is used"),
    ("leadpack/pipeline/editions.py", "and this translation does not"),
    ("leadpack/pipeline/editions.py", "nothing in the content uses the text"),
    ("leadpack/formats/content_packaging.py", "file(s) in the zip are not listed in the manifest"),
    ("leadpack/formats/content_packaging.py", "<organizations> has no default"),
    ("leadpack/formats/content_packaging.py", "has child items and an identifierref"),
    ("leadpack/formats/content_packaging.py", "launches nothing"),
    ("leadpack/formats/xapi/checks.py", "has no description"),
    ("leadpack/formats/xapi/checks.py", "is a web address, outside the package"),
    ("leadpack/formats/cmi5/checks.py", "is a web address, outside the package"),
    ("leadpack/formats/cmi5/checks.py", "never asks for a pass"),
    ("leadpack/formats/cmi5/checks.py", "but no masteryScore to judge a pass by"),
    ("leadpack/tools/validate.py", "not checked against its schema"),
]


def gives_a_warning(call: ast.Call) -> bool:
    """severity="warning", or a class setting such as ``self.parent_launch_severity`` (a format's severity for one
    rule); ``severity=severity`` or ``=problem.severity`` passes on what a caller said, and says nothing itself."""
    def warns(value: ast.expr) -> bool:
        if isinstance(value, ast.Attribute):
            return value.attr.endswith("_severity")
        return isinstance(value, ast.Constant) and value.value == "warning"
    return any(k.arg == "severity" and warns(k.value) for k in call.keywords)


def warnings_in_the_code() -> list[tuple[str, int, list[str]]]:
    """Every call in leadpack/ that gives a warning: its file, line and the fixed pieces of text it passes."""
    found = []
    for path in sorted((REPO / "leadpack").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and gives_a_warning(node):
                pieces = [n.value for arg in node.args for n in ast.walk(arg)
                          if isinstance(n, ast.Constant) and isinstance(n.value, str)]
                found.append((path.relative_to(REPO).as_posix(), node.lineno, pieces))
    return found


def test_every_warning_the_code_gives_is_in_the_table_and_every_row_is_given():
    given = warnings_in_the_code()
    assert len(given) >= len(WARNINGS), "the search finds the warnings"
    unlisted = [f"{path}:{line}" for path, line, pieces in given
                if not any(path == where and any(words in piece for piece in pieces) for where, words in WARNINGS)]
    assert unlisted == [], "add these warnings to WARNINGS and to docs/authoring.md"
    stale = [(where, words) for where, words in WARNINGS
             if not any(path == where and any(words in piece for piece in pieces) for path, _, pieces in given)]
    assert stale == []


def test_docs_authoring_names_every_warning():
    guide = re.sub(r"\s+", " ", AUTHORING.read_text("utf-8"))
    assert [words for _, words in WARNINGS if words not in guide] == []


def test_every_format_choice_the_docs_show_is_the_registrys():
    """A synopsis such as `--format scorm12|xapi` fell behind when SCORM 2004 and cmi5 joined the registry: each
    one in the README and the guides lists exactly the formats the command accepts, in their order."""
    from leadpack import formats

    shown = [(path.name, match.group(1)) for path in (REPO / "README.md", *sorted((REPO / "docs").glob("*.md")))
             for match in re.finditer(r"--format ((?:[a-z0-9]+\\?\|)+[a-z0-9]+)", path.read_text("utf-8"))]
    assert len(shown) >= 3, shown
    assert [(name, choices) for name, choices in shown
            if choices.replace("\\|", "|").split("|") != list(formats.names())] == []
