"""``briefing serve`` from an author's seat: the time from saving an edited story to the
browser showing the edit, in Chromium (through Playwright) with the story's page open, as
the preview reloads it by itself; the median of ten saves, on the bench corpus
(``corpus.bench_story``, this repository's ``pelicanconf.py``).

    .venv/bin/python benchmarks/serve_reload.py [--stories 5000] [--saves 10]

Needs Chromium (``/usr/bin/chromium``) and Playwright, as the browser tests do.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from corpus import generate_bench

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Output:
    """The preview's output, line by line, read by a thread of its own."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float) -> str:
        """The next line that matches ``pattern``."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            if re.search(pattern, line):
                return line
        raise SystemExit(f"the preview did not print {pattern!r} in {timeout:.0f} s")


def measure(site: Path, saves: int) -> list[float]:
    """Seconds from each of ``saves`` saves of a story among the newest of ``site`` (a
    project with ``pelicanconf.py``) to the preview's page showing it."""
    from playwright.sync_api import sync_playwright

    story = sorted((site / "content" / "stories").glob("*.md"))[-3]  # among the newest
    original = story.read_text(encoding="utf-8")
    title = re.search(r'^title: "(.*)"$', original, re.M).group(1)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", "serve", "--port", str(port)],
        cwd=site,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = Output(proc)
    times = []
    try:
        output.wait_for(r"briefing serve: http://", 1800)
        page_file = next(
            p
            for p in (site / "output").glob("*/*/*/*/index.html")
            if f">{title}</h1>" in p.read_text(encoding="utf-8")
        )
        url = f"http://127.0.0.1:{port}/{page_file.parent.relative_to(site / 'output')}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.goto(url)
            for n in range(saves):
                marker = f"Edited in save number {n} of the benchmark."
                started = time.perf_counter()
                story.write_text(story.read_text() + f"\n{marker}\n", encoding="utf-8")
                page.wait_for_function(
                    "m => document.body && document.body.innerText.includes(m)",
                    arg=marker,
                    timeout=600_000,
                    polling=50,
                )
                times.append(time.perf_counter() - started)
                output.wait_for(r"briefing serve: (built|build FAILED)", 60)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(30)
        story.write_text(original, encoding="utf-8")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=5000)
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        shutil.copy(ROOT / "pelicanconf.py", site)
        for name in ("theme", "plugins"):
            (site / name).symlink_to(ROOT / name)
        generate_bench(site / "content" / "stories", args.stories, "briefing")
        times = measure(site, args.saves)
    print(
        f"{args.stories:,} stories: save to reloaded page, median of {len(times)}: "
        f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})"
    )


if __name__ == "__main__":
    main()
