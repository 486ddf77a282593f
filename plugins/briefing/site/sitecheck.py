"""What a build finds about its stories once Pelican has read them all, before any page
is written: URLs that are not one safe segment or that two pages share, aliases over
other pages, links to files the site does not have, stories held back until their date,
and stories whose address or feed id moved since the published site.

Run from ``all_generators_finalized`` in every build, and in ``briefing check``, which runs
the build's own reading (``build.check_site``): the two give the same diagnostics because
they are made by the same code from the same objects.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import unicodedata
from html import unescape
from typing import Any
from urllib.parse import unquote, urlparse

from ..core import clock, permalinks
from ..core.diagnostics import Diagnostic, Severity, display_path
from ..core.errors import Failure
from ..core.markdown import FILE_PLACEHOLDER
from ..core.settings import setting
from ..core.story import EXTENSIONS
from ..core.urls import segment_problem, shortened
from . import state

#: The first parts of addresses the archive generator writes itself (``generator.py``:
#: outlets, the archive, search, corrections; the front page's later pages), the feeds
#: and the search index: no story or page may take them.
_OWN = frozenset({"archive", "search", "sources", "feeds", "page", "pagefind", "corrections"})
#: Settings whose first part is the address of one of the site's own pages (Pelican's
#: sections, topics, authors, drafts and the theme's files; the theme's links to the
#: archive, outlets and search).
_URL_SETTINGS = (
    "CATEGORY_URL",
    "CATEGORIES_URL",
    "TAG_URL",
    "TAGS_URL",
    "AUTHOR_URL",
    "AUTHORS_URL",
    "DRAFT_URL",
    "ARCHIVES_URL",
    "OUTLETS_URL",
    "SEARCH_URL",
    "CORRECTIONS_URL",
    "THEME_STATIC_DIR",
)


def reserved(settings: dict[str, Any]) -> frozenset[str]:
    """The first parts of addresses that are the site's own, by its settings."""
    found = set(_OWN)
    for name in _URL_SETTINGS:
        value = settings.get(name)
        if isinstance(value, str) and value.strip("/"):
            found.add(value.strip("/").split("/")[0])
    return frozenset(found)


#: Every list of contents a generator keeps (stories and pages, in every state).
_LISTS = (
    "articles",
    "translations",
    "pages",
    "drafts",
    "drafts_translations",
    "hidden_articles",
    "hidden_translations",
    "hidden_pages",
    "draft_pages",
)


class Stopped(Failure):
    """The stories have errors: the build stops before it writes a page (the build's
    report holds the errors)."""


def check(generators: list[Any]) -> None:
    """``all_generators_finalized``: report what is found; with errors, stop the build
    before anything is written."""
    if not generators:
        return
    settings = generators[0].settings
    context = generators[0].context
    contents = _contents(generators)
    found = _segments(contents)
    found += _urls(contents, generators, reserved(settings))
    found += _links(contents, context)
    found += _scheduled(contents, settings)
    found += _corrections_ahead(contents)
    found += _ignored(settings)
    if setting(settings, "BRIEFING_ARCHIVE_NOTES"):
        found += _unarchived(contents, setting(settings, "BRIEFING_ARCHIVE_AFTER_DAYS"))
    published = [
        s for g in generators for name in permalinks.PUBLISHED for s in getattr(g, name, ())
    ]
    found += permalinks.moved(published, settings, state.of(settings).published)
    state.publish(settings, found)
    if state.errors(settings):
        # nothing will be published: stop before writing pages over each other
        raise Stopped("stopped before writing pages: the stories have errors")


