"""Feed entries and feeds: stable ids, absolute links, and the JSON Feed writer.

Atom and RSS are rendered from the theme's ``feeds/atom.xml`` and ``feeds/rss.xml``
templates (a site customises them like any template); JSON Feed 1.1 is written here.

Entry ids never change when a story's SITEURL, slug, title, section or date is edited:
they are ``urn:uuid:`` names derived from the site's ``BRIEFING_FEED_ID_NAMESPACE`` and
the story file's path under ``content/``, or the story's own ``id:`` field when it has one.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from markupsafe import Markup, escape

#: The ``_briefing`` key of JSON Feed items (the extension documented in the README).
JSON_EXTENSION = "_briefing"
_URI = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.I)
# the value of an href or src attribute that has no scheme: each match starts with the
# literal '="', which the regex engine finds at once, and looks back for the attribute
_RELATIVE_LINK = re.compile(
    r'="(?:(?<=\bhref=")|(?<=\bsrc="))(?![a-zA-Z][a-zA-Z0-9+.\-]*:)([^"]*)"'
)
_TAG = re.compile(r"<[^>]*>")


def entry_id(namespace: uuid.UUID, source_path: str, pinned: str | None = None) -> str:
    """The entry id: ``id:`` as given when it is a URI, else a name in the site's namespace."""
    if pinned:
        return pinned if _URI.match(pinned) else f"urn:uuid:{uuid.uuid5(namespace, 'id:' + pinned)}"
    return f"urn:uuid:{uuid.uuid5(namespace, 'story:' + source_path)}"


def feed_id(namespace: uuid.UUID, path: str) -> str:
    return f"urn:uuid:{uuid.uuid5(namespace, 'feed:' + path)}"


def day_id(namespace: uuid.UUID, day: dt.date) -> str:
    return f"urn:uuid:{uuid.uuid5(namespace, 'day:' + day.isoformat())}"


def absolutize(html: str, base: str) -> str:
    """Every relative ``href``/``src`` (fragments included) resolved against ``base``."""

    def fix(m: re.Match[str]) -> str:
        value = m.group(1)
        return f'="{urljoin(base, value.replace("&amp;", "&")).replace("&", "&amp;")}"'

    return _RELATIVE_LINK.sub(fix, html)


def text_of(html: str) -> str:
    import html as html_lib

    return " ".join(html_lib.unescape(_TAG.sub(" ", html)).split())


@dataclass
class Entry:
    id: str
    title: str
    url: str
    content_html: str
    summary_html: str
    published: dt.datetime
    updated: dt.datetime
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    sources: list[Any] = field(default_factory=list)

    @property
    def summary_text(self) -> str:
        return text_of(self.summary_html)

    # the HTML as XML text (Atom, RSS): escaped each time it is written, not kept, since
    # an entry lives until every feed is written and a kept copy is one more of every
    # story's HTML in the build's memory (escaping is cheap next to that)
    @property
    def content_escaped(self) -> Markup:
        return escape(self.content_html)

    @functools.cached_property
    def summary_escaped(self) -> Markup:
        return escape(self.summary_html)


@dataclass(eq=False)
class Feed:
    """One feed, in every format: ``path`` is its name without the format's suffix.

    ``shows`` holds what the feed lists (stories, or days for the daily feed), newest
    first; its entries are made from them when first asked for, so a feed that a build
    takes over unchanged from the last one never makes its entries."""

    path: str
    id: str
    title: str
    description: str
    home_url: str
    siteurl: str
    author: str
    language: str
    shows: list[Any]
    make_entry: Callable[[Any], Entry] = field(repr=False)
    #: the WebSub hub the feed names, so readers are pushed its changes (``briefing ping``)
    hub: str | None = None

    @functools.cached_property
    def entries(self) -> list[Entry]:
        return [self.make_entry(item) for item in self.shows]

    def url(self, fmt: str) -> str:
        return f"{self.siteurl}/{self.path}{SUFFIXES[fmt]}"

    @property
    def updated(self) -> dt.datetime:
        return max(
            (e.updated for e in self.entries), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        )


SUFFIXES = {"atom": ".atom.xml", "rss": ".rss.xml", "json": ".json"}


# Plain text in RSS and Atom.  RSS has no way to say a title is text rather than HTML, and
# readers guess; the RSS Best Practices Profile (3.1, character data) asks publishers to
# write "&" and "<" in plain text as hexadecimal references, which is also what tells
# the W3C feed validator the text is meant as text.  Atom can say so: a text construct
# holding markup-like characters is written as escaped HTML (type="html"), which every
# reader turns back into the same characters; type="text" holding "<" is shown as markup
# by readers that ignore the type, and the validator warns about it.
_HEX = {ord("&"): "&#x26;", ord("<"): "&#x3C;", ord(">"): "&#x3E;", ord('"'): "&#x22;"}
_MARKUP_LIKE = re.compile(r"[<&]")
_END_TAG = re.compile(r"</\w+>")


