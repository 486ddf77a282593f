"""Stable pagination: a list is cut into pages from its oldest end.

A list of ``count`` items, newest first, with ``per_page`` a page: the oldest
``per_page`` items are page 1, the next ``per_page`` page 2, and so on; the newest items
that do not fill a page are shown on the front page with the newest full page, so the
front page holds between ``per_page`` and ``2 * per_page - 1`` items (all of them when
the list is shorter).  Page N then always holds the same items: a new item changes the
front page only, and once every ``per_page`` items the front page's oldest ones become
a new numbered page.  Archive crawlers, caches and links to page N see it stay put.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slice:
    number: int  # 1 is the oldest page; the front page has the highest
    start: int  # indices into the newest-first list
    stop: int
    front: bool


def stable_slices(count: int, per_page: int) -> list[Slice]:
    """The pages of a newest-first list, front page first."""
    if per_page <= 0 or count <= per_page:
        return [Slice(1, 0, count, True)]
    full = count // per_page  # pages of the oldest full chunks; the front takes the last
    pages = [Slice(full, 0, count - (full - 1) * per_page, True)]
    for number in range(full - 1, 0, -1):
        stop = count - (number - 1) * per_page
        pages.append(Slice(number, stop - per_page, stop, False))
    return pages
