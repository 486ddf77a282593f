"""The build's "now": ``SOURCE_DATE_EPOCH`` when it is set, else the system clock.

It decides one thing, which stories are still in the future (``WITH_FUTURE_DATES =
False`` holds them back as drafts until they are due).  Setting ``SOURCE_DATE_EPOCH``
(seconds since 1970, as https://reproducible-builds.org/specs/source-date-epoch/ defines
it) makes two builds of the same content byte-identical whenever they run.

Pelican has a check of its own, by the wall clock; a Briefing build turns it off
(``take_over_future_dates``, when the build starts) so that this clock is the only one.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os

logger = logging.getLogger(__name__)


def now() -> dt.datetime:
    """The build's current time, in UTC."""
    fixed = _epoch(os.environ.get("SOURCE_DATE_EPOCH", ""))
    return fixed if fixed is not None else dt.datetime.now(dt.UTC)


@functools.cache
def _epoch(value: str) -> dt.datetime | None:
    if not value.strip():
        return None
    try:
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        logger.error(
            "briefing: SOURCE_DATE_EPOCH must be a whole number of seconds since "
            "1970-01-01T00:00:00Z, not %r",
            value,
        )
        return None


# Where a Briefing build keeps the site's own WITH_FUTURE_DATES once it has turned
# Pelican's check off (Pelican's default is True: future stories are published).
_SITE_FUTURE_DATES = "_BRIEFING_WITH_FUTURE_DATES"


def take_over_future_dates(settings: dict) -> None:
    """Hold future stories back by this clock alone: Pelican's own check reads the wall
    clock, so with ``SOURCE_DATE_EPOCH`` set after a story's date it would still hold
    the story back."""
    settings.setdefault(_SITE_FUTURE_DATES, settings.get("WITH_FUTURE_DATES", True))
    settings["WITH_FUTURE_DATES"] = True


def holds_future(settings: dict) -> bool:
    """Whether the site holds stories dated after now back (``WITH_FUTURE_DATES = False``)."""
    return not settings.get(_SITE_FUTURE_DATES, settings.get("WITH_FUTURE_DATES", True))


def source() -> str:
    """What the build's clock reads, for messages."""
    return (
        "SOURCE_DATE_EPOCH"
        if _epoch(os.environ.get("SOURCE_DATE_EPOCH", ""))
        else "the system clock"
    )
