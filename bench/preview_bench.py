"""Watch-mode latency of `leadpack preview --watch`: from saving a module file to the reload event the LMS page
follows (the set rebuilt and served). Prints figures; never asserts times.

    python bench/preview_bench.py [--edits N]

Target: the preview reloads within a second of an edit (the browser's own reload adds about 0.1-0.2 s).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from leadpack.tools.preview.server import PreviewServer  # noqa: E402

SET = "leading-for-resilience"
MODULE = Path("content") / SET / "social-resilience.md"


def edit_to_reload(server: PreviewServer, module: Path, number: int) -> float:
    seen = server.events.latest
    with module.open("a", encoding="utf-8") as stream:
        stream.write(f"\nAn extra sentence, edit {number}.\n")
    start = time.perf_counter()
    while True:
        events = server.events.after(seen, timeout=10) or []
        if any(kind == "build" for _, kind, _ in events):
            return time.perf_counter() - start
        if not events:
            raise RuntimeError("no rebuild within 10 s")
        seen = events[-1][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        course = Path(temp) / "course"
        shutil.copytree(ROOT / "content", course / "content")
        shutil.copy(ROOT / "leadpack.toml", course / "leadpack.toml")
        with PreviewServer(course, only=(SET,), watch=True) as server:
            time.sleep(0.5)  # let the watcher take its first look at the files
            times = []
            for number in range(args.edits):
                times.append(edit_to_reload(server, course / MODULE, number))
                time.sleep(0.3)
    print(f"preview --watch, edit to reload event, {args.edits} edits of one module of {SET}: "
          f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s "
          f"(target < 1 s: ratio {statistics.median(times):.2f})")


if __name__ == "__main__":
    main()
