"""Corrections readers can see: on the story's page, in its structured data and feed
entry (same id, new ``updated``), on /corrections/ and its feeds; a correction from the
future refused by the build's clock; ``briefing correct`` adding an entry and nothing else."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import feedrules
from bs4 import BeautifulSoup

from sitebuild import ROOT, briefing, env, make_project, story, write

SITEURL = "https://news.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"
SOURCES = (
    "sources:\n  gazette:\n    url: https://harbourgazette.example/tunnel\n"
    "    outlet: The Harbour Gazette\n"
)
CORRECTION = (
    "corrections:\n"
    "  - date: 2026-11-27T10:00:00+00:00\n"
    "    text: An earlier version gave the toll as 2.60; it is 2.40 (harbourgazette.example).\n"
    "  - date: 2026-11-28T09:15:00+00:00\n"
    "    kind: update\n"
    "    text: The second bore opens in March [@gazette].\n"
)


def tunnel(corrections: str = "") -> str:
    return story(
        "Tunnel opens",
        extra="slug: tunnel\n" + SOURCES + corrections,
        body="The tunnel opened (harbourgazette.example).\n",
    )


def publish(project: Path, epoch: str | None = None) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
    extra = {"SOURCE_DATE_EPOCH": epoch} if epoch else {}
    return subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py"],
        cwd=project, env={**env(), "BRIEFING_SITEURL": SITEURL, **extra},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def site(tmp_path: Path, corrections: str = CORRECTION) -> Path:
    project = make_project(
        tmp_path / "site",
        content={
            "stories/tunnel.md": tunnel(corrections),
            "stories/budget.md": story("Budget passes", date="2026-11-27T08:30:00+00:00"),
        },
    )
    result = publish(project)
    assert result.returncode == 0, result.stderr
    return project


def page(project: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((project / "output" / rel).read_text(), "html.parser")


def test_the_story_page_shows_its_corrections_and_says_when_it_was_updated(tmp_path):
    project = site(tmp_path)
    soup = page(project, "2026/11/27/tunnel/index.html")
    updated = soup.select_one(".dateline .dateline__updated")
    assert updated.get_text(" ", strip=True) == "Updated 28 November 2026, 09:15"
    assert updated["href"] == f"{SITEURL}/2026/11/27/tunnel/#corrections"
    assert soup.select_one(".dateline .corrected-mark").get_text() == "Corrected"
    section = soup.select_one("section#corrections")
    entries = [li.get_text(" ", strip=True) for li in section.select("li.correction")]
    assert entries == [
        "Update , 28 November 2026, 09:15 The second bore opens in March "
        "( harbourgazette.example ).",
        "Correction , 27 November 2026, 10:00 An earlier version gave the toll as 2.60; it is "
        "2.40 ( harbourgazette.example ).",
    ]  # newest first
    assert section.select_one("a.citation")["href"] == "https://harbourgazette.example/tunnel"
    # structured data: when it changed, and each correction
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["dateModified"] == "2026-11-28T09:15:00+00:00"
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "The second bore opens in March (harbourgazette.example).",
            "datePublished": "2026-11-28T09:15:00+00:00",
        },
        {
            "@type": "CorrectionComment",
            "text": "An earlier version gave the toll as 2.60; it is 2.40 "
            "(harbourgazette.example).",
            "datePublished": "2026-11-27T10:00:00+00:00",
        },
    ]
    # the day page and the front page mark it; an uncorrected story has no mark
    for rel in ("2026/11/27/index.html", "index.html"):
        marks = page(project, rel).select(".corrected-mark")
        assert len(marks) == 1, rel
    budget = page(project, "2026/11/27/budget-passes/index.html")
    assert not budget.select(".dateline__updated") and not budget.select("#corrections")


def test_the_corrections_page_and_its_feeds_list_every_entry_newest_first(tmp_path):
    project = site(tmp_path)
    soup = page(project, "corrections/index.html")
    items = soup.select("li.correction")
    assert [li.select_one(".correction__kind").get_text() for li in items] == [
        "Update",
        "Correction",
    ]
    assert [li.select_one("a.corrections-page__story")["href"] for li in items] == [
        f"{SITEURL}/2026/11/27/tunnel/#correction-2",
        f"{SITEURL}/2026/11/27/tunnel/#correction-1",
    ]
    assert page(project, "index.html").find("a", string="Corrections")["href"] == (
        f"{SITEURL}/corrections/"
    )
    assert f"<loc>{SITEURL}/corrections/</loc>" in (project / "output/sitemap.xml").read_text()
    feeds = project / "output" / "feeds"
    for name in ("corrections.atom.xml", "corrections.rss.xml"):
        parsed = feedparser.parse(str(feeds / name))
        assert parsed.bozo == 0, name
        assert [e.title for e in parsed.entries] == [
            "Update: Tunnel opens",
            "Correction: Tunnel opens",
        ]
        assert parsed.entries[0].link == f"{SITEURL}/2026/11/27/tunnel/#correction-2"
        assert feedrules.check(feeds / name) == []
    data = json.loads((feeds / "corrections.json").read_text())
    assert [i["date_published"] for i in data["items"]] == [
        "2026-11-28T09:15:00+00:00",
        "2026-11-27T10:00:00+00:00",
    ]
    opml = ET.parse(feeds / "index.opml").getroot()
    groups = {g.get("text"): [o.get("xmlUrl") for o in g] for g in opml.find("body")}
    assert groups["Corrections"] == [f"{SITEURL}/feeds/corrections.atom.xml"]


def test_a_correction_updates_the_feed_entry_and_keeps_its_id(tmp_path):
    project = site(tmp_path, corrections="")
    atom = project / "output" / "feeds" / "all.atom.xml"

    def tunnel_entry():
        for entry in ET.parse(atom).getroot().iter(ATOM + "entry"):
            if entry.findtext(ATOM + "title") == "Tunnel opens":
                return entry
        raise AssertionError("no entry")

    before = tunnel_entry()
    assert before.findtext(ATOM + "updated") == "2026-11-27T07:30:00+00:00"
    write(project / "content" / "stories" / "tunnel.md", tunnel(CORRECTION))
    assert publish(project).returncode == 0
    after = tunnel_entry()
    assert after.findtext(ATOM + "id") == before.findtext(ATOM + "id")
    assert after.findtext(ATOM + "updated") == "2026-11-28T09:15:00+00:00"
    content = after.findtext(ATOM + "content")
    assert 'class="corrections"' in content and "it is 2.40" in content
    rss = (project / "output" / "feeds" / "all.rss.xml").read_text()
    assert "An earlier version gave the toll as 2.60" in rss  # no native field: in the text
    items = json.loads((project / "output" / "feeds" / "all.json").read_text())["items"]
    item = next(i for i in items if i["title"] == "Tunnel opens")
    assert item["date_modified"] == "2026-11-28T09:15:00+00:00"
    assert item["date_published"] == "2026-11-27T07:30:00+00:00"


def test_a_correction_from_the_future_is_refused_by_the_builds_clock(tmp_path):
    project = make_project(tmp_path / "site", content={"stories/tunnel.md": tunnel(CORRECTION)})
    before_update = "1795856400"  # 2026-11-28T09:00:00Z, a quarter hour before the update
    result = publish(project, epoch=before_update)
    assert result.returncode != 0
    assert "stories/tunnel.md:12:5: error: correction-future:" in result.stderr
    assert not (project / "output").exists()
    checked = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "check"],
        cwd=project, env={**env(), "SOURCE_DATE_EPOCH": before_update},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert checked.returncode == 1
    assert "tunnel.md:12:5: error: correction-future:" in checked.stdout
    assert publish(project, epoch="1795867200").returncode == 0  # later that day: fine


def test_the_corrections_page_is_paginated(tmp_path):
    """From its oldest end (BRIEFING_STABLE_PAGES): page 1 holds the ten oldest entries
    for good, the front page the newest fifteen and the list's size."""
    entries = "".join(
        f"  - date: 2026-11-27T08:{n:02d}:00+00:00\n    text: Fix number {n}.\n" for n in range(25)
    )
    project = site(tmp_path, corrections="corrections:\n" + entries)
    first = page(project, "corrections/index.html")
    older = page(project, "corrections/page/1/index.html")
    assert not (project / "output" / "corrections" / "page" / "2").exists()
    assert len(first.select("li.correction")) == 15 and len(older.select("li.correction")) == 10
    assert "Fix number 24." in first.get_text() and "Fix number 10." in first.get_text()
    assert "Fix number 9." in older.get_text() and "Fix number 0." in older.get_text()
    assert "25 in all" in first.get_text() and "in all" not in older.get_text()
    assert first.select_one('.pagination a[rel="next"]')["href"] == (
        f"{SITEURL}/corrections/page/1/"
    )
    assert older.select_one('.pagination a[rel="prev"]')["href"] == f"{SITEURL}/corrections/"
    assert older.select_one(".pagination a[rel=next]") is None


