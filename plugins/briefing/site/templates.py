"""What templates get from Briefing beyond Pelican's context: filters and globals
(``docs/site.md``), and where in a template a failure happened."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any

import jinja2
from markupsafe import Markup

from . import feeds, state

# Each match starts with the literal ``="``, which the regex engine finds at once; what
# comes before it is checked looking back (a pattern that starts with ``\s`` or an
# alternation is tried at every space of the text): twice as fast on a story.
_ID = re.compile(
    r'="(?:(?<=\shref=")#([^"]*)'
    r'|(?:(?<=\sid=")|(?<=\saria-describedby=")|(?<=\saria-labelledby="))([^"]*))"'
)


_HEADING = re.compile(r"<(/?)h([1-6])\b")


def namespaced(html: str, prefix: str, shift: int = 0) -> Markup:
    """A story's HTML ready to share a page with other stories (a day's briefing): every id
    (and every link or ARIA reference to one) prefixed with ``prefix--``, and headings moved
    ``shift`` levels down to sit under the story's own heading."""

    def rename(m: re.Match[str]) -> str:
        fragment, ids = m.groups()
        if fragment is not None:
            return f'="#{prefix}--{fragment}"'
        return '="' + " ".join(f"{prefix}--{v}" for v in ids.split()) + '"'

    html = _ID.sub(rename, str(html))
    if shift:
        html = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html)
    return Markup(html)


@jinja2.pass_context
def cached(context: Any, *key: Any, caller: Callable[[], str]) -> Markup:
    """``{% call cached(key...) %}…{% endcall %}``: a block whose text is the same wherever
    its key is (a story's card is the same on every list that shows it).  The key must
    name everything the block shows that can differ between pages (the heading level,
    ``SITEURL``).  Rendered where it is shown, unless the build keeps the blocks it
    rendered (``state.Build.blocks``, which the speed layer turns on): then each key's
    block is rendered once per build (stories are compared by identity)."""
    build = context.get(state.KEY)
    blocks = build.blocks if isinstance(build, state.Build) else None
    if blocks is None:
        return Markup(caller())
    found = blocks.get(key)
    if found is None:
        found = blocks[key] = Markup(caller())
    return found


def json_script(data: Any) -> Markup:
    """JSON for a ``<script>`` block: nothing in it can close the block or open a comment.
    On one line: with ``indent``, ``json`` encodes in Python instead of C (4x slower, a
    tenth of a story page's rendering)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for raw, safe in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, safe)
    return Markup(text)


def news_article(article: Any, siteurl: str, sitename: str) -> dict[str, Any]:
    """schema.org NewsArticle for a story page, with its sources as ``citation``."""
    url = f"{siteurl}/{article.url}"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": article.date.isoformat(),
        "dateModified": getattr(article, "modified", article.date).isoformat(),
        "author": [{"@type": "Person", "name": str(a)} for a in getattr(article, "authors", [])],
        "publisher": {"@type": "Organization", "name": sitename, "url": f"{siteurl}/"},
        "citation": [
            {
                "@type": "CreativeWork",
                "url": s.url,
                **({"name": s.title} if s.title else {}),
                **({"publisher": {"@type": "Organization", "name": s.outlet}} if s.outlet else {}),
                **({"datePublished": s.published_iso} if s.published else {}),
                **({"archivedAt": s.archived} if s.archived else {}),
            }
            for s in getattr(article, "sources", None) or ()
        ],
    }
    corrections = getattr(article, "corrections", None) or []
    if corrections:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": c.plain,
                "datePublished": c.iso,
            }
            for c in sorted(corrections, key=lambda c: c.date, reverse=True)
        ]
    if getattr(article, "category", None):
        data["articleSection"] = str(article.category)
    if getattr(article, "tags", None):
        data["keywords"] = [str(t) for t in article.tags]
    return data


JINJA_FILTERS = {
    "namespaced": namespaced,
    "json_script": json_script,
}
JINJA_FILTERS["rfc822"] = feeds.rfc822
JINJA_FILTERS["xml_text"] = feeds.xml_text
JINJA_FILTERS["link_title"] = feeds.link_title
JINJA_GLOBALS = {
    "cached": cached,
    "news_article": news_article,
    "feed_path": feeds.feed_path,
    "atom_text": feeds.atom_text,
    "FEED_SUFFIXES": feeds.SUFFIXES,
    "FEED_FORMATS": [
        ("atom", "application/atom+xml", "Atom"),
        ("rss", "application/rss+xml", "RSS"),
        ("json", "application/feed+json", "JSON Feed"),
    ],
}


def template_location(exc: jinja2.TemplateError) -> str:
    """``path:line`` of the template line that failed (Jinja maps its frames to templates)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}"
    where = "a template"
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".txt")) and os.path.exists(name):
            where = f"{os.path.relpath(name)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
