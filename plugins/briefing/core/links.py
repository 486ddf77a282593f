"""What a source link's answers mean: the classes of ``briefing sources check`` and the
rule that makes a source dead.

Pure: the fetching is in ``cli/linkcheck.py``, the record of checks in
``cli/linkstore.py``; this module only reads what they found.

Classes, as an editor needs them:

``ok``
    the page answers (a temporary redirect is followed and still ``ok``);
``moved``
    a permanent redirect (301, 308) to another page: the link works, the new address
    is reported so the story can be mended;
``gone``
    404 or 410, or a redirect to the site's front page or to a "not found" page (a soft
    404);
``blocked``
    401, 403, 429 after its retries, another 4xx, a bot wall: the checker was refused,
    which says nothing about readers — unknown, never dead;
``unreachable``
    no answer: DNS, a refused connection, a timeout, TLS, a 5xx, a redirect loop —
    transient until shown otherwise.

A URL is **dead** only when its newest settled checks (``blocked`` and ``unreachable``
are not settled: they are skipped) are a run of ``gone`` at least ``dead_after`` apart
from first to last: one network blip, or one bad hour of a site, never marks a source
dead.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

OK, MOVED, GONE, BLOCKED, UNREACHABLE = "ok", "moved", "gone", "blocked", "unreachable"
CLASSES = (OK, MOVED, GONE, BLOCKED, UNREACHABLE)
#: Classes that say something about the page itself, so a later check may rely on them.
SETTLED = (OK, MOVED, GONE)

PERMANENT = (301, 308)
REDIRECTS = (301, 302, 303, 307, 308)
#: A HEAD answered with one of these is asked again with GET (Wikimedia's checker does
#: the same for every error: some servers answer HEAD wrongly, few answer GET wrongly).
HEAD_REFUSED = range(400, 600)
#: Answers worth waiting for, when they say how long (``Retry-After``).
RETRY_LATER = (429, 503)

# Paths a site sends a missing page to: /404, /404.html, /not-found, /notfound,
# /page-not-found, /error/404, ?error=404 …
_NOT_FOUND_PATH = re.compile(
    r"(?:^|[/_.-])(?:404|410|not[-_]?found|page[-_]?not[-_]?found|error)(?:$|[/_.?=-])",
    re.I,
)


class NoAnswer(Exception):
    """A request that got no HTTP answer; the message says why, for an editor."""


@dataclass(frozen=True)
class Hop:
    """One answer on the way to a page: its status and, for a redirect, where to."""

    url: str
    status: int
    location: str | None = None


@dataclass(frozen=True)
class Check:
    """One check of one URL, as it is recorded."""

    url: str
    checked: dt.datetime  # UTC
    cls: str
    status: int | None = None  # the last answer's status; None when there was none
    final_url: str | None = None  # where the redirects ended
    detail: str = ""  # why, in words ("404", "timed out", "redirect to the front page")


def classify(url: str, hops: Sequence[Hop], *, headers: dict[str, str] | None = None) -> tuple:
    """The class, final URL and reason of a check that got answers (``hops``, in order,
    the last one not a redirect).  ``headers`` are the last answer's, lower-cased."""
    last = hops[-1]
    final = last.url
    headers = headers or {}
    status = last.status
    if status in (404, 410):
        return GONE, final, str(status)
    if status in (401, 403, 407, 429, 451, 999) or _bot_wall(status, headers):
        return BLOCKED, final, _blocked_detail(status, headers)
    if 500 <= status < 600:
        return UNREACHABLE, final, f"server error {status}"
    if 400 <= status < 500:
        return BLOCKED, final, f"refused with {status}"
    if status in REDIRECTS:  # the engine follows redirects: this one led nowhere
        return UNREACHABLE, final, f"a {status} redirect with no usable Location"
    if not 200 <= status < 300:
        return UNREACHABLE, final, f"unexpected status {status}"
    redirects = hops[:-1]
    if not redirects:
        return OK, final, str(status)
    if _soft_404(url, final):
        return GONE, final, f"redirected to {final} (a soft 404)"
    if redirects[0].status in PERMANENT and _same_page(url, final) is False:
        return MOVED, final, f"moved permanently to {final}"
    return OK, final, f"{status} after a redirect"


def _bot_wall(status: int, headers: dict[str, str]) -> bool:
    """A challenge page in place of the page (Cloudflare's, AWS WAF's)."""
    if headers.get("cf-mitigated") == "challenge":
        return True
    return status == 202 and "x-amzn-waf-action" in headers


def _blocked_detail(status: int, headers: dict[str, str]) -> str:
    if _bot_wall(status, headers):
        return f"a bot wall ({status})"
    return {
        401: "401: needs a login",
        403: "403: refused (often a bot wall; readers may still see it)",
        429: "429: too many requests, still after waiting",
        451: "451: unavailable for legal reasons",
    }.get(status, f"refused with {status}")


def _soft_404(url: str, final: str) -> bool:
    """A redirect to a front page (from a page that was not one), or to a path that says
    "not found"."""
    start, end = urlsplit(url), urlsplit(final)
    if end.path in ("", "/") and not end.query and start.path not in ("", "/"):
        return True
    return bool(_NOT_FOUND_PATH.search(end.path) or _NOT_FOUND_PATH.search(end.query))


def _same_page(url: str, final: str) -> bool:
    """Whether two addresses name one page (only the scheme, ``www.`` or a trailing
    slash differ): not worth an editor's time."""

    def norm(u: str) -> tuple:
        p = urlsplit(u)
        host = (p.hostname or "").removeprefix("www.")
        return host, p.path.rstrip("/") or "/", p.query

    return norm(url) == norm(final)


def failed(url: str, reason: str) -> tuple:
    """The class of a check that got no answer."""
    return UNREACHABLE, None, reason


def retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait, from a ``Retry-After`` header (seconds, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def dead_since(checks: Sequence[Check], dead_after: dt.timedelta) -> dt.datetime | None:
    """When the URL was first seen gone, if it is dead by these checks (oldest first):
    its newest settled checks are ``gone`` and span at least ``dead_after``."""
    run = _gone_run(checks)
    if len(run) >= 2 and run[-1].checked - run[0].checked >= dead_after:
        return run[0].checked
    return None


def _gone_run(checks: Sequence[Check]) -> list[Check]:
    run: list[Check] = []
    for c in reversed(checks):
        if c.cls not in SETTLED:
            continue
        if c.cls != GONE:
            break
        run.append(c)
    run.reverse()
    return run


def due(
    checks: Sequence[Check], now: dt.datetime, max_age: dt.timedelta, dead_after: dt.timedelta
) -> bool:
    """Whether the URL must be fetched now, given its checks (oldest first).

    A settled check younger than ``max_age`` stands, except a ``gone`` not yet confirmed
    dead, which is asked again once ``dead_after`` has passed so the second sighting can
    come.  ``blocked`` and ``unreachable`` never stand.
    """
    latest = checks[-1] if checks else None
    if latest is None or latest.cls not in SETTLED:
        return True
    age = now - latest.checked
    if age >= max_age or age < dt.timedelta(0):
        return True
    if latest.cls == GONE and dead_since(checks, dead_after) is None:
        return now - _gone_run(checks)[0].checked >= dead_after
    return False


def verdict(checks: Sequence[Check], dead_after: dt.timedelta) -> str:
    """What to say about a URL now: ``dead``, or the class of its newest check (a
    ``gone`` seen once stays ``gone``, not dead, until the second sighting)."""
    if not checks:
        return "unchecked"
    if dead_since(checks, dead_after) is not None:
        return "dead"
    return checks[-1].cls
