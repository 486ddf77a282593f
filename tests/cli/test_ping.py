"""WebSub: with BRIEFING_WEBSUB_HUB every feed names the hub, and `briefing ping` (run by
`make publish`) tells a hub on loopback exactly which feeds changed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs

import pytest

from fakeweb import FakeWeb, Response
from sitebuild import ROOT, build, env, make_project, snapshot, story

SITEURL = "https://news.example.org"


@pytest.fixture
def hub():
    with FakeWeb(hosts=2) as web:
        web.pings = []

        def take(w, req):
            form = parse_qs(req.body.decode())
            w.pings.append((form["hub.mode"][0], form["hub.url"][0]))
            return Response(204)

        web.route("/hub", take)
        yield web


def ping(project):
    return subprocess.run(
        [sys.executable, "-m", "briefing.cli", "ping", "-s", "publishconf.py"],
        cwd=project, env={**env(), "BRIEFING_SITEURL": SITEURL}, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


def publish(project):
    result = build(project, "-s", "publishconf.py", extra_env={"BRIEFING_SITEURL": SITEURL})
    assert result.returncode == 0, result.stderr
    return {p: d for p, d in snapshot(project / "output").items() if p.startswith("feeds/")}


def test_feeds_name_the_hub_and_ping_names_exactly_the_changed_feeds(tmp_path, hub):
    stories = {
        "stories/a.md": story("A", extra="category: City\ntags: [transport]\n"),
        "stories/b.md": story("B", date="2026-11-26T08:00:00+00:00", extra="category: Sport\n"),
    }
    project = make_project(tmp_path / "site", content=stories,
                           settings=f"BRIEFING_WEBSUB_HUB = {hub.url(2, '/hub')!r}")  # fmt: skip
    shutil.copy(ROOT / "publishconf.py", project)
    first = publish(project)
    out = project / "output" / "feeds"
    atom = ET.parse(out / "all.atom.xml").getroot()
    hubs = [link.get("href") for link in atom.iter("{http://www.w3.org/2005/Atom}link")
            if link.get("rel") == "hub"]  # fmt: skip
    assert hubs == [hub.url(2, "/hub")]
    rss = ET.parse(out / "all.rss.xml").getroot()
    assert [link.get("href") for link in rss.iter("{http://www.w3.org/2005/Atom}link")
            if link.get("rel") == "hub"] == hubs  # fmt: skip
    assert json.loads((out / "all.json").read_text())["hubs"] == [
        {"type": "WebSub", "url": hubs[0]}
    ]

    told = ping(project)
    assert told.returncode == 0, told.stderr
    every = {f"{SITEURL}/{p}" for p in first if not p.endswith(".opml")}
    assert {url for mode, url in hub.pings} == every  # a first ping: every feed is new
    assert {mode for mode, _ in hub.pings} == {"publish"}

    hub.pings.clear()
    assert ping(project).returncode == 0
    assert hub.pings == []  # nothing changed, nothing told

    time.sleep(1.1)
    edited = project / "content" / "stories" / "b.md"
    edited.write_text(edited.read_text() + "A late score.\n")
    second = publish(project)
    changed = {f"{SITEURL}/{p}" for p, d in second.items()
               if first.get(p) != d and not p.endswith(".opml")}  # fmt: skip
    assert changed and len(changed) < len(every)
    assert f"{SITEURL}/feeds/section/sport.atom.xml" in changed
    assert f"{SITEURL}/feeds/section/city.atom.xml" not in changed
    told = ping(project)
    assert told.returncode == 0
    assert sorted(url for _, url in hub.pings) == sorted(changed)
    assert sorted(told.stdout.split()) == sorted(changed)


def test_a_hub_that_cannot_be_reached_is_a_warning_and_is_asked_again(tmp_path, hub):
    project = make_project(tmp_path / "site", content={"stories/a.md": story("A")},
                           settings="BRIEFING_WEBSUB_HUB = 'http://127.0.0.1:9/hub'")  # fmt: skip
    shutil.copy(ROOT / "publishconf.py", project)
    publish(project)
    started = time.monotonic()
    told = ping(project)
    assert told.returncode == 0  # never a failed publish
    assert "warning: the hub http://127.0.0.1:9/hub did not take the ping" in told.stderr
    assert "connection refused" in told.stderr
    assert time.monotonic() - started < 30  # bounded: three attempts a feed, short pauses
    with open(project / "pelicanconf.py", "a") as f:
        f.write(f"BRIEFING_WEBSUB_HUB = {hub.url(2, '/hub')!r}\n")
    again = ping(project)
    assert again.returncode == 0
    assert len(hub.pings) == len(again.stdout.split()) > 0  # the feeds not taken, now told


def test_without_a_hub_ping_does_nothing(tmp_path):
    project = make_project(tmp_path / "site", content={"stories/a.md": story("A")})
    shutil.copy(ROOT / "publishconf.py", project)
    publish(project)
    told = ping(project)
    assert told.returncode == 0 and "no BRIEFING_WEBSUB_HUB set" in told.stderr
    assert "hubs" not in (project / "output" / "feeds" / "all.json").read_text()
