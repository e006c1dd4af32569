"""Start-up benchmark: one small SCORM 1.2 set built as a whole process, beside simple-scorm-packager (npm)
zipping the same 20 pages as plain HTML with no runtime at all. Prints CPU seconds and the ratio; asserts nothing.

    python bench/startup_bench.py [--repeat N]

Target: leadpack's process takes less CPU than the packager's (ratio below 1.00). The packager is a test
dependency in package.json (`npm ci`).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.build_bench import synthetic_course  # noqa: E402

PAGES = 20
PACKAGER = ROOT / "node_modules" / "simple-scorm-packager"
NODE_SCRIPT = """
const packager = require(process.argv[2]);
packager({version: "1.2", organization: "Bench", title: "Synthetic", language: "en-GB", identifier: "bench",
          masteryScore: 50, startingPage: "page-00.html", source: process.argv[3],
          package: {version: "1.0.0", zip: true, outputFolder: process.argv[4], date: "2026-01-01"}},
         () => {});
"""


def child_cpu(command: list[str], cwd: Path) -> float:
    """User + system CPU seconds of one child process, run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def plain_pages(folder: Path) -> Path:
    """The same 20 pages of prose as plain HTML files, one per page, nothing else."""
    folder.mkdir(parents=True)
    paragraph = ("Library staff lead from every chair. " * 12).strip()
    for page in range(PAGES):
        (folder / f"page-{page:02d}.html").write_text(
            f"<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>Page {page}</title></head>"
            f"<body><h1>Page {page}</h1><p>{html.escape(paragraph)}</p><ul><li>one</li><li>two <b>bold</b></li>"
            "</ul></body></html>\n")
    return folder


def cpu_times(command: list[str], cwd: Path, out: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        times.append(child_cpu(command, cwd))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if not (PACKAGER / "package.json").exists():
        sys.exit(f"simple-scorm-packager is not installed under {PACKAGER.parent}: run npm ci")
    version = json.loads((PACKAGER / "package.json").read_text())["version"]
    with tempfile.TemporaryDirectory() as temp:
        temp = Path(temp)
        course = synthetic_course(temp / "course", PAGES)
        script = temp / "package.js"
        script.write_text(NODE_SCRIPT)
        pages = plain_pages(temp / "pages")
        ours = [sys.executable, "-m", "leadpack", "-q", "build", "--format", "scorm12", "--out", str(temp / "ours")]
        theirs = ["node", str(script), str(PACKAGER), str(pages), str(temp / "theirs")]
        os.environ["LEADPACK_CACHE"] = str(temp / "cache")
        # An installed leadpack has its modules' bytecode (pip compiles it); a checkout run with
        # PYTHONDONTWRITEBYTECODE set would compile every module on every run instead.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "leadpack")], check=True)
        cold = child_cpu(ours, course)  # compiles the templates and minifies the runtime into the cache
        runs: dict[str, list[float]] = {"leadpack": [], "packager": [], "python": [], "node": []}
        for _ in range(args.repeat):  # interleaved, so both see the same machine
            for name, command, cwd, out in (("leadpack", ours, course, temp / "ours"),
                                            ("packager", theirs, temp, temp / "theirs"),
                                            ("python", [sys.executable, "-c", "pass"], temp, None),
                                            ("node", ["node", "-e", ""], temp, None)):
                if out is not None:
                    shutil.rmtree(out, ignore_errors=True)
                runs[name].append(child_cpu(command, cwd))
        os.environ["LEADPACK_CACHE"] = ""
        uncached = statistics.median(child_cpu(ours, course) for _ in range(max(3, args.repeat // 3)))
    ms = {name: (1000 * min(times), 1000 * statistics.median(times)) for name, times in runs.items()}
    print(f"one {PAGES}-page SCORM 1.2 set built as a whole process; CPU (user + system) over {args.repeat} "
          "interleaved runs, min / median:")
    print(f"  leadpack build                {ms['leadpack'][0]:6.0f} / {ms['leadpack'][1]:4.0f} ms "
          f"(first run, compiling the templates and minifying the runtime: {1000 * cold:.0f} ms; with no "
          f"cache: {1000 * uncached:.0f} ms)")
    print(f"  simple-scorm-packager {version:7s} {ms['packager'][0]:6.0f} / {ms['packager'][1]:4.0f} ms "
          "(plain HTML, no runtime)")
    print(f"  ratio leadpack / packager     {ms['leadpack'][0] / ms['packager'][0]:6.2f} / "
          f"{ms['leadpack'][1] / ms['packager'][1]:4.2f}    (target below 1.00)")
    print(f"  of which starting the interpreter: python {ms['python'][1]:.0f} ms, node {ms['node'][1]:.0f} ms "
          "(median, an empty program)")


if __name__ == "__main__":
    main()
