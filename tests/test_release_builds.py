"""Issue 17, point 3: ``build --jobs N`` in parallel processes and ``build --shard I/N`` slices give exactly the
serial build, byte for byte; bad values are usage errors (exit 2); docs/releasing.md's commands and CI files work."""

from __future__ import annotations

import pickle
import re
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from leadpack import cli
from leadpack.cli import main
from leadpack.errors import ProblemsFound, SourceError
from leadpack.pipeline.build import BuildOptions, build
from tests.conftest import FIXTURE_COURSE, REPO, run_cli


def outputs(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> dict[str, bytes]:
    """The repository's course (five sets, four formats) built in one process."""
    out = tmp_path_factory.mktemp("serial")
    result = run_cli("build", "--out", out, "--jobs", "1", root=REPO)
    assert result.exit_code == 0, result.output
    return outputs(out)


def test_two_processes_build_the_serial_build_byte_for_byte(serial, tmp_path):
    """A real process, as a user runs it: the workers are forked from it."""
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "leadpack", "--root", str(REPO), "build", "--out", str(out),
                             "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("built 20 packages in ")
    assert outputs(out) == serial


def test_workers_started_afresh_build_the_same(serial, tmp_path):
    """With another thread running, forking is unsafe: the workers start afresh and are sent the loaded course."""
    out, done = tmp_path / "out", []
    thread = threading.Thread(target=lambda: done.append(build(REPO, BuildOptions(out=out, jobs=2))))
    thread.start()
    thread.join(timeout=300)
    assert done and len(done[0].packages) == 20
    assert outputs(out) == serial


def test_the_shards_together_are_the_serial_build(serial, tmp_path):
    """Each package (with its hand-off sheet) in exactly one shard; a set's accessibility statement from every
    shard that builds part of the set, each the serial build's, byte for byte."""
    union: dict[str, bytes] = {}
    owners: dict[str, int] = {}
    for index in (1, 2, 3):
        out = tmp_path / str(index)
        result = run_cli("build", "--out", out, "--shard", f"{index}/3", root=REPO)
        assert result.exit_code == 0, result.output
        assert f"(shard {index}/3)" in result.stdout.splitlines()[-1]
        for name, data in outputs(out).items():
            assert union.setdefault(name, data) == data, name
            if not name.endswith(("-accessibility.html", "-accessibility.md")):
                assert owners.setdefault(name, index) == index, f"{name} is in two shards"
    assert union == serial
    assert set(owners.values()) == {1, 2, 3}


def test_more_shards_than_packages_leave_some_empty_and_clean_spares_the_others(tmp_path):
    """Five shards of the fixture's four packages: one is empty; all share one folder with --clean, which removes
    only files no shard writes."""
    alone = tmp_path / "alone"
    assert run_cli("build", "--out", alone, root=FIXTURE_COURSE).exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    (out / "every-block-1.0.0-xapi.zip").write_bytes(b"an old release")
    counts = []
    for index in range(1, 6):
        result = run_cli("build", "--out", out, "--shard", f"{index}/5", "--clean", root=FIXTURE_COURSE)
        assert result.exit_code == 0, result.output
        counts.append(int(result.stdout.splitlines()[-1].split()[1]))
    assert sorted(counts) == [0, 1, 1, 1, 1]
    assert outputs(out) == outputs(alone)


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--jobs", "-1", "-1 is not a number of processes"),
    ("--jobs", "two", "'two' is not a valid integer"),
    ("--shard", "0/3", "'0/3' is not a shard"),
    ("--shard", "4/3", "'4/3' is not a shard"),
    ("--shard", "1/0", "'1/0' is not a shard"),
    ("--shard", "2", "'2' is not a shard"),
    ("--shard", "1/3/5", "'1/3/5' is not a shard"),
    ("--shard", "-1/3", "'-1/3' is not a shard"),
])
def test_bad_jobs_and_shards_are_usage_errors(tmp_path, option, value, message):
    result = run_cli("build", "--out", tmp_path / "out", option, value, root=FIXTURE_COURSE)
    assert result.exit_code == 2
    assert message in result.output and option in result.output
    assert not (tmp_path / "out").exists()


def test_jobs_zero_means_one_per_core(tmp_path):
    result = run_cli("build", "--out", tmp_path / "out", "--jobs", "0", root=FIXTURE_COURSE)
    assert result.exit_code == 0, result.output


def test_errors_from_a_worker_come_back_whole():
    """A worker's SourceError or ProblemsFound reaches the parent with its file, line and hint."""
    error = SourceError("content/a/set.toml", 3, "the worst case does not fit", "raise suspend_data_limit", 2)
    again = pickle.loads(pickle.dumps(error))
    assert again.problem == error.problem and str(again) == str(error)
    found = pickle.loads(pickle.dumps(ProblemsFound([error.problem])))
    assert found.problems == [error.problem]


def commands_in(text: str) -> list[list[str]]:
    """Every ``leadpack ...`` command in a document's code, with CI placeholders given sample values."""
    text = text.replace("${{ matrix.shard }}", "1").replace("$CI_NODE_INDEX", "1").replace("$CI_NODE_TOTAL", "4")
    found = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").removeprefix("run: ")
        if line.startswith("leadpack "):
            found.append(shlex.split(line.split(" || ")[0].split("  #")[0]))
    return found


def test_the_release_guide_gives_working_commands_and_a_ready_workflow():
    """docs/releasing.md: every leadpack command names options the CLI has, with values it accepts; the GitHub
    Actions workflow is valid YAML with a shard matrix whose size every shard's --shard names; GitLab's too."""
    text = (REPO / "docs" / "releasing.md").read_text("utf-8")
    commands = commands_in(text)
    assert {command[1] for command in commands} >= {"check", "build", "validate", "release"}
    for command in commands:
        params = main.commands[command[1]].params
        options = {name for param in params for name in param.opts}
        for token in command[2:]:
            if token.startswith("-"):
                assert token in options, (command, token)
        if "--shard" in command:
            assert cli._shard(command[command.index("--shard") + 1]) is not None
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    github, gitlab = (yaml.safe_load(block) for block in blocks)
    shards = github["jobs"]["build"]["strategy"]["matrix"]["shard"]
    build_step = next(step["run"] for step in github["jobs"]["build"]["steps"]
                      if "leadpack build" in step.get("run", ""))
    assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in build_step and shards == list(range(1, len(shards) + 1))
    assert github["jobs"]["release"]["needs"] == "build"
    release_steps = " ".join(step.get("run", "") for step in github["jobs"]["release"]["steps"])
    assert "leadpack release previous dist" in release_steps
    assert gitlab["build"]["parallel"] == 4 and gitlab["release"]["needs"] == ["build"]
