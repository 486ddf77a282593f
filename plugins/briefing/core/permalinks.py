"""A story's addresses: where the published site has it, and where it used to be.

A story's address is made of its date and slug, and a story without ``slug:`` takes its
slug from its title (Pelican's rule): correcting a headline or a date moves the story, and
every link already shared to the old address breaks.  The build records each published
story's address and feed entry id (``record``) and, on the next build, warns
(``url-moved``) at the title or date of each story whose address changed, with the
``slug:`` that keeps it or the ``aliases:`` entry that sends readers on from the old one,
and (``feed-id-changed``) at each whose feed id changed.  Nothing is compared when the URL
settings (or the feed id namespace) changed: then every story moves on purpose.

Each alias (a path on the site, such as ``2026/11/27/old-slug/``) becomes a small page
that sends readers on to the story (``site.redirects``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .diagnostics import Diagnostic, Severity, display_path
from .settings import setting
from .urls import file_of

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


def record(stories: Iterable[Any], settings: dict[str, Any]) -> dict[str, Any]:
    """What to keep of ``stories`` (published) for the next build to compare with: each
    story's address, slug and feed entry id."""
    return {
        "settings": [settings.get(name) for name in _URL_SETTINGS],
        "namespace": setting(settings, "BRIEFING_FEED_ID_NAMESPACE"),
        "stories": {s.source_path: (s.url, s.slug, getattr(s, "feed_id", None)) for s in stories},
    }


def moved(stories: Iterable[Any], settings: dict[str, Any], previous: Any) -> list[Diagnostic]:
    """A ``url-moved`` warning for each story published elsewhere by the last build, and
    a ``feed-id-changed`` warning for each whose feed entry id changed (its file renamed
    without an ``id:``, or its ``id:`` removed or changed): the story is then matched by
    its address."""
    previous = previous if isinstance(previous, dict) else {}
    was = previous.get("stories")
    if not isinstance(was, dict):
        return []
    stories = list(stories)
    found = []
    namespace = setting(settings, "BRIEFING_FEED_ID_NAMESPACE")
    if previous.get("namespace", namespace) == namespace:
        found += _ids_changed(stories, was)
    if previous.get("settings") != [settings.get(name) for name in _URL_SETTINGS]:
        return found
    for story in stories:
        old = was.get(story.source_path)
        if not (isinstance(old, tuple) and len(old) >= 2) or old[0] == story.url:
            continue
        if old[0] in (getattr(story, "aliases", None) or ()):
            continue  # moved on purpose, and the old address sends readers on
        old_url, old_slug = old[:2]
        positions = getattr(story, "briefing_positions", None) or {}
        redirect = f'; to send its readers on, add aliases: ["{old_url}"]'
        if old_slug != story.slug:
            line, col = positions.get("title", (1, 1))
            why = f'; to keep the old address, set slug: "{old_slug}"{redirect}'
        else:
            line, col = positions.get("date", (1, 1))
            why = f" (its date is part of the address){redirect}"
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


def _ids_changed(stories: list[Any], was: dict[str, Any]) -> list[Diagnostic]:
    by_url = {
        old[0]: (path, old) for path, old in was.items() if isinstance(old, tuple) and len(old) >= 3
    }
    found = []
    for story in stories:
        new_id = getattr(story, "feed_id", None)
        old = was.get(story.source_path)
        renamed_from = None
        if old is None and story.url in by_url:
            renamed_from, old = by_url[story.url]
        if not (isinstance(old, tuple) and len(old) >= 3) or not old[2] or not new_id:
            continue
        if old[2] == new_id:
            continue
        if renamed_from is not None:
            why = f"its file was {display_path(renamed_from)} and it has no id:"
        elif "id" in (getattr(story, "briefing_positions", None) or {}):
            why = "its id: changed"
        else:
            why = "its id: was removed"
        positions = getattr(story, "briefing_positions", None) or {}
        found.append(
            Diagnostic(
                display_path(story.source_path),
                *positions.get("title", (1, 1)),
                Severity.WARNING,
                "feed-id-changed",
                f"this story's feed entry id changed from {old[2]} to {new_id} since the "
                f"last build ({why}): feed readers will show it to every subscriber again "
                f'as a new story; to keep the old id, set id: "{old[2]}"',
            )
        )
    return found


def aliases(story: Any) -> list[tuple[str, str]]:
    """The story's aliases, each with the file that serves it."""
    return [(path, file_of(path)) for path in getattr(story, "aliases", None) or ()]
