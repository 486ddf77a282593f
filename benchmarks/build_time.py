"""Wall-clock build time of the example site and of generated corpora.

    .venv/bin/python benchmarks/build_time.py [--stories 1000 ...] [--runs 3]

Each build is a fresh `pelican content` subprocess with the project's pelicanconf.py,
so start-up, reading, writing and the staged swap are all counted.  The comparison
against stock Pelican on the same corpus belongs to the performance issue.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate  # noqa: E402


def project(dest: Path, stories: int | None) -> Path:
    dest.mkdir(parents=True)
    shutil.copy(ROOT / "pelicanconf.py", dest)
    for name in ("theme", "plugins"):
        (dest / name).symlink_to(ROOT / name)
    if stories is None:
        shutil.copytree(ROOT / "content", dest / "content")
    else:
        generate(dest / "content" / "stories", stories)
    return dest


def time_build(folder: Path) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-q"],
        cwd=folder,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, nargs="*", default=[1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'corpus':<18}{'stories':>8}{'median s':>10}{'ms/story':>10}   (cores: {os.cpu_count()})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in [None, *args.stories]:
            folder = project(Path(tmp) / f"site-{n}", n)
            count = len(list((folder / "content").rglob("*.md")))
            times = [time_build(folder) for _ in range(args.runs)]
            median = statistics.median(times)
            name = "example site" if n is None else "generated"
            print(f"{name:<18}{count:>8}{median:>10.2f}{1000 * median / count:>10.1f}")


if __name__ == "__main__":
    main()
