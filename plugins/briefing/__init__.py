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

    signals.readers_init.connect(_use_story_reader)
    signals.article_generator_init.connect(_forget_disabled_markdown)
    signals.page_generator_init.connect(_forget_disabled_markdown)
    signals.article_generator_finalized.connect(_check_across_stories)
    signals.initialized.connect(_add_template_helpers)
    signals.get_generators.connect(_archive_generator)
    pelican_logger = logging.getLogger("pelican")
    if quiet_build_failures not in pelican_logger.filters:
        pelican_logger.addFilter(quiet_build_failures)


def _use_story_reader(readers: Any) -> None:
    from .reader import BriefingReader
    from .story import EXTENSIONS

    for ext in EXTENSIONS:
        readers.reader_classes[ext] = BriefingReader


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


def _add_template_helpers(pelican: Any) -> None:
    from .generator import JINJA_FILTERS, JINJA_GLOBALS

    pelican.settings["JINJA_FILTERS"] = {**JINJA_FILTERS, **pelican.settings["JINJA_FILTERS"]}
    pelican.settings["JINJA_GLOBALS"] = {**JINJA_GLOBALS, **pelican.settings["JINJA_GLOBALS"]}


def _archive_generator(pelican: Any) -> Any:
    """The archive pages need their templates: on by default when the theme has day.html.

    Sent once per build run, which also makes the reader's prepass start afresh."""
    import os

    from .reader import new_build

    new_build()

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
