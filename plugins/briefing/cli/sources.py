"""``briefing sources check`` and ``briefing sources archive``: the stories' source links
checked against the web, and archived copies found, made and written into the stories.

The build never does any of this: it reads ``archived:`` and ``dead:`` from front matter
only, so builds stay reproducible and need no network.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..core import clock
from ..core.diagnostics import Diagnostic, Severity, display_path
from ..core.links import (
    BLOCKED,
    CLASSES,
    GONE,
    MOVED,
    OK,
    UNREACHABLE,
    Check,
    dead_since,
    due,
    verdict,
)
from ..core.settings import setting
from ..core.sourceedit import EditRefused, add_fields
from ..core.sources import Source
from ..core.story import Options, StoryReader
from ..files import cachefile
from ..files.replace import replace_file
from .linkstore import Store, StoreError
from .wayback import FOUND, NONE, Lookup

DEAD = "dead"


@dataclass(frozen=True)
class Cited:
    """One source of one story, and where it is."""

    file: str  # as given (to read and write)
    path: str  # as shown
    digest: str  # of the file's bytes when it was read
    day: dt.date | None  # the story's date
    source: Source

    @property
    def handled(self) -> bool:
        """Marked dead with a copy to send readers to: nothing left to check."""
        return bool(self.source.dead and self.source.archived)


def read(files: Iterable[str], settings: dict) -> tuple[list[Cited], list[Diagnostic]]:
    """Every source of the stories, and the errors that kept a story from being read.

    Only the front matter is read.  With the speed layer on (``BRIEFING_FAST`` and
    ``BRIEFING_READ_CACHE``), what was read is kept in the cache folder by the file's
    digest, so a repeat run reads no YAML for a story that did not change."""
    reader = StoryReader(Options.from_settings(settings))
    cache = _ReadCache(settings, reader.options)
    cited, errors = [], []
    for file in files:
        data = reader.bytes_of(file)
        digest = hashlib.sha256(data).hexdigest()
        shown = display_path(file)
        found = cache.get(digest, shown)
        if found is None:
            story = reader.read_bytes(data, shown, sources_only=True)
            date = story.metadata.get("date")
            found = (
                date.date() if isinstance(date, dt.datetime) else None,
                tuple(story.metadata.get("sources") or ()),
                tuple(d for d in story.diagnostics if d.severity is Severity.ERROR),
            )
            cache.put(digest, shown, found)
        day, sources, problems = found
        errors += problems
        for source in sources:
            if not source.unverified:  # a placeholder is not worth a request
                cited.append(Cited(file, shown, digest, day, source))
    cache.save()
    return cited, errors


class _ReadCache:
    """Stories' sources by file digest, in ``CACHE_PATH`` (speed only: switched off with
    the speed layer, and a missing or damaged file is as good as none)."""

    NAME = "briefing-sources.pickle"

    def __init__(self, settings: dict, options: Options) -> None:
        on = bool(settings) and setting(settings, "BRIEFING_FAST")
        on = on and setting(settings, "BRIEFING_READ_CACHE")
        self.path = os.path.join(settings.get("CACHE_PATH") or "cache", self.NAME) if on else None
        self.key = _reading_key(options) if on else ""
        kept = cachefile.load(self.path)
        ok = isinstance(kept, tuple) and len(kept) == 2 and kept[0] == self.key
        self.old: dict = kept[1] if ok else {}
        self.new: dict = {}

    def get(self, digest: str, shown: str):
        hit = self.old.get((digest, shown))
        if hit is not None:
            self.new[(digest, shown)] = hit
        return hit

    def put(self, digest: str, shown: str, found) -> None:
        self.new[(digest, shown)] = found

    def save(self) -> None:
        if self.path and self.new.keys() != self.old.keys():
            cachefile.save(self.path, (self.key, self.new), "the sources' reading cache")


def _reading_key(options: Options) -> str:
    """What a story's sources depend on besides its bytes: the reading code and options."""
    h = hashlib.sha256(repr(options).encode())
    core = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "core")
    for folder, dirs, names in os.walk(core):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(n for n in names if n.endswith(".py")):
            with open(os.path.join(folder, name), "rb") as f:
                h.update(name.encode() + f.read())
    return h.hexdigest()


