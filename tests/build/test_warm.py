"""The warm preview (``build.warm``, what ``briefing serve`` keeps in memory): after each of a
sequence of edits, additions, removals, renames, date and headline changes and
corrections, every file it serves is byte for byte what a cold build (``make html``, with
the preview's drafts) writes, and a broken story is reported as the build reports it."""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import pytest

from briefing.cli.serve import Warm

from edits import START, Edits
from sitebuild import ROOT, build, make_project, snapshot

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate  # noqa: E402

SETTINGS = """
SITEURL = "https://briefing.example.org"
BRIEFING_FEEDS = True
BRIEFING_JOBS = 2
"""
#: what a build writes that is not a page it plans: copied or indexed
NOT_PLANNED = ("theme/", "pagefind/")


def _cold(site: Path, dest: Path) -> Path:
    """The files a cold build of ``site``'s content and settings writes, by name."""
    shutil.rmtree(dest, ignore_errors=True)
    cold = make_project(dest)
    shutil.copy(site / "pelicanconf.py", cold / "pelicanconf.py")
    shutil.rmtree(cold / "content")
    shutil.copytree(site / "content", cold / "content")
    result = build(cold, "-e", "BRIEFING_PREVIEW_DRAFTS=true")
    assert result.returncode == 0, result.stderr[-3000:]
    return cold / "output"


def _assert_serves_a_cold_build(warm: Warm, site: Path, scratch: Path) -> None:
    answer = warm.ask("plan")
    assert answer is not None and answer[0]["ok"], answer
    output = _cold(site, scratch / "cold")
    written = snapshot(output)
    names = set(warm.ask("names")[0]["names"])
    assert names <= set(written), sorted(names - set(written))[:10]
    assert [n for n in written if n not in names and not n.startswith(NOT_PLANNED)] == []
    differ = [n for n in sorted(names) if warm.ask("page", name=n)[1] != (output / n).read_bytes()]
    assert differ == [], differ[:10]


def _add_a_chart(site: Path, edits: Edits) -> None:
    """An image added beside a story that shows it (a static file the build copies)."""
    chart = site / "content" / "images" / "chart.svg"
    chart.parent.mkdir(exist_ok=True)
    chart.write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="2"/></svg>')
    story = edits.pick(2)
    story.write_text(story.read_text() + "\n![The chart]({static}/images/chart.svg)\n")


@pytest.fixture
def site(tmp_path, monkeypatch):
    site = make_project(tmp_path / "site", settings=SETTINGS)
    generate(site / "content" / "stories", 8, seed=3, start=START)
    monkeypatch.chdir(site)  # where the preview runs
    return site


def test_the_warm_preview_serves_what_a_cold_build_writes_after_each_change(site, tmp_path):
    edits = Edits(site, random.Random(7))
    warm = Warm("pelicanconf.py", drafts=True)
    try:
        _assert_serves_a_cold_build(warm, site, tmp_path)
        removed = None
        for step in (
            lambda: edits.edit_body(2),
            lambda: edits.add(24 * 40),
            lambda: edits.edit_title(5),
            lambda: edits.move_date(1, 24 * 10),
            lambda: edits.remove(3),
            lambda: edits.rename(0),
            lambda: edits.correct(4),
            lambda: _add_a_chart(site, edits),
        ):
            before = set(warm.ask("names")[0]["names"])
            step()
            _assert_serves_a_cold_build(warm, site, tmp_path)
            removed = removed or before - set(warm.ask("names")[0]["names"])
        assert warm.ask("page", name="images/chart.svg")[1].startswith(b"<svg")
        # a removed story's page is no longer served
        assert removed and all(warm.ask("page", name=n)[0]["found"] is False for n in removed)
    finally:
        warm.stop()


def test_the_warm_preview_reports_a_broken_story_as_the_build_does(site):
    warm = Warm("pelicanconf.py", drafts=True)
    try:
        assert warm.ask("plan")[0]["ok"]
        page = warm.ask("names")[0]["names"][0]
        bad = site / "content" / "stories" / "bad.md"
        bad.write_text("---\ntitle: [unclosed\n---\n")
        result, _ = warm.ask("plan")
        built = build(site)
        assert result["ok"] is False and built.returncode != 0
        assert result["summary"] == "1 error in 1 file, 0 warnings"
        # the diagnostic the build prints, as it prints it
        assert [d for d in result["diagnostics"] if "bad.md" in d] == [
            line for line in built.stderr.splitlines() if line.startswith("content/stories/bad.md")
        ]
        assert result["diagnostics"][0].startswith("content/stories/bad.md:2:8: error: yaml-syntax")
        assert warm.ask("page", name=page)[0]["found"] is False  # no half-planned site
        bad.unlink()
        assert warm.ask("plan")[0]["ok"] and warm.ask("page", name=page)[0]["found"]
    finally:
        warm.stop()