def test_briefing_correct_adds_an_entry_and_nothing_else(tmp_path):
    project = make_project(tmp_path / "site", content={"stories/tunnel.md": tunnel()})
    path = project / "content" / "stories" / "tunnel.md"
    before = path.read_bytes()
    added = briefing(
        project, "correct", "content/stories/tunnel.md",
        "The toll is 2.40, not 2.60 (harbourgazette.example).",
        "--date", "2026-11-27T10:00:00+00:00",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines() == [
        "corrections:",
        "  - date: 2026-11-27T10:00:00+00:00",
        "    text: The toll is 2.40, not 2.60 (harbourgazette.example).",
    ]
    after = path.read_bytes()
    head, rest = before.split(b"\n---\n", 1)
    assert after == head + b"\n" + added.stdout.encode() + b"---\n" + rest
    update = briefing(
        project, "correct", "content/stories/tunnel.md", "The second bore opens in March.",
        "--kind", "update", "--date", "2026-11-28T09:15:00+00:00",
    )  # fmt: skip
    assert update.returncode == 0, update.stderr
    assert path.read_bytes().startswith(after.split(b"---\nThe tunnel")[0])
    assert publish(project).returncode == 0
    soup = page(project, "2026/11/27/tunnel/index.html")
    assert [k.get_text() for k in soup.select("#corrections .correction__kind")] == [
        "Update",
        "Correction",
    ]
    # refused: the file is left as it was
    kept = path.read_bytes()
    for args, status, said in (
        (["Cites [@nobody]."], 1, "citation-undefined-key"),
        (["Too early.", "--date", "2026-11-26T10:00:00+00:00"], 1, "correction-date"),
        (["No offset.", "--date", "2026-11-28T10:00:00"], 2, "needs a time and a UTC offset"),
        (["Later.", "--date", "2099-01-01T00:00:00+00:00"], 2, "is after now"),
        (["", "--kind", "update"], 2, "empty"),
    ):
        refused = briefing(project, "correct", "content/stories/tunnel.md", *args)
        assert refused.returncode == status, (args, refused.stderr)
        assert said in refused.stderr, (args, refused.stderr)
        assert path.read_bytes() == kept
    missing = briefing(project, "correct", "content/stories/nope.md", "x")
    assert missing.returncode == 2 and "no such story" in missing.stderr
