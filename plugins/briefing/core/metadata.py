"""Pelican's metadata meanings, applied to a story's header with diagnostics.

The result holds plain Python values (text, lists of text, datetimes); the Pelican
reader turns tags, category and authors into Pelican's objects.  Nothing here imports
Pelican, so ``briefing check`` uses the same code without building a site.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .diagnostics import Severity, Sink
from .frontmatter import Header
from .urls import segment_problem, site_path, site_path_problem

#: Fields that hold one line of text.
TEXT_FIELDS = {"title", "slug", "category", "author", "lang", "url", "save_as", "template", "id"}
#: Fields that hold a list; a string is split like Pelican does (on ';' if present, else ',').
LIST_FIELDS = {"tags", "authors"}
DATE_FIELDS = {"date", "modified"}
STATUSES = {"published", "draft", "hidden", "skip"}
#: Pelican's keys that may not be given twice in a ``Key: value`` header.
SINGLE_FIELDS = {
    "tags", "date", "modified", "status", "category", "author", "save_as", "url",
    "authors", "slug",
}  # fmt: skip

_ISO_DATE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)"
    r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.I,
)


class DateError(ValueError):
    pass


def parse_date(text: str) -> dt.datetime:
    """Strict ISO 8601 / RFC 3339: ``YYYY-MM-DD[( |T)HH:MM[:SS[.f]][Z|±HH:MM]]``.

    The result is naive when the text gives no offset.
    """
    text = text.strip()
    m = _ISO_DATE.fullmatch(text)
    if not m:
        raise DateError(
            f"'{text}' is not an ISO 8601 date; write e.g. 2024-05-01 or 2024-05-01T09:30:00+01:00"
        )
    iso = m.group("date")
    if m.group("time"):
        iso += "T" + m.group("time").replace(",", ".")
        if "." in iso:  # Python takes at most microseconds
            head, frac = iso.split(".")
            iso = f"{head}.{frac[:6].ljust(6, '0')}"
    offset = m.group("offset")
    if offset:
        offset = "+00:00" if offset.upper() == "Z" else offset
        if len(offset) == 3:
            offset += ":00"
        elif ":" not in offset:
            offset = f"{offset[:3]}:{offset[3:]}"
        iso += offset
    try:
        return dt.datetime.fromisoformat(iso)
    except ValueError as exc:
        raise DateError(f"'{text}' is not a real date or time ({exc})") from None


def _pelican_date(text: str) -> dt.datetime | None:
    """``text`` read as Pelican reads a date (``pelican.utils.get_date``: dateutil's
    parser), except that what it leaves out is the first day, at midnight, not today's:
    the same story gives the same date every day."""
    from dateutil import parser

    try:
        return parser.parse(re.sub(" +", " ", text.strip()), default=dt.datetime(2000, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None


def split_list(value: str) -> list[str]:
    parts = value.split(";") if ";" in value else value.split(",")
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def interpret(
    header: Header,
    sink: Sink,
    *,
    timezone: str,
    formatted_fields: frozenset[str] | set[str] = frozenset({"summary"}),
) -> dict[str, Any]:
    """Turn a header's raw values into metadata, reporting what is wrong with them.
    Formatted fields (``summary``) are kept as written: the reader renders them with the
    story's sources."""
    if header.style == "pelican":
        raw = _from_pelican_header(header, sink)
    else:
        raw = dict(header.data)
    yaml_typed = header.style == "yaml"
    meta: dict[str, Any] = {}
    for name, value in raw.items():
        where = header.where((name,))
        if name in formatted_fields:
            text = _text(name, value, header, sink)
            if text is not None:
                meta[name] = text
        elif name in TEXT_FIELDS or name == "status":
            text = _text(name, value, header, sink)
            if text is None:
                continue
            if name == "status" and text not in STATUSES:
                sink.error(
                    *where,
                    "status-invalid",
                    f"status '{text}' is not one of {', '.join(sorted(STATUSES))}",
                )
                continue
            if name == "slug":
                problem = segment_problem(text)
                if problem:
                    sink.error(*where, "slug-invalid", f"slug {text!r} {problem}")
                    continue
            meta[name] = text
        elif name in LIST_FIELDS:
            items = _list(name, value, header, sink)
            if items:
                meta[name] = items
        elif name == "aliases":
            found = _aliases(value, header, sink)
            if found:
                meta[name] = found
        elif name == "position":
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)  # from a Pelican header
            if isinstance(value, int) and not isinstance(value, bool):
                meta[name] = value
            else:
                sink.error(
                    *where,
                    "type",
                    f"'position' must be a whole number, not {describe_value(value)}",
                )
        elif name in DATE_FIELDS:
            date = _date(
                name, value, header, sink, timezone, warn_naive=yaml_typed, lenient=not yaml_typed
            )
            if date is not None:
                meta[name] = date
        else:
            meta[name] = value  # e.g. sources: interpreted by the citation plugin
    title_mistyped = raw.get("title") is not None and not isinstance(raw["title"], str)
    if not meta.get("title") and not title_mistyped:
        line, col = header.where(("title",)) if "title" in raw else header.start
        sink.error(
            line,
            col,
            "title-missing",
            "the story has no title; add 'title: …' to the front matter",
        )
    return meta


