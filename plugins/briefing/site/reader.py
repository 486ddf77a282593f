"""Pelican reader for Markdown stories: the glue between Pelican and ``core.story``."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from typing import Any
from zoneinfo import ZoneInfo

from pelican.readers import BaseReader
from pelican.urlwrappers import URLWrapper
from pelican.utils import SafeDatetime, truncate_html_paragraphs, truncate_html_words

from ..core import clock, diagnostics
from ..core.diagnostics import Severity, StoryError
from ..core.story import EXTENSIONS, Options, StoryReader
from . import internals, state


class BriefingReader(BaseReader):
    """``read(path) -> (html, metadata)`` on markdown-it-py with safe YAML front matter."""

    enabled = True
    file_extensions = list(EXTENSIONS)

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self._stories = StoryReader(Options.from_settings(settings))
        self._shared: dict[tuple[str, Any], Any] = {}

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        build = state.of(self.settings)
        build.progress("reading stories")
        story = build.story_of(self._stories, source_path)  # read up front (fast)
        if story is None:
            story = self._stories.read_path(source_path)
        build.read[os.path.abspath(source_path)] = story.diagnostics
        state.publish(self.settings, story.diagnostics)
        if not story.ok:
            raise StoryError([d for d in story.diagnostics if d.severity is Severity.ERROR])
        metadata = {}
        for name, value in story.metadata.items():
            if isinstance(value, dt.datetime):
                metadata[name] = _safe_datetime(value)
            else:
                metadata[name] = self.process_metadata(name, value)
        if story.positions:  # where to point diagnostics found after reading
            metadata["briefing_positions"] = story.positions
        if story.words:  # counted in the prepass, on every core
            metadata["briefing_words"] = story.words
        if story.links:  # checked once the site knows its files (sitecheck.py)
            metadata["briefing_links"] = story.links
        if "summary" not in metadata and story.html:
            # Pelican would cut the body, sources and ids included, for list pages
            metadata["summary"] = summary_of(story.html, self._stories.options)
        if metadata.get("status", "published") in ("published", "hidden") and not_yet_due(
            self.settings, metadata.get("date")
        ):
            metadata["status"] = "draft"  # as Pelican would, but by the build's clock
            metadata["briefing_scheduled"] = True  # a note says until when (sitecheck.py)
        return story.html or "", metadata

    def process_metadata(self, name: str, value: Any) -> Any:
        """Pelican's processors, with a fast path for the plain ``YYYY-MM-DD`` that Pelican's
        ``FILENAME_METADATA`` finds in file names (it would ask dateutil each time), and one
        section, topic or author object per name for the whole build (Pelican would make
        and slugify one per story)."""
        if name == "date" and isinstance(value, str) and _PLAIN_DATE.fullmatch(value):
            return SafeDatetime(int(value[:4]), int(value[5:7]), int(value[8:10]))
        if name in _SHARED and isinstance(value, (str, list, tuple)):
            key = (name, value if isinstance(value, str) else tuple(map(str, value)))
            found = self._shared.get(key)
            if found is None:
                found = super().process_metadata(name, value)
                if isinstance(found, list):  # one object per name, whatever list it is in
                    found = [shared_object(self.settings, type(o), str(o), o) for o in found]
                elif isinstance(found, URLWrapper):
                    found = shared_object(self.settings, type(found), str(found), found)
                self._shared[key] = found
            return list(found) if isinstance(found, list) else found
        return super().process_metadata(name, value)


def guard_reads(generator: Any) -> None:
    """``article_generator_init``/``page_generator_init``: whatever goes wrong reading a
    file becomes a located diagnostic, and Pelican skips the file (it would log a bare
    "Could not process" line, which the build leaves out: ``plugin.quiet_reported``).  A
    story without a date, which Pelican would skip with an unlocated "could not find
    information about 'date'", is ``date-missing``."""
    settings = generator.settings

    def guard(read_file: Any) -> Any:
        return functools.partial(_guarded, read_file, settings)

    internals.wrap_read_file(generator.readers, guard)


