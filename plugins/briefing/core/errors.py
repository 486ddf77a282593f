"""The one kind of failure a user is told about in one line, never with a traceback."""

from __future__ import annotations


class Failure(Exception):
    """A failure whose message says what went wrong and what was left as it was; the
    process exits with ``exitcode``."""

    exitcode = 1