def xml_text(value: Any) -> Markup:
    """Plain text for an XML element or attribute, with ``&`` ``<`` ``>`` ``"`` written
    as hexadecimal character references, as the RSS Profile asks."""
    return Markup(str(value).translate(_HEX))


def atom_text(tag: str, value: Any) -> Markup:
    """An Atom text construct ``<tag type=…>value</tag>``: ``type="text"`` for plain
    words, ``type="html"`` (the text escaped as HTML) when it holds ``<`` or ``&``."""
    text = str(value)
    if _MARKUP_LIKE.search(text):
        html = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Markup(f'<{tag} type="html">{xml_text(html)}</{tag}>')
    return Markup(f'<{tag} type="text">{xml_text(text)}</{tag}>')


def link_title(value: Any) -> Markup:
    """An Atom link's ``title=""`` attribute, or nothing when the title holds what
    readers take for an HTML end tag: the attribute cannot say it is text, and the
    entry's content lists the source with its title anyway."""
    text = str(value)
    return Markup("") if _END_TAG.search(text) else Markup(f' title="{xml_text(text)}"')


def rfc3339(value: dt.datetime) -> str:
    return value.isoformat()


def rfc822(value: dt.datetime) -> str:
    return email.utils.format_datetime(value)


def json_feed(feed: Feed, *, about: str | None = None) -> str:
    """JSON Feed 1.1, with each item's sources under ``_briefing.sources``."""
    items = []
    for e in feed.entries:
        item: dict[str, Any] = {
            "id": e.id,
            "url": e.url,
            "title": e.title,
            "content_html": e.content_html,
            "date_published": rfc3339(e.published),
            "date_modified": rfc3339(e.updated),
        }
        if e.summary_text:
            item["summary"] = e.summary_text
        if e.authors:
            item["authors"] = [{"name": a} for a in e.authors]
        if e.categories:
            item["tags"] = e.categories
        extension: dict[str, Any] = {"sources": [_source_json(s) for s in e.sources]}
        if about:
            extension["about"] = about
        item[JSON_EXTENSION] = extension
        items.append(item)
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.url("json"),
        "description": feed.description,
        "language": feed.language,
        "authors": [{"name": feed.author}],
        "items": items,
    }
    if feed.hub:
        data["hubs"] = [{"type": "WebSub", "url": feed.hub}]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _source_json(source: Any) -> dict[str, Any]:
    out = {"key": source.key, "url": source.url, "host": source.host}
    for name in ("outlet", "title", "archived", "note"):
        if getattr(source, name):
            out[name] = getattr(source, name)
    if source.published:
        out["published"] = source.published_iso
    if source.dead:
        out["dead"] = source.dead.isoformat()
    return out


OPML_PATH = "feeds/index.opml"
#: The OPML file's groups, in order, by the first part of a feed's path after feeds/.
_GROUPS = (
    ("all", "The whole site"),
    ("daily", "Daily briefings"),
    ("corrections", "Corrections"),
    ("section", "Sections"),
    ("topic", "Topics"),
    ("source", "Outlets"),
)


def opml(all_feeds: list[Feed], sitename: str, siteurl: str) -> str:
    """Every feed of the site as an OPML 2.0 subscription list, grouped (site, daily,
    sections, topics, outlets), for a feed reader to import at once.  Each feed is named
    once, in Atom: a reader subscribing to all three formats would show each story thrice."""
    import xml.etree.ElementTree as ET

    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{sitename}: every feed"
    ET.SubElement(head, "ownerId").text = f"{siteurl}/"
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    for key, label in _GROUPS:
        members = [f for f in all_feeds if f.path.split("/")[1] == key]
        if not members:
            continue
        group = ET.SubElement(body, "outline", text=label, title=label)
        for f in members:
            ET.SubElement(
                group,
                "outline",
                type="rss",
                text=f.title,
                title=f.title,
                description=f.description,
                xmlUrl=f.url("atom"),
                htmlUrl=f.home_url,
                language=f.language,
            )
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def feed_path(kind: str, obj: Any = None) -> str:
    """Where a feed lives, without its format's suffix (.atom.xml, .rss.xml, .json)."""
    if kind in ("all", "daily", "corrections"):
        return f"feeds/{kind}"
    folder = {"section": "section", "topic": "topic", "outlet": "source"}[kind]
    return f"feeds/{folder}/{obj.slug}"
