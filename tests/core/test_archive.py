"""The archive's shape, from plain story objects: days, calendar, outlets, neighbours,
related stories."""

from __future__ import annotations

from briefing.core import archive

from fakes import src, story


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


def test_related_stories_are_earlier_so_later_news_never_changes_a_storys_page():
    first = story("first", (2026, 11, 1, 9), tags=["energy"], sources=[src("ft.com")])
    second = story("second", (2026, 11, 2, 9), tags=["energy"], sources=[src("ft.com")])
    archive.link_related([first, second])
    assert first.related_stories == [] and second.related_stories == [first]
    later = story("later", (2026, 11, 3, 9), tags=["energy"], sources=[src("ft.com")])
    archive.link_related([first, second, later])
    assert first.related_stories == [] and second.related_stories == [first]
    assert later.related_stories == [second, first]


def test_previous_and_next_story_in_time():
    a, b, c = (story(t, (2026, 11, d, 9)) for t, d in (("a", 1), ("b", 2), ("c", 3)))
    archive.link_neighbours([c, a, b])
    assert (b.previous_story, b.next_story) == (a, c)
    assert a.previous_story is None and c.next_story is None


def test_reading_minutes_counts_words_not_markup():
    assert archive.reading_minutes("<p>" + "word " * 660 + "</p>") == 3
    assert archive.reading_minutes("<p>short</p>") == 1
