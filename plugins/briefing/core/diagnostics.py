"""The one diagnostics type: ``path:line:col: severity: code: message``.

Produced by the reader (and later the citation plugin), printed by the build and by
``briefing check`` alike, and asserted directly in tests.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


#: Every diagnostic code, with what it means.  ``docs`` and tests read this table.
CODES: dict[str, str] = {
    "encoding": "the file is not valid UTF-8",
    "too-large": "the story, its front matter or the memory its reading takes is over the cap",
    "too-slow": "reading the story took longer than the cap (BRIEFING_MAX_STORY_SECONDS)",
    "read-failed": "Briefing failed on this file in an unforeseen way (a bug: please report it)",
    "front-matter-unclosed": "front matter opened with '---' is never closed",
    "yaml-syntax": "the front matter is not valid YAML",
    "yaml-alias": "YAML anchors and aliases are not allowed in front matter",
    "yaml-tag": "a YAML tag that names a type (such as !!python/object) is not allowed",
    "yaml-duplicate-key": "a key appears twice in one mapping",
    "yaml-multiple-documents": "front matter holds more than one YAML document",
    "front-matter-not-mapping": "front matter must be a mapping of 'key: value' lines",
    "type": "a value has the wrong type (for example a YAML boolean where text is required)",
    "date-invalid": "a date is not ISO 8601 / RFC 3339 or does not exist",
    "date-not-iso": "a date in Pelican's header is not ISO 8601: read as Pelican reads it",
    "date-naive": "a date has no UTC offset, so the site's TIMEZONE is assumed",
    "title-missing": "the story has no title",
    "date-missing": "the story has no date, and its file name gives none",
    "story-scheduled": "the story is dated in the future: held back until then",
    "text-bidi": "an invisible bidirectional control in a title, name, slug or source title",
    "text-line-break": "NEL, U+2028 or U+2029 in the header: an invisible line break",
    "slug-invalid": "a slug (written, or made from the title or file name) is not one URL segment",
    "topic-invalid": "a topic does not make one URL segment",
    "section-invalid": "a section does not make one URL segment",
    "author-invalid": "an author's name does not make one URL segment",
    "status-invalid": "status is not one of published, draft, hidden, skip",
    "duplicate-metadata": "a Pelican header key is given twice; the first is used",
    "nesting-too-deep": "Markdown nested deeper than the parser's limit",
    "source-invalid": "a source entry is not a URL or a mapping with a url, or its key is bad",
    "source-url-missing": "a source has no url",
    "source-url-invalid": "a source url (or archived url) is not an absolute http(s) URL",
    "source-unknown-field": "a source has a field Briefing does not know",
    "source-duplicate-url": "two sources of one story have the same URL",
    "source-after-story": "a source was published after the story's date",
    "source-unused": "a source is never cited in the story",
    "correction-invalid": "an entry of 'corrections' is not a date, a text and a known kind",
    "correction-date": "a correction is dated before its story",
    "correction-future": "a correction is dated after the build's clock",
    "correction-order": "corrections are not listed oldest first",
    "modified-before-date": "'modified' is earlier than the story's date",
    "source-unverified": "a source still has the placeholder URL `briefing import` gave it",
    "source-cited-before": "an earlier story already cited this URL",
    "source-dead-unarchived": "a source marked dead has no archived copy",
    "source-unarchived": "an older source has no archived copy yet (BRIEFING_ARCHIVE_NOTES)",
    "source-dead": "a source's page is gone: seen gone on two checks hours apart",
    "source-moved": "a source's page moved for good (a permanent redirect to another page)",
    "source-gone": "a source's page was not found on its latest check: dead if still gone later",
    "source-blocked": "a source's site refused the check (a bot wall, a rate limit): not dead",
    "source-unreachable": "a source's site did not answer (DNS, refused, timeout, TLS, 5xx)",
    "citation-undefined-key": "a [@key] citation names no source of the story",
    "citation-undefined-host": "a (host) citation matches no source of the story",
    "citation-ambiguous-host": "a (host) citation matches several sources; say which",
    "citation-too-many": "a group cites a host more times than the story has sources of it",
    "xml-illegal-char": "a character XML 1.0 forbids (controls, U+FFFE/U+FFFF, lone surrogates)",
    "feed-duplicate-id": "two stories have the same feed entry id",
    "feed-id-changed": "a story's feed entry id differs from the published site's",
    "content-ignored": "a Markdown file in the content folder outside the folders the site reads",
    "link-target-missing": "a {filename} or {static} link names a file the site does not have",
    "setting-unknown": "a BRIEFING_* setting that Briefing does not have (a misspelling?)",
    "setting-type": "a BRIEFING_* setting with a value it does not take",
    "url-collision": "two stories or pages (or an alias) would be written to one URL",
    "url-moved": "a story's address changed since the last build (its title or date)",
    "alias-invalid": "an alias is not a path on this site",
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding about one place in one file (line and column are 1-based)."""

    path: str
    line: int
    col: int
    severity: Severity = field(compare=False)
    code: str = field(compare=False)
    message: str = field(compare=False)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown diagnostic code {self.code!r}")

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.code}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
        }


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as the user typed it: relative to the working directory when inside it."""
    path = os.fspath(path)
    if os.path.isabs(path):
        here, normal = os.path.join(os.getcwd(), ""), os.path.normpath(path)
        if normal.startswith(here):
            rel = normal[len(here) :]  # what relpath says, without its cost (once a story)
        else:
            rel = os.path.relpath(path)
        if not rel.startswith(os.pardir):
            return rel.replace(os.sep, "/")
    return path.replace(os.sep, "/")


class Sink:
    """Collects the diagnostics of one file; positions are given as 1-based line and column."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Diagnostic] = []

    def add(self, line: int, col: int, severity: Severity, code: str, message: str) -> None:
        self.items.append(Diagnostic(self.path, line, col, severity, code, message))

    def error(self, line: int, col: int, code: str, message: str) -> None:
        self.add(line, col, Severity.ERROR, code, message)

    def warning(self, line: int, col: int, code: str, message: str) -> None:
        self.add(line, col, Severity.WARNING, code, message)


class Report:
    """All diagnostics of one build or one ``briefing check`` run."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []
        # what Pelican (or anything else) logged, counted by the build
        self.logged_errors = 0
        self.logged_warnings = 0

    def extend(self, items: list[Diagnostic]) -> None:
        self.items.extend(items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=lambda d: (d.path, d.line, d.col, d.code))

    def count(self, severity: Severity) -> int:
        return sum(1 for d in set(self.items) if d.severity is severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    def summary(self) -> str:
        files = len({d.path for d in self.items if d.severity is Severity.ERROR})
        parts = [_plural(self.errors + self.logged_errors, "error")]
        if self.errors:
            parts[0] += f" in {_plural(files, 'file')}"
        if self.logged_errors:
            parts[0] += f" ({self.logged_errors} logged by Pelican or a plugin)"
        parts.append(_plural(self.warnings + self.logged_warnings, "warning"))
        if self.logged_warnings:
            parts[-1] += f" ({self.logged_warnings} logged by Pelican or a plugin)"
        infos = self.count(Severity.INFO)
        if infos:
            parts.append(_plural(infos, "note"))
        return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def unforeseen(exc: BaseException) -> str:
    """The message of ``read-failed``: what went wrong, in a way nobody foresaw."""
    return (
        f"Briefing failed on this file ({type(exc).__name__}: {exc}); please report it "
        "with the file"
    )


class StoryError(Exception):
    """Raised by the reader for a story with errors; Pelican then skips the file."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))
