"""Release-build benchmarks: prints figures and ratios; never asserts (machines here are noisy).

    python bench/release_bench.py [--repeat N]

For the real course and a larger synthetic one (12 sets of 100 pages), each built as a whole process, as a user
runs it: wall time and CPU (the process and its workers) with --jobs 1 and --jobs 2, the speed-up, ms of CPU per
zip, and whether --jobs 1, --jobs 2 and the three shards of --shard I/3 together wrote byte-identical files.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.build_bench import synthetic_course  # noqa: E402
from leadpack.pipeline.build import BuildOptions, build  # noqa: E402

SERIAL_STAGES = ("load", "check", "write", "clean")  # what the parent does alone, whatever --jobs says


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_build(course: Path, out: Path, *options: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and every worker it started) of one whole build."""
    cpu, start = children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-m", "leadpack", "--root", str(course), "-q", "build", "--out", str(out),
                    *options], check=True, cwd=ROOT)
    return time.perf_counter() - start, children_cpu() - cpu


def packaging_wall(course: Path, out: Path, jobs: int) -> float:
    """Wall seconds of the part --jobs spreads (render, package, zip, sheets): the build less its serial stages."""
    start = time.perf_counter()
    built = build(course, BuildOptions(out=out, jobs=jobs))
    return time.perf_counter() - start - sum(built.stages.get(stage, 0.0) for stage in SERIAL_STAGES)


def outputs(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def measure(label: str, course: Path, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as temp:
        figures: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        for _ in range(repeat):
            for jobs in (1, 2):  # alternated, so both meet the same background load
                figures[jobs].append(run_build(course, Path(temp) / f"jobs{jobs}", "--jobs", str(jobs)))
        zips = len(list((Path(temp) / "jobs1").glob("*.zip")))
        union: dict[str, bytes] = {}
        for index in (1, 2, 3):
            run_build(course, Path(temp) / f"shard{index}", "--shard", f"{index}/3")
            union.update(outputs(Path(temp) / f"shard{index}"))
        serial = outputs(Path(temp) / "jobs1")
        same_jobs = serial == outputs(Path(temp) / "jobs2")
        spread = {jobs: statistics.median(packaging_wall(course, Path(temp) / "in-process", jobs)
                                          for _ in range(repeat)) for jobs in (1, 2)}
    wall = {jobs: statistics.median(w for w, _ in runs) for jobs, runs in figures.items()}
    cpu = {jobs: statistics.median(c for _, c in runs) for jobs, runs in figures.items()}
    print(f"{label}: {zips} zips")
    for jobs in (1, 2):
        print(f"  --jobs {jobs}: {wall[jobs]:.2f} s wall, {cpu[jobs]:.2f} s CPU, {1000 * cpu[jobs] / zips:.1f} ms "
              "of CPU per zip")
    print(f"  speed-up from --jobs 2: {wall[1] / wall[2]:.2f}x wall (CPU ratio {cpu[2] / cpu[1]:.2f}); of the part "
          f"it spreads (render to sheets, {spread[1]:.2f} s with --jobs 1): {spread[1] / spread[2]:.2f}x")
    print(f"  byte-identical: --jobs 1 vs --jobs 2 {'yes' if same_jobs else 'NO'}; shards 1-3/3 together vs "
          f"--jobs 1 {'yes' if union == serial else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (others share them)")
    measure("the course (5 sets x 4 formats)", ROOT, args.repeat)
    with tempfile.TemporaryDirectory() as temp:
        course = synthetic_course(Path(temp) / "course", 100, sets=12)
        measure("synthetic, 12 sets x 100 pages x 4 formats", course, args.repeat)


if __name__ == "__main__":
    main()