def _store(settings: dict) -> Store:
    return Store(setting(settings, "BRIEFING_LINKS_DB"))


def _fetcher(settings: dict):
    # the HTTP client is imported only when there is something to ask (a repeat run
    # within --max-age asks nothing, and starts faster without it)
    from .linkcheck import Fetcher, user_agent

    return Fetcher(
        per_host=setting(settings, "BRIEFING_LINKS_PER_HOST"),
        concurrency=setting(settings, "BRIEFING_LINKS_CONCURRENCY"),
        timeout=float(setting(settings, "BRIEFING_LINKS_TIMEOUT")),
        agent=user_agent(settings.get("SITEURL") or ""),
    )


class _Bar:
    """A progress bar on a terminal (``rich``, which Pelican installs); quiet otherwise."""

    def __init__(self, total: int, what: str) -> None:
        self.progress = None
        if total and sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
            from rich.console import Console
            from rich.progress import Progress

            self.progress = Progress(console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task(what, total=total)

    def step(self) -> None:
        if self.progress is not None:
            self.progress.advance(self.task)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


# -- sources check ---------------------------------------------------------------------------


@dataclass
class CheckResult:
    cited: list[Cited]
    errors: list[Diagnostic]
    history: dict[str, list[Check]]
    fetched: int
    diagnostics: list[Diagnostic]
    verdicts: dict[str, str]  # url -> dead / ok / moved / gone / blocked / unreachable

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(self.verdicts.values())
        return {name: found.get(name, 0) for name in (*CLASSES, DEAD)}

    @property
    def dead(self) -> int:
        return self.counts[DEAD]


def check(files: list[str], settings: dict, *, max_age: float) -> CheckResult:
    """Check the sources of ``files``: fetch what is due, record it, judge every URL."""
    cited, errors = read(files, settings)
    urls = list(dict.fromkeys(c.source.url for c in cited if not c.handled))
    dead_after = dt.timedelta(hours=float(setting(settings, "BRIEFING_LINK_DEAD_AFTER")))
    store = _store(settings)
    try:
        history = store.checks(urls)
        now = clock.now()
        todo = [u for u in urls if due(history[u], now, dt.timedelta(hours=max_age), dead_after)]
        for found in _fetch(todo, settings, store):
            history[found.url].append(found)
    finally:
        store.close()
    verdicts = {u: verdict(history[u], dead_after) for u in urls}
    diagnostics = []
    for c in cited:
        if not c.handled:
            d = _diagnostic(c, history[c.source.url], verdicts[c.source.url], dead_after)
            if d is not None:
                diagnostics.append(d)
    return CheckResult(cited, errors, history, len(todo), diagnostics, verdicts)


def _fetch(urls: list[str], settings: dict, store: Store) -> list[Check]:
    """Fetch ``urls`` at once within the limits, recording the checks as they come."""
    bar = _Bar(len(urls), "checking sources")
    found: list[Check] = []
    pending: list[Check] = []

    async def run() -> None:
        async with _fetcher(settings) as fetcher:

            async def one(url: str) -> None:
                result = await fetcher.check(url)
                found.append(result)
                pending.append(result)
                if len(pending) >= 200:  # kept as it goes: an interrupted run loses little
                    store.add(pending)
                    pending.clear()
                bar.step()

            await asyncio.gather(*(one(u) for u in urls))

    try:
        if urls:
            asyncio.run(run())
    finally:
        store.add(pending)
        bar.close()
    return found


def _diagnostic(
    c: Cited, checks: list[Check], said: str, dead_after: dt.timedelta
) -> Diagnostic | None:
    s = c.source
    latest = checks[-1] if checks else None
    line, col = s.url_at if s.url_at[0] else (s.line, s.col)

    def found(severity: Severity, code: str, message: str) -> Diagnostic:
        return Diagnostic(c.path, line, col, severity, code, message)

    if latest is None:
        return None
    if said == DEAD:
        since = dead_since(checks, dead_after)
        assert since is not None
        mend = (
            "readers are sent to its archived copy once it is marked dead: run "
            "`briefing sources archive --write`"
            if s.archived
            else "find an archived copy and mark it: `briefing sources archive --write`"
        )
        return found(
            Severity.WARNING,
            "source-dead",
            f"source '{s.key}' ({s.url}) is dead: {latest.detail} on every check since "
            f"{since.date().isoformat()}; {mend}",
        )
    if said == GONE:
        return found(
            Severity.INFO,
            "source-gone",
            f"source '{s.key}' ({s.url}) was not found ({latest.detail}) on "
            f"{latest.checked.date().isoformat()}; it counts as dead if it is still gone "
            f"{dead_after.total_seconds() / 3600:g} hours later",
        )
    if said == MOVED:
        return found(
            Severity.INFO,
            "source-moved",
            f"source '{s.key}' ({s.url}) moved permanently to {latest.final_url}; "
            "consider citing the new address",
        )
    if said == BLOCKED:
        return found(
            Severity.INFO,
            "source-blocked",
            f"source '{s.key}' ({s.url}) refused the check: {latest.detail}; not counted as dead",
        )
    if said == UNREACHABLE:
        return found(
            Severity.INFO,
            "source-unreachable",
            f"source '{s.key}' ({s.url}) did not answer: {latest.detail}; asked again next run",
        )
    return None


def summary(result: CheckResult) -> str:
    counts = result.counts
    parts = ", ".join(
        f"{counts[name]} {name}" for name in (OK, MOVED, GONE, DEAD, BLOCKED, UNREACHABLE)
    )
    handled = sum(1 for c in result.cited if c.handled)
    extra = f"; {handled} marked dead and archived, not checked" if handled else ""
    return (
        f"{len(result.verdicts)} source URLs ({result.fetched} fetched, "
        f"{len(result.verdicts) - result.fetched} from the record): {parts}{extra}"
    )


def as_json(result: CheckResult) -> dict:
    urls = []
    for url, said in result.verdicts.items():
        checks = result.history[url]
        latest = checks[-1] if checks else None
        urls.append(
            {
                "url": url,
                "verdict": said,
                "class": latest.cls if latest else None,
                "status": latest.status if latest else None,
                "final_url": latest.final_url if latest else None,
                "detail": latest.detail if latest else "",
                "checked": latest.checked.isoformat() if latest else None,
                "checks": len(checks),
            }
        )
    return {
        "sources": len(result.cited),
        "urls": len(result.verdicts),
        "fetched": result.fetched,
        "counts": result.counts,
        "errors": len(result.errors),
        "diagnostics": [
            d.as_dict() for d in sorted(result.errors + result.diagnostics, key=_order)
        ],
        "results": urls,
    }


def _order(d: Diagnostic) -> tuple:
    return (d.path, d.line, d.col)


# -- sources archive ---------------------------------------------------------------------------


@dataclass
class Edit:
    cited: Cited
    fields: list[tuple[str, str]]

    def line(self) -> str:
        s = self.cited.source
        added = ", ".join(f"{k}: {v}" for k, v in self.fields)
        return f"{self.cited.path}:{s.line}:{s.col}: source '{s.key}': add {added}"


@dataclass
class ArchiveResult:
    edits: list[Edit]
    missing: list[tuple[Cited, Lookup]]  # sources still without a copy, and why
    written: list[str]
    refused: list[str]
    errors: list[Diagnostic]


def archive(
    files: list[str], settings: dict, *, write: bool, save: bool, say: Callable[[str], None]
) -> ArchiveResult:
    cited, errors = read(files, settings)
    dead_after = dt.timedelta(hours=float(setting(settings, "BRIEFING_LINK_DEAD_AFTER")))
    store = _store(settings)
    try:
        history = store.checks(c.source.url for c in cited)
        known = store.archived(c.source.url for c in cited)
        wanted = list(dict.fromkeys(c.source.url for c in cited if not c.source.archived))
        to_ask = [u for u in wanted if u not in known]
        day = {}
        for c in cited:
            day.setdefault(c.source.url, _day(c.source.published) or c.day)
        dead = {u: dead_since(history[u], dead_after) for u in history}
        lookups = _look_up(to_ask, day, dead, settings, save, store)
    finally:
        store.close()
    edits, missing = [], []
    for c in cited:
        fields: list[tuple[str, str]] = []
        copy = known.get(c.source.url) or lookups.get(c.source.url, Lookup(NONE)).copy
        if not c.source.archived:
            if copy:
                fields.append(("archived", copy))
            else:
                missing.append((c, lookups.get(c.source.url, Lookup(NONE, detail="no copy"))))
        since = dead.get(c.source.url)
        if since is not None and not c.source.dead:
            fields.append(("dead", since.date().isoformat()))
        if fields:
            edits.append(Edit(c, fields))
    written, refused = [], []
    if write:
        written, refused = _write(edits, say)
    return ArchiveResult(edits, missing, written, refused, errors)


def _day(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _look_up(
    urls: list[str],
    day: dict[str, dt.date | None],
    dead: dict[str, dt.datetime | None],
    settings: dict,
    save: bool,
    store: Store,
) -> dict[str, Lookup]:
    api = setting(settings, "BRIEFING_WAYBACK_API")
    save_api = setting(settings, "BRIEFING_WAYBACK_SAVE_API")
    per_minute = float(setting(settings, "BRIEFING_WAYBACK_SAVES_PER_MINUTE"))
    found: dict[str, Lookup] = {}
    bar = _Bar(len(urls), "looking for archived copies")

    async def run() -> None:
        from .wayback import Saver, closest

        async with _fetcher(settings) as fetcher:
            saver = Saver(fetcher, save_api, per_minute)

            async def one(url: str) -> None:
                result = await closest(fetcher, api, url, day.get(url))
                # a dead page is not worth capturing: the capture would be of its 404
                no_copy = result.outcome == NONE or result.empty
                if no_copy and save and dead.get(url) is None:
                    result = await saver.save(url)
                    how = "saved"
                else:
                    how = "found"
                if result.outcome == FOUND and result.copy:
                    store.add_archived(url, result.copy, how, clock.now())
                found[url] = result
                bar.step()

            await asyncio.gather(*(one(u) for u in urls))

    try:
        if urls:
            asyncio.run(run())
    finally:
        bar.close()
    return found


def _write(edits: list[Edit], say: Callable[[str], None]) -> tuple[list[str], list[str]]:
    """Write the edits, a file at a time, each only if it is as it was read."""
    by_file: dict[str, list[Edit]] = {}
    for e in edits:
        by_file.setdefault(e.cited.file, []).append(e)
    written, refused = [], []
    for file, file_edits in by_file.items():
        shown = file_edits[0].cited.path
        try:
            with open(file, "rb") as f:
                data = f.read()
        except OSError as exc:
            refused.append(f"{shown}: not written: {exc}")
            continue
        if hashlib.sha256(data).hexdigest() != file_edits[0].cited.digest:
            refused.append(f"{shown}: not written: it changed since it was read; run again")
            continue
        new = data
        try:
            for e in file_edits:
                new = add_fields(new, e.cited.source.key, e.fields)
        except EditRefused as exc:
            refused.append(f"{shown}: not written: {exc}")
            continue
        replace_file(file, new)
        written.append(shown)
        say(
            f"{shown}: wrote "
            + "; ".join(
                f"{e.cited.source.key}: " + ", ".join(k for k, _ in e.fields) for e in file_edits
            )
        )
    return written, refused


__all__ = ["StoreError", "archive", "as_json", "check", "read", "summary"]
