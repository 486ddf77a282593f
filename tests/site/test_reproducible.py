"""Reproducible builds: the same content built twice, in two folders at two moments, with the
same SOURCE_DATE_EPOCH, gives byte-identical sites, search index included."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

from sitebuild import ROOT, env, make_project, pelican_cmd, snapshot, story, write

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate  # noqa: E402

SETTINGS = """
SITEURL = "https://briefing.example.org"
RELATIVE_URLS = False
BRIEFING_FEEDS = True
"""
EPOCH = str(int(dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC).timestamp()))


def build_at(project, epoch: str | None):
    e = env()
    e.pop("SOURCE_DATE_EPOCH", None)
    if epoch is not None:
        e["SOURCE_DATE_EPOCH"] = epoch
    return subprocess.run(
        pelican_cmd(), cwd=project, env=e, capture_output=True, text=True, timeout=300
    )


def site(folder):
    project = make_project(folder, example_content=True, settings=SETTINGS)
    for seed, start in (
        (1, dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),
        (2, dt.datetime(2026, 9, 1, tzinfo=dt.UTC)),
    ):
        generate(project / "content" / "stories" / f"gen-{seed}", 25, seed=seed, start=start)
    return project


def test_two_builds_with_one_clock_are_byte_identical(tmp_path):
    first, second = site(tmp_path / "a"), site(tmp_path / "b")
    assert build_at(first, EPOCH).returncode == 0
    time.sleep(1.1)  # a different wall clock for the second build
    assert build_at(second, EPOCH).returncode == 0
    a, b = snapshot(first / "output"), snapshot(second / "output")
    assert any(name.startswith("pagefind/") and "/filter/" in name for name in a)
    assert a == b


def test_the_clock_decides_which_stories_are_due(tmp_path):
    project = make_project(
        tmp_path / "site",
        settings=SETTINGS,
        content={"stories/june.md": story("Due in June", date="2026-06-01T09:00:00+00:00")},
    )
    write(
        project / "content" / "stories" / "may.md",
        story("Out in May", date="2026-05-01T09:00:00+00:00"),
    )
    may = str(int(dt.datetime(2026, 5, 15, tzinfo=dt.UTC).timestamp()))
    assert build_at(project, may).returncode == 0
    assert not (project / "output" / "2026" / "06").exists()
    assert "Due in June" not in (project / "output" / "feeds" / "all.atom.xml").read_text()
    july = str(int(dt.datetime(2026, 7, 1, tzinfo=dt.UTC).timestamp()))
    assert build_at(project, july).returncode == 0
    assert (project / "output" / "2026" / "06" / "01" / "due-in-june" / "index.html").exists()
    assert "Due in June" in (project / "output" / "feeds" / "all.atom.xml").read_text()


def test_a_malformed_source_date_epoch_fails_the_build(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    result = build_at(project, "last tuesday")
    assert result.returncode != 0
    assert "SOURCE_DATE_EPOCH must be a whole number" in " ".join(
        (result.stdout + result.stderr).split()
    )
    assert not (project / "output").exists()
