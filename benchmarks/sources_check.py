"""`briefing sources check` over a decade of sources, on the fake web (`make bench-sources`).

    .venv/bin/python benchmarks/sources_check.py [--urls 5000] [--hosts 50] [--latency 0.02]
                                                 [--runs 3] [--json PATH]

Serves ``--hosts`` hosts (127.0.0.2 …) from tests/fakeweb.py in a process of its own, every
answer after ``--latency`` seconds, and writes stories citing ``--urls`` distinct URLs
spread over them (five sources a story). Then, each run in a fresh folder: a first
``briefing sources check`` (no record: every URL fetched, BRIEFING_LINKS_PER_HOST=2), and a
repeat within ``--max-age`` (the record answers; the stories' sources come from the
reading cache). For comparison, lychee (the Rust link
checker the test tools install) over the same URLs, with the same 32 requests at once and
no cache. Prints medians of wall and CPU seconds and peak RSS; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(cmd: list[str], cwd: Path) -> dict[str, float]:
    """Wall and CPU seconds and peak RSS (MB) of one command, which must succeed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and "proxy" not in k.lower()}
    with tempfile.TemporaryFile() as output:  # not a pipe: a long output would block it
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=output, stderr=output)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        output.seek(0)
        out = output.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss": usage.ru_maxrss / 1024,
        "out": out,
    }


def stories(folder: Path, port: int, urls: int, hosts: int) -> list[str]:
    """Stories citing ``urls`` distinct URLs, five a story, round the hosts."""
    folder.mkdir(parents=True)
    every = [f"http://127.0.0.{2 + i % hosts}:{port}/news/{i}" for i in range(urls)]
    for n in range(0, urls, 5):
        group = every[n : n + 5]
        sources = "".join(f"  s{k}:\n    url: {u}\n" for k, u in enumerate(group))
        cites = " ".join(f"[@s{k}]" for k in range(len(group)))
        (folder / f"2026-01-01-story-{n // 5:05d}.md").write_text(
            f"---\ntitle: Story {n // 5}\ndate: 2026-01-01T08:00:00+00:00\n"
            f"sources:\n{sources}---\nIt happened {cites}.\n"
        )
    return every


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--urls", type=int, default=5000)
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.02)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fakeweb.py"), "--hosts", str(args.hosts + 1),
         "--latency", str(args.latency)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    results: dict[str, list[dict]] = {"first": [], "repeat": [], "lychee": []}
    try:
        port = int(server.stdout.readline())
        work = Path(tempfile.mkdtemp(prefix="briefing-sources-bench-"))
        every = stories(work / "corpus" / "content" / "stories", port, args.urls, args.hosts)
        shutil.copy(ROOT / "pelicanconf.py", work / "corpus")  # a site, as the command sees it
        for name in ("theme", "plugins"):
            (work / "corpus" / name).symlink_to(ROOT / name)
        (work / "urls.txt").write_text("\n".join(every) + "\n")
        lychee = shutil.which("lychee") or str(BIN / "lychee")
        for r in range(args.runs):
            project = work / f"run{r}"
            shutil.copytree(work / "corpus", project, symlinks=True)
            check = [str(BIN / "briefing"), "sources", "check"]
            first = run(check, project)
            assert f"{args.urls} ok" in first["out"], first["out"][-500:]
            results["first"].append(first)
            results["repeat"].append(run(check, project))
            if os.path.exists(lychee):
                results["lychee"].append(
                    run(
                        [
                            lychee,
                            "--no-progress",
                            "--max-concurrency",
                            "32",
                            "--timeout",
                            "10",
                            "--max-retries",
                            "0",
                            str(work / "urls.txt"),
                        ],
                        work,
                    )  # fmt: skip
                )
            shutil.rmtree(project)
        shutil.rmtree(work)
    finally:
        server.kill()
        server.wait()

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    print(
        f"{args.urls:,} source URLs over {args.hosts} hosts, {args.latency * 1000:g} ms a "
        f"response, {args.runs} runs, medians:\n"
    )
    print("| what | wall | CPU | peak RSS |\n|---|---:|---:|---:|")
    labels = {
        "first": "`briefing sources check`, first (every URL fetched)",
        "repeat": "`briefing sources check`, repeat within `--max-age`",
        "lychee": "lychee, same URLs, 32 at once, no cache",
    }
    summary = {}
    for key, rows in results.items():
        if rows:
            summary[key] = {k: med(rows, k) for k in ("wall", "cpu", "rss")}
            print(
                f"| {labels[key]} | {summary[key]['wall']:.2f} s | {summary[key]['cpu']:.2f} s "
                f"| {summary[key]['rss']:.0f} MB |"
            )
    if "lychee" in summary:
        print(f"\nfirst check / lychee: {summary['first']['wall'] / summary['lychee']['wall']:.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
