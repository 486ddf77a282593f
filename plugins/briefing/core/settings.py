"""Every ``BRIEFING_*`` setting, in one table: its default, the values it takes, and what
it means.  Code reads a setting through ``setting``; a build checks the site's settings
against the table as it starts (``problems``), so a misspelt name or a value of the wrong
type stops it instead of being silently ignored.  ``docs/settings.md`` lists the same
table, and a test keeps the two in step.
"""

from __future__ import annotations

import difflib
import uuid
from dataclasses import dataclass
from typing import Any

PREFIX = "BRIEFING_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    #: what the setting takes: "bool", "int" (a whole number >= ``least``), "number",
    #: "text", "uuid", or one of those and "or None"
    kind: str
    meaning: str
    least: int = 0
    #: the only values a "text" setting takes, if it names them
    choices: tuple[str, ...] = ()

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not one this setting takes, or None."""
        if self.choices and value not in self.choices:
            return f"{self.name} must be {self.expects}, not {value!r}"
        kind = self.kind
        if kind.endswith(" or None"):
            if value is None:
                return None
            kind = kind[: -len(" or None")]
        if kind == "bool":
            ok = isinstance(value, bool)
        elif kind == "int":
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= self.least
        elif kind == "number":
            ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        elif kind == "text":
            ok = isinstance(value, str) and bool(value.strip())
        elif kind == "uuid":
            ok = isinstance(value, str | uuid.UUID) and _is_uuid(value)
        else:  # pragma: no cover - the table's own kinds
            raise ValueError(kind)
        return None if ok else f"{self.name} must be {self.expects}, not {value!r}"

    @property
    def expects(self) -> str:
        if self.choices:
            return ", ".join(repr(c) for c in self.choices[:-1]) + f" or {self.choices[-1]!r}"
        kind, none = self.kind.removesuffix(" or None"), self.kind.endswith(" or None")
        said = {
            "bool": "True or False",
            "int": f"a whole number of at least {self.least}",
            "number": "a number of at least 0",
            "text": "a text",
            "uuid": 'a UUID such as "6f1c2a1e-7c53-4d0e-9a55-3b3c3f0e2b71"',
        }[kind]
        return f"{said}, or None" if none else said


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


_ALL = (
    # the site
    Setting("BRIEFING_ARCHIVE", None, "bool or None",
            "the day, month, year, archive, outlet and search pages (None: on when the theme "
            "has day.html)"),
    Setting("BRIEFING_FEEDS", False, "bool",
            "write the Atom, RSS and JSON feeds (they need an absolute SITEURL)"),
    Setting("BRIEFING_FEED_MAX_ITEMS", 50, "int", "entries in each feed", least=1),
    Setting("BRIEFING_FEED_ID_NAMESPACE", None, "uuid or None",
            "the namespace feed entry ids are named in: set once per site, never change it "
            "(None: one made from SITENAME)"),
    Setting("BRIEFING_JSON_FEED_ABOUT", None, "text or None",
            "an about URL for the JSON feeds' _briefing extension"),
    Setting("BRIEFING_WEBSUB_HUB", None, "text or None",
            "a WebSub hub every feed names; `briefing ping` (make publish) tells it which "
            "feeds changed"),
    Setting("BRIEFING_SEARCH", True, "bool", "build the Pagefind search index"),
    Setting("BRIEFING_STABLE_PAGES", True, "bool",
            "paginate lists from their oldest end: /page/N/ always holds the same stories, "
            "the front page the newest (docs/site.md); False: Pelican's pagination"),
    Setting("BRIEFING_MARKDOWN_HTML", False, "bool",
            "let stories hold raw HTML (else it is shown as text)"),
    # drafts and publishing
    Setting("BRIEFING_PREVIEW_DRAFTS", False, "bool",
            "write drafts and stories not yet due, under drafts/ (a development build only)"),
    Setting("BRIEFING_PRODUCTION", False, "bool",
            "a production build (publishconf.py): refuses BRIEFING_PREVIEW_DRAFTS"),
    Setting("BRIEFING_STRICT", False, "bool",
            "fail the build on any warning, Briefing's or Pelican's (as --fatal warnings)"),
    Setting("BRIEFING_LOCK_TIMEOUT", 600, "number",
            "seconds a build waits for another to finish publishing (0: fail at once)"),
    # what one story may cost
    Setting("BRIEFING_MAX_STORY_BYTES", 512 * 1024, "int", "the largest story file, in bytes",
            least=1),
    Setting("BRIEFING_MAX_FRONT_MATTER", 256_000, "int",
            "the largest front matter, in characters", least=1),
    Setting("BRIEFING_MAX_STORY_SECONDS", 5.0, "number",
            "the CPU time reading one story may take (0: no bound)"),
    Setting("BRIEFING_MAX_STORY_MEMORY", 256 * 1024 * 1024, "int",
            "the memory reading one story may take, in bytes (0: no bound)"),
    Setting("BRIEFING_MAX_NESTING", 40, "int",
            "how deep block quotes and lists may nest", least=1),
    # keeping sources alive (``briefing sources``)
    Setting("BRIEFING_LINKS_PER_HOST", 2, "int",
            "requests at once to one host when checking sources", least=1),
    Setting("BRIEFING_LINKS_CONCURRENCY", 32, "int",
            "requests at once in all when checking sources", least=1),
    Setting("BRIEFING_LINKS_TIMEOUT", 10.0, "number",
            "seconds a source's server may take to answer one request"),
    Setting("BRIEFING_LINKS_DB", "cache/sources.sqlite", "text",
            "the SQLite file that keeps every check of every source"),
    Setting("BRIEFING_LINK_DEAD_AFTER", 24.0, "number",
            "hours between two checks that both found a page gone, before it counts as dead"),
    Setting("BRIEFING_WAYBACK_API", "https://archive.org/wayback/available", "text",
            "the Wayback Machine's availability API"),
    Setting("BRIEFING_WAYBACK_SAVE_API", "https://web.archive.org/save", "text",
            "the Wayback Machine's Save Page Now (account keys, if any, come from the "
            "environment: BRIEFING_WAYBACK_ACCESS_KEY, BRIEFING_WAYBACK_SECRET_KEY)"),
    Setting("BRIEFING_WAYBACK_SAVES_PER_MINUTE", 12.0, "number",
            "captures asked of Save Page Now a minute, at most (its limit is 15)"),
    Setting("BRIEFING_ARCHIVE_NOTES", False, "bool",
            "note each source older than BRIEFING_ARCHIVE_AFTER_DAYS without an archived copy "
            "(source-unarchived)"),
    Setting("BRIEFING_ARCHIVE_AFTER_DAYS", 30, "int",
            "the age in days after which a source should have an archived copy"),
    # the email edition (`briefing email`, docs/email.md)
    Setting("BRIEFING_EMAIL_SUBJECT", "{site}: {headline}", "text",
            "the subject of a day's edition: {site}, {headline} (the day's top story) and "
            "{date} are filled in"),
    Setting("BRIEFING_EMAIL_FROM", None, "text or None",
            "the edition's sender, such as 'The Briefing <desk@example.org>' (None: SITENAME "
            "at briefing@ the SITEURL's host)"),
    Setting("BRIEFING_EMAIL_REPLY_TO", None, "text or None", "the edition's Reply-To"),
    Setting("BRIEFING_EMAIL_UNSUBSCRIBE_URL", None, "text or None",
            "where a reader unsubscribes: linked at the end of the edition and named in "
            "List-Unsubscribe, with one-click unsubscribe (RFC 8058)"),
    Setting("BRIEFING_EMAIL_MAX_BYTES", 100_000, "int",
            "the largest edition's HTML, in bytes; past it whole stories are left to the web "
            "(Gmail clips a message past about 102 KB)", least=10_000),
    Setting("BRIEFING_EMAIL_WEB_COPY", 0, "int",
            "how many of the newest days have their edition as a page to read in a browser, "
            "/YYYY/MM/DD/email.html (make publish); an older day's email.html sends readers "
            "to the day's page, so no link in a sent edition breaks (0: none)"),
    Setting("BRIEFING_SMTP_HOST", "localhost", "text",
            "the SMTP server editions are sent through (its user and password come from the "
            "environment: BRIEFING_SMTP_USER, BRIEFING_SMTP_PASSWORD)"),
    Setting("BRIEFING_SMTP_PORT", None, "int or None",
            "its port (None: 587 with starttls, 465 with tls, 25 with none)", least=1),
    Setting("BRIEFING_SMTP_TLS", "starttls", "text",
            "how the connection is secured: starttls, tls, or none (a relay on this machine "
            "only)", choices=("starttls", "tls", "none")),
    Setting("BRIEFING_SMTP_RATE", 5.0, "number", "messages sent a second, at most"),
    # speed
    Setting("BRIEFING_FAST", True, "bool",
            "the speed layer; False gives the same site, slower (docs/architecture.md)"),
    Setting("BRIEFING_READ_CACHE", True, "bool",
            "keep parsed stories, Pelican's articles, compiled templates and related stories "
            "in CACHE_PATH between builds"),
    Setting("BRIEFING_REUSE_PAGES", True, "bool",
            "take unchanged pages and search bundles over from the published site"),
    Setting("BRIEFING_READ_WORKERS", None, "int or None",
            "processes that read stories (None: one a core)", least=1),
    Setting("BRIEFING_JOBS", None, "int or None",
            "processes that render pages (None: one a core)", least=1),
)  # fmt: skip

#: The table, by name.
SETTINGS: dict[str, Setting] = {s.name: s for s in _ALL}

#: What Briefing reads from the environment rather than from a settings file: secrets,
#: which must never be written in one, and the production site's address.
ENVIRONMENT: dict[str, str] = {
    "BRIEFING_SITEURL": "the production site's address (read by publishconf.py)",
    "BRIEFING_WAYBACK_ACCESS_KEY": "an archive.org account's access key, for Save Page Now",
    "BRIEFING_WAYBACK_SECRET_KEY": "an archive.org account's secret key, for Save Page Now",
    "BRIEFING_PROGRESS_AFTER": "seconds a build runs before it shows on a terminal what it is "
    "doing (2); NO_PROGRESS=1 or CI=true: never",
    "BRIEFING_SMTP_USER": "the user name `briefing email send` logs in to the SMTP server with",
    "BRIEFING_SMTP_PASSWORD": "its password",
    "SOURCE_DATE_EPOCH": "the build's clock, and `briefing sources`', in seconds since 1970",
}


def setting(settings: dict[str, Any], name: str) -> Any:
    """The site's value of setting ``name``, or its default."""
    return settings.get(name, SETTINGS[name].default)


def problems(settings: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(name, code, message)`` for each ``BRIEFING_*`` setting that is not in the table
    (``setting-unknown``, with the name it most likely means) or has a value it does not
    take (``setting-type``)."""
    found = []
    for name in sorted(settings):
        if not name.startswith(PREFIX):
            continue
        setting = SETTINGS.get(name)
        if setting is None:
            # compared without the prefix every name shares, which would make any two close
            bare = [n.removeprefix(PREFIX) for n in SETTINGS]
            close = difflib.get_close_matches(name.removeprefix(PREFIX), bare, n=1, cutoff=0.75)
            hint = f"; did you mean {PREFIX}{close[0]}?" if close else ""
            found.append(
                (
                    name,
                    "setting-unknown",
                    f"{name} is not a Briefing setting, so it would be ignored{hint} "
                    "(docs/settings.md lists them all)",
                )
            )
            continue
        problem = setting.problem(settings[name])
        if problem:
            found.append((name, "setting-type", problem))
    return found
