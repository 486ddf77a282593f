"""The build's "now": ``SOURCE_DATE_EPOCH`` when it is set, else the system clock.

It decides one thing, which stories are still in the future (``WITH_FUTURE_DATES =
False`` holds them back as drafts until they are due).  Setting ``SOURCE_DATE_EPOCH``
(seconds since 1970, as https://reproducible-builds.org/specs/source-date-epoch/ defines
it) makes two builds of the same content byte-identical whenever they run.
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
