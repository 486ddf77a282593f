"""`briefing sources check` and `briefing sources archive`, against a fake web on loopback
(tests/fakeweb.py): nothing leaves the machine."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import pytest

from fakeweb import FakeWeb, Response, page, redirect
from sitebuild import env, make_project, write

BRIEFING = [sys.executable, "-m", "briefing.cli"]
DAY = 86400
T0 = 1796083200  # 2026-12-01T00:00:00Z


def run(project, *args, clock: int | None = T0, extra_env=None, timeout=120):
    e = env()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        e.pop(name, None)
    if clock is not None:
        e["SOURCE_DATE_EPOCH"] = str(clock)
    e.update(extra_env or {})
    return subprocess.run(
        [*BRIEFING, *args], cwd=project, env=e, capture_output=True, text=True, timeout=timeout
    )


def settings_for(web: FakeWeb, more: str = "") -> str:
    return (
        "BRIEFING_LINKS_TIMEOUT = 1.5\n"
        f"BRIEFING_WAYBACK_API = {web.url(9, '/wayback/available')!r}\n"
        f"BRIEFING_WAYBACK_SAVE_API = {web.url(9, '/save')!r}\n"
        "BRIEFING_WAYBACK_SAVES_PER_MINUTE = 600\n" + more
    )


def sources_story(title: str, sources: dict[str, str], date="2026-11-27T07:30:00+00:00") -> str:
    lines = "".join(f"  {key}:\n    url: {url}\n" for key, url in sources.items())
    cites = " ".join(f"[@{key}]" for key in sources)
    return f"---\ntitle: {title}\ndate: {date}\nsources:\n{lines}---\nIt happened {cites}.\n"


@pytest.fixture
def web():
    with FakeWeb(hosts=9) as w:
        yield w


def by_url(result) -> dict[str, dict]:
    data = json.loads(result.stdout)
    return {r["url"]: r for r in data["results"]}


CASES = {
    "/ok": ("ok", 200),
    "/chain": ("moved", 200),
    "/temporary": ("ok", 200),
    "/missing": ("gone", 404),
    "/removed": ("gone", 410),
    "/soft": ("gone", 200),
    "/soft-named": ("gone", 200),
    "/walled": ("blocked", 403),
    "/challenge": ("blocked", 503),
    "/busy": ("ok", 200),
    "/always-busy": ("blocked", 429),
    "/no-head": ("ok", 200),
    "/hang": ("unreachable", None),
    "/endless": ("ok", 200),
    "/loop-a": ("unreachable", 302),
    "/deep/0": ("unreachable", 302),
    "/broken": ("unreachable", 500),
}


def test_every_kind_of_answer_is_classified(tmp_path, web):
    urls = {f"s{i}": web.url(2, path) for i, path in enumerate(CASES)}
    urls["refused"] = "http://127.0.0.1:9/closed"  # the discard port: nothing listens
    urls["tls"] = web.url(3, "/ok").replace("http:", "https:")  # TLS to a plain server
    project = make_project(
        tmp_path / "site",
        content={"stories/all.md": sources_story("All", urls)},
        settings=settings_for(web),
    )
    started = time.monotonic()
    result = run(project, "sources", "check", "--format", "json")
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr  # nothing is dead after one check
    found = by_url(result)
    for key, path in zip(urls, CASES, strict=False):
        cls, status = CASES[path]
        assert (found[urls[key]]["class"], found[urls[key]]["status"]) == (cls, status), path
    assert found[web.url(2, "/chain")]["final_url"] == web.url(2, "/new-home")
    assert "redirect loop" in found[web.url(2, "/loop-a")]["detail"]
    assert "more than 10 redirects" in found[web.url(2, "/deep/0")]["detail"]
    assert found[urls["refused"]]["detail"] == "connection refused"
    assert found[urls["tls"]]["detail"].startswith("TLS failed")
    assert found[urls["tls"]]["class"] == "unreachable"
    # a redirect loop is followed at most 11 times; a hang costs one timeout, not more
    assert sum(1 for _, _, t in web.requests if t.startswith("/deep/")) <= 12
    assert took < 30
    # HEAD refused (405) is asked again with GET; 404 is asked with GET too
    methods = [(m, t) for _, m, t in web.requests]
    assert ("HEAD", "/no-head") in methods and ("GET", "/no-head") in methods
    # the endless body was read only up to the bound: the checker hung up
    # a 429 with Retry-After: 1 is asked again after a second, not at once
    busy = [at for at, r in web.log if r.path == "/busy"]
    assert len(busy) == 2 and busy[1] - busy[0] >= 0.9
    always = [at for at, r in web.log if r.path == "/always-busy"]
    assert len(always) == 3  # the first ask and two retries, then blocked
    first = next(r for _, r in web.log if r.path == "/ok")
    assert first.headers["user-agent"].startswith("Briefing/")
    assert "text/html" in first.headers["accept"]
    # the counts and the lines, at each source's url: line
    data = json.loads(result.stdout)
    assert data["counts"] == {
        "ok": 5, "moved": 1, "gone": 4, "blocked": 3, "unreachable": 6, "dead": 0,
    }  # fmt: skip
    lines = {(d["line"], d["code"]) for d in data["diagnostics"]}
    chain_line = 5 + 2 * list(CASES).index("/chain") + 1
    assert (chain_line, "source-moved") in lines
    walled_line = 5 + 2 * list(CASES).index("/walled") + 1
    assert (walled_line, "source-blocked") in lines
    assert all(d["severity"] == "info" for d in data["diagnostics"])


def test_text_output_and_a_bad_url(tmp_path, web):
    story = (
        "---\ntitle: T\ndate: 2026-11-27T07:30:00+00:00\nsources:\n"
        f"  a: {web.url(2, '/missing')}\n"
        "  b:\n    url: ftp://files.example/report.pdf\n"
        "---\nBody [@a].\n"
    )
    project = make_project(
        tmp_path / "site", content={"stories/t.md": story}, settings=settings_for(web)
    )
    result = run(project, "sources", "check")
    assert result.returncode == 1  # the story has an error
    assert result.stdout.splitlines() == [
        f"content/stories/t.md:5:6: info: source-gone: source 'a' ({web.url(2, '/missing')}) "
        "was not found (404) on 2026-12-01; it counts as dead if it is still gone 24 hours "
        "later",
        "content/stories/t.md:7:10: error: source-url-invalid: source 'b': url "
        "'ftp://files.example/report.pdf' cannot be linked: only http and https links are "
        "allowed, not 'ftp:'",
    ]
    assert "1 source URLs (1 fetched, 0 from the record): 0 ok, 0 moved, 1 gone" in result.stderr
    assert all("files.example" not in t for _, _, t in web.requests)
    assert run(project, "sources", "check", "--max-age", "soon").returncode == 2
    assert run(project, "sources", "check", "nowhere/").returncode == 2


def test_at_most_per_host_requests_at_once_to_a_host(tmp_path, web):
    web.route("/slow/*", lambda w, r: Response(200, body=b"ok", delay=0.15))
    urls = {f"h{h}n{i}": web.url(h, f"/slow/{i}") for h in (2, 3, 4) for i in range(12)}
    project = make_project(
        tmp_path / "site",
        content={"stories/many.md": sources_story("Many", urls)},
        settings=settings_for(web),
    )
    result = run(project, "sources", "check")
    assert result.returncode == 0, result.stderr
    assert [web.max_open(h) for h in (2, 3, 4)] == [2, 2, 2]
    # another limit, from the settings; and a global one below the hosts' sum
    web.most_open.clear()
    web.most_open_all = 0
    with open(project / "pelicanconf.py", "a") as f:
        f.write("BRIEFING_LINKS_PER_HOST = 3\nBRIEFING_LINKS_CONCURRENCY = 4\n")
    result = run(project, "sources", "check", "--max-age", "0")
    assert result.returncode == 0, result.stderr
    assert max(web.max_open(h) for h in (2, 3, 4)) == 3
    assert web.most_open_all == 4


def test_dead_only_after_two_sightings_a_day_apart(tmp_path, web):
    state = {"status": 404}
    web.route(
        "/toggle", lambda w, r: Response(state["status"]) if state["status"] != 200 else page()
    )
    web.route("/flaky", lambda w, r: Response(404) if state.get("flaky", 404) == 404 else page())
    url, flaky = web.url(2, "/toggle"), web.url(3, "/flaky")
    project = make_project(
        tmp_path / "site",
        content={"stories/t.md": sources_story("T", {"gone": url, "blip": flaky})},
        settings=settings_for(web),
    )

    def check(at):
        result = run(project, "sources", "check", "--format", "json", clock=at)
        return result.returncode, by_url(result), json.loads(result.stdout)

    code, found, _ = check(T0)
    assert code == 0 and found[url]["verdict"] == "gone"  # once is not dead
    asked = len(web.requests)
    code, found, data = check(T0 + 2 * 3600)  # within a day: nothing asked again
    assert code == 0 and found[url]["verdict"] == "gone" and len(web.requests) == asked
    assert data["fetched"] == 0
    state["status"] = 500  # a bad hour of the site: unreachable, which settles nothing
    state["flaky"] = 200  # the blip is back
    code, found, _ = check(T0 + 25 * 3600)
    assert code == 0 and found[url]["verdict"] == "unreachable"
    assert found[flaky]["verdict"] == "ok"
    state["status"], state["flaky"] = 404, 404
    code, found, data = check(T0 + 26 * 3600)
    assert code == 1
    assert found[url]["verdict"] == "dead"  # gone at T0 and at T0+26h, the 500 skipped
    assert found[flaky]["verdict"] == "ok"  # checked an hour ago: the record stands
    dead = [d for d in data["diagnostics"] if d["code"] == "source-dead"]
    assert len(dead) == 1 and dead[0]["severity"] == "warning"
    assert (dead[0]["path"], dead[0]["line"], dead[0]["col"]) == ("content/stories/t.md", 6, 10)
    assert "since 2026-12-01" in dead[0]["message"]
    code, found, _ = check(T0 + 9 * DAY)  # a week on: both asked again
    assert found[flaky]["verdict"] == "gone"  # gone, ok, gone: the run starts again
    assert found[url]["verdict"] == "dead"


def test_the_record_outlives_each_run(tmp_path, web):
    urls = {"a": web.url(2, "/ok"), "b": web.url(2, "/walled"), "c": web.url(2, "/chain")}
    project = make_project(
        tmp_path / "site",
        content={"stories/t.md": sources_story("T", urls)},
        settings=settings_for(web),
    )
    assert run(project, "sources", "check").returncode == 0
    first = len(web.requests)
    again = run(project, "sources", "check", "--format", "json", clock=T0 + 3600)
    data = json.loads(again.stdout)
    assert data["fetched"] == 1  # only the blocked one: blocked is never settled
    assert len(web.requests) > first
    assert {t for _, _, t in web.requests[first:]} <= {"/walled"}
    assert by_url(again)[urls["c"]]["verdict"] == "moved"
    week_later = run(project, "sources", "check", "--format", "json", clock=T0 + 8 * DAY)
    assert json.loads(week_later.stdout)["fetched"] == 3  # older than --max-age
    db = sqlite3.connect(project / "cache" / "sources.sqlite")
    rows = db.execute(
        "select url, checked, class, status, final_url from checks order by checked, url"
    ).fetchall()
    assert (urls["c"], "2026-12-01T00:00:00Z", "moved", 200, web.url(2, "/new-home")) in rows
    assert sum(1 for r in rows if r[0] == urls["b"]) == 3
    assert len(rows) == 3 + 1 + 3


STORY = """---
# a story with comments, odd key order and quoting, all of which must survive
date: 2026-11-20T08:00:00+00:00
title: "Ferry strike: day two"   # the headline
sources:
  # the wire first
  wire:
    outlet: Metro Wire
    url: '{dead}'
    published: 2026-11-19

  union: {found}    # the short form
  flow: {{url: '{flow}'}}
  nocopy:
    url: {nocopy}
    title: >
      A folded
      title
