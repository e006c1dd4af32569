"""Issue 17, the learner runtime's size: what a package ships is our scripts minified (local names shortened), the
same bytes whether the minified copy came from the cache or was made afresh, and the learner's choice of
language only in a package that holds the set in several. That the minified runtime still works is what every
browser test proves: they all run the packages as built."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from leadpack import formats
from leadpack.pipeline.render import LANGUAGES_SCRIPT, RUNTIME_DIR, runtime_file, runtime_scripts
from tests.conftest import FIXTURE_COURSE, REPO, course_version, run_cli


def zips(out: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(out.glob("*.zip"))}


def shipped(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name.endswith(".js")}


def build_with_cache(monkeypatch, cache: Path | str, out: Path) -> dict[str, str]:
    """A build as a fresh process would make it (nothing minified in memory yet), with the cache at ``cache``."""
    monkeypatch.setenv("LEADPACK_CACHE", str(cache))
    runtime_file.cache_clear()
    result = run_cli("build", "--out", out, root=FIXTURE_COURSE)
    assert result.exit_code == 0, result.output
    return zips(out)


def test_cold_warm_damaged_and_no_cache_builds_are_byte_identical(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cold = build_with_cache(monkeypatch, cache, tmp_path / "cold")
    entries = sorted((cache / "runtime").glob("*.js"))
    assert len(entries) == len({path for fmt in formats.every() for path in runtime_scripts(fmt).values()})
    assert build_with_cache(monkeypatch, cache, tmp_path / "warm") == cold
    for entry in entries:  # a damaged entry (a disk error, an edit) is never shipped: it is made again
        entry.write_bytes(entry.read_bytes()[:-40] + b"function(){}")
    assert build_with_cache(monkeypatch, cache, tmp_path / "damaged") == cold
    assert sorted((cache / "runtime").glob("*")) == entries, "repaired in place, no temporary files left"
    assert build_with_cache(monkeypatch, "", tmp_path / "off") == cold
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x")
    assert build_with_cache(monkeypatch, not_a_folder, tmp_path / "unwritable") == cold
    runtime_file.cache_clear()


@pytest.mark.parametrize("fmt", formats.names())
def test_every_shipped_script_is_minified_with_its_globals_kept(fmt):
    for name, source_path in runtime_scripts(formats.get(fmt), languages=2).items():
        source, script = source_path.read_text("utf-8"), runtime_file(source_path).decode("utf-8")
        assert "/*" not in script and "\n" not in script.strip(), name
        assert len(script) < 0.6 * len(source), (name, len(script), len(source))
        for used in sorted(set(re.findall(r"\bLP\.(\w+)", source))):  # how the scripts reach each other
            assert f"LP.{used}" in script, (name, used)
        if "function launchParameters" in source:  # a long local name is shortened
            assert "launchParameters(" not in script.replace("launchParameters:", ""), name


@pytest.fixture(scope="module")
def course_packages(tmp_path_factory) -> Path:
    """The repository's Introduction (English and Welsh) and Dialogue (English) in every format."""
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(REPO / "content", course / "content")
    shutil.copy(REPO / "leadpack.toml", course / "leadpack.toml")
    out = course / "dist"
    result = run_cli("build", "introduction", "leading-for-dialogue", "--out", out, root=course)
    assert result.exit_code == 0, result.output
    apart = run_cli("build", "introduction", "--languages", "apart", "--format", "xapi", "--out", out / "apart",
                    root=course)
    assert apart.exit_code == 0, apart.output
    return out


def scripts_in(package: Path) -> list[str]:
    """The scripts the launch page loads, in order."""
    with zipfile.ZipFile(package) as archive:
        page = archive.read("index.html").decode("utf-8")
    return re.findall(r'<script src="assets/([^"]+)"', page)


@pytest.mark.parametrize("fmt", formats.names())
def test_the_choice_of_language_ships_only_in_a_package_in_several(course_packages, fmt):
    suffix = formats.get(fmt).suffix
    bilingual = course_packages / f"introduction-{course_version()}-{suffix}.zip"
    english = course_packages / f"leading-for-dialogue-{course_version('leading-for-dialogue')}-{suffix}.zip"
    loaded = scripts_in(bilingual)
    assert loaded.index("lp-core.js") < loaded.index(LANGUAGES_SCRIPT) < loaded.index("lp-app.js")
    assert f"assets/{LANGUAGES_SCRIPT}" in shipped(bilingual)
    assert LANGUAGES_SCRIPT not in scripts_in(english) and f"assets/{LANGUAGES_SCRIPT}" not in shipped(english)
    assert set(scripts_in(english)) == {name[len("assets/"):] for name in shipped(english)}
    assert shipped(bilingual)[f"assets/{LANGUAGES_SCRIPT}"] == runtime_file(RUNTIME_DIR / LANGUAGES_SCRIPT)


def test_a_language_packaged_apart_has_no_choice_to_make(course_packages):
    for package in sorted((course_packages / "apart").glob("*.zip")):
        assert LANGUAGES_SCRIPT not in scripts_in(package), package.name
