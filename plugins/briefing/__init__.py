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

    from .build.builder import quiet_build_failures, quiet_reported
    from .fast.translations import install as linear_translations

    signals.initialized.connect(_take_settings)
    signals.readers_init.connect(_use_story_reader)
    signals.article_generator_init.connect(_guard_reads)
    signals.page_generator_init.connect(_guard_reads)
    signals.content_object_init.connect(_remember_urls)
    signals.article_generator_init.connect(_forget_disabled_markdown)
    signals.article_generator_init.connect(_keep_articles)
    signals.page_generator_init.connect(_forget_disabled_markdown)
    signals.article_generator_finalized.connect(_check_across_stories)
    signals.initialized.connect(_add_template_helpers)
    signals.get_generators.connect(_archive_generator)
    signals.all_generators_finalized.connect(_check_site)
    signals.article_writer_finalized.connect(_write_redirects)
    signals.all_generators_finalized.connect(_fast_membership)
    signals.all_generators_finalized.connect(_keep_context)
    signals.finalized.connect(_release_heap)
    linear_translations()
    for name, quiet in (
        ("pelican", quiet_build_failures),
        ("pelican.generators", quiet_reported),
        ("pelican.contents", quiet_reported),
        ("pelican.urlwrappers", quiet_reported),
    ):
        if quiet not in logging.getLogger(name).filters:
            logging.getLogger(name).addFilter(quiet)


def _take_settings(pelican: Any) -> None:
    from .build.builder import take_settings

    take_settings(pelican.settings)


def _guard_reads(generator: Any) -> None:
    from .site.reader import guard_reads

    guard_reads(generator)


def _use_story_reader(readers: Any) -> None:
    from .core.story import EXTENSIONS
    from .site.reader import BriefingReader

    for ext in EXTENSIONS:
        readers.reader_classes[ext] = BriefingReader


def _fast_membership(generators: Any) -> None:
    from .site.generator import fast_membership

    fast_membership(generators)


def _keep_context(generators: Any) -> None:
    """The context is made: it lives until the build ends (``heap``)."""
    from .fast.heap import keep

    keep()


def _release_heap(pelican: Any) -> None:
    """Pelican's own class is done; Briefing's releases the heap once its search index and
    swap are done too (released earlier, a full collection could walk it all again)."""
    from .build.builder import BriefingPelican
    from .fast.heap import release

    if not isinstance(pelican, BriefingPelican):
        release()


def _remember_urls(content: Any) -> None:
    from .site.generator import remember_urls

    remember_urls(content)


def _keep_articles(generator: Any) -> None:
    from .fast.articlecache import install

    install(generator)


def _forget_disabled_markdown(generator: Any) -> None:
    """Pelican warns about every .md file when Python-Markdown is absent; we read them."""
    from .core.story import EXTENSIONS

    for ext in EXTENSIONS:
        generator.readers.disabled_readers.pop(ext, None)


def _check_across_stories(generator: Any) -> None:
    from .core import diagnostics
    from .core.crosscheck import StoryRef, links_cited_before
    from .core.diagnostics import display_path

    stories = [
        StoryRef(display_path(a.source_path), a.date, a.title, getattr(a, "sources", ()))
        for a in [*generator.articles, *generator.translations]
    ]
    diagnostics.publish(links_cited_before(stories))


def _write_redirects(generator: Any, writer: Any) -> None:
    from .core.permalinks import write_redirects

    write_redirects(generator, writer)


def _check_site(generators: Any) -> None:
    from .site.sitecheck import check

    check(generators)


def _add_template_helpers(pelican: Any) -> None:
    from .site.generator import JINJA_FILTERS, JINJA_GLOBALS

    pelican.settings["JINJA_FILTERS"] = {**JINJA_FILTERS, **pelican.settings["JINJA_FILTERS"]}
    pelican.settings["JINJA_GLOBALS"] = {**JINJA_GLOBALS, **pelican.settings["JINJA_GLOBALS"]}
    # a template does not change during a build (each build makes new environments), so
    # Jinja need not look at its file's time again each time a page includes it
    pelican.settings["JINJA_ENVIRONMENT"] = {
        "auto_reload": False,
        **pelican.settings["JINJA_ENVIRONMENT"],
    }
    if pelican.settings.get("BRIEFING_READ_CACHE", True):
        from .fast.templatecache import install

        install(pelican.settings)


def _archive_generator(pelican: Any) -> Any:
    """The archive pages need their templates: on by default when the theme has day.html.

    Sent once per build run, which also makes the reader's prepass start afresh."""
    import os

    from .fast.heap import keep, release
    from .site.generator import forget_rendered
    from .site.reader import new_build

    new_build()
    forget_rendered()
    release()  # what a failed build in this process froze (heap.py)
    keep()  # what the build starts from (modules, settings) lives until it ends

    enabled = pelican.settings.get("BRIEFING_ARCHIVE")
    if enabled is None:
        enabled = os.path.exists(os.path.join(pelican.settings["THEME"], "templates", "day.html"))
    if not enabled:
        return None
    from .site.generator import BriefingGenerator

    return BriefingGenerator


def __getattr__(name: str) -> Any:
    # PELICAN_CLASS = "briefing.BriefingPelican" imports lazily, so `briefing check`
    # does not load Pelican's build machinery.
    if name == "BriefingPelican":
        from .build.builder import BriefingPelican

        return BriefingPelican
    raise AttributeError(name)
