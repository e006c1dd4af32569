"""Shared fixtures: the repository's course built once per session, the fixture course, and shared/."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from leadpack import formats
from leadpack.cli import main

# Fixtures for end-to-end tests with real components: browser, page, site, lrs.
pytest_plugins = ["tests.support.fixtures"]

# Compiled templates and minified scripts go to a cache of the test run's own, not the user's (subprocesses
# inherit it); the run removes it when it ends.
if "LEADPACK_CACHE" not in os.environ:
    os.environ["LEADPACK_CACHE"] = _RUN_CACHE = tempfile.mkdtemp(prefix="leadpack-test-cache-")
    atexit.register(shutil.rmtree, _RUN_CACHE, ignore_errors=True)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
FIXTURE_COURSE = FIXTURES / "course"
SHARED = REPO.parent / "shared"


def course_version(set_id: str = "introduction") -> str:
    """The version a set of the repository's course has in its set.toml (so tests follow a release's bump)."""
    return tomllib.loads((REPO / "content" / set_id / "set.toml").read_text("utf-8"))["version"]


def run_cli(*args: str, root: Path | None = None):
    """Run the real CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()
    prefix = ["--root", str(root)] if root else []
    return runner.invoke(main, [*prefix, *map(str, args)], catch_exceptions=False)


def zip_names(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as archive:
        archive.extractall(into)
    return into


@pytest.fixture(scope="module")
def scorm_preview():
    """`leadpack preview` of the fixture course in SCORM 1.2, shared by a test module."""
    from leadpack.tools.preview.server import PreviewServer

    with PreviewServer(FIXTURE_COURSE, format_name="scorm12") as server:
        yield server


@pytest.fixture(scope="module")
def xapi_preview():
    """`leadpack preview` of the fixture course in xAPI, shared by a test module."""
    from leadpack.tools.preview.server import PreviewServer

    with PreviewServer(FIXTURE_COURSE, format_name="xapi") as server:
        yield server


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} missing: CI lays shared/ beside the repository")
        pytest.skip("shared/ not beside the repository")
    return SHARED


@pytest.fixture(scope="session")
def course_build(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """The repository's whole course, built once: {(set id, format): zip path}."""
    out = tmp_path_factory.mktemp("dist")
    result = run_cli("build", "--out", out, "--json", root=REPO)
    assert result.exit_code == 0, result.output
    import json

    packages = json.loads(result.stdout)["packages"]
    return {(p["set"], p["format"]): Path(p["path"]) for p in packages}


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """The fixture course in both --sco-per modes, in every format: {mode: {format: zip path}}."""
    built: dict[str, dict[str, Path]] = {}
    for mode in ("set", "module"):
        out = tmp_path_factory.mktemp(f"fixture-{mode}")
        result = run_cli("build", "--out", out, "--sco-per", mode, root=FIXTURE_COURSE)
        assert result.exit_code == 0, result.output
        built[mode] = {fmt: next(out.glob(f"*-{fmt}.zip")) for fmt in formats.names()}
    return built


@pytest.fixture(scope="session")
def device_build(tmp_path_factory) -> dict[str, Path]:
    """The fixture course with reflections kept on the device (reflections = "device"), in every format:
    {format: zip path}."""
    course = tmp_path_factory.mktemp("device-course")
    shutil.copytree(FIXTURE_COURSE, course, dirs_exist_ok=True)
    config = course / "leadpack.toml"
    config.write_text(config.read_text() + '\n[build]\nreflections = "device"\n')
    result = run_cli("-q", "build", "--out", course / "dist", root=course)
    assert result.exit_code == 0, result.output
    return {fmt: next((course / "dist").glob(f"*-{fmt}.zip")) for fmt in formats.names()}
