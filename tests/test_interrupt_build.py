"""Issue 6 acceptance: a build interrupted by a signal mid-way, or stopped by a full disk, leaves the previous
packages in dist/ byte-for-byte as they were, with no partial files.

The build runs in a real subprocess. A sitecustomize hook (put on its PYTHONPATH) pauses it at a chosen point
and drops a marker file; the test waits for the marker, so the signal always lands mid-build without any
timing guess. The full disk is real too: the subprocess's file-size limit (RLIMIT_FSIZE) makes the operating
system refuse the write.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leadpack import formats
from tests.conftest import FIXTURE_COURSE, REPO

HOOK = '''
import os, time
import leadpack.pipeline.archive, leadpack.pipeline.render

PAUSE_AT, MARKER = os.environ["LEADPACK_TEST_PAUSE_AT"], os.environ["LEADPACK_TEST_MARKER"]


def pause_on_second_call(module, name):
    original, calls = getattr(module, name), []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # one package (or one temporary file) is done: the build is mid-way
            open(MARKER, "w").close()
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # wait for the test's signal
                time.sleep(0.01)
        return original(*args, **kwargs)

    setattr(module, name, wrapper)


pause_on_second_call(leadpack.pipeline.render if PAUSE_AT == "render" else leadpack.pipeline.archive,
                     "render_set" if PAUSE_AT == "render" else "_write_temporary")
'''


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture
def built_course(tmp_path) -> tuple[Path, Path, dict[str, bytes]]:
    """A course built once into dist/, then edited so that the next build would change every package."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    dist = course / "dist"
    result = subprocess.run([sys.executable, "-m", "leadpack", "-q", "--root", course, "build", "--out", dist],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    before = snapshot(dist)
    assert len([name for name in before if name.endswith(".zip")]) == len(formats.names())
    module = course / "content" / "every-block" / "first-steps.md"
    module.write_text(module.read_text("utf-8").replace("Plain **Markdown**", "Edited **Markdown**"), "utf-8")
    return course, dist, before


def hooked_environment(tmp_path: Path, pause_at: str) -> tuple[dict[str, str], Path]:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(HOOK)
    marker = tmp_path / "paused"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hooks), str(REPO)]), LEADPACK_TEST_PAUSE_AT=pause_at,
               LEADPACK_TEST_MARKER=str(marker))
    return env, marker


@pytest.mark.parametrize(("signum", "pause_at"), [
    (signal.SIGINT, "render"), (signal.SIGTERM, "render"), (signal.SIGINT, "write"), (signal.SIGTERM, "write"),
], ids=["ctrl-c-while-rendering", "sigterm-while-rendering", "ctrl-c-while-writing", "sigterm-while-writing"])
def test_interrupted_build_leaves_previous_packages_untouched(built_course, tmp_path, signum, pause_at):
    course, dist, before = built_course
    env, marker = hooked_environment(tmp_path, pause_at)
    process = subprocess.Popen([sys.executable, "-m", "leadpack", "--root", str(course), "build", "--out", str(dist)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the build never reached the pause point"
            time.sleep(0.01)
        if pause_at == "write":
            assert list(dist.glob(".*.partial")), "the hook should pause with a temporary file written"
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert snapshot(dist) == before


def test_full_disk_leaves_previous_packages_untouched(tmp_path):
    """Two sets: the first set's packages fit under the file-size limit, the second's do not. The first must not be
    replaced either, or dist/ would hold a mix of releases."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, course)
    tiny = course / "content" / "aa-tiny"
    tiny.mkdir()
    (tiny / "set.toml").write_text('title = "Tiny"\nversion = "1.0.0"\nmodules = ["only"]\n')
    (tiny / "only.md").write_text('+++\ntitle = "Only"\nminutes = 1\noutcomes = ["Read"]\n+++\n\n# Only\n\nHello.\n')
    big = course / "content" / "every-block" / "media" / "big.bin"
    big.write_bytes(os.urandom(300_000))  # incompressible: the every-block packages outgrow the limit
    first = course / "content" / "every-block" / "first-steps.md"
    first.write_text(first.read_text().replace("# Quiz {#quiz}", '::: download src="media/big.bin" title="Big"\n'
                                               "A big file.\n:::\n\n# Quiz {#quiz}"))
    dist = course / "dist"
    command = [sys.executable, "-m", "leadpack", "-q", "--root", str(course), "build", "--out", str(dist)]
    assert subprocess.run(command, capture_output=True, timeout=120).returncode == 0
    before = snapshot(dist)
    assert max(len(data) for data in before.values()) > 300_000
    assert min(len(data) for name, data in before.items() if name.startswith("aa-tiny")) < 100_000
    (tiny / "only.md").write_text((tiny / "only.md").read_text().replace("Hello.", "Hello again."))

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    result = subprocess.run(command, capture_output=True, text=True, timeout=120, preexec_fn=limit_file_size)
    assert result.returncode == 1, result.stderr
    assert "cannot write" in result.stderr and "every-block-1.2.0-scorm12.zip" in result.stderr
    assert "nothing in the output folder was changed" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(dist) == before


FAIL_HOOK = '''
import errno, os

FAIL_AT = int(os.environ["LEADPACK_TEST_FAIL_RENAME"])
real_replace, renames = os.replace, []


def replace(source, target, *args, **kwargs):
    """The rename that puts output number FAIL_AT in place fails, as a disk or network share can fail."""
    if str(source).endswith(".partial"):
        renames.append(target)
        if len(renames) == FAIL_AT:
            raise OSError(errno.EIO, "Input/output error", str(source), None, str(target))
    return real_replace(source, target, *args, **kwargs)


os.replace = replace
'''
# What a build of the fixture writes, in the order it renames them into place: a package per format, their LMS
# hand-off sheets, then the accessibility statement drafts.
OUTPUTS = [f"every-block-1.2.0-{formats.get(name).suffix}.zip" for name in formats.DEFAULT] + \
          [f"every-block-1.2.0-{formats.get(name).suffix}-handoff.{end}" for name in formats.DEFAULT
           for end in ("html", "md")] + ["every-block-1.2.0-accessibility.html", "every-block-1.2.0-accessibility.md"]


@pytest.mark.parametrize("position", range(1, len(OUTPUTS) + 1))
def test_a_rename_failing_part_way_puts_back_every_replaced_file(built_course, tmp_path, position):
    """Issue 14: when output number `position` cannot be renamed into place, the outputs already replaced are put
    back; the message names the real output file, not its temporary name."""
    course, dist, before = built_course
    assert sorted(before) == sorted(OUTPUTS)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(FAIL_HOOK)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(hooks), str(REPO)]),
               LEADPACK_TEST_FAIL_RENAME=str(position))
    result = subprocess.run([sys.executable, "-m", "leadpack", "-q", "--root", str(course), "build", "--out",
                             str(dist)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [f"error: cannot write {dist / OUTPUTS[position - 1]}: Input/output error "
                                          "(nothing in the output folder was changed)"]
    assert snapshot(dist) == before
