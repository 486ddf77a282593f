"""Feed ids as a stateful property over real builds: stories are added (as `briefing new`
writes them), retitled, redated, given new slugs, moved, deleted, and the site changes
domain — surviving entries keep their ids, ids stay unique, and a deleted story's id never
comes back on another story."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import feedparser
from hypothesis import settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from briefing.cli.authoring import new_story

from sitebuild import ROOT, env, make_project


class FeedIds(RuleBasedStateMachine):
    stories = Bundle("stories")

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="feed-ids-"))
        self.project = make_project(self.tmp / "site", settings="BRIEFING_SEARCH = False")
        shutil.copy(ROOT / "publishconf.py", self.project / "publishconf.py")
        self.paths: dict[str, Path] = {}
        self.known: dict[str, str] = {}  # story -> its id, once seen
        self.retired: set[str] = set()
        self.siteurl = "https://a.example.org"
        self.count = 0

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _set(self, name: str, key: str, value: str) -> None:
        """Set a front-matter line, replacing it if the story has it already."""
        path = self.paths[name]
        text = path.read_text()
        line = f"{key}: {value}"
        if re.search(rf"^{key}: ", text, re.M):
            text = re.sub(rf"^{key}: .*$", line, text, count=1, flags=re.M)
        else:
            text = text.replace("---\n", f"---\n{line}\n", 1)
        path.write_text(text)

    @rule(target=stories)
    def add(self) -> str:
        self.count += 1
        name = f"story{self.count}"
        date = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC) + dt.timedelta(hours=self.count)
        text = new_story(f"Story number {self.count}", date=date)
        text = text.replace("unverified: true", "note: checked")
        path = self.project / "content" / "stories" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        self.paths[name] = path
        return name

    @rule(name=stories)
    def retitle(self, name: str) -> None:
        self.count += 1
        self._set(name, "title", f'"Updated story {self.count}"')

    @rule(name=stories)
    def fix_date(self, name: str) -> None:
        self.count += 1
        self._set(name, "date", f"2026-10-{self.count % 28 + 1:02d}T07:00:00+00:00")

    @rule(name=stories)
    def new_slug(self, name: str) -> None:
        self.count += 1
        self._set(name, "slug", f"renamed-{self.count}")

    @rule(name=stories)
    def move(self, name: str) -> None:
        target = self.project / "content" / "stories" / f"moved{self.count}" / f"{name}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.paths[name].rename(target)
        self.paths[name] = target

    @rule()
    def change_domain(self) -> None:
        self.siteurl = f"https://site{self.count}.example.net/news"

    @rule(name=consumes(stories))
    def delete(self, name: str) -> None:
        self.paths.pop(name).unlink()
        self.retired.add(self.known.pop(name, ""))

    @invariant()
    def ids_survive(self) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py"],
            cwd=self.project,
            env={**env(), "BRIEFING_SITEURL": self.siteurl},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        feed = self.project / "output" / "feeds" / "all.atom.xml"
        entries = feedparser.parse(str(feed)).entries if self.paths else []
        ids = [e.id for e in entries]
        assert len(ids) == len(set(ids)) == len(self.paths)
        assert not set(ids) & self.retired
        by_id = set(ids)
        for name, path in self.paths.items():
            born = next(
                line[4:] for line in path.read_text().splitlines() if line.startswith("id: ")
            )
            assert born in by_id
            assert self.known.setdefault(name, born) == born


FeedIds.TestCase.settings = settings(max_examples=3, stateful_step_count=6, deadline=None)
test_feed_ids_are_stable = FeedIds.TestCase
