"""Pelican generator for the archive readers browse: front page by day, day, month, year
and archive pages, outlet pages, search, 404, sitemap.xml and robots.txt.

Page URLs (also in the README):

    /                         latest daily briefings, newest first (/page/N/ after)
    /YYYY/MM/DD/              one day's briefing, every story with its own anchor
    /YYYY/MM/DD/<slug>/       one story (Pelican's article page)
    /YYYY/  /YYYY/MM/         a year's months, a month's days, with story counts
    /archive/                 every year → month → day, with story counts
    /section/<slug>/  /sections/    /topic/<slug>/  /topics/      (Pelican)
    /sources/<host>/          every story citing an outlet;  /sources/  all outlets
    /search/  /404.html  /sitemap.xml  /robots.txt
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup
from pelican.generators import Generator

from . import archive


class BriefingGenerator(Generator):
    def generate_context(self) -> None:
        stories = self.context.get("articles", [])
        self.days = archive.days(stories)
        self.calendar = archive.calendar(self.days)
        self.outlets = archive.outlets(stories)
        by_host = {o.host: o for o in self.outlets}
        archive.link_neighbours(stories)
        archive.link_related(stories)
        for day in self.days:
            for story in day.stories:
                story.day = day
                body = story._content.split('<section class="sources"', 1)[0]
                story.reading_minutes = archive.reading_minutes(body)
                story.outlets = [by_host[h] for h in dict.fromkeys(s.host for s in _sources(story))]
        self.context.update(
            days=self.days, calendar=self.calendar, outlets=self.outlets, outlet_by_host=by_host
        )

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
            write(outlet.save_as, "outlet", outlet=outlet, url=outlet.url)
        write("sources/index.html", "outlets", url="sources/")
        write("search/index.html", "search", url="search/")
        write("404.html", "404", url="404.html")
        for name in ("sitemap.xml", "robots.txt"):
            writer.write_file(name, self.env.get_template(name), self.context, False, url=name)


def _sources(story: Any) -> list[Any]:
    return list(getattr(story, "sources", None) or [])


# --- template filters ----------------------------------------------------------------

_ID = re.compile(r'\b(id|aria-describedby|aria-labelledby)="([^"]*)"|\bhref="#([^"]*)"')


_HEADING = re.compile(r"<(/?)h([1-6])\b")


def namespaced(html: str, prefix: str, shift: int = 0) -> Markup:
    """A story's HTML ready to share a page with other stories (a day's briefing): every id
    (and every link or ARIA reference to one) prefixed with ``prefix--``, and headings moved
    ``shift`` levels down to sit under the story's own heading."""

    def rename(m: re.Match[str]) -> str:
        if m.group(3) is not None:
            return f'href="#{prefix}--{m.group(3)}"'
        ids = " ".join(f"{prefix}--{v}" for v in m.group(2).split())
        return f'{m.group(1)}="{ids}"'

    html = _ID.sub(rename, str(html))
    if shift:
        html = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}", html)
    return Markup(html)


def json_script(data: Any) -> Markup:
    """JSON for a ``<script>`` block: nothing in it can close the block or open a comment."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
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
JINJA_GLOBALS = {"news_article": news_article}
