"""Briefing: a Pelican plugin and tools for cited daily news briefings.

``register()`` wires the Markdown story reader into Pelican; ``BriefingPelican`` (named
by ``PELICAN_CLASS`` in the settings) makes builds crash-safe.
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["register", "BriefingPelican"]


def register() -> None:
    from pelican import signals

    from .build import quiet_build_failures
    from .translations import install as linear_translations

    signals.readers_init.connect(_use_story_reader)
    signals.content_object_init.connect(_remember_urls)
    signals.article_generator_init.connect(_forget_disabled_markdown)
    signals.article_generator_init.connect(_keep_articles)
    signals.page_generator_init.connect(_forget_disabled_markdown)
    signals.article_generator_finalized.connect(_check_across_stories)
    signals.initialized.connect(_add_template_helpers)
    signals.get_generators.connect(_archive_generator)
    signals.all_generators_finalized.connect(_check_urls)
    signals.article_writer_finalized.connect(_write_redirects)
    signals.all_generators_finalized.connect(_fast_membership)
    signals.all_generators_finalized.connect(_keep_context)
    signals.finalized.connect(_release_heap)
    linear_translations()
    pelican_logger = logging.getLogger("pelican")
    if quiet_build_failures not in pelican_logger.filters:
        pelican_logger.addFilter(quiet_build_failures)


def _use_story_reader(readers: Any) -> None:
    from .reader import BriefingReader
    from .story import EXTENSIONS

    for ext in EXTENSIONS:
        readers.reader_classes[ext] = BriefingReader


def _fast_membership(generators: Any) -> None:
    from .generator import fast_membership

    fast_membership(generators)


def _keep_context(generators: Any) -> None:
    """The context is made: it lives until the build ends (``heap``)."""
    from .heap import keep

    keep()


def _release_heap(pelican: Any) -> None:
    """Pelican's own class is done; Briefing's releases the heap once its search index and
    swap are done too (released earlier, a full collection could walk it all again)."""
    from .build import BriefingPelican
    from .heap import release

    if not isinstance(pelican, BriefingPelican):
        release()


def _remember_urls(content: Any) -> None:
    from .generator import remember_urls

    remember_urls(content)


def _keep_articles(generator: Any) -> None:
    from .articlecache import install

    install(generator)


def _forget_disabled_markdown(generator: Any) -> None:
    """Pelican warns about every .md file when Python-Markdown is absent; we read them."""
    from .story import EXTENSIONS

    for ext in EXTENSIONS:
        generator.readers.disabled_readers.pop(ext, None)


def _check_across_stories(generator: Any) -> None:
    from . import diagnostics
    from .crosscheck import StoryRef, links_cited_before
    from .diagnostics import display_path

    stories = [
        StoryRef(display_path(a.source_path), a.date, a.title, getattr(a, "sources", ()))
        for a in [*generator.articles, *generator.translations]
    ]
    diagnostics.publish(links_cited_before(stories))


def _write_redirects(generator: Any, writer: Any) -> None:
    from .permalinks import write_redirects

    write_redirects(generator, writer)


def _check_urls(generators: Any) -> None:
    """Two stories (or pages) at one URL would overwrite each other: an error at the second.
    Names that differ only in case or Unicode normalisation clash on many file systems.
    A story the published site has at another address: a warning (``permalinks.py``)."""
    import unicodedata

    from . import diagnostics
    from .diagnostics import Diagnostic, Severity, display_path
    from .permalinks import PUBLISHED, aliases, moved

    seen: dict[str, Any] = {}
    found = []
    contents = [
        c
        for g in generators
        for name in ("articles", "pages", "drafts", "hidden_articles", "hidden_pages")
        for c in getattr(g, name, [])
    ]
    reserved = {
        "archive",
        "search",
        "sources",
        "sections",
        "topics",
        "authors",
        "section",
        "topic",
        "author",
        "feeds",
        "drafts",
        "page",
        "theme",
        "pagefind",
    }
    for content in sorted(contents, key=lambda c: c.source_path):
        line, col = getattr(content, "briefing_positions", {}).get("title", (1, 1))
        problem = None
        if not content.slug:
            problem = (
                "the title gives no slug (nothing is left of it for a URL); "
                "set slug: in the front matter"
            )
        elif type(content).__name__ == "Page" and content.save_as.split("/")[0] in reserved:
            problem = (
                f"this page would be written to {content.save_as}, which the site uses "
                "for its own pages; set another slug: in the front matter"
            )
        if problem is None:
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
            found.append(
                Diagnostic(
                    display_path(content.source_path),
                    line,
                    col,
                    Severity.ERROR,
                    "url-collision",
                    problem,
                )
            )
    # the archive's own pages (days, months, years) and the site's files at the top
    own = {"index.html", "404.html", "sitemap.xml", "robots.txt"}
    for g in generators:
        own.update(day.save_as for day in getattr(g, "days", ()))
        for year in getattr(g, "calendar", ()):
            own.add(year.save_as)
            own.update(month.save_as for month in year.months)
    published = [s for g in generators for name in PUBLISHED for s in getattr(g, name, ())]
    for story in sorted(published, key=lambda s: s.source_path):
        clashes = []  # one diagnostic for all of a story's aliases: they share a position
        for path, file in aliases(story):
            taken = seen.setdefault(unicodedata.normalize("NFC", file).casefold(), story)
            if file == story.save_as:
                clashes.append(f"{path} is the story's own address")
            elif taken is not story:
                clashes.append(f"{path} is where {display_path(taken.source_path)} is written")
            elif path.split("/")[0] in reserved or file in own:
                clashes.append(f"{path} is one of the site's own pages")
        if clashes:
            found.append(
                Diagnostic(
                    display_path(story.source_path),
                    *getattr(story, "briefing_positions", {}).get("aliases", (1, 1)),
                    Severity.ERROR,
                    "url-collision",
                    f"an alias cannot be written over another page: {'; '.join(clashes)}; "
                    f"remove {'it' if len(clashes) == 1 else 'them'}",
                )
            )
    diagnostics.publish(found)
    diagnostics.publish(moved(published, generators[0].settings if generators else {}))
    if diagnostics.active_errors():
        # nothing will be published: stop before writing pages over each other
        from .build import BuildStopped

        raise BuildStopped("stopped before writing pages: the stories have errors")


def _add_template_helpers(pelican: Any) -> None:
    from .generator import JINJA_FILTERS, JINJA_GLOBALS

    pelican.settings["JINJA_FILTERS"] = {**JINJA_FILTERS, **pelican.settings["JINJA_FILTERS"]}
    pelican.settings["JINJA_GLOBALS"] = {**JINJA_GLOBALS, **pelican.settings["JINJA_GLOBALS"]}
    # a template does not change during a build (each build makes new environments), so
    # Jinja need not look at its file's time again each time a page includes it
    pelican.settings["JINJA_ENVIRONMENT"] = {
        "auto_reload": False,
        **pelican.settings["JINJA_ENVIRONMENT"],
    }
    if pelican.settings.get("BRIEFING_READ_CACHE", True):
        from .templatecache import install

        install(pelican.settings)


def _archive_generator(pelican: Any) -> Any:
    """The archive pages need their templates: on by default when the theme has day.html.

    Sent once per build run, which also makes the reader's prepass start afresh."""
    import os

    from .generator import forget_rendered
    from .heap import keep, release
    from .reader import new_build

    new_build()
    forget_rendered()
    release()  # what a failed build in this process froze (heap.py)
    keep()  # what the build starts from (modules, settings) lives until it ends

    enabled = pelican.settings.get("BRIEFING_ARCHIVE")
    if enabled is None:
        enabled = os.path.exists(os.path.join(pelican.settings["THEME"], "templates", "day.html"))
    if not enabled:
        return None
    from .generator import BriefingGenerator

    return BriefingGenerator


def __getattr__(name: str) -> Any:
    # PELICAN_CLASS = "briefing.BriefingPelican" imports lazily, so `briefing check`
    # does not load Pelican's build machinery.
    if name == "BriefingPelican":
        from .build import BriefingPelican

        return BriefingPelican
    raise AttributeError(name)
