"""Feeds subscribers can trust: every feed parses, validates and keeps its entry ids."""

from __future__ import annotations

import email.utils
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from tools import need_jsonfeed_schema, need_newsboat

from sitebuild import ROOT, env, make_project, story, write

ATOM = "{http://www.w3.org/2005/Atom}"
SITEURL = "https://news.example.org"
RFC822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")

GOLDEN = ROOT / "tests" / "golden_site" / "content"


def publish(project: Path, siteurl: str = SITEURL) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
    return subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py"],
        cwd=project,
        env={**env(), "BRIEFING_SITEURL": siteurl},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("feeds") / "site", example_content=True)
    shutil.copytree(GOLDEN / "stories", project / "content" / "stories" / "more")
    result = publish(project)
    assert result.returncode == 0, result.stderr
    return project / "output"


def xml_feeds(site: Path) -> list[Path]:
    return sorted(site.glob("feeds/**/*.xml"))


def test_every_feed_is_written_in_three_formats(site):
    names = {p.relative_to(site / "feeds").as_posix() for p in site.glob("feeds/**/*.*")}
    for base in (
        "all",
        "daily",
        "section/city",
        "topic/transport",
        "source/metrowire.example",
        "source/seafarers.example.org",
    ):
        for suffix in (".atom.xml", ".rss.xml", ".json"):
            assert base + suffix in names


def test_every_xml_feed_parses_in_feedparser_without_bozo(site):
    for path in xml_feeds(site):
        parsed = feedparser.parse(str(path))
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.feed.title and parsed.entries, path
        ids = [e.id for e in parsed.entries]
        assert len(ids) == len(set(ids)), f"duplicate ids in {path}"
        for e in parsed.entries:
            assert e.link.startswith(SITEURL + "/"), path
            assert e.title and e.published_parsed


def test_entries_carry_absolute_content_and_their_sources(site):
    feed = ET.parse(site / "feeds" / "all.atom.xml").getroot()
    entry = next(
        e
        for e in feed.iter(ATOM + "entry")
        if e.findtext(ATOM + "title") == "Ferry crews call off Monday strike"
    )
    content = entry.findtext(ATOM + "content")
    hrefs = re.findall(r'href="([^"]*)"', content)
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs), hrefs
    assert f"{SITEURL}/2026/11/23/ferry-crews-call-off-monday-strike/#cite-1" in hrefs
    assert f"{SITEURL}/2026/11/24/tunnel-tolls/" in hrefs  # a {filename} link, made absolute
    assert '<section class="sources"' in content
    related = [
        (link.get("href"), link.get("title"))
        for link in entry.findall(ATOM + "link")
        if link.get("rel") == "related"
    ]
    assert related == [
        ("https://metrowire.example/news/ferry-strike-off", "Metro Wire: Ferry strike called off"),
        (
            "https://seafarers.example.org/news/ballot",
            'Seafarers\' Union: Members to vote on "improved" offer',
        ),
        (  # the source's archived copy, beside it
            "https://archive.example.org/seafarers-ballot",
            'Seafarers\' Union: Members to vote on "improved" offer (archived copy)',
        ),
        ("https://seafarers.example.org/faq/ballot", "seafarers.example.org"),
    ]
    terms = [c.get("term") for c in entry.findall(ATOM + "category")]
    assert terms == ["City", "transport", "labour"]
    assert entry.findtext(ATOM + "updated") == "2026-11-23T11:00:00+00:00"  # the correction
    assert entry.findtext(ATOM + "published") == "2026-11-23T06:45:00+00:00"
    assert entry.find(ATOM + "author").findtext(ATOM + "name") == "Ana Ruiz"


