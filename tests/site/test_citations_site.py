"""End-to-end: a briefing-style story builds into a page whose citations link to the right
sources, with a complete Sources list; broken citations stop the build and `briefing check`."""

from __future__ import annotations

import subprocess
import sys

from bs4 import BeautifulSoup

from sitebuild import build, env, make_project, snapshot, write

STORY = """\
---
title: Meta opens its model and changes ad rules
date: 2026-11-27T09:00:00+00:00
category: Technology
tags: [ai, advertising]
sources:
  llama:
    url: https://about.fb.com/news/2026/11/llama/
    outlet: Meta
    title: Llama update
    published: 2026-11-26
  ads:
    url: https://about.fb.com/news/2026/11/ads/
    outlet: Meta
    title: Ads update
  research: https://ai.meta.com/blog/research/
  cnbc:
    url: https://www.cnbc.com/2026/11/26/meta.html
    outlet: CNBC
    title: "Meta's two announcements <analysis>"
---
Meta released a new model on Wednesday (about.fb.com@llama, ai.meta.com) and changed
its advertising rules the same day (about.fb.com@ads).

Analysts called the pair of announcements "a busy week" (cnbc.com), and both posts
were widely shared (about.fb.com, about.fb.com).
"""

DANGLING = """\
---
title: A story with a dangling citation
date: 2026-11-28T09:00:00+00:00
sources:
  cnbc: https://www.cnbc.com/2026/11/27/later.html
---
Markets rose (cnbc.com) and fell (reuters.com).
"""


def _page(project, day, slug):
    path = project / "output" / "2026" / "11" / day / slug / "index.html"
    return BeautifulSoup(path.read_text(), "html.parser")


def test_briefing_story_links_every_citation_to_its_source(tmp_path):
    project = make_project(tmp_path / "site", content={"stories/meta.md": STORY})
    result = build(project)
    assert result.returncode == 0, result.stderr
    page = _page(project, "27", "meta-opens-its-model-and-changes-ad-rules")
    groups = [
        [(a.text, a["href"]) for a in p.select("a.citation")] for p in page.select(".story__body p")
    ]
    assert groups == [
        [
            ("about.fb.com", "https://about.fb.com/news/2026/11/llama/"),
            ("ai.meta.com", "https://ai.meta.com/blog/research/"),
            ("about.fb.com", "https://about.fb.com/news/2026/11/ads/"),
        ],
        [
            ("cnbc.com", "https://www.cnbc.com/2026/11/26/meta.html"),
            ("about.fb.com", "https://about.fb.com/news/2026/11/llama/"),
            ("about.fb.com", "https://about.fb.com/news/2026/11/ads/"),
        ],
    ]
    # readers see the compact form, parentheses included
    first = page.select_one(".story__body p").get_text(" ", strip=True)
    assert "( about.fb.com , ai.meta.com )" in first
    # the numbered Sources list: every source, each linking back to each of its citations
    entries = page.select(".sources li")
    assert [li.select_one(".source__link")["href"] for li in entries] == [
        "https://about.fb.com/news/2026/11/llama/",
        "https://ai.meta.com/blog/research/",
        "https://about.fb.com/news/2026/11/ads/",
        "https://www.cnbc.com/2026/11/26/meta.html",
    ]
    for li in entries:
        for back in li.select("a.source__back"):
            target = page.find(id=back["href"][1:])
            assert target is not None and target["href"] == li.select_one(".source__link")["href"]
            assert target["aria-describedby"] == li["id"]
    assert entries[3].select_one("cite").text == "Meta's two announcements <analysis>"
    assert "&lt;analysis&gt;" in str(entries[3])
    assert page.select_one(".source-count").text == "4 sources from 3 outlets"


def test_a_dangling_citation_fails_the_build_and_check_at_its_position(tmp_path):
    project = make_project(tmp_path / "site", content={"stories/meta.md": STORY})
    assert build(project).returncode == 0
    before = snapshot(project / "output")
    write(project / "content" / "stories" / "dangling.md", DANGLING)
    expected = (
        "content/stories/dangling.md:7:34: error: citation-undefined-host: no source of this "
        "story is at reuters.com (hosts: cnbc.com)"
    )
    result = build(project)
    assert result.returncode == 1
    assert expected in result.stderr.splitlines()
    assert snapshot(project / "output") == before
    check = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "check", "content/stories/dangling.md"],
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 1
    assert check.stdout.splitlines() == [expected]


def test_a_link_already_run_by_an_earlier_story_is_noted(tmp_path):
    repeat = STORY.replace("Meta opens its model", "Meta, again").replace(
        "2026-11-27T09:00", "2026-11-29T09:00"
    )
    project = make_project(
        tmp_path / "site", content={"stories/meta.md": STORY, "stories/repeat.md": repeat}
    )
    note = (
        "content/stories/repeat.md:17:3: info: source-cited-before: source 'cnbc' "
        "(https://www.cnbc.com/2026/11/26/meta.html) was already cited by \u201cMeta opens its "
        "model and changes ad rules\u201d (content/stories/meta.md) on 2026-11-27"
    )
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert note in result.stderr.splitlines()
    check = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "check"],
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0
    assert note in check.stdout.splitlines()
    assert sum("source-cited-before" in line for line in check.stdout.splitlines()) == 4


