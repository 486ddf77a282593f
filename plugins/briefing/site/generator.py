"""Pelican generator for the archive readers browse: front page by day, day, month, year
and archive pages, outlet pages, search, 404, sitemap.xml and robots.txt.

Page URLs (also in the README):

    /                         latest daily briefings, newest first (/page/N/ after)
    /YYYY/MM/DD/              one day's briefing, every story with its own anchor
    /YYYY/MM/DD/<slug>/       one story (Pelican's article page)
    /YYYY/  /YYYY/MM/         a year's months, a month's days, with story counts
    /archive/                 every year → month → day, with story counts
    /section/<slug>/  /sections/    /topic/<slug>/  /topics/      (Pelican)
    /sources/<host>/          every story citing an outlet (paginated);  /sources/  all outlets
    /search/  /404.html  /sitemap.xml  /robots.txt
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import uuid
from collections.abc import Callable
from typing import Any

from markupsafe import Markup
from pelican import contents
from pelican.generators import Generator

from ..core import archive, diagnostics
from ..core.diagnostics import Diagnostic, Severity, display_path
from ..fast import pages
from ..files import cachefile
from . import feeds, search

logger = logging.getLogger(__name__)


_PELICAN_LINK_REGEX = "[{|](?P<what>.*?)[|}]"  # Pelican's INTRASITE_LINK_REGEX default


class _RememberedURL:
    """Pelican formats ``url`` and ``save_as`` afresh on every access, and a build asks for
    them tens of thousands of times; a story's URL cannot change once it is read, so
    remember them (the class is switched as each story is made, ``remember_urls``)."""

    @functools.cached_property
    def url_format(self) -> dict[str, Any]:
        return super().url_format  # type: ignore[misc]

    @functools.cached_property
    def url(self) -> str:
        return super().url  # type: ignore[misc]

    @functools.cached_property
    def save_as(self) -> str:
        return super().save_as  # type: ignore[misc]

    def get_relative_source_path(self, source_path: str | None = None) -> str | None:
        if source_path is not None:
            return super().get_relative_source_path(source_path)  # type: ignore[misc]
        own = self.__dict__.get("_relative_source_path")
        if own is None:
            own = self.__dict__["_relative_source_path"] = super().get_relative_source_path()  # type: ignore[misc]
        return own

    def _without_site_links(self, content: str) -> bool:
        """Whether ``content`` cannot hold one of Pelican's ``{filename}``-style links:
        none of the characters that open one (with Pelican's own link pattern)."""
        return (
            self.settings.get("INTRASITE_LINK_REGEX") == _PELICAN_LINK_REGEX  # type: ignore[attr-defined]
            and "{" not in content
            and "|" not in content
        )

    def get_static_links(self) -> set[str]:
        """Pelican searches every body for ``{static}`` links, and copies the files they
        name; a body without the characters that open one has none, and a story that is
        not written (a draft, or not yet due) has its files copied only once it is."""
        if not self.save_as or self._without_site_links(self._content):  # type: ignore[attr-defined]
            return set()
        return super().get_static_links()  # type: ignore[misc]

    def _update_content(self, content: str, siteurl: str) -> str:
        """Pelican rewrites those links in each body as it is shown (once per process):
        a body without them is shown as it is."""
        if not content or self._without_site_links(content):
            return content
        return super()._update_content(content, siteurl)  # type: ignore[misc]


class RememberedArticle(_RememberedURL, contents.Article):
    pass


class RememberedPage(_RememberedURL, contents.Page):
    pass


# Pelican finds a content's settings by its class name (ARTICLE_SAVE_AS, PAGE_URL...);
# pickle finds the class by its qualified name, which stays.
RememberedArticle.__name__ = "Article"
RememberedPage.__name__ = "Page"


_NAMED = {contents.Article: RememberedArticle, contents.Page: RememberedPage}


@functools.cache
def _remembering(cls: type) -> type:
    if issubclass(cls, _RememberedURL):
        return cls
    named = _NAMED.get(cls)
    return named or type(cls.__name__, (_RememberedURL, cls), {"__module__": cls.__module__})


def remember_urls(content: Any) -> None:
    """``content_object_init``: stories and pages remember their URL (not static files)."""
    if isinstance(content, (contents.Article, contents.Page)):
        content.__class__ = _remembering(type(content))


class BriefingGenerator(Generator):
    def generate_context(self) -> None:
        stories = self.context.get("articles", [])
        for story in [*stories, *self.context.get("drafts", [])]:
            remember_urls(story)  # if another plugin made it after our signal
        self.days = archive.days(stories)
        self.calendar = archive.calendar(self.days)
        self.outlets = archive.outlets(stories)
        by_host = {o.host: o for o in self.outlets}
        archive.link_neighbours(stories)
        self._link_related(stories)
        for day in self.days:
            for story in day.stories:
                story.day = day
                # counted as the story was read, unless its body changed since
                length, words = getattr(story, "briefing_words", (None, 0))
                if length != len(story._content):
                    words = archive.body_words(story._content)
                story.reading_minutes = archive.minutes_for(words)
                story.outlets = [by_host[h] for h in dict.fromkeys(s.host for s in _sources(story))]
        for story in [*self.context.get("drafts", []), *self.context.get("hidden_articles", [])]:
            # not in the archive, but rendered with the same story template
            story.previous_story = story.next_story = None
            story.related_stories, story.outlets = [], []
        search_pages: dict[str, list[str]] = {}
        for story in stories:
            search_pages.setdefault(search.shard_of(story.date), []).append(story.save_as)
        self.context.update(
            days=self.days,
            calendar=self.calendar,
            outlets=self.outlets,
            outlet_by_host=by_host,
            search_pages=search_pages,
            search_bundles=sorted(search_pages, reverse=True),
        )
        self.namespace = _feed_namespace(self.settings)
        self.entry_ids = self._entry_ids(stories)

    def _link_related(self, stories: list[Any]) -> None:
        """``archive.link_related``, its answer kept in the cache folder for the next build
        (it is the costliest step of an unchanged archive; a changed one computes it anew)."""
        folder = self.settings.get("CACHE_PATH") or "cache"
        path = os.path.join(folder, "briefing-related.pickle")
        enabled = self.settings.get("BRIEFING_READ_CACHE", True)
        key = archive.related_key(stories) if enabled else None
        saved = cachefile.load(path) if key is not None else None
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
        if key is not None:
            answer = {s.source_path: [r.source_path for r in s.related_stories] for s in stories}
            cachefile.save(path, (key, answer), "the related-stories cache")

    def generate_output(self, writer: Any) -> None:
        relative = self.settings.get("RELATIVE_URLS", False)

        def write(name: str, template: str, **kwargs: Any) -> None:
            writer.write_file(name, self.get_template(template), self.context, relative, **kwargs)

        write(
            "index.html",
            "index",
            paginated={"days": self.days},
            template_name="index",
            url="",
            page_name="index",
        )
        for day in self.days:
            write(day.save_as, "day", day=day, url=day.url, page_name=day.url)
        for year in self.calendar:
            write(year.save_as, "year", year=year, url=year.url)
            for month in year.months:
                write(month.save_as, "month", month=month, url=month.url)
        write("archive/index.html", "archives", url="archive/")
        for outlet in self.outlets:
            write(
                outlet.save_as,
                "outlet",
                paginated={"articles": outlet.stories},
                template_name="outlet",
                outlet=outlet,
                url=outlet.url,
            )
        write("sources/index.html", "outlets", url="sources/")
        write("search/index.html", "search", url="search/")
        write("404.html", "404", url="404.html")
        for name in ("sitemap.xml", "robots.txt"):
            writer.write_file(name, self.env.get_template(name), self.context, False, url=name)
        if self.settings.get("BRIEFING_FEEDS"):
            self.write_feeds(writer)

    # --- feeds ---------------------------------------------------------------------------

    def _entry_ids(self, stories: list[Any]) -> dict[int, str]:
        """Each story's feed id; two stories with one id is an error at the second one."""
        ids: dict[int, str] = {}
        seen: dict[str, Any] = {}
        root = os.path.join(os.path.abspath(self.path), "")
        for story in sorted(stories, key=lambda s: (s.date, s.source_path)):
            path = story.source_path
            if path.startswith(root) and os.sep + ".." + os.sep not in path:
                rel = path[len(root) :]  # what relpath says, without its cost
            else:
                rel = os.path.relpath(path, self.path)
            rel = rel.replace(os.sep, "/")
            value = feeds.entry_id(self.namespace, rel, getattr(story, "id", None))
            if value in seen:
                line, col = getattr(story, "briefing_positions", {}).get("id", (1, 1))
                diagnostics.publish(
                    [
                        Diagnostic(
                            display_path(story.source_path),
                            line,
                            col,
                            Severity.ERROR,
                            "feed-duplicate-id",
                            f"feed id {value} is already used by "
                            f"{display_path(seen[value].source_path)}",
                        )
                    ]
                )
            seen.setdefault(value, story)
            ids[id(story)] = value
            story.feed_id = value  # recorded with the published site (permalinks.py)
        return ids

    def _entry(self, story: Any, siteurl: str) -> feeds.Entry:
        url = f"{siteurl}/{story.url}"
        categories = [str(story.category)] if getattr(story, "category", None) else []
        categories += [str(t) for t in getattr(story, "tags", [])]
        return feeds.Entry(
            id=self.entry_ids[id(story)],
            title=story.title,
            url=url,
            content_html=feeds.absolutize(story.get_content(siteurl), url),
            summary_html=feeds.absolutize(story.get_summary(siteurl), url),
            published=story.date,
            updated=getattr(story, "modified", None) or story.date,
            authors=[str(a) for a in getattr(story, "authors", [])],
            categories=list(dict.fromkeys(categories)),
            sources=_sources(story),
        )

    def _day_entry(self, day: archive.Day, entry: Any, siteurl: str) -> feeds.Entry:
        parts = []
        for story in day.stories:
            e = entry(story)
            body = str(namespaced(e.content_html, story.slug, 1))
            parts.append(f'<h2><a href="{e.url}">{Markup.escape(e.title)}</a></h2>\n{body}')
        stories = [entry(s) for s in day.stories]
        return feeds.Entry(
            id=feeds.day_id(self.namespace, day.date),
            title=f"{self.settings['SITENAME']}: {day.title}",
            url=f"{siteurl}/{day.url}",
            content_html="\n".join(parts),
            summary_html=", ".join(str(Markup.escape(e.title)) for e in stories),
            published=min(e.published for e in stories),
            updated=max(e.updated for e in stories),
            categories=sorted({c for e in stories for c in e.categories}),
            sources=[s for e in stories for s in e.sources],
        )

    def write_feeds(self, writer: Any) -> None:
        siteurl = self.settings.get("SITEURL", "")
        if not siteurl.startswith(("http://", "https://")):
            logger.error(
                "briefing: feeds need an absolute SITEURL (https://…), not %r; set it in the "
                "settings (publishconf.py) or turn feeds off with BRIEFING_FEEDS = False",
                siteurl,
            )
            return
        self.context["localsiteurl"] = siteurl
        cap = int(self.settings.get("BRIEFING_FEED_MAX_ITEMS", 50))
        stories = self.context.get("articles", [])  # newest first
        made: dict[int, feeds.Entry] = {}

        def entry(story: Any) -> feeds.Entry:
            found = made.get(id(story))
            if found is None:
                found = made[id(story)] = self._entry(story, siteurl)
            return found

        sitename = self.settings["SITENAME"]

        def feed(path: str, title: str, home: str, items: list[Any], about: str, make=entry):
            return feeds.Feed(
                path=path,
                id=feeds.feed_id(self.namespace, path),
                title=title,
                description=about,
                home_url=f"{siteurl}/{home}",
                siteurl=siteurl,
                author=self.settings.get("AUTHOR") or sitename,
                language=self.settings.get("DEFAULT_LANG", "en"),
                shows=list(items[:cap]),
                make_entry=make,
            )

        all_feeds = [
            feed(
                feed_path("all"),
                sitename,
                "",
                stories,
                self.settings.get("SITESUBTITLE") or sitename,
            )
        ]
        for category, items in self.context.get("categories", []):
            all_feeds.append(
                feed(
                    feed_path("section", category),
                    f"{sitename}: {category}",
                    category.url,
                    items,
                    f"Stories in the section {category}",
                )
            )
        for tag, items in self.context.get("tags", []):
            all_feeds.append(
                feed(
                    feed_path("topic", tag),
                    f"{sitename}: {tag}",
                    tag.url,
                    items,
                    f"Stories on the topic {tag}",
                )
            )
        for outlet in self.outlets:
            all_feeds.append(
                feed(
                    feed_path("outlet", outlet),
                    f"{sitename}: {outlet.name}",
                    outlet.url,
                    outlet.stories,
                    f"Stories citing {outlet.name} ({outlet.host})",
                )
            )
        all_feeds.append(
            feed(
                feed_path("daily"),
                f"{sitename}: daily briefings",
                "",
                self.days,
                "One entry a day, holding that day's stories",
                lambda day: self._day_entry(day, entry, siteurl),
            )
        )
        atom, rss = self.env.get_template("feeds/atom.xml"), self.env.get_template("feeds/rss.xml")
        about = self.settings.get("BRIEFING_JSON_FEED_ABOUT")
        for f in all_feeds:
            for fmt, template in (("atom", atom), ("rss", rss)):
                name = f.path + feeds.SUFFIXES[fmt]
                writer.write_file(name, template, self.context, False, feed=f, url=name)
            name = f.path + feeds.SUFFIXES["json"]
            pages.write_text(writer, name, functools.partial(feeds.json_feed, f, about=about), f)


def fast_membership(generators: Any) -> None:
    """``all_generators_finalized``: Pelican filters its date-ordered list of every story
    once per topic, section and author with ``story in that_list`` (quadratic); give it
    lists that answer ``in`` from a set."""
    from pelican.generators import ArticlesGenerator

    members: dict[int, _Members] = {}

    def swap(items: list[Any]) -> _Members:
        found = members.get(id(items))
        if found is None:
            found = members[id(items)] = _Members(items)
        return found

    for gen in generators:
        if not isinstance(gen, ArticlesGenerator):
            continue

        if isinstance(gen.tags, dict):
            for tag in gen.tags:
                gen.tags[tag] = swap(gen.tags[tag])
        for name in ("tags", "categories", "authors"):
            pairs = gen.context.get(name)
            if isinstance(pairs, list):
                pairs[:] = [(key, swap(items)) for key, items in pairs]
        for name in ("categories", "authors"):
            pairs = getattr(gen, name, None)
            if isinstance(pairs, list) and pairs is not gen.context.get(name):
                pairs[:] = [(key, swap(items)) for key, items in pairs]


class _Members(list):
    """A list whose ``in`` is a set lookup (by identity, as for Pelican's contents)."""

    def __init__(self, items: Any) -> None:
        super().__init__(items)
        self._ids = {id(item) for item in self}

    def __contains__(self, item: object) -> bool:
        return id(item) in self._ids


def _sources(story: Any) -> list[Any]:
    return list(getattr(story, "sources", None) or [])


def _feed_namespace(settings: dict[str, Any]) -> uuid.UUID:
    """Set BRIEFING_FEED_ID_NAMESPACE once per site; entry ids are names in it."""
    value = settings.get("BRIEFING_FEED_ID_NAMESPACE")
    if value:
        return uuid.UUID(str(value))
    return uuid.uuid5(uuid.NAMESPACE_URL, "briefing:" + settings.get("SITENAME", ""))


def feed_path(kind: str, obj: Any = None) -> str:
    """Where a feed lives, without its format's suffix (.atom.xml, .rss.xml, .json)."""
    if kind in ("all", "daily"):
        return f"feeds/{kind}"
    folder = {"section": "section", "topic": "topic", "outlet": "source"}[kind]
    return f"feeds/{folder}/{obj.slug}"


# --- template filters ----------------------------------------------------------------

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


_RENDERED: dict[tuple[Any, ...], Markup] = {}


def cached(*key: Any, caller: Callable[[], str]) -> Markup:
    """``{% call cached(key...) %}…{% endcall %}``: the block's text, rendered once per
    build for each key (stories are compared by identity) and reused, since a story's card
    is the same on every list that shows it.  The key must name everything the block
    shows that can differ between pages (the heading level, ``SITEURL``)."""
    found = _RENDERED.get(key)
    if found is None:
        found = _RENDERED[key] = Markup(caller())
    return found


def forget_rendered() -> None:
    """A new build: its stories are new objects."""
    _RENDERED.clear()


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
            }
            for s in _sources(article)
        ],
    }
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
JINJA_GLOBALS = {
    "cached": cached,
    "news_article": news_article,
    "feed_path": feed_path,
    "FEED_SUFFIXES": feeds.SUFFIXES,
    "FEED_FORMATS": [
        ("atom", "application/atom+xml", "Atom"),
        ("rss", "application/rss+xml", "RSS"),
        ("json", "application/feed+json", "JSON Feed"),
    ],
}
