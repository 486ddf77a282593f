"""``briefing ping``: tell the site's WebSub hub (``BRIEFING_WEBSUB_HUB``) which feeds
changed, so feed readers subscribed through it get a new briefing at once instead of at
their next poll.  ``make publish`` runs it after the build.

Exactly the feeds whose bytes changed are named: the digest of each feed file as last
pinged is kept in ``CACHE_PATH/briefing-websub.json``, and a feed whose ping the hub did not
take stays changed, so the next run names it again.  Each ping is
``POST hub.mode=publish&hub.url=<feed>`` (form-encoded), asked again at most twice on no
answer, a 5xx or a 429; a hub that cannot be reached is a warning, never a failed publish.
The build itself never touches the network.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.links import NoAnswer
from ..core.settings import setting
from ..core.urls import url_problem

RECORD = "briefing-websub.json"
FEED_SUFFIXES = (".atom.xml", ".rss.xml", ".json")
ATTEMPTS, PAUSE = 3, 0.5


@dataclass
class Pinged:
    hub: str | None = None
    told: list[str] = field(default_factory=list)  # feed URLs the hub took
    failed: list[tuple[str, str]] = field(default_factory=list)  # (feed URL, why)
    unchanged: int = 0


class PingRefused(Exception):
    """Nothing can be pinged (the message says why): a usage error."""


def feed_files(output: str) -> dict[str, str]:
    """Every feed file of the site: its path under ``output`` → its digest."""
    found = {}
    for folder, dirs, names in os.walk(os.path.join(output, "feeds")):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(FEED_SUFFIXES):
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
                found[os.path.relpath(path, output).replace(os.sep, "/")] = digest
    return found


def ping(settings: dict, *, say: Callable[[str], None] = print) -> Pinged:
    hub = setting(settings, "BRIEFING_WEBSUB_HUB")
    if not hub:
        return Pinged()
    problem = url_problem(hub)
    if problem:
        raise PingRefused(f"BRIEFING_WEBSUB_HUB {hub!r} cannot be used: {problem}")
    siteurl = (settings.get("SITEURL") or "").rstrip("/")
    if not siteurl.startswith(("http://", "https://")):
        raise PingRefused(
            f"the feeds need an absolute SITEURL to be named to a hub, not {siteurl!r}: "
            "ping with the production settings (-s publishconf.py)"
        )
    output = settings.get("OUTPUT_PATH") or "output"
    if not os.path.isdir(os.path.join(output, "feeds")):
        raise PingRefused(f"no feeds in {output}/: run make publish first")
    record_path = os.path.join(settings.get("CACHE_PATH") or "cache", RECORD)
    record = _load(record_path)
    files = feed_files(output)
    changed = [path for path, digest in files.items() if record.get(path) != digest]
    result = Pinged(hub=hub, unchanged=len(files) - len(changed))
    if changed:
        took = asyncio.run(_tell(hub, [(p, f"{siteurl}/{p}") for p in changed], result))
        for path in took:
            record[path] = files[path]
        for url, why in result.failed:
            say(f"briefing: warning: the hub {hub} did not take the ping for {url}: {why}")
    # feeds no longer in the site are forgotten
    record = {p: d for p, d in record.items() if p in files}
    _save(record_path, record)
    return result


async def _tell(hub: str, feeds: list[tuple[str, str]], result: Pinged) -> list[str]:
    from .linkcheck import Fetcher

    took: list[str] = []
    async with Fetcher(per_host=2, concurrency=4, timeout=10.0, max_bytes=4096) as fetcher:

        async def one(path: str, url: str) -> None:
            why = ""
            for attempt in range(ATTEMPTS):
                if attempt:
                    await asyncio.sleep(PAUSE * attempt)
                try:
                    status, _, _ = await fetcher.request(
                        "POST", hub, data={"hub.mode": "publish", "hub.url": url}
                    )
                except NoAnswer as exc:
                    why = str(exc)
                    continue
                if 200 <= status < 300:
                    took.append(path)
                    result.told.append(url)
                    return
                why = f"it answered {status}"
                if status != 429 and status < 500:
                    break  # refused: asking again would be refused again
            result.failed.append((url, why))

        await asyncio.gather(*(one(p, u) for p, u in feeds))
    result.told.sort()
    return took


def _load(path: str) -> dict[str, str]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(path: str, record: dict[str, str]) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(record, f, indent=1, sort_keys=True)
    os.replace(tmp, path)