def test_story_page_carries_open_graph_and_news_article_json_ld(tmp_path):
    project = make_project(tmp_path / "site", content={"stories/meta.md": STORY})
    assert build(project).returncode == 0
    page = _page(project, "27", "meta-opens-its-model-and-changes-ad-rules")
    og = {m["property"]: m["content"] for m in page.select("meta[property]")}
    assert og["og:type"] == "article"
    assert og["og:title"] == "Meta opens its model and changes ad rules"
    assert og["article:published_time"] == "2026-11-27T09:00:00+00:00"
    assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"
    import json

    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Meta opens its model and changes ad rules"
    assert data["datePublished"] == "2026-11-27T09:00:00+00:00"
    assert data["publisher"]["name"] == "The Briefing"
    assert [c["url"] for c in data["citation"]] == [
        "https://about.fb.com/news/2026/11/llama/",
        "https://about.fb.com/news/2026/11/ads/",
        "https://ai.meta.com/blog/research/",
        "https://www.cnbc.com/2026/11/26/meta.html",
    ]
    assert data["citation"][3]["name"] == "Meta's two announcements <analysis>"


WITHOUT_SUMMARY = """\
---
title: Ferry fares frozen
date: 2026-11-26T09:00:00+00:00
category: Technology
sources:
  council: https://www.example.gov.uk/ferries
  bbc:
    url: https://www.bbc.co.uk/news/ferries
    outlet: BBC
---
## What changed

Fares stay where they are until April (example.gov.uk), the council said, and the
operator agreed [@bbc].[^1]

[^1]: The operator's statement came later.
"""

SUMMARY_CITING = STORY.replace(
    "tags: [ai, advertising]\n",
    'tags: [ai, advertising]\nsummary: "Two posts [@llama; @ads] and a report (cnbc.com)."\n',
)


def test_summaries_cite_as_bodies_do_and_stand_alone_on_list_pages(tmp_path):
    """A summary's citations link to their sources; a story without one shows the start of
    its body's text, without its headings, Sources list, footnotes or ids: the list page
    that shows both is valid HTML, every id on it once."""
    project = make_project(
        tmp_path / "site",
        content={"stories/meta.md": SUMMARY_CITING, "stories/ferry.md": WITHOUT_SUMMARY},
        settings="SUMMARY_MAX_LENGTH = 12",
    )
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert "source-unused" not in result.stderr  # cited in the summary counts
    page = BeautifulSoup(
        (project / "output/section/technology/index.html").read_text(), "html.parser"
    )
    cards = {c.select_one("h2, h3").get_text(strip=True): c for c in page.select(".story-card")}
    meta = cards["Meta opens its model and changes ad rules"].select_one(".story-card__summary")
    links = [(a.get_text(), a["href"]) for a in meta.select("a.citation")]
    assert links == [
        ("about.fb.com", "https://about.fb.com/news/2026/11/llama/"),
        ("about.fb.com", "https://about.fb.com/news/2026/11/ads/"),
        ("cnbc.com", "https://www.cnbc.com/2026/11/26/meta.html"),
    ]
    assert "[@" not in meta.get_text()
    ferry = cards["Ferry fares frozen"].select_one(".story-card__summary")
    assert ferry.get_text(" ", strip=True).startswith("Fares stay where they are")
    assert ferry.get_text().rstrip().endswith("…")  # twelve words, then the suffix
    assert [a["href"] for a in ferry.select("a.citation")] == ["https://www.example.gov.uk/ferries"]
    assert not ferry.select(".sources, .footnotes, sup, h2, h3")  # a heading: not a summary
    ids = [tag["id"] for tag in page.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert not page.select("[aria-describedby]")
    story = BeautifulSoup(
        (
            project / "output/2026/11/27/meta-opens-its-model-and-changes-ad-rules/index.html"
        ).read_text(),
        "html.parser",
    )
    description = story.find("meta", attrs={"name": "description"})["content"]
    assert description == "Two posts (about.fb.com, about.fb.com) and a report (cnbc.com)."


def test_a_broken_citation_in_a_summary_fails_the_build_at_the_summary(tmp_path):
    bad = SUMMARY_CITING.replace("[@llama; @ads]", "[@llama; @nope]")
    project = make_project(tmp_path / "site", content={"stories/meta.md": bad})
    result = build(project)
    assert result.returncode != 0
    line = bad.split("\n").index(next(x for x in bad.split("\n") if x.startswith("summary:"))) + 1
    assert f"stories/meta.md:{line}:10: error: " in result.stderr
    assert "in 'summary':" in result.stderr and "nope" in result.stderr