def test_w3c_validator_rules_for_rss_and_atom(site):
    for path in xml_feeds(site):
        root = ET.parse(path).getroot()
        if path.name.endswith(".rss.xml"):
            channel = root.find("channel")
            assert channel.findtext("description").strip()
            self_link = channel.find("{http://www.w3.org/2005/Atom}link")
            assert self_link.get("rel") == "self" and self_link.get("href").endswith(path.name)
            assert RFC822.match(channel.findtext("lastBuildDate"))
            guids = []
            for item in channel.iter("item"):
                guid = item.find("guid")
                if not guid.text.startswith(("http://", "https://")):
                    assert guid.get("isPermaLink") == "false"
                guids.append(guid.text)
                assert RFC822.match(item.findtext("pubDate")), item.findtext("pubDate")
                email.utils.parsedate_to_datetime(item.findtext("pubDate"))
            assert len(guids) == len(set(guids))
        else:
            assert root.findtext(ATOM + "id") and root.findtext(ATOM + "updated")
            assert root.find(ATOM + "author").findtext(ATOM + "name")
            selfs = [x for x in root.findall(ATOM + "link") if x.get("rel") == "self"]
            assert (
                len(selfs) == 1
                and selfs[0].get("href")
                == f"{SITEURL}/"
                + path.relative_to(path.parents[len(path.relative_to(site).parts) - 1]).as_posix()
            )
            for entry in root.iter(ATOM + "entry"):
                for name in ("id", "title", "updated"):
                    assert entry.findtext(ATOM + name), (path, name)


def test_json_feeds_validate_against_the_json_feed_1_1_schema(site):
    import jsonschema

    schema = json.loads(need_jsonfeed_schema().read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    paths = sorted(site.glob("feeds/**/*.json"))
    assert paths
    for path in paths:
        data = json.loads(path.read_text())
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path
        assert data["feed_url"] == f"{SITEURL}/" + path.relative_to(site).as_posix()
    data = json.loads((site / "feeds" / "all.json").read_text())
    ferry = next(i for i in data["items"] if i["title"] == "Ferry crews call off Monday strike")
    assert ferry["_briefing"]["sources"][1] == {
        "key": "union",
        "url": "https://seafarers.example.org/news/ballot",
        "host": "seafarers.example.org",
        "outlet": "Seafarers' Union",
        "title": 'Members to vote on "improved" offer',
        "archived": "https://archive.example.org/seafarers-ballot",
    }


def test_daily_digest_has_one_entry_per_day_with_its_stories(site):
    parsed = feedparser.parse(str(site / "feeds" / "daily.atom.xml"))
    by_link = {e.link: e for e in parsed.entries}
    day = by_link[f"{SITEURL}/2026/11/28/"]
    text = day.content[0].value
    assert "Region&#x27;s largest grid battery switched on" in text or (
        "Region's largest grid battery switched on" in text
    )
    assert "Council passes budget with library hours restored" in text
    assert len(parsed.entries) == len({e.link for e in parsed.entries})


def test_pages_carry_autodiscovery_links_for_site_and_own_feeds(site):
    topic = (site / "topic" / "transport" / "index.html").read_text()
    for href in (
        f"{SITEURL}/feeds/all.atom.xml",
        f"{SITEURL}/feeds/all.rss.xml",
        f"{SITEURL}/feeds/all.json",
        f"{SITEURL}/feeds/topic/transport.atom.xml",
        f"{SITEURL}/feeds/topic/transport.json",
    ):
        assert f'href="{href}"' in topic
    outlet = (site / "sources" / "metrowire.example" / "index.html").read_text()
    assert f'href="{SITEURL}/feeds/source/metrowire.example.rss.xml"' in outlet


def _ids_by_title(output: Path) -> dict[str, str]:
    parsed = feedparser.parse(str(output / "feeds" / "all.atom.xml"))
    return {e.title: e.id for e in parsed.entries}


def test_entry_ids_survive_edits_to_slug_title_section_date_and_siteurl(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/tunnel.md": story("Tunnel opens", extra="category: City\n"),
            "stories/other.md": story("Other story", date="2026-11-26T07:30:00+00:00"),
        },
    )
    assert publish(project).returncode == 0
    before = _ids_by_title(project / "output")
    write(
        project / "content" / "stories" / "tunnel.md",
        story(
            "Tunnel opens early, officials say",
            date="2026-11-28T10:00:00+00:00",
            extra="category: Transport\nslug: tunnel-early\n",
        ),
    )
    result = publish(project, "https://elsewhere.example.net/briefing")
    assert result.returncode == 0, result.stderr
    after = _ids_by_title(project / "output")
    assert after["Tunnel opens early, officials say"] == before["Tunnel opens"]
    assert after["Other story"] == before["Other story"]
    # an id: field pins the id
    write(
        project / "content" / "stories" / "tunnel.md",
        story("Tunnel opens", extra="id: tag:news.example.org,2026:tunnel\n"),
    )
    assert publish(project).returncode == 0
    assert _ids_by_title(project / "output")["Tunnel opens"] == "tag:news.example.org,2026:tunnel"


