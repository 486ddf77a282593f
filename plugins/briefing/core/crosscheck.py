"""Checks across stories: a roundup must not run the same link twice.

Used by the build (after Pelican has read every story) and by ``briefing check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .diagnostics import Diagnostic, Severity
from .sources import Source


@dataclass(frozen=True)
class StoryRef:
    path: str
    date: dt.datetime
    title: str
    sources: Sequence[Source]


def _instant(date: dt.datetime) -> dt.datetime:
    return date if date.tzinfo else date.replace(tzinfo=dt.UTC)


def links_cited_before(stories: Iterable[StoryRef]) -> list[Diagnostic]:
    """An info diagnostic for each source URL that an earlier story already cited."""
    first: dict[str, StoryRef] = {}
    found = []
    for story in sorted(stories, key=lambda s: (_instant(s.date), s.path)):
        for source in story.sources:
            earlier = first.setdefault(source.url, story)
            if earlier is story:
                continue
            when = earlier.date.date().isoformat()
            found.append(
                Diagnostic(
                    story.path,
                    source.line,
                    source.col,
                    Severity.INFO,
                    "source-cited-before",
                    f"source '{source.key}' ({source.url}) was already cited by "
                    f"\u201c{earlier.title}\u201d ({earlier.path}) on {when}",
                )
            )
    return found
