"""Nothing stale, ever: after any sequence of additions, edits, removals, renames, date and
headline changes, corrections and setting changes, a site built incrementally, one build
after each change, is byte for byte what a cold build of the same content makes (search
index included).  Hypothesis draws the sequences on a small site; one long sequence runs
on a generated 1,000-story site."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from edits import START, Edits
from sitebuild import ROOT, build, make_project, snapshot

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate  # noqa: E402

SETTINGS = """
SITEURL = "https://briefing.example.org"
RELATIVE_URLS = False
BRIEFING_FEEDS = True
BRIEFING_JOBS = 2
BRIEFING_EMAIL_WEB_COPY = 2
"""
#: settings a step may change, each to one of a few values
CHANGES = {
    "SITENAME": ['"The Evening Briefing"', '"Harbour Daily"'],
    "DEFAULT_PAGINATION": ["3", "5"],
    "BRIEFING_FEED_MAX_ITEMS": ["4", "50"],
    "BRIEFING_EMAIL_WEB_COPY": ["0", "3"],
    "BRIEFING_STABLE_PAGES": ["False", "True"],
}


def built(site: Path) -> None:
    result = build(site)
    assert result.returncode == 0, result.stderr[-3000:]


def cold_copy(site: Path, dest: Path) -> Path:
    """The same content and settings in a fresh project, built from nothing."""
    cold = make_project(dest)
    shutil.copy(site / "pelicanconf.py", cold / "pelicanconf.py")
    shutil.rmtree(cold / "content")
    shutil.copytree(site / "content", cold / "content")
    built(cold)
    return cold


def assert_same_as_cold(site: Path, scratch: Path) -> None:
    cold = cold_copy(site, scratch / "cold")
    incremental, fresh = snapshot(site / "output"), snapshot(cold / "output")
    assert sorted(incremental) == sorted(fresh)
    differ = [rel for rel in fresh if incremental[rel] != fresh[rel]]
    assert differ == [], differ[:10]


class IncrementalSite(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.scratch = Path(tempfile.mkdtemp(prefix="briefing-stateful-"))
        site = make_project(self.scratch / "site", settings=SETTINGS)
        generate(site / "content" / "stories", 8, seed=3, start=START)
        self.edits = Edits(site, random.Random(5))
        self.site = site
        built(site)

    def many(self) -> bool:
        return len(self.edits.stories()) > 3

    @rule(hours=st.integers(0, 24 * 55))
    def add_a_story(self, hours):
        self.edits.add(hours)
        built(self.site)

    @rule(n=st.integers(0, 99))
    def edit_a_body(self, n):
        self.edits.edit_body(n)
        built(self.site)

    @rule(n=st.integers(0, 99))
    def change_a_headline(self, n):
        self.edits.edit_title(n)
        built(self.site)

    @rule(n=st.integers(0, 99), hours=st.integers(-24 * 20, 24 * 20))
    def move_a_story_in_time(self, n, hours):
        self.edits.move_date(n, hours)
        built(self.site)

    @rule(n=st.integers(0, 99))
    def rename_a_file(self, n):
        self.edits.rename(n)
        built(self.site)

    @precondition(many)
    @rule(n=st.integers(0, 99))
    def remove_a_story(self, n):
        self.edits.remove(n)
        built(self.site)

    @rule(n=st.integers(0, 99))
    def correct_a_story(self, n):
        self.edits.correct(n)
        built(self.site)

    @rule(name=st.sampled_from(sorted(CHANGES)), which=st.integers(0, 1))
    def change_a_setting(self, name, which):
        self.edits.change_setting(name, CHANGES[name][which])
        built(self.site)

    def teardown(self) -> None:
        try:
            assert_same_as_cold(self.site, self.scratch)
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)


IncrementalSite.TestCase.settings = settings(
    derandomize=True,  # the same sequences every run: a failure is one anyone can replay
    max_examples=4,
    stateful_step_count=5,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
TestIncrementalEqualsCold = IncrementalSite.TestCase


@pytest.mark.slow
def test_a_long_sequence_on_a_thousand_stories_stays_a_cold_build(tmp_path):
    site = make_project(tmp_path / "site", settings=SETTINGS)
    generate(
        site / "content" / "stories", 1000, seed=11, start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    built(site)
    rng = random.Random(2026)
    edits = Edits(site, rng)
    steps = [
        lambda: edits.add(rng.randint(0, 24 * 55)),
        lambda: edits.edit_body(rng.randint(0, 999)),
        lambda: edits.edit_title(rng.randint(0, 999)),
        lambda: edits.move_date(rng.randint(0, 999), rng.randint(-500, 500)),
        lambda: edits.rename(rng.randint(0, 999)),
        lambda: edits.remove(rng.randint(0, 999)),
        lambda: edits.correct(rng.randint(0, 999)),
        lambda: edits.change_setting("SITENAME", '"Harbour Daily"'),
    ]
    for step in [*steps, *(rng.choice(steps) for _ in range(8))]:
        step()
        built(site)
    assert_same_as_cold(site, tmp_path)