topics: [transport]
---
Crews stayed out [@wire; @union] [@flow] [@nocopy].
"""


def test_archive_writes_only_the_added_lines(tmp_path, web):
    dead, found = web.url(2, "/toggle"), web.url(3, "/ok")
    flow, nocopy = web.url(4, "/ok"), web.url(5, "/ok")
    web.route("/toggle", lambda w, r: Response(404))
    web.archive["available"].update({
        dead: ("20261119101500", 200),
        found: ("20261120090000", 200),
        flow: ("20261120090000", 200),
        nocopy: ("20261120090000", 404),  # a captured 404 is no copy
    })  # fmt: skip
    text = STORY.format(dead=dead, found=found, flow=flow, nocopy=nocopy)
    crlf = ("---\r\ntitle: Other\r\ndate: 2026-11-21T08:00:00+00:00\r\nsources:\r\n"
            f"  - id: only\r\n    url: {found}\r\n---\r\nBody [@only].\r\n")  # fmt: skip
    project = make_project(
        tmp_path / "site",
        content={"stories/a.md": text, "stories/b.md": b"\xef\xbb\xbf" + crlf.encode()},
        settings=settings_for(web),
    )
    a, b = project / "content/stories/a.md", project / "content/stories/b.md"
    assert run(project, "sources", "check").returncode == 0
    assert run(project, "sources", "check", clock=T0 + DAY + 60).returncode == 1  # dead now
    before_a, before_b = a.read_bytes(), b.read_bytes()

    dry = run(project, "sources", "archive", clock=T0 + DAY + 120)
    assert a.read_bytes() == before_a and b.read_bytes() == before_b  # without --write
    copy = f"http://127.0.0.9:{web.port}/web"
    assert (
        f"content/stories/a.md:7:3: source 'wire': add archived: {copy}/20261119101500/{dead}, "
        "dead: 2026-12-01" in dry.stdout
    )
    assert f"source 'nocopy' ({nocopy}): no archived copy yet: its closest copy is a 404" in (
        dry.stderr
    )

    wrote = run(project, "sources", "archive", "--write", clock=T0 + DAY + 180)
    assert wrote.returncode == 1, wrote.stderr  # the flow-style source could not be written
    assert "a.md: not written: source 'flow' is written in flow style" in wrote.stderr
    assert a.read_bytes() == before_a  # one refused edit leaves the whole file as it was
    assert b.read_bytes() == before_b.replace(
        f"    url: {found}\r\n".encode(),
        f"    url: {found}\r\n    archived: {copy}/20261120090000/{found}\r\n".encode(),
    )  # the BOM and CRLF kept

    # the flow-style source mended by hand, the rest is written
    a.write_bytes(before_a.replace(f"  flow: {{url: '{flow}'}}\n".encode(), b""))
    a.write_bytes(a.read_bytes().replace(b" [@flow]", b""))
    before_a = a.read_bytes()
    wrote = run(project, "sources", "archive", "--write", clock=T0 + DAY + 240)
    assert wrote.returncode == 0, wrote.stderr
    after = a.read_text()
    expected = (
        before_a.decode()
        .replace(
            "    published: 2026-11-19\n",
            "    published: 2026-11-19\n"
            f"    archived: {copy}/20261119101500/{dead}\n"
            "    dead: 2026-12-01\n",
        )
        .replace(
            f"  union: {found}    # the short form\n",
            f"  union:\n    url: {found}    # the short form\n"
            f"    archived: {copy}/20261120090000/{found}\n",
        )
    )
    assert after == expected
    # a third run has nothing to add
    third = run(project, "sources", "archive", "--write", clock=T0 + DAY + 300)
    assert third.returncode == 0 and a.read_text() == expected
    assert "0 sources to mend" in third.stderr


def test_a_story_changed_since_it_was_read_is_not_written(tmp_path, web, monkeypatch):
    from briefing.cli import sources

    url = web.url(2, "/ok")
    web.archive["available"][url] = ("20261120090000", 200)
    project = make_project(
        tmp_path / "site",
        content={"stories/a.md": sources_story("A", {"a": url})},
        settings=settings_for(web),
    )
    story = project / "content/stories/a.md"
    real = sources._look_up

    def author_edits_meanwhile(*args, **kwargs):
        found = real(*args, **kwargs)
        story.write_text(story.read_text() + "A late paragraph.\n")
        return found

    monkeypatch.setattr(sources, "_look_up", author_edits_meanwhile)
    monkeypatch.chdir(project)
    settings = {"BRIEFING_WAYBACK_API": web.url(9, "/wayback/available")}
    edited = story.read_bytes() + b"A late paragraph.\n"
    result = sources.archive([str(story)], settings, write=True, save=False, say=print)
    assert result.written == []
    assert result.refused == ["content/stories/a.md: not written: it changed since it was "
                              "read; run again"]  # fmt: skip
    assert story.read_bytes() == edited


def test_the_availability_api_busy_or_empty_is_asked_again_not_taken_for_no(tmp_path, web):
    url = web.url(2, "/ok")
    web.archive["available"][url] = ("20261120090000", 200)
    web.archive["busy_first"] = 1
    web.archive["unavailable_first"] = 1
    project = make_project(
        tmp_path / "site",
        content={"stories/a.md": sources_story("A", {"a": url})},
        settings=settings_for(web),
    )
    result = run(project, "sources", "archive", "--write", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["written"] == ["content/stories/a.md"]
    asked = [r for _, r in web.log if r.path == "/wayback/available"]
    assert len(asked) == 3  # 429, empty, then the copy
    assert asked[0].query["timestamp"] == ["20261127"]  # the story's day (no published)

    # always empty: unknown, not "no copy" — nothing recorded, nothing written
    other = web.url(3, "/ok")
    write(project / "content/stories/b.md", sources_story("B", {"b": other}))
    web.archive["unavailable_first"] = 10
    result = run(project, "sources", "archive", "--write", "--format", "json")
    data = json.loads(result.stdout)
    assert data["without_copy"][0]["outcome"] == "unknown"
    assert "empty" in data["without_copy"][0]["detail"]
    db = sqlite3.connect(project / "cache" / "sources.sqlite")
    assert [r[0] for r in db.execute("select url from archives")] == [url]


def test_save_page_now_captures_a_source_with_no_copy(tmp_path, web):
    url, dead = web.url(2, "/ok"), web.url(3, "/missing")
    project = make_project(
        tmp_path / "site",
        content={"stories/a.md": sources_story("A", {"a": url, "gone": dead})},
        settings=settings_for(web),
    )
    run(project, "sources", "check")
    run(project, "sources", "check", clock=T0 + DAY)  # "gone" is dead now
    keys = {"BRIEFING_WAYBACK_ACCESS_KEY": "ak", "BRIEFING_WAYBACK_SECRET_KEY": "sk"}
    result = run(project, "sources", "archive", "--save", "--write", extra_env=keys)
    assert result.returncode == 0, result.stderr
    assert web.saves == [url]  # the dead page is not captured: it would be a 404
    posts = [r for _, r in web.log if r.path == "/save"]
    assert posts[0].method == "POST" and posts[0].headers["authorization"] == "LOW ak:sk"
    polls = [r for _, r in web.log if r.path.startswith("/save/status/")]
    assert len(polls) == 2  # pending, then success
    copy = f"http://127.0.0.9:{web.port}/web/20261207120000/{url}"
    assert any(r.target == f"/web/20261207120000/{url}" for _, r in web.log)  # verified
    text = (project / "content/stories/a.md").read_text()
    assert f"    url: {url}\n    archived: {copy}\n" in text
    assert f"    url: {dead}\n    dead: 2026-12-01\n" in text  # dead, no copy to give
    assert "source-dead-unarchived" in run(project, "check").stdout


def test_a_dead_source_ends_up_linking_its_archived_copy(tmp_path, web):
    """From the issue's "done when": check, check a day later, archive --write, build."""
    from bs4 import BeautifulSoup

    from sitebuild import build

    dead, alive = web.url(2, "/missing"), web.url(3, "/ok")
    web.archive["available"][dead] = ("20261119101500", 200)
    story = (
        "---\ntitle: Ferry strike ends\ndate: 2026-11-20T08:00:00+00:00\nsources:\n"
        f"  wire:\n    url: {dead}\n    outlet: Metro Wire\n    title: Strike ends\n"
        f"  union: {alive}\n"
        "---\nCrews returned on Friday [@wire; @union].\n"
    )
    project = make_project(
        tmp_path / "site",
        content={"stories/ferry.md": story},
        settings=settings_for(web, "BRIEFING_FEEDS = True\nSITEURL = 'https://news.example'\n"),
    )
    assert run(project, "sources", "check").returncode == 0
    result = run(project, "sources", "check", clock=T0 + DAY)
    assert result.returncode == 1 and "source-dead" in result.stdout
    result = run(project, "sources", "archive", "--write", clock=T0 + DAY)
    assert result.returncode == 0, result.stderr
    copy = f"http://127.0.0.9:{web.port}/web/20261119101500/{dead}"
    assert run(project, "sources", "check", clock=T0 + DAY).returncode == 0  # mended
    asked = len(web.requests)
    built = build(project, extra_env={"SOURCE_DATE_EPOCH": str(T0 + DAY)})
    assert built.returncode == 0, built.stderr
    assert len(web.requests) == asked  # the build asks the web nothing

    out = project / "output"
    page = next(out.rglob("ferry-strike-ends/index.html"))
    soup = BeautifulSoup(page.read_text(), "html.parser")
    cite = soup.select("a.citation")[0]
    assert cite["href"] == copy
    assert (cite["data-originalurl"], cite["data-versionurl"], cite["data-versiondate"]) == (
        dead, copy, "2026-11-19",
    )  # fmt: skip
    item = soup.select_one("#source-1")
    assert item.select_one("a.source__link")["href"] == copy
    original = item.select_one("a.source__original")
    assert original["href"] == dead
    assert "dead since 1 December 2026" in item.get_text()
    assert soup.select("a.citation")[1]["href"] == alive  # the living source as it was
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert ld["citation"][0]["archivedAt"] == copy
    feed = json.loads((out / "feeds" / "all.json").read_text())
    carried = feed["items"][0]["_briefing"]["sources"][0]
    assert (carried["archived"], carried["dead"]) == (copy, "2026-12-01")
    atom = (out / "feeds" / "all.atom.xml").read_text()
    assert f'href="{copy}"' in atom
    outlets = BeautifulSoup((out / "sources" / "index.html").read_text(), "html.parser")
    rates = {li.a.get_text(): li.get_text() for li in outlets.select(".term-list li")}
    assert "100% of links dead" in rates["Metro Wire"]
    assert "dead" not in rates["127.0.0.3"]
    outlet = (out / "sources" / "127.0.0.2" / "index.html").read_text()
    assert "1 link cited:\n  1 dead, 1 with an archived copy" in outlet