def _from_pelican_header(header: Header, sink: Sink) -> dict[str, Any]:
    """Pelican's own rules for ``Key: value`` headers (see MarkdownReader._parse_metadata)."""
    out: dict[str, Any] = {}
    for name, values in header.data.items():
        if name in SINGLE_FIELDS and len(values) > 1:
            line, col = header.key_pos.get((name, 1), header.where((name,)))
            sink.warning(
                line, col, "duplicate-metadata", f"'{name}' is given twice; the first is used"
            )
            out[name] = values[0]
        elif name in {"summary"} or len(values) == 1:
            out[name] = "\n".join(values)
        else:
            out[name] = values
    return out


def describe_value(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


def _text(name: str, value: Any, header: Header, sink: Sink) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    report_not_text(sink, header, (name,), f"'{name}'", value)
    return None


def report_not_text(sink: Sink, header: Header, path: tuple[Any, ...], label: str, value: Any):
    """The ``type`` error for a YAML value that is not text, with the quoting fix."""
    raw = header.raw.get(path)
    hint = f'; put it in quotes: {path[-1]}: "{raw}"' if raw is not None else ""
    sink.error(
        *header.where(path),
        "type",
        f"{label} must be text, but YAML reads this value as {describe_value(value)}{hint}",
    )


def _aliases(value: Any, header: Header, sink: Sink) -> list[str]:
    """Earlier addresses of the story (``aliases``), each a path on this site, which the
    build turns into a page that sends readers on to the story."""
    entries: list[tuple[Any, tuple[int, int]]]
    if value is None:
        return []
    if isinstance(value, str):
        entries = [(item, header.where(("aliases",))) for item in split_list(value)]
    elif isinstance(value, list):
        entries = [(item, header.where(("aliases", i))) for i, item in enumerate(value)]
    else:
        entries = [(value, header.where(("aliases",)))]
    found = []
    for item, at in entries:
        if not isinstance(item, str):
            sink.error(*at, "type", f"an alias must be a path, not {describe_value(item)}")
            continue
        problem = site_path_problem(item.strip())
        if problem:
            sink.error(*at, "alias-invalid", f"alias '{item.strip()}' {problem}")
        else:
            found.append(site_path(item.strip()))
    return list(dict.fromkeys(found))


def _list(name: str, value: Any, header: Header, sink: Sink) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_list(value)
    if isinstance(value, list):
        items = []
        for i, item in enumerate(value):
            if isinstance(item, list | dict):
                line, col = header.where((name, i))
                sink.error(line, col, "type", f"each of '{name}' must be text, not a list")
                continue
            text = header.raw.get((name, i), "" if item is None else str(item)).strip()
            if text:
                items.append(text)
        return list(dict.fromkeys(items))
    line, col = header.where((name,))
    sink.error(line, col, "type", f"'{name}' must be a list or comma-separated text")
    return []


def _date(
    name: str,
    value: Any,
    header: Header,
    sink: Sink,
    timezone: str,
    *,
    warn_naive: bool,
    lenient: bool = False,
) -> dt.datetime | None:
    """A date field.  YAML front matter takes ISO 8601 only; Pelican's own header
    (``lenient``) takes every date Pelican takes, so an archive moves in unchanged."""
    line, col = header.where((name,))
    if not isinstance(value, str):
        sink.error(
            line,
            col,
            "date-invalid",
            f"'{name}' must be an ISO 8601 date such as 2024-05-01T09:30:00+01:00, "
            f"not {describe_value(value)}",
        )
        return None
    try:
        date = parse_date(value.replace("_", " "))
    except DateError as exc:
        pelicans = _pelican_date(value) if lenient else None
        if pelicans is None:
            sink.error(line, col, "date-invalid", f"'{name}': {exc}")
            return None
        date = pelicans
        midnight = date.time() == dt.time(0) and date.tzinfo is None
        shown = date.date().isoformat() if midnight else date.isoformat()
        sink.add(
            line,
            col,
            Severity.INFO,
            "date-not-iso",
            f"'{name}': {value.strip()!r} is read as {shown}, as Pelican reads it; "
            f"write it as ISO 8601 ({shown}) to be sure",
        )
    if date.tzinfo is None and warn_naive:
        sink.warning(
            line,
            col,
            "date-naive",
            f"'{name}' has no UTC offset, so TIMEZONE ({timezone}) is assumed; "
            f"write it with an offset, e.g. {date.strftime('%Y-%m-%dT%H:%M:%S')}+00:00",
        )
    return date
