"""The archive's shape, from plain story objects: days, calendar, outlets, neighbours,
related stories, and the template helpers that make several stories share a page."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

from briefing.core import archive
from briefing.core.sources import Source
from briefing.site import state
from briefing.site.templates import cached, json_script, namespaced, news_article

UTC = dt.UTC


def src(host, key="s", outlet=None):
    return Source(key=key, url=f"https://{host}/{key}", host=host, outlet=outlet)


def story(title, when, tags=(), sources=(), position=None):
    return SimpleNamespace(
        title=title,
        date=dt.datetime(*when, tzinfo=UTC),
        tags=list(tags),
        sources=list(sources),
        position=position,
        slug=title.lower(),
    )


def test_days_newest_first_in_briefing_order_with_neighbours():
    a = story("A", (2026, 11, 27, 9))
    b = story("B", (2026, 11, 27, 18), position=1)
    c = story("C", (2026, 11, 27, 7))
    d = story("D", (2026, 11, 25, 7))
    days = archive.days([a, b, c, d])
    assert [day.iso for day in days] == ["2026-11-27", "2026-11-25"]
    assert [s.title for s in days[0].stories] == ["B", "C", "A"]  # position, then time
    assert days[0].previous is days[1] and days[1].next is days[0]
    assert days[0].next is None and days[1].previous is None
    assert days[0].url == "2026/11/27/" and days[0].title == "Friday 27 November 2026"


def test_calendar_counts_years_months_days():
    stories = [
        story(str(i), (2026, m, d, 9))
        for i, (m, d) in enumerate([(11, 27), (11, 27), (11, 3), (10, 30)])
    ]
    stories.append(story("old", (2025, 12, 31, 9)))
    years = archive.calendar(archive.days(stories))
    assert [(y.year, y.count) for y in years] == [(2026, 4), (2025, 1)]
    assert [(m.title, m.count, len(m.days)) for m in years[0].months] == [
        ("November 2026", 3, 2),
        ("October 2026", 1, 1),
    ]


def test_outlets_with_names_counts_and_first_last_dates():
    s1 = story(
        "one",
        (2026, 11, 1, 9),
        sources=[src("cnbc.com", "a", "CNBC"), src("cnbc.com", "b", "CNBC")],
    )
    s2 = story("two", (2026, 11, 20, 9), sources=[src("cnbc.com"), src("ft.com", outlet="FT")])
    outlets = {o.host: o for o in archive.outlets([s1, s2])}
    assert outlets["cnbc.com"].stories == [s2, s1]  # each story once, newest first
    assert outlets["cnbc.com"].name == "CNBC"
    assert (outlets["cnbc.com"].first, outlets["cnbc.com"].last) == (s1.date, s2.date)
    assert outlets["ft.com"].url == "sources/ft.com/"


def test_related_prefers_shared_outlets_then_topics_then_nearest_in_time():
    base = story("base", (2026, 11, 10, 9), tags=["energy"], sources=[src("ft.com")])
    same_outlet = story("outlet", (2026, 11, 1, 9), sources=[src("ft.com")])
    same_topic = story("topic", (2026, 11, 9, 9), tags=["energy"])
    both = story("both", (2026, 10, 1, 9), tags=["energy"], sources=[src("ft.com")])
    unrelated = story("none", (2026, 11, 10, 10), tags=["sport"])
    archive.link_related([base, same_outlet, same_topic, both, unrelated])
    assert [s.title for s in base.related_stories] == ["both", "outlet", "topic"]
    assert unrelated.related_stories == []


def test_related_among_equal_scores_are_the_nearest_in_time_then_by_title():
    base = story("base", (2026, 11, 10, 12), tags=["x"], sources=[src("ft.com")])
    far_but_closer_kin = story("kin", (2026, 8, 1, 9), tags=["x"], sources=[src("ft.com")])
    others = [
        story(title, (2026, 11, 10 + days, 12), sources=[src("ft.com")])
        for title, days in [("plus3", 3), ("minus1", -1), ("plus1", 1), ("minus5", -5)]
    ]
    twin = story("a twin", (2026, 11, 9, 12), sources=[src("ft.com")])  # as near as minus1
    archive.link_related([base, far_but_closer_kin, *others, twin])
    assert [s.title for s in base.related_stories] == ["kin", "a twin", "minus1"]


def test_previous_and_next_story_in_time():
    a, b, c = (story(t, (2026, 11, d, 9)) for t, d in (("a", 1), ("b", 2), ("c", 3)))
    archive.link_neighbours([c, a, b])
    assert (b.previous_story, b.next_story) == (a, c)
    assert a.previous_story is None and c.next_story is None


def test_reading_minutes_counts_words_not_markup():
    assert archive.reading_minutes("<p>" + "word " * 660 + "</p>") == 3
    assert archive.reading_minutes("<p>short</p>") == 1


def test_namespaced_prefixes_ids_and_their_references_and_shifts_headings():
    html = (
        '<h2 id="what">What</h2><p><a class="citation" id="cite-1" href="https://x.org/" '
        'aria-describedby="source-1">x.org</a> <a href="#fn1">1</a> '
        '<a href="https://y.org/#frag">y</a></p><section aria-labelledby="sources-heading">'
        '<h2 id="sources-heading">Sources</h2></section><div data-id="keep"\nid="two\tthree">'
    )
    out = namespaced(html, "tunnel", 1)
    assert '<h3 id="tunnel--what">What</h3>' in out
    assert 'id="tunnel--cite-1"' in out and 'aria-describedby="tunnel--source-1"' in out
    assert 'href="#tunnel--fn1"' in out and 'href="https://y.org/#frag"' in out
    assert 'aria-labelledby="tunnel--sources-heading"' in out and "<h3 id=" in out
    # only whole attributes, on any whitespace; a list of ids is each prefixed
    assert '<div data-id="keep"\nid="tunnel--two tunnel--three">' in out


def test_json_ld_cannot_break_out_of_its_script_block():
    article = SimpleNamespace(
        title="</script><script>alert(1)</script> & <!--",
        url="2026/11/27/x/",
        date=dt.datetime(2026, 11, 27, 9, tzinfo=UTC),
        authors=["Ana"],
        category="City",
        tags=["energy"],
        sources=[
            Source(key="a", url="https://ft.com/a", host="ft.com", outlet="FT </script>", title="T")
        ],
    )
    data = news_article(article, "https://news.example.org", "The Briefing")
    text = str(json_script(data))
    assert not re.search(r"</|<!--|<script", text, re.I)
    assert json.loads(text) == data
    assert data["datePublished"] == "2026-11-27T09:00:00+00:00"
    assert data["citation"][0]["url"] == "https://ft.com/a"


def test_a_story_card_is_rendered_once_per_build_and_heading_level():
    import jinja2

    class Story:  # compared by identity, as Pelican's articles are
        def __init__(self, title: str) -> None:
            self.title = title

    shown: list[str] = []
    settings: dict = {}
    env = jinja2.Environment(autoescape=True)
    env.globals.update(cached=cached, note=lambda s: shown.append(s) or s)
    card = env.from_string(
        '{% for s in items %}{% call cached("card", s, level, SITEURL) %}'
        "<h{{ level }}>{{ note(s.title) }}</h{{ level }}>{% endcall %}{% endfor %}"
    )
    a, b = Story("A & B"), Story("A & B")
    build = state.start(settings)
    assert card.render(items=[a, a], level=2, SITEURL="", **settings).count("A &amp; B") == 2
    assert len(shown) == 2  # a build that keeps no blocks renders each where it is shown
    shown.clear()
    build.blocks = {}  # as the speed layer does
    first = card.render(items=[a, b], level=2, SITEURL="", **settings)
    again = card.render(items=[b, a], level=2, SITEURL="", **settings)
    assert first == again == "<h2>A &amp; B</h2><h2>A &amp; B</h2>"
    assert len(shown) == 2  # each story once, not once per list
    assert card.render(items=[a], level=3, SITEURL="", **settings) == "<h3>A &amp; B</h3>"
    assert card.render(items=[a], level=3, SITEURL="../..", **settings) == "<h3>A &amp; B</h3>"
    assert len(shown) == 4  # another level, another SITEURL: rendered again
    state.start(settings).blocks = {}  # a new build
    card.render(items=[a], level=2, SITEURL="", **settings)
    assert len(shown) == 5