def test_a_story_changed_between_runs_is_read_again_and_the_speed_switch_changes_nothing(
    tmp_path, web
):
    first, second = web.url(2, "/ok"), web.url(2, "/missing")
    project = make_project(
        tmp_path / "site",
        content={"stories/a.md": sources_story("A", {"a": first})},
        settings=settings_for(web),
    )
    one = run(project, "sources", "check", "--format", "json")
    assert (project / "cache" / "briefing-sources.pickle").exists()
    write(project / "content/stories/a.md", sources_story("A", {"a": second}))
    two = run(project, "sources", "check", "--format", "json")
    assert list(by_url(one)) == [first] and list(by_url(two)) == [second]
    with open(project / "pelicanconf.py", "a") as f:
        f.write("BRIEFING_FAST = False\n")
    (project / "cache" / "briefing-sources.pickle").unlink()
    slow = run(project, "sources", "check", "--format", "json")
    plain, fast = json.loads(slow.stdout), json.loads(two.stdout)
    assert (plain.pop("fetched"), fast.pop("fetched")) == (0, 1)  # the record answers now
    assert plain == fast
    assert not (project / "cache" / "briefing-sources.pickle").exists()


def test_what_a_server_or_the_archive_says_cannot_reach_the_terminal_or_the_story(tmp_path, web):
    web.route("/sly", lambda w, r: redirect(301, "/\x1b[31mred \x07bell"))
    web.route("/%1B*", lambda w, r: page())  # where it leads, encoded
    sly, other = web.url(2, "/sly"), web.url(3, "/ok")
    web.archive["available"][other] = ("20261120090000", 200)
    real = web.routes["/wayback/available"]

    def bad_copy(w, r):
        answer = real(w, r)
        return Response(200, answer.headers, answer.body.replace(b'"http://', b'"javascript://'))

    web.route("/wayback/available", bad_copy)
    project = make_project(
        tmp_path / "site",
        content={"stories/a.md": sources_story("A", {"sly": sly, "other": other})},
        settings=settings_for(web),
    )
    checked = run(project, "sources", "check")
    assert "\x1b" not in checked.stdout + checked.stderr and "\x07" not in checked.stdout
    assert f"moved permanently to {web.url(2, '/%1B[31mred%20%07bell')}" in checked.stdout
    before = (project / "content/stories/a.md").read_bytes()
    archived = run(project, "sources", "archive", "--write")
    assert (project / "content/stories/a.md").read_bytes() == before
    assert "the availability API answered 'javascript://" in archived.stderr


def test_a_progress_bar_on_a_terminal_only(tmp_path, web):
    import os
    import pty

    web.route("/slow/*", lambda w, r: Response(200, body=b"ok", delay=0.2))
    urls = {f"s{i}": web.url(2, f"/slow/{i}") for i in range(8)}
    project = make_project(
        tmp_path / "site",
        content={"stories/a.md": sources_story("A", urls)},
        settings=settings_for(web),
    )
    leader, follower = pty.openpty()
    e = {**env(), "SOURCE_DATE_EPOCH": str(T0), "TERM": "xterm", "COLUMNS": "100"}
    proc = subprocess.Popen(
        [*BRIEFING, "sources", "check"], cwd=project, env=e, stdout=subprocess.PIPE,
        stderr=follower,
    )  # fmt: skip
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    proc.wait(60)
    assert proc.returncode == 0
    assert b"checking sources" in shown  # the bar, on the terminal
    assert b"8 source URLs" in shown
    quiet = run(project, "sources", "check", "--max-age", "0")
    assert "checking sources" not in quiet.stderr  # not on a pipe
