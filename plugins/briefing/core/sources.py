"""The one source model, and reading it from a story's ``sources`` front matter.

``sources`` is a mapping from key to fields, or key → URL as a shorthand::

    sources:
      cnbc:
        url: https://www.cnbc.com/2026/11/26/story.html   # required
        outlet: CNBC
        title: Markets close higher
        published: 2026-11-26
        archived: https://web.archive.org/web/20261126/https://www.cnbc.com/…
        dead: 2027-03-01           # gone since (``briefing sources archive --write``)
        note: paywalled
      meta: https://about.fb.com/news/2026/11/post/

A list of mappings, each with an ``id``, is accepted too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import Sink
from .frontmatter import Header
from .metadata import DateError, parse_date, report_not_text
from .urls import host_of, url_problem

FIELDS = ("url", "outlet", "title", "published", "archived", "dead", "note", "unverified")
KEY_PATTERN = r"[A-Za-z0-9_][A-Za-z0-9_.:-]*"
_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True)
class Source:
    """One source of one story.  Module-level and frozen, so it pickles for Pelican's cache."""

    key: str
    url: str
    host: str
    outlet: str | None = None
    title: str | None = None
    published: dt.date | dt.datetime | None = None
    archived: str | None = None
    #: the day the source's page was first seen gone: readers are sent to ``archived``
    dead: dt.date | None = None
    note: str | None = None
    unverified: bool = False  # a placeholder URL (from `briefing import`) still to be replaced
    # where the source is in its file, for diagnostics; no page shows it, so it is left
    # out of equality and of ``repr`` (through which page digests see a story's sources)
    line: int = field(default=0, compare=False, repr=False)
    col: int = field(default=0, compare=False, repr=False)
    #: where its URL is written (``briefing sources check`` points there)
    url_at: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    @property
    def outlet_name(self) -> str:
        """What to call the outlet: its name, else its host."""
        return self.outlet or self.host

    @property
    def published_iso(self) -> str | None:
        return self.published.isoformat() if self.published else None

    @property
    def dead_text(self) -> str | None:
        return _day_text(self.dead)

    @property
    def archived_date(self) -> dt.date | None:
        """The day of the archived copy, read from its address (the Wayback Machine's
        ``/web/YYYYMMDD…/``, archive.today's ``/YYYY.MM.DD-…/``), if it says."""
        m = _ARCHIVE_DATE.search(self.archived or "")
        if m is None:
            return None
        try:
            return dt.date(*(int(part) for part in m.groups() if part is not None))
        except ValueError:
            return None

    @property
    def link(self) -> str:
        """Where readers are sent: the archived copy of a dead source, else the source."""
        return self.archived if self.dead and self.archived else self.url

    @property
    def robust_link(self) -> dict[str, str]:
        """The Robust Links attributes of a link to this source, when it has an archived
        copy (https://robustlinks.mementoweb.org/spec/): the original, the copy, and the
        copy's day."""
        if not self.archived:
            return {}
        found = {"data-originalurl": self.url, "data-versionurl": self.archived}
        if self.archived_date:
            found["data-versiondate"] = self.archived_date.isoformat()
        return found

    @property
    def published_text(self) -> str | None:
        """``26 November 2026`` (the day without a leading zero, on every platform)."""
        return _day_text(self.published)


_ARCHIVE_DATE = re.compile(r"/web/(\d{4})(\d{2})(\d{2})\d*[a-z_]*/|/(\d{4})\.(\d{2})\.(\d{2})-")


def _day_text(day: dt.date | dt.datetime | None) -> str | None:
    """``26 November 2026`` (the day without a leading zero, on every platform)."""
    if not day:
        return None
    return f"{day.day} {day.strftime('%B %Y')}"


