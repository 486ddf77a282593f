"""What the search page costs a reader of a long archive: the files (and bytes) a browser
fetches from the index to show the first result for a word found only in the oldest
story, and for one found only in the newest, on a generated archive spanning twenty
years.  The index is one Pagefind bundle per quarter of the last two years and one per
year before (docs/site.md, "Search"); every bundle costs a few files.

    .venv/bin/python benchmarks/search_fetches.py [--stories 2000] [--years 20]

Needs Chromium (``/usr/bin/chromium``) and Playwright, as the browser tests do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from corpus import generate

ROOT = Path(__file__).resolve().parent.parent
WORDS = {"oldest": "zeppelin", "newest": "quokka"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def build(folder: Path, stories: int, years: int) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "pelicanconf.py", folder)
    for name in ("theme", "plugins"):
        (folder / name).symlink_to(ROOT / name)
    every = years * 365.25 * 24 / stories
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC) - dt.timedelta(hours=every * stories)
    paths = sorted(generate(folder / "content" / "stories", stories, start=start, every=every))
    for which, path in (("oldest", paths[0]), ("newest", paths[-1])):
        path.write_text(path.read_text() + f"\nThe {WORDS[which]} was seen again.\n")
    command = [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-q"]
    subprocess.run(command, cwd=folder, check=True)
    return folder / "output"


def measure(site: Path) -> list[tuple[str, int, int, float]]:
    from playwright.sync_api import sync_playwright

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        for which, word in WORDS.items():
            context = browser.new_context()  # a reader's first visit: nothing cached
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(base) else route.abort()
                ),
            )
            page = context.new_page()
            fetched: list[int] = []

            def done(response, fetched=fetched) -> None:
                if "/pagefind/" in response.url:
                    fetched.append(len(response.body()))

            page.on("response", done)
            page.goto(base + "/search/")
            started = time.perf_counter()
            page.fill(".pagefind-ui__search-input", word)
            page.locator(".pagefind-ui__result-link").first.wait_for(timeout=60000)
            shown = time.perf_counter() - started
            page.wait_for_load_state("networkidle")
            rows.append((which, len(fetched), sum(fetched), shown))
            context.close()
        browser.close()
    httpd.shutdown()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--years", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = build(Path(tmp) / "site", args.stories, args.years)
        bundles = sorted(p.name for p in (site / "pagefind").iterdir())
        quarters = 4 * args.years
        print(
            f"{args.stories:,} stories over {args.years} years: {len(bundles)} bundles "
            f"({bundles[0]} … {bundles[-1]}; one per quarter would be {quarters})"
        )
        print("| a word from the | files fetched | KB fetched | first result shown |")
        print("|---|---:|---:|---:|")
        for which, files, size, shown in measure(site):
            print(f"| {which} story | {files} | {size / 1024:.0f} | {shown:.2f} s |")


if __name__ == "__main__":
    main()