def _contents(generators: list[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for g in generators:
        for name in _LISTS:
            for c in getattr(g, name, None) or ():
                seen.setdefault(id(c), c)
    return sorted(seen.values(), key=lambda c: c.source_path)


def _at(content: Any, field: str) -> tuple[int, int]:
    return (getattr(content, "briefing_positions", None) or {}).get(field, (1, 1))


def _diagnostic(content: Any, at: tuple[int, int], code: str, message: str) -> Diagnostic:
    return Diagnostic(display_path(content.source_path), *at, Severity.ERROR, code, message)


def _segments(contents: list[Any]) -> list[Diagnostic]:
    """A slug Pelican made (from the title or the file name), and each topic, section and
    author (their slugs make their pages' addresses) must be one safe URL segment.  A
    slug written in the front matter was checked as it was read."""
    found = []
    for content in contents:
        if "slug" not in (getattr(content, "briefing_positions", None) or {}):
            problem = segment_problem(content.slug or "")
            if problem:
                from_title = (
                    "slug" not in content.metadata
                    and content.settings.get("SLUGIFY_SOURCE", "title") == "title"
                )
                where = "the title" if from_title else "the file name"
                if not content.slug:
                    message = (
                        f"{where} gives no slug (nothing is left of it for a URL); "
                        "set slug: in the front matter"
                    )
                else:
                    short = shortened(content.slug)
                    fix = f'slug: "{short}"' if not segment_problem(short) else "slug:"
                    message = f"{where} makes the slug {content.slug!r}, which {problem}; set {fix}"
                found.append(_diagnostic(content, _at(content, "title"), "slug-invalid", message))
        for field, code, what in (
            ("tags", "topic-invalid", "topic"),
            ("authors", "author-invalid", "author"),
        ):
            for i, item in enumerate(getattr(content, field, None) or ()):
                problem = segment_problem(item.slug or "")
                if problem:
                    at = _at(content, f"{field}.{i}")
                    if at == (1, 1):
                        at = _at(content, field if field in content.metadata else "author")
                    found.append(
                        _diagnostic(
                            content,
                            at,
                            code,
                            f"the {what} {str(item)!r} makes the URL part {item.slug!r}, which "
                            f"{problem}; name it with letters or digits",
                        )
                    )
        category = getattr(content, "category", None)
        if category is not None and type(content).__name__ == "Article":
            problem = segment_problem(category.slug or "")
            if problem:
                found.append(
                    _diagnostic(
                        content,
                        _at(content, "category"),
                        "section-invalid",
                        f"the section {str(category)!r} makes the URL part {category.slug!r}, "
                        f"which {problem}; name it with letters or digits",
                    )
                )
    return found


def _urls(
    contents: list[Any], generators: list[Any], own_parts: frozenset[str]
) -> list[Diagnostic]:
    """Two stories (or pages) at one URL would overwrite each other: an error at the
    second.  Names that differ only in case or Unicode normalisation clash on many file
    systems.  An alias may not be written over a story, a day of the archive or one of
    the site's own pages."""
    seen: dict[str, Any] = {}
    found = []
    for content in contents:
        if not content.save_as or segment_problem(content.slug or ""):
            continue  # not written (a draft), or reported above
        problem = None
        if type(content).__name__ == "Page" and content.save_as.split("/")[0] in own_parts:
            problem = (
                f"this page would be written to {content.save_as}, which the site uses "
                "for its own pages; set another slug: in the front matter"
            )
        else:
            first = seen.setdefault(
                unicodedata.normalize("NFC", content.save_as).casefold(), content
            )
            if first is not content:
                problem = (
                    f"this story would be written to {content.save_as}, where "
                    f"{display_path(first.source_path)} is written; give one of them "
                    "another slug"
                )
        if problem:
            found.append(_diagnostic(content, _at(content, "title"), "url-collision", problem))
    # the archive's own pages (days, months, years) and the site's files at the top
    own = {"index.html", "404.html", "sitemap.xml", "robots.txt"}
    for g in generators:
        own.update(day.save_as for day in getattr(g, "days", ()))
        for year in getattr(g, "calendar", ()):
            own.add(year.save_as)
            own.update(month.save_as for month in year.months)
    published = [c for c in contents if c.save_as and type(c).__name__ == "Article"]
    for story in published:
        clashes = []  # one diagnostic for all of a story's aliases: they share a position
        for path, file in permalinks.aliases(story):
            taken = seen.setdefault(unicodedata.normalize("NFC", file).casefold(), story)
            if file == story.save_as:
                clashes.append(f"{path} is the story's own address")
            elif taken is not story:
                clashes.append(f"{path} is where {display_path(taken.source_path)} is written")
            elif path.split("/")[0] in own_parts or file in own:
                clashes.append(f"{path} is one of the site's own pages")
        if clashes:
            found.append(
                _diagnostic(
                    story,
                    _at(story, "aliases"),
                    "url-collision",
                    f"an alias cannot be written over another page: {'; '.join(clashes)}; "
                    f"remove {'it' if len(clashes) == 1 else 'them'}",
                )
            )
    return found


def _links(contents: list[Any], context: dict[str, Any]) -> list[Diagnostic]:
    """Each ``{filename}``, ``{static}`` or ``{attach}`` link must name a file the site
    has and publishes, found as Pelican will look for it when it writes the page (which
    would otherwise leave the ``href`` as written, with an unlocated warning).  A story
    not written yet (a draft, or not yet due) may link to another such story, and its
    own files are copied only once it is published: they need only exist."""
    found = []
    for content in contents:
        for href, line, col in getattr(content, "briefing_links", None) or ():
            m = FILE_PLACEHOLDER.match(href)
            if m is None:
                continue
            what, value = m.group(1) or m.group(2), href[m.end() :]
            paths = _candidates(content, value)
            target = _linked(what, paths, context)
            if target is not None and os.path.isfile(target.source_path):
                if target.save_as or not content.save_as:
                    continue
                problem = "names a story or page that is not published (a draft"
                problem += (
                    ", or dated in the future)" if clock.holds_future(content.settings) else ")"
                )
            elif not content.save_as and any(
                os.path.isfile(os.path.join(content.settings["PATH"], p)) for p in paths
            ):
                continue
            else:
                problem = "names no file of the site"
                if what == "filename":
                    problem += " (a story, a page or a static file, from the content folder)"
            found.append(
                _diagnostic(
                    content,
                    (line, col),
                    "link-target-missing",
                    f"the link {href!r} {problem}; correct the path (relative to this "
                    "file, or from the content folder with a leading /)",
                )
            )
    return found


def _candidates(content: Any, value: str) -> list[str]:
    """The paths under the content folder that Pelican's ``Content._link_replacer`` tries
    for a link: as written, unquoted, and HTML-unescaped; from the content folder when it
    starts with ``/``, else from the linking file's folder."""
    url = urlparse(value)
    paths = []
    for path in (url.path, unquote(url.path), urlparse(unescape(value)).path):
        if path.startswith("/"):
            path = path[1:]
        else:
            path = content.get_relative_source_path(os.path.join(content.relative_dir, path))
        paths.append(path)
    return paths


def _linked(what: str, paths: list[str], context: dict[str, Any]) -> Any:
    """What Pelican finds for a link at one of ``paths``, or None.  (A file linked with
    ``{static}`` is found even when it does not exist: Pelican then fails to copy it, with
    a warning that says neither where nor why.)"""
    keys = ["generated_content", "static_content"] if what == "filename" else ["static_content"]
    for key in keys:
        table = context.get(key) or {}
        for path in paths:
            if table.get(path) is not None:
                return table[path]
    return None


def _ignored(settings: dict[str, Any]) -> list[Diagnostic]:
    """A warning for each Markdown file under the content folder that the site does not
    read: outside the story and page folders (and the static ones), it would be left out
    without a word."""
    root = settings.get("PATH") or "content"
    folders = [
        *settings.get("ARTICLE_PATHS", [""]),
        *settings.get("PAGE_PATHS", [""]),
        *settings.get("STATIC_PATHS", []),
    ]
    if any(f in ("", ".") for f in folders) or not os.path.isdir(root):
        return []
    read = [os.path.normpath(os.path.join(root, f)) for f in folders]
    skip = read + [os.path.normpath(settings.get("OUTPUT_PATH") or "output")]
    ignore = settings.get("IGNORE_FILES") or []
    shown = ", ".join(f"{display_path(os.path.abspath(f))}/" for f in read[:2])
    found = []
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if os.path.normpath(os.path.join(dirpath, d)) not in skip
            and not _ignored_name(d, ignore)
        )
        for name in sorted(files):
            if not name.lower().endswith(_MARKDOWN) or _ignored_name(name, ignore):
                continue
            path = os.path.abspath(os.path.join(dirpath, name))
            found.append(
                Diagnostic(
                    display_path(path),
                    1,
                    1,
                    Severity.WARNING,
                    "content-ignored",
                    f"this file is not part of the site: only {shown} are read (ARTICLE_PATHS, "
                    "PAGE_PATHS); move it there to publish it",
                )
            )
    return found


_MARKDOWN = tuple("." + ext for ext in EXTENSIONS)


def _ignored_name(name: str, patterns: list[str]) -> bool:
    """Hidden (Pelican's default IGNORE_FILES, ``**/.*``, means them), or matching one of
    the site's IGNORE_FILES."""
    return name.startswith(".") or any(fnmatch.fnmatch(name, p) for p in patterns)


def _unarchived(contents: list[Any], days: int) -> list[Diagnostic]:
    """A note for each source of a published story, older than ``days`` (by its own date,
    else the story's), that has no archived copy yet: links rot, and the older the
    sooner."""
    found = []
    today = clock.now().date()
    for content in contents:
        if not content.save_as or type(content).__name__ != "Article":
            continue
        for source in getattr(content, "sources", None) or ():
            if source.archived:
                continue
            when = source.published or content.date
            day = when.date() if isinstance(when, dt.datetime) else when
            age = (today - day).days
            if age > days:
                found.append(
                    Diagnostic(
                        display_path(content.source_path),
                        source.line,
                        source.col,
                        Severity.INFO,
                        "source-unarchived",
                        f"source '{source.key}' is {age} days old and has no archived copy; "
                        "find one with `briefing sources archive --write`",
                    )
                )
    return found


def _corrections_ahead(contents: list[Any]) -> list[Diagnostic]:
    """A correction dated after the build's clock: a mistyped date, most likely (the
    reader cannot say, its results are kept between builds)."""
    found = []
    now = clock.now()
    for content in contents:
        if getattr(content, "status", None) == "draft":
            continue
        for c in getattr(content, "corrections", None) or ():
            when = c.date if c.date.tzinfo else c.date.replace(tzinfo=now.tzinfo)
            if when > now:
                found.append(
                    _diagnostic(
                        content,
                        (c.line, c.col),
                        "correction-future",
                        f"the correction is dated {c.iso}, after the build's clock "
                        f"({clock.source()}: {now.isoformat(timespec='seconds')})",
                    )
                )
    return found


def _scheduled(contents: list[Any], settings: dict[str, Any]) -> list[Diagnostic]:
    """A note for each story held back until its date: when it will appear."""
    found = []
    now = clock.now()
    for content in contents:
        if not getattr(content, "briefing_scheduled", False) or content.status != "draft":
            continue
        date = content.date
        found.append(
            Diagnostic(
                display_path(content.source_path),
                *_at(content, "date"),
                Severity.INFO,
                "story-scheduled",
                f"held back until {date.isoformat()}: the first build after then publishes "
                f"it (the build's clock, {clock.source()}, reads "
                f"{now.isoformat(timespec='seconds')})",
            )
        )
    return found
