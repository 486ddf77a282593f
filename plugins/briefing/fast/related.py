"""Related stories kept between builds: the costliest step of an unchanged archive."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..core import archive
from ..files import cachefile
from . import keys

CACHE_NAME = "briefing-related.pickle"


def kept(settings: dict[str, Any]) -> Callable[[list[Any]], None]:
    """``archive.link_related``, its answer kept in the cache folder for the next build
    (a changed archive computes it anew)."""
    path = os.path.join(settings.get("CACHE_PATH") or "cache", CACHE_NAME)

    def link_related(stories: list[Any]) -> None:
        key = keys.related_key(stories)
        saved = cachefile.load(path)
        if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == key:
            by_path = {s.source_path: s for s in stories}
            try:
                related = [[by_path[p] for p in saved[1][s.source_path]] for s in stories]
            except (KeyError, TypeError):
                related = None
            if related is not None:
                for story, others in zip(stories, related, strict=True):
                    story.related_stories = others
                return
        archive.link_related(stories)
        answer = {s.source_path: [r.source_path for r in s.related_stories] for s in stories}
        cachefile.save(path, (key, answer), "the related-stories cache")

    return link_related
