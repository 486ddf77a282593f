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
    /corrections/             every correction of the site, newest first (paginated)
    /search/  /404.html  /sitemap.xml  /robots.txt
"""

from __future__ import annotations

import functools
import logging
import os
import uuid
from typing import Any

from markupsafe import Markup
from pelican.generators import Generator

from ..core import archive, corrections
from ..core.diagnostics import Diagnostic, Severity, display_path
from ..core.settings import setting
from . import email, feeds, search, state, templates
from .output import write_text
from .redirects import redirect_page

logger = logging.getLogger(__name__)


class BriefingGenerator(Generator):
    def generate_context(self) -> None:
        stories = self.context.get("articles", [])
        self.days = archive.days(stories)
        self.calendar = archive.calendar(self.days)
        self.outlets = archive.outlets(stories)
        by_host = {o.host: o for o in self.outlets}
        archive.link_neighbours(stories)
        state.of(self.settings).link_related(stories)  # (fast: kept between builds)
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
        newest = max((story.date for story in stories), default=None)
        for story in stories:
            shard = search.shard_of(story.date, newest)
            search_pages.setdefault(shard, []).append(story.save_as)
        self.context.update(
            days=self.days,
            calendar=self.calendar,
            outlets=self.outlets,
            outlet_by_host=by_host,
            search_pages=search_pages,
            search_bundles=sorted(search_pages, reverse=True),
        )
        self.corrections = corrections.listing(stories)
        self.namespace = _feed_namespace(self.settings)
        self.entry_ids = self._entry_ids(stories)

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
                stable_older={"outlet": outlet.heading()},
                url=outlet.url,
            )
        write("sources/index.html", "outlets", url="sources/")
        listed = corrections_url(self.settings)
        write(
            listed + "index.html",
            "corrections",
            paginated={"corrections": self.corrections},
            template_name="corrections",
            corrections=self.corrections,
            url=listed,
        )
        write("search/index.html", "search", url="search/")
        write("404.html", "404", url="404.html")
        for name in ("sitemap.xml", "robots.txt"):
            writer.write_file(name, self.env.get_template(name), self.context, False, url=name)
        if setting(self.settings, "BRIEFING_FEEDS"):
            self.write_feeds(writer)
        if setting(self.settings, "BRIEFING_EMAIL_WEB_COPY") and self.days:
            self.write_email_copies(writer)

    def write_email_copies(self, writer: Any) -> None:
        """The newest days' email editions as pages, each beside its day (the mail's "read
        in a browser" link); an older day's ``email.html`` sends readers to the day."""
        try:
            email.siteurl_of(self.settings)
        except email.EmailError as exc:
            logger.error("briefing: %s (or set BRIEFING_EMAIL_WEB_COPY = 0)", exc)
            return
        newest = int(setting(self.settings, "BRIEFING_EMAIL_WEB_COPY"))

        def edition(day: archive.Day) -> str:
            made = email.make(day, self.context, self.settings, self.env, web_copy=True, text=False)
            if made.left_out:
                logger.warning(
                    "briefing: email-truncated: the edition of %s would be over "
                    "BRIEFING_EMAIL_MAX_BYTES; %d stories are left to the web",
                    day.date,
                    made.left_out,
                )
            return made.html

        for n, day in enumerate(self.days):
            name = day.url + email.WEB_COPY
            if n < newest:
                write_text(writer, name, functools.partial(edition, day), ("email", day))
            else:
                moved = functools.partial(
                    redirect_page, day, name, self.settings, "This edition is on its day's page"
                )
                write_text(writer, name, moved, ("email-moved", day.url, day.title))

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
                state.publish(
                    self.settings,
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
                    ],
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

    def _correction_entry(self, item: corrections.Listed, siteurl: str) -> feeds.Entry:
        """A corrections feed's entry: one correction, linking to it on its story."""
        story, entry = item.story, item.entry
        story_url = f"{siteurl}/{story.url}"
        title = Markup.escape(story.title)
        body = feeds.absolutize(entry.html, story_url)
        note = f'<p>{entry.label} to <a href="{story_url}">{title}</a>.</p>'
        key = f"correction:{self.entry_ids[id(story)]}:{entry.iso}"
        return feeds.Entry(
            id=f"urn:uuid:{uuid.uuid5(self.namespace, key)}",
            title=f"{entry.label}: {story.title}",
            url=f"{story_url}#{item.anchor}",
            content_html=f"{body}\n{note}",
            summary_html="",
            published=entry.date,
            updated=entry.date,
            categories=[entry.label],
        )

    def _day_entry(self, day: archive.Day, entry: Any, siteurl: str) -> feeds.Entry:
        parts = []
        for story in day.stories:
            e = entry(story)
            body = str(templates.namespaced(e.content_html, story.slug, 1))
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
        cap = int(setting(self.settings, "BRIEFING_FEED_MAX_ITEMS"))
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
                hub=setting(self.settings, "BRIEFING_WEBSUB_HUB") or None,
            )

        all_feeds = [
            feed(
                feeds.feed_path("all"),
                sitename,
                "",
                stories,
                self.settings.get("SITESUBTITLE") or sitename,
            )
        ]
        for category, items in self.context.get("categories", []):
            all_feeds.append(
                feed(
                    feeds.feed_path("section", category),
                    f"{sitename}: {category}",
                    category.url,
                    items,
                    f"Stories in the section {category}",
                )
            )
        for tag, items in self.context.get("tags", []):
            all_feeds.append(
                feed(
                    feeds.feed_path("topic", tag),
                    f"{sitename}: {tag}",
                    tag.url,
                    items,
                    f"Stories on the topic {tag}",
                )
            )
        for outlet in self.outlets:
            all_feeds.append(
                feed(
                    feeds.feed_path("outlet", outlet),
                    f"{sitename}: {outlet.name}",
                    outlet.url,
                    outlet.stories,
                    f"Stories citing {outlet.name} ({outlet.host})",
                )
            )
        all_feeds.append(
            feed(
                feeds.feed_path("corrections"),
                f"{sitename}: corrections",
                corrections_url(self.settings),
                self.corrections,
                "Every correction, update and clarification, newest first",
                lambda item: self._correction_entry(item, siteurl),
            )
        )
        all_feeds.append(
            feed(
                feeds.feed_path("daily"),
                f"{sitename}: daily briefings",
                "",
                self.days,
                "One entry a day, holding that day's stories",
                lambda day: self._day_entry(day, entry, siteurl),
            )
        )
        atom, rss = self.env.get_template("feeds/atom.xml"), self.env.get_template("feeds/rss.xml")
        about = setting(self.settings, "BRIEFING_JSON_FEED_ABOUT")
        for f in all_feeds:
            for fmt, template in (("atom", atom), ("rss", rss)):
                name = f.path + feeds.SUFFIXES[fmt]
                writer.write_file(name, template, self.context, False, feed=f, url=name)
            name = f.path + feeds.SUFFIXES["json"]
            write_text(writer, name, functools.partial(feeds.json_feed, f, about=about), f)
        listed = tuple((f.path, f.title, f.description, f.home_url) for f in all_feeds)
        write_text(
            writer,
            feeds.OPML_PATH,
            functools.partial(feeds.opml, all_feeds, sitename, siteurl),
            ("opml", listed),
        )


def corrections_url(settings: dict[str, Any]) -> str:
    """Where the corrections page is (``CORRECTIONS_URL``, a folder)."""
    return str(settings.get("CORRECTIONS_URL") or "corrections/").strip("/") + "/"


def _sources(story: Any) -> list[Any]:
    return list(getattr(story, "sources", None) or [])


def _feed_namespace(settings: dict[str, Any]) -> uuid.UUID:
    """Set BRIEFING_FEED_ID_NAMESPACE once per site; entry ids are names in it."""
    value = setting(settings, "BRIEFING_FEED_ID_NAMESPACE")
    if value:
        return uuid.UUID(str(value))
    return uuid.uuid5(uuid.NAMESPACE_URL, "briefing:" + settings.get("SITENAME", ""))
