"""The shape of the archive: daily briefings, outlets, neighbours and related stories.

Pure functions over story objects (anything with ``date``, ``title``, ``slug``, ``tags``
and ``sources`` attributes), so they are tested without building a site.  Every function
is linear or near-linear in the number of stories: no per-page scan of all stories.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Reading speed for "N min read".
WORDS_PER_MINUTE = 220
#: How many stories either side, in time, are compared for "related" per shared topic/outlet.
RELATED_WINDOW = 25


@dataclass
class Day:
    """One daily briefing: the stories dated on one local day, in briefing order."""

    date: dt.date
    stories: list[Any]
    previous: Day | None = None
    next: Day | None = None

    # worked out once: a day's page, its neighbours, its month and the front page ask
    # for them again and again (strftime is slow)
    @functools.cached_property
    def url(self) -> str:
        d = self.date
        return f"{d:%Y}/{d.month:02d}/{d.day:02d}/"

    @functools.cached_property
    def save_as(self) -> str:
        return self.url + "index.html"

    @functools.cached_property
    def title(self) -> str:
        return f"{self.date:%A} {self.date.day} {self.date:%B %Y}"

    @functools.cached_property
    def iso(self) -> str:
        return self.date.isoformat()


@dataclass
class Month:
    year: int
    month: int
    days: list[Day] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.year:04d}/{self.month:02d}/"

    @property
    def save_as(self) -> str:
        return self.url + "index.html"

    @property
    def title(self) -> str:
        return dt.date(self.year, self.month, 1).strftime("%B %Y")

    @property
    def count(self) -> int:
        return sum(len(d.stories) for d in self.days)


@dataclass
class Year:
    year: int
    months: list[Month] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.year:04d}/"

    @property
    def save_as(self) -> str:
        return self.url + "index.html"

    @property
    def title(self) -> str:
        return str(self.year)

    @property
    def count(self) -> int:
        return sum(m.count for m in self.months)


@dataclass
class Outlet:
    """Everything one outlet (a normalised host) was cited for, newest story first."""

    host: str
    names: list[str]
    stories: list[Any]
    #: the links cited at this outlet, each URL once (the newest story's source for it)
    links: dict[str, Any] = field(default_factory=dict)

    @property
    def dead(self) -> int:
        """How many of its cited links are dead."""
        return sum(1 for s in self.links.values() if s.dead)

    @property
    def archived(self) -> int:
        """How many of its cited links have an archived copy."""
        return sum(1 for s in self.links.values() if s.archived)

    @property
    def dead_percent(self) -> int:
        """The share of its cited links that are dead, in whole per cent."""
        return round(100 * self.dead / len(self.links)) if self.links else 0

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.host

    @property
    def slug(self) -> str:
        return self.host.encode("idna").decode("ascii") if not self.host.isascii() else self.host

    @property
    def url(self) -> str:
        return f"sources/{self.slug}/"

    @property
    def save_as(self) -> str:
        return self.url + "index.html"

    def heading(self) -> Outlet:
        """The outlet as an older page of its list shows it: its host and name, without
        the stories and links that change as news arrives (``site.pagination``)."""
        return Outlet(self.host, self.names[:1], [])

    @property
    def first(self) -> dt.datetime:
        return self.stories[-1].date

    @property
    def last(self) -> dt.datetime:
        return self.stories[0].date


def briefing_order(story: Any) -> tuple[Any, ...]:
    """Within a day: the ``position`` field first (lowest first), then time, then title."""
    position = getattr(story, "position", None)
    return (
        position if isinstance(position, int) else float("inf"),
        story.date,
        story.title,
    )


def days(stories: Iterable[Any]) -> list[Day]:
    """Daily briefings, newest first, linked to their neighbours."""
    by_day: dict[dt.date, list[Any]] = defaultdict(list)
    for story in stories:
        by_day[story.date.date()].append(story)
    result = [Day(date, sorted(items, key=briefing_order)) for date, items in by_day.items()]
    result.sort(key=lambda d: d.date, reverse=True)
    for newer, older in zip(result, result[1:], strict=False):
        newer.previous, older.next = older, newer
    return result


def calendar(all_days: Sequence[Day]) -> list[Year]:
    """Years → months → days, newest first (``all_days`` newest first too)."""
    years: list[Year] = []
    for day in all_days:
        if not years or years[-1].year != day.date.year:
            years.append(Year(day.date.year))
        months = years[-1].months
        if not months or months[-1].month != day.date.month:
            months.append(Month(day.date.year, day.date.month))
        months[-1].days.append(day)
    return years


def outlets(stories: Iterable[Any]) -> list[Outlet]:
    """One Outlet per cited host, with its stories newest first; sorted by name."""
    found: dict[str, Outlet] = {}
    for story in sorted(stories, key=lambda s: s.date, reverse=True):
        for source in getattr(story, "sources", ()) or ():
            outlet = found.get(source.host)
            if outlet is None:
                outlet = found[source.host] = Outlet(source.host, [], [])
            if source.outlet and source.outlet not in outlet.names:
                outlet.names.append(source.outlet)
            if not outlet.stories or outlet.stories[-1] is not story:
                outlet.stories.append(story)
            outlet.links.setdefault(source.url, source)
    return sorted(found.values(), key=lambda o: (o.name.casefold(), o.host))


def link_neighbours(stories: Sequence[Any]) -> None:
    """Set ``previous_story``/``next_story`` (older/newer) on each story."""
    ordered = sorted(stories, key=lambda s: (s.date, s.title))
    for i, story in enumerate(ordered):
        story.previous_story = ordered[i - 1] if i > 0 else None
        story.next_story = ordered[i + 1] if i + 1 < len(ordered) else None


def link_related(stories: Sequence[Any], *, limit: int = 3) -> None:
    """Set ``related_stories``: most shared outlets (weight 2) and topics (weight 1),
    among the stories published before it, so that a story's page never changes when
    later news arrives (readers see the background a story was written against).

    Candidates come from the stories nearest in time within each shared topic or outlet,
    so a topic with thousands of stories costs the same as a small one.
    """
    ordered = sorted(stories, key=lambda s: s.date)
    each = [list(features(story)) for story in ordered]
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)  # story numbers, by time
    for number, keys in enumerate(each):
        for key in keys:
            groups[key].append(number)
    place = {key: {n: at for at, n in enumerate(group)} for key, group in groups.items()}
    when = [story.date.timestamp() for story in ordered]
    for number, story in enumerate(ordered):
        scores: Counter[int] = Counter()  # counted in C, each shared outlet twice
        for key in each[number]:
            group = groups[key]
            at = place[key][number]
            near = group[max(0, at - RELATED_WINDOW) : at]  # earlier stories only
            scores.update(near)
            if key[0] == "outlet":
                scores.update(near)
        if len(scores) > limit:  # only those scoring at least the limit-th best can be
            least = heapq.nlargest(limit, scores.values())[-1]
            candidates = [(n, c) for n, c in scores.items() if c >= least]
        else:
            candidates = list(scores.items())
        t = when[number]
        best = heapq.nsmallest(
            limit,
            candidates,
            key=lambda e: (-e[1], abs(when[e[0]] - t), ordered[e[0]].title),
        )
        story.related_stories = [ordered[n] for n, _ in best]


def features(story: Any) -> set[tuple[str, str]]:
    tags = {("topic", str(t)) for t in getattr(story, "tags", ()) or ()}
    hosts = {("outlet", s.host) for s in getattr(story, "sources", ()) or ()}
    return tags | hosts


_TAG = re.compile(r"<[^>]*>")


def reading_minutes(html: str) -> int:
    return minutes_for(len(_TAG.sub(" ", html).split()))


def minutes_for(words: int) -> int:
    return max(1, round(words / WORDS_PER_MINUTE))


def body_words(html: str) -> int:
    """The words of a story's body, before its list of sources."""
    return len(_TAG.sub(" ", html.split(_SOURCES_START, 1)[0]).split())


_SOURCES_START = '<section class="sources"'
