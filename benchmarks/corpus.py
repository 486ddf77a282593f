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


def story_text(i: int, rng: random.Random, start: dt.datetime) -> tuple[str, str]:
    date = start + dt.timedelta(hours=7 * i + rng.randint(0, 5))
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


def generate(dest: Path, n: int, *, seed: int = 1, start: dt.datetime | None = None) -> list[Path]:
    rng = random.Random(seed)
    start = start or dt.datetime(2022, 1, 1, 6, 0, tzinfo=dt.UTC)
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        name, text = story_text(i, rng, start)
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
