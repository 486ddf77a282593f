"""The changes an author makes to a site's content and settings, as files: drawn by the
tests that hold an incremental build, or the warm preview, to a cold build."""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
from pathlib import Path

from sitebuild import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import story_text  # noqa: E402

#: the first story's date in the generated sites these tests edit
START = dt.datetime(2026, 10, 1, 6, 0, tzinfo=dt.UTC)


class Edits:
    """The changes an author makes to a site's content and settings, on files."""

    def __init__(self, site: Path, rng: random.Random) -> None:
        self.site = site
        self.rng = rng
        self.made = 1000
        self.settings: dict[str, str] = {}

    def stories(self) -> list[Path]:
        return sorted((self.site / "content" / "stories").rglob("*.md"))

    def pick(self, n: int) -> Path:
        found = self.stories()
        return found[n % len(found)]

    def add(self, hours: int) -> None:
        self.made += 1
        name, text = story_text(self.made, self.rng, START + dt.timedelta(hours=hours))
        (self.site / "content" / "stories" / "added").mkdir(exist_ok=True)
        (self.site / "content" / "stories" / "added" / name).write_text(text)

    def edit_body(self, n: int) -> None:
        path = self.pick(n)
        path.write_text(path.read_text() + f"\nA late paragraph, number {self.rng.random()}.\n")

    def edit_title(self, n: int) -> None:
        path = self.pick(n)
        title = f"A new headline {self.rng.randint(0, 10**6)}"
        path.write_text(
            re.sub(r"^title: .*$", f'title: "{title}"', path.read_text(), count=1, flags=re.M)
        )

    def move_date(self, n: int, hours: int) -> None:
        path = self.pick(n)
        text = path.read_text()
        found = re.search(r"^date: (.*)$", text, flags=re.M)
        date = dt.datetime.fromisoformat(found.group(1)) + dt.timedelta(hours=hours)
        date = max(START, min(date, dt.datetime(2026, 11, 30, tzinfo=dt.UTC)))
        text = text.replace(found.group(0), f"date: {date.isoformat()}", 1)
        # a correction moves with its story (one dated before the story is refused)
        later = (date + dt.timedelta(hours=1)).isoformat()
        path.write_text(re.sub(r"^  - date: .*$", f"  - date: {later}", text, flags=re.M))

    def rename(self, n: int) -> None:
        path = self.pick(n)
        self.made += 1
        target = self.site / "content" / "stories" / "moved" / f"renamed-{self.made}.md"
        target.parent.mkdir(exist_ok=True)
        path.rename(target)

    def remove(self, n: int) -> None:
        self.pick(n).unlink()

    def correct(self, n: int) -> None:
        path = self.pick(n)
        text = path.read_text()
        if "corrections:" in text:
            return
        date = dt.datetime.fromisoformat(re.search(r"^date: (.*)$", text, flags=re.M).group(1))
        entry = (
            f"corrections:\n  - date: {(date + dt.timedelta(hours=1)).isoformat()}\n"
            "    text: An earlier version misnamed the minister.\n"
        )
        head, body = text[4:].split("\n---\n", 1)
        path.write_text(f"---\n{head}\n{entry}---\n{body}")

    def change_setting(self, name: str, value: str) -> None:
        self.settings[name] = value
        conf = self.site / "pelicanconf.py"
        base = conf.read_text().split("\n# --- changed ---\n")[0]
        changed = "".join(f"{k} = {v}\n" for k, v in self.settings.items())
        conf.write_text(f"{base}\n# --- changed ---\n{changed}")