def _guarded(
    read_file: Any, settings: dict[str, Any], base_path: str, path: str, *args: Any, **kwargs: Any
) -> Any:
    try:
        content = read_file(base_path, path, *args, **kwargs)
    except StoryError:
        raise
    except Exception as exc:
        raise _failed(
            settings, base_path, path, "read-failed", diagnostics.unforeseen(exc)
        ) from None
    if (
        type(content).__name__ == "Article"
        and not hasattr(content, "date")
        and getattr(content, "status", None) != "draft"
    ):
        raise _failed(
            settings,
            base_path,
            path,
            "date-missing",
            "the story has no date (and its file name gives none); add "
            "'date: 2026-11-27T07:30:00+00:00' to the front matter",
        )
    return content


def _failed(
    settings: dict[str, Any], base_path: str, path: str, code: str, message: str
) -> StoryError:
    full = os.path.abspath(os.path.join(base_path, path))
    found = diagnostics.Diagnostic(
        diagnostics.display_path(full), 1, 1, Severity.ERROR, code, message
    )
    state.publish(settings, [found])
    return StoryError([found])


def not_yet_due(settings: dict[str, Any], date: Any) -> bool:
    """Whether ``WITH_FUTURE_DATES = False`` holds a story of ``date`` back, by
    ``clock.now()`` (``SOURCE_DATE_EPOCH`` when set, so a reproducible build agrees with
    itself)."""
    if not clock.holds_future(settings) or not isinstance(date, dt.datetime):
        return False
    if date.tzinfo is None:
        date = date.replace(tzinfo=ZoneInfo(settings.get("TIMEZONE") or "UTC"))
    return date > clock.now()


_SHARED = {"tags", "category", "author", "authors"}
_PLAIN_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def shared_object(settings: dict[str, Any], cls: type, name: str, made: Any = None) -> Any:
    """The build's one section, topic or author object of type ``cls`` named ``name``
    (``made`` if there is none yet, else a new one)."""
    objects = state.of(settings).objects
    found = objects.get((cls, name))
    if found is None:
        found = objects[cls, name] = made if made is not None else cls(name, settings)
    return found


# what a story's body holds that only its own page can show: the ids of its citations and
# headings and the ARIA references to its source list; its footnote references; and its
# headings, which under a story's title on a list would break the page's outline
_PAGE_ONLY = re.compile(r'\s(?:id|aria-describedby|aria-labelledby)="[^"]*"')
_NOT_SUMMARY = re.compile(r'<sup class="footnote-ref">.*?</sup>|<h([1-6])\b.*?</h\1>\n?', re.S)
_ENDS_OF_TEXT = ('<section class="sources"', '<hr class="footnotes-sep"')


def summary_of(html: str, options: Options) -> str:
    """What Pelican would show for a story without a summary (its first words, by
    ``SUMMARY_MAX_LENGTH``, ``SUMMARY_MAX_PARAGRAPHS`` and ``SUMMARY_END_SUFFIX``), taken
    from the text of the body alone (not its sources or footnotes) and without what only
    the story's page can show, so it can stand among other stories on a list page."""
    for end in _ENDS_OF_TEXT:
        html = html.split(end, 1)[0]
    if "footnote-ref" in html or "<h" in html:
        html = _NOT_SUMMARY.sub("", html)
    if options.summary_max_paragraphs is not None:
        html = truncate_html_paragraphs(html, options.summary_max_paragraphs)
    if options.summary_max_length is not None:
        html = truncate_html_words(html, options.summary_max_length, options.summary_end_suffix)
    return _PAGE_ONLY.sub("", html).strip()  # on what is left: the whole body takes 10x


def _safe_datetime(value: dt.datetime) -> SafeDatetime:
    return SafeDatetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=value.tzinfo,
    )
