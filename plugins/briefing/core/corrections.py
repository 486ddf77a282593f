"""A story's corrections and updates: the ``corrections:`` list of its front matter.

Each entry has a ``date`` (ISO 8601 with time and offset, like ``date``), a ``text`` (one
paragraph of Markdown, which may cite the story's sources in either style) and a
``kind``: ``correction`` (the default), ``update`` or ``clarification``.  The reader
checks them (``parse_corrections``), renders each text with the story's sources, and
adds a "Corrections" section after the story's Sources list (``section_html``), so the
page, the feeds, the email edition and the search index all carry it.  Whether an entry
is dated in the future depends on the build's clock, so the site checks that
(``site.sitecheck``), not the reader, whose results are cached.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Sink
from .frontmatter import Header
from .metadata import DateError, describe_value, parse_date

KINDS = ("correction", "update", "clarification")
_TAG = re.compile(r"<[^>]*>")
#: what each kind is called where readers see it
LABELS = {"correction": "Correction", "update": "Update", "clarification": "Clarification"}
SECTION_ID = "corrections"


@dataclass(frozen=True)
class Correction:
    """One entry.  Module-level and frozen, so it pickles for Pelican's cache."""

    date: dt.datetime
    kind: str
    text: str  # the Markdown as written
    html: str = ""  # rendered, citations linked to the story's sources
    # where the entry is in its file, for diagnostics found later (a date in the future)
    line: int = field(default=0, compare=False, repr=False)
    col: int = field(default=0, compare=False, repr=False)

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def iso(self) -> str:
        return self.date.isoformat()

    @property
    def plain(self) -> str:
        """The text as plain words (structured data, a feed's title): tags dropped."""
        return " ".join(html.unescape(_TAG.sub("", self.html or self.text)).split())

    def markdown(self, date_format: str) -> str:
        """The entry as one Markdown paragraph, its kind and date first (plain text)."""
        return f"{self.label}, {self.date.strftime(date_format)}: {self.text}"


def parse_corrections(
    value: Any, header: Header, sink: Sink, *, story_date: dt.datetime | None
) -> list[tuple[Correction, tuple[Any, ...]]]:
    """The entries of ``corrections:`` (with each one's path in the header), every
    problem reported where it is written."""
    if value is None:
        return []
    if not isinstance(value, list):
        sink.error(
            *header.where(("corrections",)),
            "correction-invalid",
            "'corrections' must be a list of entries, each with a date and a text, "
            f"not {describe_value(value)}",
        )
        return []
    found: list[tuple[Correction, tuple[Any, ...]]] = []
    for i, item in enumerate(value):
        path = ("corrections", i)
        line, col = header.where(path)
        if not isinstance(item, dict):
            sink.error(
                line,
                col,
                "correction-invalid",
                f"each correction is a mapping with 'date' and 'text', not {describe_value(item)}",
            )
            continue
        unknown = sorted(set(item) - {"date", "text", "kind"})
        if unknown:
            sink.error(
                *header.key_pos.get((*path, unknown[0]), (line, col)),
                "correction-invalid",
                f"a correction has no field '{unknown[0]}' (it takes date, text and kind)",
            )
            continue
        date = _date(item.get("date"), header, sink, (*path, "date"), (line, col))
        text = item.get("text")
        kind = item.get("kind", "correction")
        ok = date is not None
        if not isinstance(text, str) or not text.strip():
            sink.error(
                *header.where((*path, "text")) if "text" in item else (line, col),
                "correction-invalid",
                "a correction needs a 'text': what was wrong and what is right",
            )
            ok = False
        elif "\n\n" in text.strip():
            sink.error(
                *header.where((*path, "text")),
                "correction-invalid",
                "a correction's text is one paragraph (it holds a blank line)",
            )
            ok = False
        if kind not in KINDS:
            sink.error(
                *header.where((*path, "kind")),
                "correction-invalid",
                f"kind {describe_value(kind)} is not one of {', '.join(KINDS)}",
            )
            ok = False
        if date is not None and story_date is not None and earlier(date, story_date):
            sink.error(
                *header.where((*path, "date")),
                "correction-date",
                f"the correction is dated {date.isoformat()}, before the story "
                f"({story_date.isoformat()})",
            )
            ok = False
        if ok:
            found.append((Correction(date, kind, text.strip(), line=line, col=col), path))
    for (before, _), (after, path) in zip(found, found[1:], strict=False):
        if earlier(after.date, before.date):
            sink.warning(
                *header.where((*path, "date")),
                "correction-order",
                f"corrections are listed oldest first: this one ({after.date.isoformat()}) "
                f"comes after one of {before.date.isoformat()}",
            )
            break
    return found


def _date(
    value: Any, header: Header, sink: Sink, path: tuple[Any, ...], fallback: tuple[int, int]
) -> dt.datetime | None:
    where = header.where(path) if path in header.value_pos else fallback
    if not isinstance(value, str):
        sink.error(
            *where,
            "correction-invalid",
            "a correction needs a 'date' such as 2026-04-10T09:15:00+01:00, "
            f"not {describe_value(value)}",
        )
        return None
    try:
        date = parse_date(value)
    except DateError as exc:
        sink.error(*where, "date-invalid", f"'date' of a correction: {exc}")
        return None
    if date.tzinfo is None or len(value.strip()) <= 10:
        sink.error(
            *where,
            "date-invalid",
            f"'date' of a correction needs a time and a UTC offset, as in "
            f"{date.strftime('%Y-%m-%d')}T09:15:00+00:00",
        )
        return None
    return date


def earlier(a: dt.datetime, b: dt.datetime) -> bool:
    """``a`` earlier than ``b``; a naive date (a story without an offset) is compared as
    if it were in ``a``'s zone."""
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return a < b


def newest(corrections: list[Correction]) -> Correction | None:
    return max(corrections, key=lambda c: c.date, default=None)


def section_html(corrections: list[Correction], date_format: str) -> str:
    """The "Corrections" section after a story's body: newest first, each with its kind
    and date, its text with citations linked."""
    items = []
    for n, c in sorted(enumerate(corrections, 1), key=lambda e: e[1].date, reverse=True):
        when = html.escape(c.date.strftime(date_format))
        items.append(
            f'<li id="correction-{n}" class="correction correction--{c.kind}">'
            f'<p class="correction__head"><span class="correction__kind">{c.label}</span>, '
            f'<time datetime="{c.iso}">{when}</time></p>\n{c.html}</li>'
        )
    return (
        f'<section class="corrections" id="{SECTION_ID}" aria-labelledby="corrections-heading">\n'
        '<h2 id="corrections-heading">Corrections</h2>\n'
        '<ol class="corrections__list" reversed>\n' + "\n".join(items) + "\n</ol>\n</section>\n"
    )


@dataclass(frozen=True)
class Listed:
    """One entry as the corrections page and feeds list it: with its story."""

    story: Any
    entry: Correction
    number: int  # its place among the story's entries, oldest first (its anchor)

    @property
    def anchor(self) -> str:
        return f"correction-{self.number}"


def listing(stories: list[Any]) -> list[Listed]:
    """Every entry of every story, newest first."""
    found = [
        Listed(story, entry, n)
        for story in stories
        for n, entry in enumerate(getattr(story, "corrections", None) or (), 1)
    ]
    return sorted(found, key=lambda item: (item.entry.date, item.story.source_path), reverse=True)