def test_two_stories_with_one_id_fail_the_build_at_the_second(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/a.md": story("A", extra="id: same\n"),
            "stories/b.md": story("B", date="2026-11-28T07:30:00+00:00", extra="id: same\n"),
        },
    )
    result = publish(project)
    assert result.returncode == 1
    assert any(
        line.startswith("content/stories/b.md:4:5: error: feed-duplicate-id: feed id ")
        and line.endswith("is already used by content/stories/a.md")
        for line in result.stderr.splitlines()
    ), result.stderr
    assert not (project / "output").exists()


def test_feeds_need_an_absolute_siteurl(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    result = publish(project, siteurl="")
    assert result.returncode == 1
    assert "feeds need an absolute SITEURL" in result.stdout + result.stderr


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _newsboat(tmp: Path, url: str, cache: Path) -> list[tuple[str, str, str]]:
    newsboat, sqlite = need_newsboat()
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    (home / "urls").write_text(url + "\n")
    (home / "config").write_text("auto-reload no\nshow-read-feeds yes\n")
    result = subprocess.run(
        [
            newsboat,
            "-q",
            "-u",
            str(home / "urls"),
            "-C",
            str(home / "config"),
            "-c",
            str(cache),
            "-x",
            "reload",
            "-l",
            "3",
            "-d",
            str(home / "log"),
        ],
        env={**os.environ, "HOME": str(home), "TERM": "dumb"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    log = (home / "log").read_text() if (home / "log").exists() else ""
    assert "USERERROR" not in log, log
    rows = subprocess.run(
        [
            sqlite,
            "-separator",
            "\t",
            str(cache),
            "select guid, title, url from rss_item order by url",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [tuple(r.split("\t")) for r in rows.splitlines()]


def test_newsboat_subscribes_and_shows_no_duplicate_after_a_slug_and_title_edit(tmp_path):
    need_newsboat()
    project = make_project(
        tmp_path / "site",
        content={
            "stories/tunnel.md": story("Tunnel opens"),
            "stories/other.md": story("Budget passes", date="2026-11-26T07:30:00+00:00"),
        },
    )
    output = project / "output"
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(project))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        assert publish(project, base + "/output").returncode == 0
        for feed in ("feeds/all.atom.xml", "feeds/all.rss.xml"):
            cache = tmp_path / (feed.replace("/", "-") + ".db")
            url = f"{base}/output/{feed}"
            first = _newsboat(tmp_path, url, cache)
            assert [(t, u) for _, t, u in first] == [
                ("Budget passes", f"{base}/output/2026/11/26/budget-passes/"),
                ("Tunnel opens", f"{base}/output/2026/11/27/tunnel-opens/"),
            ]
            write(
                project / "content" / "stories" / "tunnel.md",
                story("Tunnel opens early", extra="slug: tunnel-early\n"),
            )
            assert publish(project, base + "/output").returncode == 0
            second = _newsboat(tmp_path, url, cache)
            assert len(second) == 2, second
            assert {g for g, _, _ in second} == {g for g, _, _ in first}
            assert ("Tunnel opens early", f"{base}/output/2026/11/27/tunnel-early/") in [
                (t, u) for _, t, u in second
            ]
            write(project / "content" / "stories" / "tunnel.md", story("Tunnel opens"))
            assert publish(project, base + "/output").returncode == 0
    finally:
        httpd.shutdown()
    assert output.exists()


def test_one_opml_file_lists_every_feed_once_grouped_and_a_reader_imports_it(site, tmp_path):
    newsboat, _ = need_newsboat()
    opml = ET.parse(site / "feeds" / "index.opml").getroot()
    assert opml.tag == "opml" and opml.get("version") == "2.0"
    groups = {g.get("text"): [o.get("xmlUrl") for o in g] for g in opml.find("body")}
    assert list(groups) == [
        "The whole site",
        "Daily briefings",
        "Corrections",
        "Sections",
        "Topics",
        "Outlets",
    ]
    listed = [url for urls in groups.values() for url in urls]
    atom = sorted(
        f"{SITEURL}/{p.relative_to(site).as_posix()}" for p in site.glob("feeds/**/*.atom.xml")
    )
    assert sorted(listed) == atom  # every feed, once, in one format
    assert f"{SITEURL}/feeds/topic/transport.atom.xml" in groups["Topics"]
    for outline in opml.iter("outline"):
        if outline.get("xmlUrl"):
            assert outline.get("type") == "rss" and outline.get("text")
            assert outline.get("htmlUrl").startswith(SITEURL + "/")
    # a real feed reader imports it
    urls = tmp_path / "urls"
    urls.write_text("")
    imported = subprocess.run(
        [newsboat, "-u", str(urls), "-i", str(site / "feeds" / "index.opml")],
        env={**env(), "HOME": str(tmp_path)}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    got = sorted(line.split()[0] for line in urls.read_text().splitlines() if line.strip())
    assert got == atom
    # and every page says where it is
    for page in site.rglob("*.html"):
        text = page.read_text()
        if "<head>" in text and page.name != "email.html":  # a mail's copy, not a site page
            assert '<link rel="outline" type="text/x-opml"' in text, page
            assert f'href="{SITEURL}/feeds/index.opml"' in text, page


HOSTILE_TITLE = "Council <script>alert(1)</script> vote & more"
HOSTILE_OUTLET = "Herald <img src=x onerror=alert(1)>"
HOSTILE_SOURCE = 'Q&A: "rates" & <b>bonds</b>'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    project = make_project(
        tmp_path_factory.mktemp("hostile-feeds") / "site",
        content={
            "stories/vote.md": (
                f"---\ntitle: {json.dumps(HOSTILE_TITLE)}\nslug: vote\n"
                "date: 2026-11-27T09:00:00+00:00\ncategory: Politics\n"
                'tags: ["Rates & <bonds>"]\nauthors: ["Ana & Bo <ed>"]\n'
                "sources:\n  herald:\n    url: https://herald.example/vote\n"
                f"    outlet: {json.dumps(HOSTILE_OUTLET)}\n"
                f"    title: {json.dumps(HOSTILE_SOURCE)}\n"
                "    archived: https://web.archive.org/web/2026/https://herald.example/vote\n"
                "---\nThe council voted [@herald].\n"
            ),
        },
    )
    assert publish(project).returncode == 0
    return project / "output"


def test_feedrules_finds_what_the_w3c_validator_warns_about(tmp_path):
    """The restated rules warn on feeds written the naive way (each field escaped once),
    as the W3C validator did on this project's feeds before."""
    import feedrules

    rss = tmp_path / "naive.rss.xml"
    rss.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
        "<title>Site: Herald &lt;img src=x&gt;</title>\n<link>https://x.example/</link>\n"
        "<description>d</description>\n<item>\n<title>Council &lt;script&gt;x&lt;/script&gt;"
        "</title>\n</item>\n<item>\n<title>Q&amp;amp;A</title>\n</item>\n</channel></rss>\n"
    )
    assert [(f.rule, f.element) for f in feedrules.check(rss)] == [
        ("CharacterData", "title"),
        ("ContainsHTML", "title"),
        ("ContainsHTML", "title"),
    ]
    atom = tmp_path / "naive.atom.xml"
    atom.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        '<title type="text">A &lt;b&gt;bold&lt;/b&gt; name</title>\n<entry>\n'
        '<link rel="related" href="https://x.example/" title="Q&amp;A: &lt;b&gt;x&lt;/b&gt;"/>\n'
        "<author><name>Ana &amp;amp; Bo</name></author>\n</entry>\n</feed>\n"
    )
    assert [(str(f).split(": ", 1)[1].split(":")[0]) for f in feedrules.check(atom)] == [
        "title should not contain HTML unless declared in the type attribute",
        "link should not contain HTML",
        "name should not contain HTML",
    ]


def test_hostile_titles_and_outlets_pass_the_w3c_text_rules(hostile_site):
    """Markup in a title, an outlet, a source title, a topic or an author: Atom feeds
    raise none of the validator's text warnings; RSS feeds none but one the validator
    raises on any encoding: an RSS title whose own words hold an HTML end tag
    ("</script>"), which its rule reads after decoding, so that no way of writing the
    title that keeps its words avoids it."""
    import feedrules

    feeds = xml_feeds(hostile_site)
    assert any("/source/" in str(p) for p in feeds)
    left = []
    for path in feeds:
        for finding in feedrules.check(path):
            if path.name.endswith(".atom.xml"):
                raise AssertionError(f"{path.relative_to(hostile_site)}: {finding}")
            left.append((path, finding))
    for path, finding in left:
        assert (finding.rule, finding.element) == ("ContainsHTML", "title"), (path, finding)
        assert HOSTILE_TITLE in finding.text and "</script>" in HOSTILE_TITLE
    raw = (hostile_site / "feeds" / "all.rss.xml").read_text()
    assert "Council &#x3C;script&#x3E;alert(1)&#x3C;/script&#x3E; vote &#x26; more" in raw
    atom = (hostile_site / "feeds" / "all.atom.xml").read_text()
    assert '<title type="html">Council &#x26;lt;script&#x26;gt;' in atom


def test_readers_show_hostile_titles_and_outlets_as_the_author_wrote_them(hostile_site):
    import html as html_lib

    def shown(detail) -> str:  # what a reader displays for a feedparser text value
        return html_lib.unescape(detail.value) if detail.type == "text/html" else detail.value

    outlet_feeds = sorted((hostile_site / "feeds" / "source").glob("*.xml"))
    assert len(outlet_feeds) == 2
    for path in [*xml_feeds(hostile_site)]:
        parsed = feedparser.parse(str(path), sanitize_html=False)
        assert parsed.bozo == 0, path
        if path in outlet_feeds:
            assert shown(parsed.feed.title_detail).endswith(HOSTILE_OUTLET), path
        for entry in parsed.entries:
            if "daily" in path.name:
                continue
            assert shown(entry.title_detail) == HOSTILE_TITLE, path
            if path.name.endswith(".atom.xml"):
                assert [a.name for a in entry.authors] == ["Ana & Bo <ed>"]
                assert [t.term for t in entry.tags] == ["Politics", "Rates & <bonds>"]
                related = [x for x in entry.links if x.rel == "related"]
                assert [x.href for x in related][0] == "https://herald.example/vote"
                # a title holding an end tag is left off the link; the content lists it
                assert not any("title" in x for x in related)
            else:
                assert [t.term for t in entry.tags] == ["Politics", "Rates & <bonds>"]
                assert entry.author == "Ana & Bo <ed>"
    # newsboat, a reader that shows an RSS title as the text it is
    newsboat, sqlite = need_newsboat()
    for name in ("all.rss.xml", "all.atom.xml"):
        shown_titles = _newsboat_file(hostile_site / "feeds" / name, sqlite)
        assert shown_titles == [HOSTILE_TITLE], name
    for path in outlet_feeds:
        assert _newsboat_feed_title(path, sqlite).endswith(HOSTILE_OUTLET), path


def _newsboat_query(feed: Path, sqlite: str, query: str) -> list[str]:
    """Load one feed file into a fresh newsboat cache and query the cache."""
    newsboat, _ = need_newsboat()
    home = feed.parent / f".newsboat-{feed.name}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    (home / "urls").write_text(f"{feed.as_uri()}\n")
    (home / "config").write_text("auto-reload no\n")
    cache = home / "cache.db"
    result = subprocess.run(
        [newsboat, "-q", "-u", str(home / "urls"), "-C", str(home / "config"),
         "-c", str(cache), "-x", "reload"],
        env={**os.environ, "HOME": str(home), "TERM": "dumb"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    rows = subprocess.run(
        [sqlite, str(cache), query], capture_output=True, text=True, check=True
    ).stdout
    shutil.rmtree(home)
    return rows.splitlines()


def _newsboat_file(feed: Path, sqlite: str) -> list[str]:
    return _newsboat_query(feed, sqlite, "select title from rss_item")


def _newsboat_feed_title(feed: Path, sqlite: str) -> str:
    return _newsboat_query(feed, sqlite, "select title from rss_feed")[0]
