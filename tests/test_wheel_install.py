"""Issue 15: the wheel carries everything a build needs, so an installed leadpack builds a course anywhere.

The wheel is built once per session from a copy of the sources (a build leaves build/ and *.egg-info beside
them), installed into a fresh virtual environment (its dependencies come from the system site-packages, so
nothing is downloaded), and run from a folder outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from leadpack import formats
from tests.conftest import FIXTURE_COURSE, REPO, run_cli

SOURCES = ("pyproject.toml", "setup.py", "README.md", "leadpack", "templates")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc")


def run(*command: str | Path, cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run([str(part) for part in command], cwd=cwd, env=environment, capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=SKIPPED)
        else:
            shutil.copy2(REPO / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", work / "dist", source, cwd=work)
    return next((work / "dist").glob("leadpack-*.whl"))


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory) -> Path:
    """The bin/ folder of a new virtual environment holding the wheel and nothing else of leadpack."""
    env = tmp_path_factory.mktemp("venv") / "env"
    run(sys.executable, "-m", "venv", "--system-site-packages", env, cwd=env.parent)
    run(env / "bin" / "python", "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", wheel, cwd=env.parent)
    return env / "bin"


def test_the_wheel_holds_every_file_of_the_package_and_the_templates(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    expected = {path.relative_to(REPO).as_posix() for path in (REPO / "leadpack").rglob("*")
                if path.is_file() and "__pycache__" not in path.parts}
    expected |= {f"leadpack/templates/{path.name}" for path in (REPO / "templates").iterdir() if path.is_file()}
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel (a new folder needs a package-data line in pyproject.toml): {missing}"
    assert not [name for name in names if name.startswith("templates/")], "templates/ belongs inside leadpack/"


def test_installed_leadpack_writes_and_builds_a_new_course_outside_the_repository(installed, tmp_path):
    where = run(installed / "python", "-c", "import leadpack; print(leadpack.__file__)", cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(installed.parent), where
    run(installed / "leadpack", "new", "course", cwd=tmp_path)
    built = run(installed / "leadpack", "build", cwd=tmp_path / "course")
    assert f"built {len(formats.names())} packages in " in built.stdout and ", no warnings" in built.stdout
    packages = sorted((tmp_path / "course" / "dist").glob("*.zip"))
    assert [p.name for p in packages] == [f"first-set-0.1.0-{fmt}.zip" for fmt in sorted(formats.names())]
    for package in packages:
        with zipfile.ZipFile(package) as archive:
            launch = archive.read("index.html").decode("utf-8")
            assert 'id="lp-data"' in launch and "Getting started" in launch
            assert {"assets/lp-app.js", "assets/leadpack.css", "media/welcome.mp4"} <= set(archive.namelist())
    validated = run(installed / "leadpack", "validate", *packages, cwd=tmp_path)
    assert validated.stdout.count(": valid") == len(packages), validated.stdout


def test_installed_leadpack_builds_the_fixture_course_as_the_checkout_does(installed, tmp_path):
    run(installed / "leadpack", "build", "--root", FIXTURE_COURSE, "--out", tmp_path / "installed", cwd=tmp_path)
    assert run_cli("-q", "build", "--out", tmp_path / "checkout", root=FIXTURE_COURSE).exit_code == 0
    installed_zips = sorted((tmp_path / "installed").glob("*.zip"))
    assert [p.name for p in installed_zips] == [f"every-block-1.2.0-{fmt}.zip" for fmt in sorted(formats.names())]
    for package in installed_zips:  # byte-reproducible builds: the same templates, runtime and locales
        assert package.read_bytes() == (tmp_path / "checkout" / package.name).read_bytes(), package.name
