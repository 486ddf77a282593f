"""Lists cut into pages from their oldest end (core/pagination.py): a numbered page holds
the same items whatever is added at the newest end."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from briefing.core.pagination import stable_slices


def holding(count, per_page):
    """{page number: the items it holds, counted from the oldest}, and the front's number."""
    pages = stable_slices(count, per_page)
    held = {p.number: list(range(count - p.stop, count - p.start)) for p in pages}
    return held, next(p.number for p in pages if p.front)


def test_the_front_page_takes_the_newest_that_do_not_fill_a_page():
    assert [(p.number, p.stop - p.start, p.front) for p in stable_slices(29, 10)] == [
        (2, 19, True),
        (1, 10, False),
    ]
    assert [(p.number, p.stop - p.start) for p in stable_slices(30, 10)] == [
        (3, 10),
        (2, 10),
        (1, 10),
    ]
    assert [(p.number, p.start, p.stop) for p in stable_slices(7, 10)] == [(1, 0, 7)]
    assert [(p.number, p.start, p.stop) for p in stable_slices(0, 10)] == [(1, 0, 0)]


@given(count=st.integers(0, 400), per_page=st.integers(1, 30), added=st.integers(1, 60))
def test_a_numbered_page_holds_the_same_items_as_news_arrives(count, per_page, added):
    before, front_before = holding(count, per_page)
    after, _ = holding(count + added, per_page)
    for number, items in before.items():
        if number != front_before:
            assert after[number] == items
    every = sorted(i for items in after.values() for i in items)
    assert every == list(range(count + added))  # each item on exactly one page
    front = max(after)
    assert all(len(items) == per_page for number, items in after.items() if number != front)
    assert len(after[front]) < 2 * per_page
