"""Generate a corpus of briefing stories for benchmarks and crash tests.

python benchmarks/corpus.py DEST N [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

WORDS = (
    "council harbour tunnel budget energy battery grid ministry minister said report data "
    "city port ferry storm market shares investors court ruling library school hospital "
    "election vote amendment agency regulator company quarter profit wages housing rent "
    "transport rail bus airport climate wind solar water river bridge police inquiry"
).split()
OUTLETS = [
    ("The Harbour Gazette", "harbourgazette.example"),
    ("Metro Wire", "metrowire.example"),
    ("Tech Ledger", "techledger.example"),
    ("Coastal Courier", "coastalcourier.example"),
    ("Daily Ledger", "dailyledger.example"),
]
SECTIONS = ["City", "Energy", "Technology", "Business", "Politics"]


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(10, 22))
    return " ".join(words).capitalize()


def story_text(i: int, rng: random.Random, start: dt.datetime, every: float = 7) -> tuple[str, str]:
    """Story ``i``, dated ``every`` hours after the one before (give or take five)."""
    date = start + dt.timedelta(hours=every * i + rng.randint(0, 5))
    title = f"{_sentence(rng)[:60].rstrip()} {i}"
    chosen = rng.sample(OUTLETS, k=rng.randint(1, 3))
    sources = "".join(
        f"  s{k}:\n    url: https://{host}/{date:%Y/%m/%d}/story-{i}-{k}\n"
        f"    outlet: {name}\n    title: {_sentence(rng)[:50]}\n    published: {date:%Y-%m-%d}\n"
        for k, (name, host) in enumerate(chosen)
    )
    paragraphs = []
    for p in range(max(len(chosen), rng.randint(3, 6))):
        sentences = [_sentence(rng) for _ in range(rng.randint(2, 4))]
        host = chosen[p][1] if p < len(chosen) else rng.choice(chosen)[1]  # cite every source
        paragraphs.append(" ".join(s + "." for s in sentences[:-1]) + f" {sentences[-1]} ({host}).")
    tags = ", ".join(rng.sample(WORDS, k=2))
    text = (
        f'---\ntitle: "{title}"\ndate: {date.isoformat()}\n'
        f"category: {rng.choice(SECTIONS)}\ntags: [{tags}]\n"
        f"summary: {_sentence(rng)}.\nsources:\n{sources}---\n" + "\n\n".join(paragraphs) + "\n"
    )
    return f"{date:%Y-%m-%d}-{i:05d}.md", text


def generate(
    dest: Path, n: int, *, seed: int = 1, start: dt.datetime | None = None, every: float = 7
) -> list[Path]:
    rng = random.Random(seed)
    start = start or dt.datetime(2022, 1, 1, 6, 0, tzinfo=dt.UTC)
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        name, text = story_text(i, rng, start, every)
        path = dest / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dest", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.dest, args.n, seed=args.seed)


BENCH_OUTLETS = OUTLETS + [
    ("Reuters", "reuters.com"),
    ("CNBC", "cnbc.com"),
    ("Financial Times", "ft.com"),
    ("BBC News", "bbc.co.uk"),
]
TOPICS = [
    "transport", "energy", "housing", "courts", "health", "schools", "climate", "markets",
    "labour", "technology", "water", "policing", "budget", "elections", "trade", "aviation",
]  # fmt: skip


def bench_story(i: int, n: int, rng: random.Random, fmt: str) -> tuple[str, str]:
    """A realistic story for benchmarks: 500-700 words, 3-6 sources cited in both styles,
    topics and a section, dates spread over two years.  ``fmt`` is ``briefing`` (YAML front
    matter with sources) or ``pelican`` (the same story in Pelican's ``Key: value`` header)."""
    start = dt.datetime(2024, 12, 1, 6, 0, tzinfo=dt.UTC)
    date = start + dt.timedelta(minutes=int(i * (2 * 365 * 24 * 60) / n) + rng.randint(0, 59))
    title = f"{_sentence(rng)[:60].rstrip()} {i}"
    chosen = rng.sample(BENCH_OUTLETS, k=rng.randint(3, 6))
    keys = [f"s{k}" for k in range(len(chosen))]
    paragraphs, words = [], 0
    target = rng.randint(500, 700)
    p = 0
    while words < target:
        sentences = [_sentence(rng) for _ in range(rng.randint(3, 5))]
        k = p if p < len(chosen) else rng.randrange(len(chosen))
        cite = f"({chosen[k][1]})" if p % 2 == 0 else f"[@{keys[k]}]"
        text = " ".join(s + "." for s in sentences[:-1]) + f" {sentences[-1]} {cite}."
        paragraphs.append(text)
        words += len(text.split())
        p += 1
    tags = rng.sample(TOPICS, k=rng.randint(1, 3))
    section = rng.choice(SECTIONS)
    summary = _sentence(rng) + "."
    body = "\n\n".join(paragraphs) + "\n"
    if fmt == "pelican":
        header = (
            f"Title: {title}\nDate: {date:%Y-%m-%d %H:%M}\nCategory: {section}\n"
            f"Tags: {', '.join(tags)}\nSummary: {summary}\n\n"
        )
        return f"{date:%Y-%m-%d}-{i:05d}.md", header + body
    sources = "".join(
        f"  {key}:\n    url: https://{host}/{date:%Y/%m/%d}/story-{i}-{key}\n"
        f"    outlet: {name}\n    title: {_sentence(rng)[:50]}\n    published: {date:%Y-%m-%d}\n"
        for key, (name, host) in zip(keys, chosen, strict=True)
    )
    text = (
        f'---\ntitle: "{title}"\ndate: {date.isoformat()}\ncategory: {section}\n'
        f"tags: [{', '.join(tags)}]\nsummary: {summary}\nsources:\n{sources}---\n" + body
    )
    return f"{date:%Y-%m-%d}-{i:05d}.md", text


def generate_bench(dest: Path, n: int, fmt: str, *, seed: int = 1) -> None:
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        name, text = bench_story(i, n, rng, fmt)
        (dest / name).write_text(text, encoding="utf-8")