def parse_sources(
    value: Any, header: Header, sink: Sink, *, story_date: dt.datetime | None = None
) -> tuple[list[Source], set[str]]:
    """Read the ``sources`` field into Sources, reporting every problem at its position.

    Also returns the keys of sources too broken to link, so citations of them are not
    reported a second time.
    """
    if value is None:
        return [], set()
    entries: list[tuple[str, Any, tuple[Any, ...]]] = []
    if isinstance(value, dict):
        entries = [(str(k), v, ("sources", k)) for k, v in value.items()]
    elif isinstance(value, list):
        for i, item in enumerate(value):
            path = ("sources", i)
            if not isinstance(item, dict) or item.get("id") in (None, ""):
                sink.error(
                    *header.where(path),
                    "source-invalid",
                    "each source in a list needs an 'id' and a 'url'",
                )
                continue
            fields = {k: v for k, v in item.items() if k != "id"}
            entries.append((str(item["id"]), fields, path))
    else:
        sink.error(
            *header.where(("sources",)),
            "source-invalid",
            "'sources' must be a mapping of key: source (or a list of sources with 'id')",
        )
        return [], set()

    sources: list[Source] = []
    broken: set[str] = set()
    seen_keys: set[str] = set()
    seen_urls: dict[str, str] = {}
    for key, fields, path in entries:
        line, col = header.key_pos.get(path) or header.where(path)
        if not _KEY.fullmatch(key):
            sink.error(
                line,
                col,
                "source-invalid",
                f"source key '{key}' may hold only letters, digits and _ . : -",
            )
            continue
        if key in seen_keys:  # only possible in the list form; YAML refuses duplicate keys
            sink.error(line, col, "source-invalid", f"two sources have the id '{key}'")
            continue
        seen_keys.add(key)
        if isinstance(fields, str):
            fields = {"url": fields}
            field_path = {"url": path}
        elif isinstance(fields, dict):
            field_path = {name: (*path, name) for name in fields}
        else:
            sink.error(
                line,
                col,
                "source-invalid",
                f"source '{key}' must be a URL or a mapping with a 'url'",
            )
            continue
        source = _source(key, fields, field_path, (line, col), header, sink, story_date)
        if source is None:
            broken.add(key)
            continue
        if source.url in seen_urls and not source.unverified:  # placeholders may repeat
            sink.warning(
                line,
                col,
                "source-duplicate-url",
                f"source '{key}' has the same URL as '{seen_urls[source.url]}'",
            )
        seen_urls.setdefault(source.url, key)
        sources.append(source)
    return sources, broken


def _source(
    key: str,
    fields: dict[Any, Any],
    field_path: dict[Any, tuple[Any, ...]],
    at: tuple[int, int],
    header: Header,
    sink: Sink,
    story_date: dt.datetime | None,
) -> Source | None:
    def where(name: str) -> tuple[int, int]:
        return header.where(field_path[name]) if name in field_path else at

    values: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in FIELDS:
            key_at = header.key_pos.get(field_path.get(name, ())) or where(name)
            sink.warning(
                *key_at,
                "source-unknown-field",
                f"source '{key}' has an unknown field '{name}' (known: {', '.join(FIELDS)})",
            )
            continue
        if value is None:
            continue
        if name in ("published", "dead"):
            values[name] = _published(key, value, where(name), sink, name)
            if name == "dead" and isinstance(values[name], dt.datetime):
                values[name] = values[name].date()
            continue
        if name == "unverified":
            if not isinstance(value, bool):
                sink.error(
                    *where(name), "type", f"source '{key}': 'unverified' must be true or false"
                )
            elif value:
                values[name] = True
                sink.warning(
                    *where(name),
                    "source-unverified",
                    f"source '{key}' has a placeholder URL; replace it with the page "
                    "cited and remove 'unverified'",
                )
            continue
        if not isinstance(value, str):
            report_not_text(sink, header, field_path[name], f"source '{key}': '{name}'", value)
            continue
        value = value.strip()
        if name in ("url", "archived"):
            problem = url_problem(value)
            if problem:
                sink.error(
                    *where(name),
                    "source-url-invalid",
                    f"source '{key}': {name} {value!r} cannot be linked: {problem}",
                )
                continue
        values[name] = value or None
    if not values.get("url"):
        if fields.get("url") is None:
            sink.error(*at, "source-url-missing", f"source '{key}' has no 'url'")
        return None  # the error is reported; a bad field other than url is only dropped
    published = values.get("published")
    if published and story_date and _later(published, story_date):
        sink.warning(
            *where("published"),
            "source-after-story",
            f"source '{key}' was published ({published.isoformat()}) after the "
            f"story's date ({story_date.date().isoformat()})",
        )
    if values.get("dead") and not values.get("archived"):
        sink.warning(
            *where("dead"),
            "source-dead-unarchived",
            f"source '{key}' is dead (since {values['dead'].isoformat()}) and has no archived "
            "copy, so readers get a dead link; find one with `briefing sources archive "
            "--write`, or add archived:",
        )
    return Source(
        key=key,
        host=host_of(values["url"]),
        line=at[0],
        col=at[1],
        url_at=where("url"),
        **values,
    )


def _published(key: str, value: Any, at: tuple[int, int], sink: Sink, name: str) -> Any:
    if isinstance(value, str):
        try:
            date = parse_date(value)
        except DateError as exc:
            sink.error(*at, "date-invalid", f"source '{key}': '{name}': {exc}")
            return None
        # a bare date stays a date: "published on 26 November", not at midnight
        return date.date() if len(value.strip()) == 10 else date
    sink.error(
        *at,
        "date-invalid",
        f"source '{key}': '{name}' must be an ISO 8601 date such as 2026-11-26",
    )
    return None


def _later(published: dt.date | dt.datetime, story: dt.datetime) -> bool:
    if isinstance(published, dt.datetime) and published.tzinfo and story.tzinfo:
        return published > story
    day = published.date() if isinstance(published, dt.datetime) else published
    return day > story.date()
