"""Briefing against stock Pelican on the same corpus, measured in one run (`make bench`).

    .venv/bin/python benchmarks/bench.py [--stories 1000 5000] [--runs 3] [--json PATH]

For each N, generates a seeded corpus (500-700 words, 3-6 sources cited in both styles,
topics, sections, two years of dates) twice: as Briefing stories, and converted to
Pelican's ``Key: value`` header for stock Pelican 4.12 (its Markdown reader and the
``simple`` theme, in its own virtualenv, benchmarks/.stock-venv), and a third time for
stock Pelican with the quickstart's ``notmyidea`` theme (comparable work: ten to a page,
Atom feeds for the site, each category and each tag).  Cold builds alternate between the
three; then a warm rebuild with no change, a rebuild after editing one story, a rebuild
after adding one story among the newest, a rebuild after correcting the headline of one
of the newest, ``briefing check`` on the corpus, and ``briefing serve`` from saving a
story to the browser showing it (``serve_reload.py``: the median of ten saves, in
Chromium; left out without ``/usr/bin/chromium``);
and the search index alone (Pagefind over the copies of the story pages the cold build
gave it), to show what of a cold build's budget is left for everything else.
Reports median wall and CPU seconds and peak RSS, and the ratio ours/stock; writes the
results as JSON.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import serve_reload  # noqa: E402

from corpus import bench_story, generate_bench  # noqa: E402

STOCK_VENV = ROOT / "benchmarks" / ".stock-venv"
STOCK_CONF = """\
SITENAME = "Stock"
SITEURL = "https://stock.example.org"
PATH = "content"
TIMEZONE = "UTC"
THEME = "simple"
ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
DEFAULT_PAGINATION = 10
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/section/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/topic/{slug}.atom.xml"
"""


def stock_python() -> str:
    python = STOCK_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(STOCK_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "pelican==4.12.0", "markdown"],
            check=True,
        )
    return str(python)


def ours_project(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "pelicanconf.py", folder)
    shutil.copy(ROOT / "publishconf.py", folder)
    for name in ("theme", "plugins"):
        (folder / name).symlink_to(ROOT / name)
    generate_bench(folder / "content" / "stories", n, "briefing")
    return folder


def stock_project(folder: Path, n: int, theme: str = "simple") -> Path:
    folder.mkdir(parents=True)
    (folder / "pelicanconf.py").write_text(STOCK_CONF.replace('"simple"', f'"{theme}"'))
    generate_bench(folder / "content", n, "pelican")
    return folder


def run(cmd: list[str], cwd: Path, **extra_env: str) -> dict[str, float]:
    """Wall and CPU seconds (with children) and peak RSS (MB) of one command."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | extra_env
    # the last command's files go to disk now, not in the kernel's background writeback
    # during this one (stock Pelican rewrites every file, each build)
    os.sync()
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stderr = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1) or (code == 1 and "check" not in cmd):
        raise SystemExit(f"{' '.join(cmd)} failed ({code}):\n{stderr[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def search_alone(project: Path, runs: int, out: Path) -> dict[str, float]:
    """Pagefind alone over the copies the last cold build gave it: each bundle on one
    thread, one after another, as the cold build runs them (two at a time on two cores).
    Wall and CPU seconds summed over the bundles, peak RSS the largest."""
    from briefing.site import search

    bundles = sorted((project / search.sources_path({})).iterdir())
    samples = []
    for r in range(runs):
        parts = [
            run(
                [
                    *search._pagefind(),
                    "--site",
                    str(q),
                    "--output-path",
                    str(out / f"{r}-{q.name}"),
                    "--quiet",
                ],
                project,
                RAYON_NUM_THREADS="1",
            )
            for q in bundles
            if q.is_dir()
        ]
        samples.append(
            {
                "wall": sum(p["wall"] for p in parts),
                "cpu": sum(p["cpu"] for p in parts),
                "rss": max(p["rss"] for p in parts),
            }
        )
    return median(samples)


def median(samples: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def bench(n: int, runs: int, tmp: Path) -> dict:
    ours = ours_project(tmp / f"ours-{n}", n)
    stock = stock_project(tmp / f"stock-{n}", n)
    ours_cmd = [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py", "-q"]
    stock_cmd = [stock_python(), "-m", "pelican", "content", "-s", "pelicanconf.py", "-q"]
    # stock Pelican doing comparable work: the quickstart's theme (notmyidea), ten to a
    # page, Atom feeds for the site, each category and each tag
    themed = stock_project(tmp / f"stock-notmyidea-{n}", n, "notmyidea")
    cold: dict[str, list] = {"ours": [], "stock": [], "notmyidea": []}
    trash = tmp / f"trash-{n}"
    for r in range(runs):  # alternate, so drift in the machine hits all alike
        for name, folder, cmd in (
            ("ours", ours, ours_cmd),
            ("stock", stock, stock_cmd),
            ("notmyidea", themed, stock_cmd),
        ):
            # a cold build: no site, no cache, and none of the folders Briefing keeps
            # beside output/ (the spare site, see publish.py).  They are moved aside, not
            # deleted, until the end: deleting tens of thousands of files slows down every
            # file created in the next minutes on some file systems (ext4 without a
            # journal passes over inodes freed in the last 60-360 s), which would charge
            # one build's clean-up to whichever build runs next.
            aside = trash / f"{name}-{r}"
            aside.mkdir(parents=True)
            for leftover in ("output", "cache", *(p.name for p in folder.glob(".output.*"))):
                if (folder / leftover).exists():
                    (folder / leftover).rename(aside / leftover)
            cold[name].append(run(cmd, folder))
    result = {"stories": n, "cold": {k: median(v) for k, v in cold.items()}}
    shutil.rmtree(themed, ignore_errors=True)
    result["search"] = search_alone(ours, runs, tmp / f"search-{n}")
    result["warm"] = {
        "ours": median([run(ours_cmd, ours) for _ in range(runs)]),
        "stock": median([run(stock_cmd, stock) for _ in range(runs)]),
    }
    edits = {"ours": [], "stock": []}
    for r in range(runs):
        for name, folder, cmd in (("ours", ours, ours_cmd), ("stock", stock, stock_cmd)):
            story = sorted((folder / "content").rglob("*.md"))[n // 2]
            story.write_text(story.read_text() + f"\nAn edit, number {r}.\n")
            edits[name].append(run(cmd, folder))
    result["edit"] = {k: median(v) for k, v in edits.items()}
    # a new story among the newest (the day's work), with its own headline and file
    adds: dict[str, list] = {"ours": [], "stock": []}
    for r in range(runs):
        for name, folder, cmd in (("ours", ours, ours_cmd), ("stock", stock, stock_cmd)):
            fmt = "briefing" if name == "ours" else "pelican"
            file_name, text = bench_story(int(n * 0.995), n, random.Random(1000 + r), fmt)
            dest = folder / "content" / ("stories" if name == "ours" else "")
            (dest / f"new-{r}-{file_name}").write_text(text, encoding="utf-8")
            adds[name].append(run(cmd, folder))
    result["add"] = {k: median(v) for k, v in adds.items()}
    # a headline corrected on a story among the newest (it shows on its lists and feeds)
    heads: dict[str, list] = {"ours": [], "stock": []}
    for r in range(runs):
        for name, folder, cmd in (("ours", ours, ours_cmd), ("stock", stock, stock_cmd)):
            story = sorted((folder / "content").rglob("*.md"), key=_date_of)[-5]
            field, value = (
                (r"^title: .*$", f'title: "A corrected headline {r} {story.stem}"')
                if name == "ours"
                else (r"^Title: .*$", f"Title: A corrected headline {r} {story.stem}")
            )
            text = re.sub(field, value, story.read_text(), count=1, flags=re.M)
            story.write_text(text, encoding="utf-8")
            heads[name].append(run(cmd, folder))
    result["headline"] = {k: median(v) for k, v in heads.items()}
    check = [sys.executable, "-m", "briefing.cli", "check", "content"]
    result["check"] = median([run(check, ours) for _ in range(runs)])
    # the preview: from saving a story to the browser showing it, median of ten saves
    if os.access("/usr/bin/chromium", os.X_OK):
        saves = serve_reload.measure(ours, 10)
        result["serve"] = {"wall": statistics.median(saves), "saves": saves}
    else:
        print("bench: no /usr/bin/chromium, so no `briefing serve` row", file=sys.stderr)
    return result  # what was moved aside is deleted with ``tmp``, after every measurement


def _date_of(path: Path) -> str:
    """A story file's date, as its header writes it (both formats put it on line 2 or 3)."""
    found = re.search(r"^(?:date|Date): (.*)$", path.read_text(encoding="utf-8"), flags=re.M)
    return found.group(1) if found else ""


def table(results: list[dict]) -> str:
    rows = [
        f"{'stories':>8} {'what':<22}{'ours s':>9}{'stock s':>9}{'ratio':>7}"
        f"{'ours CPU':>10}{'stock CPU':>10}{'ours RSS MB':>13}{'stock RSS':>11}"
    ]
    for r in results:
        for what, label in (
            ("cold", "cold build"),
            ("warm", "rebuild, no change"),
            ("edit", "rebuild, one story"),
            ("add", "rebuild, new story"),
            ("headline", "rebuild, headline"),
        ):
            if what not in r:
                continue
            o, s = r[what]["ours"], r[what]["stock"]
            rows.append(
                f"{r['stories']:>8} {label:<22}{o['wall']:>9.2f}{s['wall']:>9.2f}"
                f"{o['wall'] / s['wall']:>7.2f}{o['cpu']:>10.2f}{s['cpu']:>10.2f}"
                f"{o['rss']:>13.0f}{s['rss']:>11.0f}"
            )
        if "notmyidea" in r["cold"]:
            o, s = r["cold"]["ours"], r["cold"]["notmyidea"]
            rows.append(
                f"{r['stories']:>8} {'cold, vs notmyidea':<22}{o['wall']:>9.2f}{s['wall']:>9.2f}"
                f"{o['wall'] / s['wall']:>7.2f}{o['cpu']:>10.2f}{s['cpu']:>10.2f}"
                f"{o['rss']:>13.0f}{s['rss']:>11.0f}"
            )
        if "serve" in r:
            o, s = r["serve"]["wall"], r["cold"]["stock"]["wall"]
            rows.append(
                f"{r['stories']:>8} {'serve, save to reload':<22}{o:>9.2f}{s:>9.2f}{o / s:>7.2f}"
            )
        for what, label in (("check", "briefing check"), ("search", "search index alone")):
            if what not in r:
                continue
            c = r[what]
            rows.append(
                f"{r['stories']:>8} {label:<22}{c['wall']:>9.2f}{'':>9}{'':>7}"
                f"{c['cpu']:>10.2f}{'':>10}{c['rss']:>13.0f}"
            )
    ratio = " of stock's cold build: " + "; ".join(
        f"{r['stories']}: edit {r['edit']['ours']['wall'] / r['cold']['stock']['wall']:.2f},"
        f" new story {r['add']['ours']['wall'] / r['cold']['stock']['wall']:.2f}"
        + (
            f", headline {r['headline']['ours']['wall'] / r['cold']['stock']['wall']:.2f}"
            if "headline" in r
            else ""
        )
        for r in results
    )
    # what a cold build at 0.7x stock's could spend on everything but the search index
    cores = os.cpu_count() or 1
    budget = "; ".join(
        f"{r['stories']}: {0.7 * r['cold']['stock']['wall'] * cores:.1f} CPU-s on {cores} cores,"
        f" less the search index's {r['search']['cpu']:.1f} leaves"
        f" {0.7 * r['cold']['stock']['wall'] * cores - r['search']['cpu']:.1f} for the rest,"
        f" which took {r['cold']['ours']['cpu'] - r['search']['cpu']:.1f}"
        f" (stock's whole build: {r['cold']['stock']['cpu']:.1f})"
        for r in results
        if "search" in r
    )
    return "\n".join(rows) + "\n" + ratio + "\ncold build at 0.7x stock, " + budget


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stories", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results.json")
    args = parser.parse_args()
    # Stock Pelican's modules were byte-compiled when pip installed them; Briefing's
    # plugins are an editable install, whose bytecode Python writes on first import,
    # except where PYTHONDONTWRITEBYTECODE is set: then each run compiles them (~30 ms).
    compileall.compile_dir(str(ROOT / "plugins"), quiet=1)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.stories:
            results.append(bench(n, args.runs, Path(tmp)))
            print(table(results[-1:]), flush=True)
    header = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\n{header}\n{table(results)}")
    args.json.write_text(json.dumps({"machine": header, "results": results}, indent=1))
    print(f"saved {args.json}")


if __name__ == "__main__":
    main()
