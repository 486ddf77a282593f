"""The record of source checks and archive look-ups, in SQLite (``BRIEFING_LINKS_DB``).

Every check is kept — time, class, status, final URL, reason — so the two-sightings rule
(``core/links.dead_since``) can be read across runs, and an editor can ask the file
directly::

    sqlite3 cache/sources.sqlite "select * from checks where url like '%cnbc%'"

Times are UTC, ISO 8601 to the second, so they sort as text.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterable

from ..core.links import Check

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS checks (
    url TEXT NOT NULL,
    checked TEXT NOT NULL,
    class TEXT NOT NULL,
    status INTEGER,
    final_url TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS checks_by_url ON checks (url, checked);
CREATE TABLE IF NOT EXISTS archives (
    url TEXT PRIMARY KEY,
    looked TEXT NOT NULL,
    archived_url TEXT NOT NULL,
    how TEXT NOT NULL  -- 'found' (the availability API) or 'saved' (Save Page Now)
);
"""


class StoreError(Exception):
    """The database cannot be used (the message says which file and why)."""


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)  # "…Z" reads as UTC


class Store:
    def __init__(self, path: str) -> None:
        self.path = path
        try:
            if os.path.dirname(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30)
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{path} was written by a newer Briefing (schema {version}); "
                    "upgrade, or point BRIEFING_LINKS_DB elsewhere"
                )
            self.db.executescript(_SCHEMA)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.commit()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot use the link database {path}: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def checks(self, urls: Iterable[str]) -> dict[str, list[Check]]:
        """Every recorded check of these URLs, oldest first."""
        wanted = set(urls)
        found: dict[str, list[Check]] = {u: [] for u in wanted}
        rows = self.db.execute(
            "SELECT url, checked, class, status, final_url, detail FROM checks "
            "ORDER BY url, checked, rowid"
        )
        for url, checked, cls, status, final_url, detail in rows:
            if url in wanted:
                found[url].append(Check(url, _time(checked), cls, status, final_url, detail))
        return found

    def add(self, checks: Iterable[Check]) -> None:
        self.db.executemany(
            "INSERT INTO checks (url, checked, class, status, final_url, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(c.url, _iso(c.checked), c.cls, c.status, c.final_url, c.detail) for c in checks],
        )
        self.db.commit()

    def archived(self, urls: Iterable[str]) -> dict[str, str]:
        """The archived copies found before, by URL."""
        wanted = set(urls)
        rows = self.db.execute("SELECT url, archived_url FROM archives")
        return {url: copy for url, copy in rows if url in wanted}

    def add_archived(self, url: str, copy: str, how: str, when: dt.datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO archives (url, looked, archived_url, how) VALUES (?, ?, ?, ?)",
            (url, _iso(when), copy, how),
        )
        self.db.commit()
