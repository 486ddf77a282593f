"""A day's email edition, made from the same stories, settings and theme as the site.

The HTML comes from the theme's ``email/edition.html`` with every style inlined by
``css-inline`` (mail clients drop ``<style>`` blocks or ignore class selectors; only the
``@media`` rules for dark mode and narrow screens, which cannot be inlined, stay in the
head).  Each story is shown with the HTML its feed entry carries (absolute links, its
numbered sources with archived copies), stripped of what only the web page uses: ids,
hover cards, links back to a citation.  The plain-text part is made from each story's
Markdown (``core.edition``), not from the HTML.  An edition larger than
``BRIEFING_EMAIL_MAX_BYTES`` keeps as many whole stories as fit and links the rest.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import css_inline
from bs4 import BeautifulSoup
from markupsafe import Markup

from ..core import archive, edition
from ..core.errors import Failure
from ..core.settings import setting
from ..core.story import Options, StoryReader
from . import feeds

TEMPLATE = "email/edition.html"
#: the web copy of the newest day's edition (``BRIEFING_EMAIL_WEB_COPY``), beside its day
WEB_COPY = "email.html"
_ONLY_ON_THE_WEB = ("id", "data-card", "aria-describedby", "aria-labelledby", "tabindex")
_HEADING = re.compile(r"^h([1-6])$")
_FIELD = re.compile(r"\{(site|headline|date)\}")


class EmailError(Failure):
    """An edition cannot be made (no absolute SITEURL, no such day)."""


@dataclass
class EditionStory:
    title: str
    url: str
    html: Markup
    text: str
    sources_text: str
    words: int


@dataclass
class Edition:
    day: archive.Day
    subject: str
    html: str
    text: str
    envelope: edition.Envelope
    stories: list[EditionStory] = field(default_factory=list)
    #: stories of the day left to the web, to keep the message under the size limit
    left_out: int = 0

    def message(self, to: str | None = None) -> EmailMessage:
        return edition.compose(self.envelope, self.text, self.html, to)


def siteurl_of(settings: dict[str, Any]) -> str:
    siteurl = str(settings.get("SITEURL") or "").rstrip("/")
    if not siteurl.startswith(("http://", "https://")):
        raise EmailError(
            f"an email edition needs an absolute SITEURL (https://…), not {siteurl!r}: "
            "read the production settings (-s publishconf.py)"
        )
    return siteurl


def day_of(days: list[archive.Day], wanted: str | None) -> archive.Day:
    """The day asked for (``YYYY-MM-DD``), or the newest."""
    if not days:
        raise EmailError("the site has no published stories, so no day to send")
    if wanted is None:
        return days[0]
    try:
        date = dt.date.fromisoformat(wanted)
    except ValueError:
        raise EmailError(f"{wanted!r} is not a day (YYYY-MM-DD)") from None
    for day in days:
        if day.date == date:
            return day
    raise EmailError(f"no stories were published on {date.isoformat()}")


def make(
    day: archive.Day,
    context: dict[str, Any],
    settings: dict[str, Any],
    env: Any,
    *,
    web_copy: bool = False,
    text: bool = True,
) -> Edition:
    """The edition of ``day``; ``env`` is the theme's Jinja environment.  Without
    ``text``, its HTML only (a web copy needs no plain-text part)."""
    siteurl = siteurl_of(settings)
    stories = _stories(day, context, settings, siteurl, text)
    sitename = settings.get("SITENAME", "")
    top = day.stories[0]
    subject = _FIELD.sub(
        lambda m: {"site": sitename, "headline": top.title, "date": day.title}[m.group(1)],
        setting(settings, "BRIEFING_EMAIL_SUBJECT"),
    )
    subject = edition.header_text(subject)
    host = urlsplit(siteurl).hostname or "localhost"
    envelope = edition.Envelope(
        subject=subject,
        sender=setting(settings, "BRIEFING_EMAIL_FROM") or f"{sitename} <briefing@{host}>",
        date=max(s.date for s in day.stories),
        message_id=edition.message_id(siteurl, day.date),
        reply_to=setting(settings, "BRIEFING_EMAIL_REPLY_TO"),
        unsubscribe=setting(settings, "BRIEFING_EMAIL_UNSUBSCRIBE_URL"),
    )
    links = {
        "day": f"{siteurl}/{day.url}",
        "web_copy": f"{siteurl}/{day.url}{WEB_COPY}",
        "feeds": f"{siteurl}/{feeds.feed_path('daily')}{feeds.SUFFIXES['atom']}",
        "all_feeds": f"{siteurl}/{feeds.OPML_PATH}",
        "archive": f"{siteurl}/{settings.get('ARCHIVES_URL', 'archive/')}",
        "home": f"{siteurl}/",
        "unsubscribe": envelope.unsubscribe,
    }
    limit = int(setting(settings, "BRIEFING_EMAIL_MAX_BYTES"))
    preheader = feeds.text_of(str(top.get_summary(siteurl)))
    keep = len(stories)
    while True:
        shown = stories[:keep]
        html = _html(env, context, day, shown, len(stories) - keep, subject, preheader,
                     links, web_copy)  # fmt: skip
        if len(html.encode("utf-8")) <= limit or keep == 1:
            break
        keep -= 1
    plain = _text(sitename, day, shown, len(stories) - keep, links) if text else ""
    return Edition(day, subject, html, plain, envelope, shown, len(stories) - keep)


def _stories(
    day: archive.Day, context: dict[str, Any], settings: dict[str, Any], siteurl: str, text: bool
) -> list[EditionStory]:
    reader = StoryReader(Options.from_settings(settings)) if text else None
    made = []
    for story in day.stories:
        url = f"{siteurl}/{story.url}"
        html = _for_mail(feeds.absolutize(story.get_content(siteurl), url))
        plain = sources_text = ""
        if reader is not None:
            body = reader.body_of(story.source_path) or ""
            entries = sorted(getattr(story, "corrections", None) or (), key=lambda c: c.date)
            if entries:  # after the story, newest first, as its page shows them
                fmt = reader.options.date_format
                body += "\n\n## Corrections\n\n" + "\n\n".join(
                    c.markdown(fmt) for c in reversed(entries)
                )
            plain, sources_text = edition.story_text(
                reader.md,
                body,
                list(getattr(story, "sources", None) or []),
                base_url=url,
                resolve=_resolver(context, story, siteurl),
                keys_as_text=getattr(story, "sources", None) is None,
            )
        words = archive.body_words(story._content)
        made.append(EditionStory(story.title, url, Markup(html), plain, sources_text, words))
    return made


def _for_mail(html: str) -> str:
    """A story's HTML without what only its web page uses, its headings one level down
    (the story's own headline is the edition's second level)."""
    soup = BeautifulSoup(html, "html.parser")
    for back in soup.select("a.source__back, a.footnote-backref"):
        back.decompose()
    for tag in soup.find_all(True):
        for name in _ONLY_ON_THE_WEB:
            tag.attrs.pop(name, None)
        for name in [a for a in tag.attrs if a.startswith("data-")]:
            del tag.attrs[name]
        m = _HEADING.match(tag.name)
        if m:
            tag.name = f"h{min(6, int(m.group(1)) + 1)}"
    return str(soup)


def _resolver(context: dict[str, Any], story: Any, siteurl: str):
    """Where a ``{filename}``/``{static}`` link of the story leads, as Pelican links it."""
    root = os.path.abspath(context.get("PATH") or ".")
    here = os.path.dirname(os.path.relpath(story.source_path, root))

    def resolve(href: str) -> str | None:
        m = re.match(r"^(?:\{(\w+)\}|\|(\w+)\|)(.*)$", href)
        if not m:
            return None
        what, target = m.group(1) or m.group(2), m.group(3)
        path, _, fragment = target.partition("#")
        key = "static_content" if what in ("static", "attach") else "generated_content"
        rel = path[1:] if path.startswith("/") else os.path.normpath(os.path.join(here, path))
        found = (context.get(key) or {}).get(rel) or (context.get("static_content") or {}).get(rel)
        if found is None:
            return None
        return f"{siteurl}/{found.url}" + (f"#{fragment}" if fragment else "")

    return resolve


def _html(
    env: Any,
    context: dict[str, Any],
    day: archive.Day,
    stories: list[EditionStory],
    more: int,
    subject: str,
    preheader: str,
    links: dict[str, Any],
    web_copy: bool,
) -> str:
    words = sum(s.words for s in stories)
    page = env.get_template(TEMPLATE).render(
        {
            **context,
            "edition": {
                "day": day,
                "subject": subject,
                "preheader": preheader,
                "stories": stories,
                "count": len(stories) + more,
                "words": words,
                "minutes": archive.minutes_for(words),
                "more": more,
                "links": links,
                "web_copy": web_copy,
            },
        }
    )
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    return inliner.inline(page)


def _text(
    sitename: str, day: archive.Day, stories: list[EditionStory], more: int, links: dict
) -> str:
    words = sum(s.words for s in stories)
    count = len(stories) + more
    head = [
        edition.fill(f"{sitename}: {day.title}"),
        edition.fill(
            f"{count} stor{'y' if count == 1 else 'ies'} · {words:,} words · "
            f"about {archive.minutes_for(words)} min"
        ),
    ]
    parts = ["\n".join(head)]
    for n, story in enumerate(stories, 1):
        block = [edition.fill(f"{n}. {story.title.upper()}"), story.url, "", story.text]
        if story.sources_text:
            block += ["", "Sources", story.sources_text]
        parts.append("\n".join(block))
    if more:
        parts.append(
            edition.fill(f"{more} more stor{'y' if more == 1 else 'ies'} on the web:")
            + "\n"
            + links["day"]
        )
    tail = [
        f"This briefing on the web: {links['day']}",
        f"Feeds: {links['feeds']} (every feed: {links['all_feeds']})",
        f"Archive: {links['archive']}",
    ]
    if links.get("unsubscribe"):
        tail.append(f"Unsubscribe: {links['unsubscribe']}")
    parts.append("\n".join(edition.fill(line) for line in tail))
    return ("\n\n" + "-" * edition.WIDTH + "\n\n").join(parts)
