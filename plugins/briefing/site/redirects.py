"""A story's aliases: each a small page at an old address that sends readers and search
engines on to the story: a canonical link, an immediate refresh and a plain link, not
indexed (as Hugo's ``aliases`` do)."""

from __future__ import annotations

from html import escape
from typing import Any

from pelican.utils import get_relative_path, path_to_url

from ..core.permalinks import PUBLISHED, aliases
from .output import write_text


def redirect_page(
    story: Any, name: str, settings: dict[str, Any], said: str = "This story has moved"
) -> str:
    """The page at ``name`` (an alias's file) that sends readers on to ``story`` (anything
    with a ``url`` and a ``title``)."""
    if settings.get("RELATIVE_URLS"):
        base = path_to_url(get_relative_path(name))
    else:
        base = settings.get("SITEURL") or ""
    target = escape(f"{base}/{story.url}" if base else story.url)
    title = escape(str(story.title))
    site = escape(str(settings.get("SITENAME", "")))
    lang = escape(str(getattr(story, "lang", None) or settings.get("DEFAULT_LANG", "en")))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title} · {site}</title>\n"
        f'<link rel="canonical" href="{target}">\n'
        f'<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f"</head>\n<body>\n"
        f'<p>{escape(said)}: <a href="{target}">{title}</a>.</p>\n'
        f"</body>\n</html>\n"
    )


def write_redirects(generator: Any, writer: Any) -> None:
    """``article_writer_finalized``: a redirect page at each alias of each published story."""
    settings = generator.settings
    for name in PUBLISHED:
        for story in getattr(generator, name, ()):
            for path, file in aliases(story):
                page = (story.url, str(story.title), getattr(story, "lang", None), path)
                write_text(
                    writer, file, lambda s=story, f=file: redirect_page(s, f, settings), page
                )
