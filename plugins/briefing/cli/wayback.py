"""The Internet Archive's Wayback Machine, asked politely: its availability API for an
existing copy, and Save Page Now (SPN2) to make one.

* availability (``BRIEFING_WAYBACK_API``): ``GET ?url=…&timestamp=YYYYMMDD`` answers the
  snapshot closest to that day as
  ``{"archived_snapshots": {"closest": {"status": "200", "url": …, "timestamp": …}}}``.
  Only a snapshot whose status is 200 is a copy (a captured 404 is not).  The API is
  known to answer ``{"archived_snapshots": {}}`` now and then for pages it holds, and
  429 when busy: both are asked again after a pause, and if still so the answer is
  *unknown* — never recorded as "no copy".
* Save Page Now (``BRIEFING_WAYBACK_SAVE_API``): ``POST url=…`` answers a job id; the job
  is polled at ``…/status/<job>`` until it is done, then the copy is fetched to confirm
  it exists.  Captures go one at a time, at most ``BRIEFING_WAYBACK_SAVES_PER_MINUTE``
  (the archive's published limit for anonymous users is 15 a minute); with the keys of
  an archive.org account in ``BRIEFING_WAYBACK_ACCESS_KEY`` and
  ``BRIEFING_WAYBACK_SECRET_KEY`` the requests are made as that account.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..core.links import OK, NoAnswer, retry_after
from ..core.urls import url_problem

if TYPE_CHECKING:  # the client itself is imported only when there is something to ask
    from .linkcheck import Fetcher

FOUND, NONE, UNKNOWN = "found", "none", "unknown"
#: How often an empty or busy answer is asked again within one run, and the pause
#: before each (unless the archive says how long with Retry-After).
RETRIES, PAUSE = 2, 1.0
#: How long a capture may take before it is given up (the archive's own jobs take up
#: to a few minutes).
SAVE_DEADLINE = 300.0


@dataclass(frozen=True)
class Lookup:
    outcome: str  # FOUND, NONE (the archive has no good copy) or UNKNOWN (ask later)
    copy: str | None = None
    detail: str = ""
    #: UNKNOWN because every answer was empty: the archive may have no copy, or may
    #: have failed to say; worth a capture (``--save``), not worth recording as "none"
    empty: bool = False


def _https(url: str) -> str:
    """The archive's own addresses over https (the API answers http:// ones)."""
    parts = urlsplit(url)
    if parts.scheme == "http" and (parts.hostname or "").endswith("archive.org"):
        return urlunsplit(("https", *parts[1:]))
    return url


async def closest(fetcher: Fetcher, api: str, url: str, day: dt.date | None) -> Lookup:
    """The archive's copy of ``url`` closest to ``day``, if it has a good one."""
    query = {"url": url}
    if day:
        query["timestamp"] = day.strftime("%Y%m%d")
    ask = f"{api}?{urlencode(query)}"
    detail, pause, empty = "", PAUSE, False
    for attempt in range(RETRIES + 1):
        if attempt:
            await asyncio.sleep(pause)
            pause, empty = PAUSE, False
        try:
            status, headers, body = await fetcher.request("GET", ask)
        except NoAnswer as exc:
            detail = f"the availability API did not answer: {exc}"
            continue
        if status == 429 or status >= 500:
            detail = f"the availability API answered {status}"
            wait = retry_after(headers.get("retry-after"), dt.datetime.now(dt.UTC))
            if wait is not None and wait <= fetcher.retry_cap:
                detail, pause = f"{detail} (retry after {wait:g} s)", wait
            continue
        if status != 200:
            return Lookup(UNKNOWN, detail=f"the availability API answered {status}")
        try:
            snapshot = (json.loads(body).get("archived_snapshots") or {}).get("closest")
        except (ValueError, AttributeError):
            return Lookup(UNKNOWN, detail="the availability API's answer is not JSON")
        if not snapshot:  # empty: known to happen for pages it holds; ask again
            detail, empty = "the availability API's answer was empty", True
            continue
        if str(snapshot.get("status")) != "200" or not snapshot.get("url"):
            return Lookup(NONE, detail=f"its closest copy is a {snapshot.get('status')}")
        copy = _https(str(snapshot["url"]))
        if url_problem(copy):  # it is written into a story: only a web address will do
            return Lookup(UNKNOWN, detail=f"the availability API answered {copy!r}")
        return Lookup(FOUND, copy, "an archived copy")
    return Lookup(UNKNOWN, detail=detail, empty=empty)


class Saver:
    """Save Page Now, one capture at a time, at the archive's pace."""

    def __init__(self, fetcher: Fetcher, api: str, per_minute: float) -> None:
        self.fetcher, self.api = fetcher, api.rstrip("/")
        self.gap = 60.0 / max(per_minute, 0.01)
        self.poll = min(5.0, self.gap)
        self.last = 0.0
        self.lock = asyncio.Lock()
        access = os.environ.get("BRIEFING_WAYBACK_ACCESS_KEY")  # in settings.ENVIRONMENT
        secret = os.environ.get("BRIEFING_WAYBACK_SECRET_KEY")
        self.headers = {"Accept": "application/json"}
        if access and secret:
            self.headers["Authorization"] = f"LOW {access}:{secret}"

    async def _paced(self) -> None:
        wait = self.last + self.gap - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        self.last = time.monotonic()

    async def save(self, url: str) -> Lookup:
        async with self.lock:
            return await self._save(url)

    async def _save(self, url: str) -> Lookup:
        job = None
        for _ in range(RETRIES + 1):
            await self._paced()
            try:
                status, headers, body = await self.fetcher.request(
                    "POST", self.api, data={"url": url}, headers=self.headers
                )
            except NoAnswer as exc:
                return Lookup(UNKNOWN, detail=f"Save Page Now did not answer: {exc}")
            if status == 429:
                wait = retry_after(headers.get("retry-after"), dt.datetime.now(dt.UTC))
                await asyncio.sleep(min(wait if wait is not None else self.gap, 60.0))
                continue
            if status != 200:
                return Lookup(UNKNOWN, detail=f"Save Page Now answered {status}")
            try:
                job = json.loads(body).get("job_id")
            except (ValueError, AttributeError):
                job = None
            break
        if not job:
            return Lookup(UNKNOWN, detail="Save Page Now gave no job to follow")
        deadline = time.monotonic() + SAVE_DEADLINE
        while time.monotonic() < deadline:
            await asyncio.sleep(self.poll)
            try:
                status, _, body = await self.fetcher.request(
                    "GET", f"{self.api}/status/{job}", headers=self.headers
                )
                state = json.loads(body) if status == 200 else {}
            except (NoAnswer, ValueError):
                continue
            if state.get("status") == "pending":
                continue
            if state.get("status") != "success" or not state.get("timestamp"):
                why = state.get("message") or state.get("status_ext") or state.get("status")
                return Lookup(NONE, detail=f"the capture failed: {why}")
            parts = urlsplit(self.api)
            copy = f"{parts.scheme}://{parts.netloc}/web/{state['timestamp']}/{url}"
            if url_problem(copy):
                return Lookup(UNKNOWN, detail="Save Page Now answered a bad timestamp")
            check = await self.fetcher.check(copy)  # is it there?
            if check.cls != OK:
                return Lookup(UNKNOWN, detail=f"the new copy does not open ({check.detail})")
            return Lookup(FOUND, copy, "a new copy, captured now")
        return Lookup(UNKNOWN, detail=f"the capture took over {SAVE_DEADLINE:g} s")
