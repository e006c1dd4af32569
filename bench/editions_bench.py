"""Editions at scale: prints figures and ratios; never asserts (machines here are noisy).

    python bench/editions_bench.py [--editions 50] [--repeat 1]

The real course with 50 synthetic editions (each its own name, colour, base IRI, accessibility contact and local
texts), built as a user builds it, in a whole process: 50 editions x 5 sets x 4 formats = 1,000 zips.
Targets (issue 17) on the 2-core machine: at most 20 ms of CPU per zip on average, at most 15 s wall with
--jobs 2. Also: the speed-up from --jobs 2; whether --jobs 1, --jobs 2 and the four shards of --shard I/4 wrote
byte-identical files; and the share of rendering saved by rendering each page once per language and edition
and reusing it in every format, against rendering it again for each format.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.release_bench import run_build  # noqa: E402
from leadpack import formats  # noqa: E402
from leadpack.pipeline.editions import edition_series  # noqa: E402
from leadpack.pipeline.load import load_series  # noqa: E402
from leadpack.pipeline.render import Renderer  # noqa: E402

TARGET_MS_PER_ZIP = 20
TARGET_WALL_SECONDS = 15


def course_with_editions(folder: Path, count: int) -> tuple[Path, list[str]]:
    """A copy of the repository's course with ``count`` editions in content/editions/."""
    course = folder / "course"
    shutil.copytree(ROOT / "content", course / "content")
    shutil.copy(ROOT / "leadpack.toml", course / "leadpack.toml")
    editions = course / "content" / "editions"
    editions.mkdir(exist_ok=True)
    names = []
    for number in range(1, count + 1):
        name = f"council-{number:03d}"
        names.append(name)
        (editions / f"{name}.toml").write_text(f'''[edition]
organisation = "Council {number} Libraries"
base_iri = "https://learning.council{number}.example/leading-libraries/"

[theme]
primary = "#1d4f{number % 100:02d}"

[accessibility]
email = "accessibility@council{number}.example"
phone = "0300 000 {number:04d}"
prepared = 2026-11-30

[texts]
employee_assistance = "the Council {number} staff support line (0800 000 {number:04d}), free and confidential"
wellbeing_lead = "the wellbeing lead for Council {number} libraries (wellbeing@council{number}.example)"
''')
    return course, names


def digests(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def shared_rendering_share(course: Path, edition_count: int) -> tuple[float, float]:
    """(seconds to render every package of a few editions with each page rendered once per language and edition,
    seconds with it rendered again for every format), in this process; packaging and zipping excluded."""
    series = load_series(course)
    editions = [edition_series(series, edition) for edition in series.editions[:edition_count]]
    names = series.build.formats
    timings = {}
    for label in ("shared", "per format"):
        start = time.process_time()
        for published in editions:
            renderer = Renderer(published)
            for course_set in published.sets:
                for name in names:
                    own = renderer if label == "shared" else Renderer(published, sharing=renderer)
                    own.site(course_set, formats.get(name), published.build.sco_per)
        timings[label] = time.process_time() - start
    return timings["shared"], timings["per format"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"load average at the start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (others share them)")
    with tempfile.TemporaryDirectory() as temp:
        course, names = course_with_editions(Path(temp), args.editions)
        chosen = [option for name in names for option in ("--edition", name)]
        runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        for _ in range(args.repeat):
            for jobs in (1, 2):  # alternated, so both meet the same background load
                shutil.rmtree(Path(temp) / f"jobs{jobs}", ignore_errors=True)
                runs[jobs].append(run_build(course, Path(temp) / f"jobs{jobs}", "--jobs", str(jobs), *chosen))
        zips = sum(1 for _ in (Path(temp) / "jobs1").rglob("*.zip"))
        for index in (1, 2, 3, 4):
            run_build(course, Path(temp) / "shards", "--shard", f"{index}/4", *chosen)
        serial = digests(Path(temp) / "jobs1")
        same_jobs = serial == digests(Path(temp) / "jobs2")
        same_shards = serial == digests(Path(temp) / "shards")
        sample = min(5, args.editions)
        shared, per_format = shared_rendering_share(course, sample)
    wall = {jobs: statistics.median(w for w, _ in found) for jobs, found in runs.items()}
    cpu = {jobs: statistics.median(c for _, c in found) for jobs, found in runs.items()}
    print(f"{args.editions} editions x 5 sets x 4 formats: {zips} zips, {len(serial)} files in all")
    for jobs in (1, 2):
        per_zip = 1000 * cpu[jobs] / zips
        print(f"  --jobs {jobs}: {wall[jobs]:.1f} s wall, {cpu[jobs]:.1f} s CPU, {per_zip:.1f} ms of CPU per zip "
              f"(target <= {TARGET_MS_PER_ZIP}: ratio {per_zip / TARGET_MS_PER_ZIP:.2f})")
    print(f"  --jobs 2 wall {wall[2]:.1f} s (target <= {TARGET_WALL_SECONDS} s: ratio "
          f"{wall[2] / TARGET_WALL_SECONDS:.2f}); speed-up from --jobs 2: {wall[1] / wall[2]:.2f}x")
    print(f"  byte-identical: --jobs 1 vs --jobs 2 {'yes' if same_jobs else 'NO'}; shards 1-4/4 together vs "
          f"--jobs 1 {'yes' if same_shards else 'NO'}")
    print(f"  shared rendering: {shared:.2f} s CPU to render every format of {sample} editions, against "
          f"{per_format:.2f} s rendering each page again per format: {100 * (1 - shared / per_format):.0f}% of "
          "rendering saved")


if __name__ == "__main__":
    main()
