"""Build benchmarks: prints figures and ratios; never asserts times (machines here are noisy).

    python bench/build_bench.py [--repeat N] [--runtime]

Targets on a 2-core machine: the whole course in both formats under 1.5 s; a 1,000-page synthetic course under
10 s and linear in pages; each set's zip under 150 KB before media; the learner runtime 20 KB or less.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import os
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from leadpack import formats  # noqa: E402
from leadpack.pipeline.archive import write_zip  # noqa: E402
from leadpack.pipeline.build import BuildOptions, build  # noqa: E402
from leadpack.pipeline.cache import CACHE_ENV  # noqa: E402
from leadpack.pipeline.load import load_series  # noqa: E402
from leadpack.pipeline.minify import minified  # noqa: E402
from leadpack.pipeline.render import RUNTIME_DIR, render_set, runtime_file, runtime_scripts  # noqa: E402


def timed(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def full_build(root: Path, repeat: int, format_names: tuple[str, ...] = ()) -> float:
    with tempfile.TemporaryDirectory() as out:
        return timed(lambda: build(root, BuildOptions(formats=format_names, out=Path(out))), repeat)


def stage_shares(root: Path, repeat: int) -> dict[str, float]:
    """Time each stage of an in-memory build: Markdown (load), templates (render), XML (manifests), zip."""
    totals = {"markdown (load)": 0.0, "templates (render)": 0.0, "xml (manifests)": 0.0, "zip": 0.0}
    for _ in range(repeat):
        start = time.perf_counter()
        series = load_series(root)
        totals["markdown (load)"] += time.perf_counter() - start
        for course_set in series.sets:
            for fmt in map(formats.get, series.build.formats):
                start = time.perf_counter()
                site = render_set(series, course_set, fmt, series.build.sco_per)
                totals["templates (render)"] += time.perf_counter() - start
                start = time.perf_counter()
                files = dict(site.files) | fmt.package(series, course_set, site)
                totals["xml (manifests)"] += time.perf_counter() - start
                start = time.perf_counter()
                write_zip(io.BytesIO(), files)
                totals["zip"] += time.perf_counter() - start
    whole = sum(totals.values())
    return {stage: value / whole for stage, value in totals.items()}


def synthetic_course(folder: Path, pages: int, pages_per_module: int = 20, sets: int = 1) -> Path:
    """A generated course of ``sets`` sets (synthetic, synthetic-2, ...) with `pages` pages each of ordinary prose,
    a reflection and a question every few pages."""
    (folder / "content").mkdir(parents=True)
    (folder / "leadpack.toml").write_text(
        '[series]\ntitle = "Synthetic"\norganisation = "Bench"\nbase_iri = "https://bench.example/s/"\n'
        "[build]\nsuspend_data_limit = 65536\nreflection_max_chars = 200\n")
    paragraph = ("Library staff lead from every chair. " * 12).strip()
    for number in range(1, sets + 1):
        set_folder = folder / "content" / ("synthetic" if number == 1 else f"synthetic-{number}")
        set_folder.mkdir()
        modules = []
        for module in range(pages // pages_per_module):
            name = f"module-{module:03d}"
            modules.append(name)
            body = [f'+++\ntitle = "Module {module}"\nminutes = 20\noutcomes = ["Read the pages"]\n+++\n']
            for page in range(pages_per_module):
                body.append(f"# Page {module}-{page}\n\n{paragraph}\n\n- one\n- two **bold**\n")
                if page % 5 == 0:
                    body.append(f"::: reflection\nWhat did page {module}-{page} make you think?\n:::\n")
                if page % 4 == 3:
                    body.append(f"::: question\nWhich page is this, {module}-{page}?\n\n- [x] This one\n  > Yes.\n"
                                "- [ ] Another\n  > No.\n:::\n")
            (set_folder / f"{name}.md").write_text("\n".join(body))
        (set_folder / "set.toml").write_text(
            f'title = "Synthetic {number}"\nversion = "1.0.0"\nmodules = ['
            + ", ".join(f'"{m}"' for m in modules) + "]\n")
    return folder


def zip_sizes(out: Path) -> list[tuple[str, int, int]]:
    rows = []
    for path in sorted(out.glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            media = sum(i.compress_size for i in archive.infolist() if i.filename.startswith("media/"))
        rows.append((path.name, path.stat().st_size, path.stat().st_size - media))
    return rows


RUNTIME_TARGET = 20 * 1024  # bytes of minified JavaScript a package may ship (issue 17)


def runtime_sizes(languages: int = 1) -> dict[str, dict[str, tuple[int, int]]]:
    """Per format, each script a package holding the set in ``languages`` languages ships (in load order):
    (source bytes, shipped bytes)."""
    return {fmt.name: {name: (path.stat().st_size, len(runtime_file(path)))
                       for name, path in runtime_scripts(fmt, languages).items()} for fmt in formats.every()}


def print_runtime_sizes() -> None:
    """Each format's shipped JavaScript against the target, in one language and in several, then what each of its
    scripts adds; and how long minifying takes when the cache does not have it."""
    css = RUNTIME_DIR / "leadpack.css"
    print(f"learner runtime (target <= {RUNTIME_TARGET // 1024} KB of JavaScript shipped per format; stylesheet "
          f"{len(runtime_file(css)) / 1024:.1f} KB):")
    several = runtime_sizes(languages=2)
    for name, scripts in runtime_sizes().items():
        source = sum(sizes[0] for sizes in scripts.values())
        shipped = sum(sizes[1] for sizes in scripts.values())
        bilingual = sum(sizes[1] for sizes in several[name].values())
        paths = runtime_scripts(formats.get(name)).values()
        packed = len(gzip.compress(b"".join(runtime_file(path) for path in paths)))
        print(f"  {name:10s} {shipped / 1024:5.1f} KB shipped (ratio {shipped / RUNTIME_TARGET:.2f}), "
              f"{source / 1024:.1f} KB of source, {packed / 1024:.1f} KB gzipped; in several languages "
              f"{bilingual / 1024:.1f} KB (ratio {bilingual / RUNTIME_TARGET:.2f})")
        for script, (_, size) in several[name].items():
            print(f"    {script:18s} {size / 1024:5.1f} KB")
    sources = {path.read_text("utf-8") for fmt in formats.every() for path in runtime_scripts(fmt, 2).values()}
    start = time.process_time()
    with tempfile.TemporaryDirectory() as empty, _cache_dir(empty):
        for source in sources:
            minified(source)
    print(f"  minifying every script without the cache: {(time.process_time() - start) * 1000:.0f} ms of CPU "
          f"(once per machine: then read from the cache)")


@contextlib.contextmanager
def _cache_dir(folder: str):
    saved = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = folder
    try:
        yield
    finally:
        if saved is None:
            del os.environ[CACHE_ENV]
        else:
            os.environ[CACHE_ENV] = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runtime", action="store_true", help="only the learner runtime's sizes (no builds)")
    args = parser.parse_args()
    if args.runtime:
        print_runtime_sizes()
        return

    whole = full_build(ROOT, args.repeat)
    print(f"full build, 5 sets x {len(formats.names())} formats: {whole:.3f} s (target < 1.5 s: ratio "
          f"{whole / 1.5:.2f})")
    for name in formats.names():
        alone = full_build(ROOT, args.repeat, (name,))
        print(f"  {name:10s} alone, 5 sets: {alone:.3f} s")
    for stage, share in stage_shares(ROOT, max(1, args.repeat // 2)).items():
        print(f"  share {stage:20s} {share:6.1%}")

    with tempfile.TemporaryDirectory() as temp:
        out = Path(temp) / "dist"
        build(ROOT, BuildOptions(out=out))
        print("zip sizes (total / before media; target < 150 KB before media):")
        for name, total, before_media in zip_sizes(out):
            print(f"  {name:45s} {total / 1024:7.1f} KB {before_media / 1024:7.1f} KB")

    per_page = {}
    for pages in (250, 1000):
        with tempfile.TemporaryDirectory() as temp:
            course = synthetic_course(Path(temp) / "course", pages)
            seconds = full_build(course, 1 if pages == 1000 else 2)
            per_page[pages] = seconds / pages
            print(f"synthetic {pages:5d} pages: {seconds:.2f} s, {1000 * seconds / pages:.2f} ms/page")
    print(f"  linearity (ms/page at 1000 / at 250): {per_page[1000] / per_page[250]:.2f} (1.00 = linear); "
          f"1000-page target < 10 s: ratio {per_page[1000] * 1000 / 10:.2f}")

    print_runtime_sizes()

if __name__ == "__main__":
    main()
