"""Stand-ins for Pelican's stories where only their fields matter (the archive's shape,
the templates' helpers): a title, a date, topics and sources."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from briefing.core.sources import Source


def src(host: str, key: str = "s", outlet: str | None = None) -> Source:
    return Source(key=key, url=f"https://{host}/{key}", host=host, outlet=outlet)


def story(title, when, tags=(), sources=(), position=None) -> SimpleNamespace:
    return SimpleNamespace(
        title=title,
        date=dt.datetime(*when, tzinfo=dt.UTC),
        tags=list(tags),
        sources=list(sources),
        position=position,
        slug=title.lower(),
    )
