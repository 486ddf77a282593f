"""Where each story was last published, so that a build which moves one says so.

A story's address is made of its date and slug, and a story without ``slug:`` takes its
slug from its title (Pelican's rule): correcting a headline or a date moves the story, and
every link already shared to the old address breaks.  The build records each published
story's address with the page manifest and, on the next build, warns (``url-moved``) at
the title or date of each story whose address changed, with the ``slug:`` that keeps it.
Nothing is compared when the URL settings changed: then every story moves on purpose.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .diagnostics import Diagnostic, Severity, display_path

# settings that move stories on purpose when they change
_URL_SETTINGS = (
    "ARTICLE_URL",
    "ARTICLE_LANG_URL",
    "SLUGIFY_SOURCE",
    "SLUG_REGEX_SUBSTITUTIONS",
    "SLUGIFY_PRESERVE_CASE",
    "SLUGIFY_USE_UNICODE",
)
#: the lists of published stories, each written at its own address
PUBLISHED = ("articles", "translations", "hidden_articles", "hidden_translations")
_previous: dict[int, dict[str, Any]] = {}  # per build: the record of the published site


def record(stories: Iterable[Any], settings: dict[str, Any]) -> dict[str, Any]:
    """What to keep of ``stories`` (published) for the next build to compare with."""
    return {
        "settings": [settings.get(name) for name in _URL_SETTINGS],
        "stories": {s.source_path: (s.url, s.slug) for s in stories},
    }


def remember(settings: dict[str, Any], published: Any) -> None:
    """The record saved by the build that made the published site."""
    _previous[id(settings)] = published if isinstance(published, dict) else {}


def moved(stories: Iterable[Any], settings: dict[str, Any]) -> list[Diagnostic]:
    """A ``url-moved`` warning for each story published elsewhere by the last build."""
    previous = _previous.pop(id(settings), None) or {}
    if previous.get("settings") != [settings.get(name) for name in _URL_SETTINGS]:
        return []
    was = previous.get("stories")
    if not isinstance(was, dict):
        return []
    found = []
    for story in stories:
        old = was.get(story.source_path)
        if not (isinstance(old, tuple) and len(old) == 2) or old[0] == story.url:
            continue
        old_url, old_slug = old
        positions = getattr(story, "briefing_positions", None) or {}
        if old_slug != story.slug:
            line, col = positions.get("title", (1, 1))
            why = f'; to keep the old address, set slug: "{old_slug}"'
        else:
            line, col = positions.get("date", (1, 1))
            why = " (its date is part of the address)"
        found.append(
            Diagnostic(
                display_path(story.source_path),
                line,
                col,
                Severity.WARNING,
                "url-moved",
                f"this story moved from {old_url} to {story.url} since the last build, "
                f"and links to the old address will break{why}",
            )
        )
    return found
