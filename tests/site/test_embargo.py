"""Embargo: a story not yet due by the build's clock, or a draft, reaches no file of the
published site (page, list, feed, search index, sitemap); it appears once the clock passes
its date, and only a preview build shows it before."""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
import shutil
import subprocess
import sys
from pathlib import Path

from sitebuild import ROOT, env, make_project, snapshot, story

SECRET_TITLE = "Merger talks collapse"
SECRET_WORD = "Quillfeatherington"  # one word, so the search index holds it whole
DUE = "2099-01-05T07:30:00+00:00"


def epoch(iso: str) -> str:
    return str(calendar.timegm(dt.datetime.fromisoformat(iso).utctimetuple()))


def publish(project: Path, *extra: str, clock: str | None = None):
    environment = {**env(), "BRIEFING_SITEURL": "https://news.example.org"}
    if clock is not None:
        environment["SOURCE_DATE_EPOCH"] = epoch(clock)
    return subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py", *extra],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def site_text(output: Path) -> str:
    """Every byte of the site as text, the search index's compressed files decoded."""
    parts = []
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix.startswith(".pf_") or path.name.endswith(".pagefind"):
            data = gzip.decompress(data)
        parts.append(data.decode("utf-8", "replace"))
    return "\n".join(parts)


def embargo_project(tmp_path: Path) -> Path:
    project = make_project(
        tmp_path / "site",
        content={
            "stories/now.md": story(
                "Out now",
                body="Harbour news (harbour.example.com).\n",
                extra="sources:\n  h: https://harbour.example.com/a\n",
            ),
            "stories/later.md": story(
                SECRET_TITLE,
                date=DUE,
                body=f"The {SECRET_WORD} deal is off (secret.example.org).\n\n"
                "![The chart]({static}merger-chart.svg)\n",
                extra="tags: [mergers]\nsources:\n  s: https://secret.example.org/x\n",
            ),
            "stories/draft.md": story(
                "Draft headline kept back",
                body="Unfinished Plumtreewhistle copy.\n",
                extra="status: draft\n",
            ),
        },
    )
    (project / "content" / "stories" / "merger-chart.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg"><text>{SECRET_WORD} chart</text></svg>'
    )
    shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
    return project


def test_a_story_not_yet_due_and_a_draft_reach_no_file_until_the_clock_passes(tmp_path):
    project = embargo_project(tmp_path)
    result = publish(project, clock="2026-12-07T09:00:00+00:00")
    assert result.returncode == 0, result.stderr
    assert (
        "content/stories/later.md:3:7: info: story-scheduled: held back until "
        "2099-01-05T07:30:00+00:00: the first build after then publishes it (the build's "
        "clock, SOURCE_DATE_EPOCH, reads 2026-12-07T09:00:00+00:00)"
    ) in result.stderr
    output = project / "output"
    text = site_text(output)
    assert "Out now" in text and "harbour.example.com" in text  # the site was built
    for secret in (
        SECRET_TITLE,
        SECRET_WORD,
        SECRET_WORD.lower(),
        "secret.example.org",
        "mergers",
        "Draft headline",
        "Plumtreewhistle",
        "plumtreewhistle",
    ):
        assert secret not in text, secret
    assert not (output / "drafts").exists() and not (output / "2099").exists()
    assert not list(output.rglob("merger-chart.svg"))  # nor the file only it links to

    # the clock passes the story's date (SOURCE_DATE_EPOCH, not the wall clock, decides)
    result = publish(project, clock="2099-01-05T08:00:00+00:00")
    assert result.returncode == 0, result.stderr
    assert "story-scheduled" not in result.stderr
    text = site_text(output)
    page = output / "2099" / "01" / "05" / "merger-talks-collapse" / "index.html"
    assert SECRET_TITLE in page.read_text()
    assert SECRET_TITLE in (output / "feeds" / "all.atom.xml").read_text()
    assert SECRET_WORD.lower() in text  # the search index holds it now
    assert (output / "stories" / "merger-chart.svg").exists()
    assert "Plumtreewhistle" not in text  # a draft stays out whatever the clock says


def test_the_builds_clock_holds_back_a_story_the_wall_clock_has_passed(tmp_path):
    project = embargo_project(tmp_path)
    result = publish(project, clock="2026-11-01T00:00:00+00:00")
    assert result.returncode == 0, result.stderr
    assert "content/stories/now.md:3:7: info: story-scheduled" in result.stderr
    assert "Out now" not in site_text(project / "output")


def test_preview_builds_show_drafts_and_a_production_build_refuses_to(tmp_path):
    project = embargo_project(tmp_path)
    preview = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py",
         "-e", "BRIEFING_PREVIEW_DRAFTS=true"],
        cwd=project, env=env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert preview.returncode == 0, preview.stderr
    assert (
        SECRET_TITLE
        in (project / "output" / "drafts" / "merger-talks-collapse" / "index.html").read_text()
    )
    before = snapshot(project / "output")
    refused = publish(project, "-e", "BRIEFING_PREVIEW_DRAFTS=true")
    assert refused.returncode == 1
    shown = " ".join((refused.stdout + refused.stderr).split())
    assert "BRIEFING_PREVIEW_DRAFTS = True in a production build" in shown
    assert "BRIEFING_PREVIEW_DRAFTS = False in the production settings" in shown
    assert "Traceback" not in shown
    assert snapshot(project / "output") == before
