"""Digests of what each page is made of, so an unchanged page can be taken over from the
last published build instead of being rendered again.

A page's digest is the **site digest** (Briefing's and Pelican's code, the theme, the
settings, and everything about every story except its body) plus the bodies of the stories
the page shows in full: the story of a story page, the stories of a day, of a page of a
list, of a feed.  So editing a story's text re-renders only the pages that carry that text;
changing anything else a page could show about a story (title, date, URL, section, topics,
authors, sources, summary, reading time) changes the site digest and re-renders every page.

A value with no stable form (an object that prints with its memory address) makes its page
*unkeyed*: such a page is always rendered, never reused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import re
import types
from typing import Any

from pelican.contents import Content
from pelican.paginator import Page as PaginatorPage
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper


class Unstable(Exception):
    """A value without a stable form; pages that depend on it are always rendered."""


_SCALARS = (type(None), bool, int, float)
_MAX_DEPTH = 24


def feed(h: Any, obj: Any, depth: int = 0, exact: bool = False) -> None:
    """Write a canonical, unambiguous form of ``obj`` into the hash ``h``.  ``exact``:
    never through ``repr`` (which shows a set in the order of its process's string
    hashes; stories hold no sets, settings may)."""
    if depth > _MAX_DEPTH:
        raise Unstable("nested too deeply")
    if type(obj) is str:  # the commonest case first
        data = obj.encode("utf-8", "surrogatepass")
        h.update(b"s%d:" % len(data))
        h.update(data)
        return
    if not exact and (isinstance(obj, (list, tuple, dict)) or dataclasses.is_dataclass(obj)):
        # Python's repr is fast and, for these, complete; objects printed with their
        # address (functions, Pelican's contents) take the slow path below
        text = repr(obj)
        if " at 0x" not in text:
            h.update(b"R%d:" % len(text))
            h.update(text.encode("utf-8", "surrogatepass"))
            return
    if isinstance(obj, str):  # Markup included
        data = obj.encode("utf-8", "surrogatepass")
        h.update(b"s%d:" % len(data))
        h.update(data)
    elif isinstance(obj, _SCALARS) or isinstance(obj, enum.Enum):
        h.update(b"r" + repr(obj).encode() + b";")
    elif isinstance(obj, bytes):
        h.update(b"b%d:" % len(obj))
        h.update(obj)
    elif isinstance(obj, (list, tuple)):
        h.update(b"l%d[" % len(obj))
        for item in obj:
            feed(h, item, depth + 1, exact)
        h.update(b"]")
    elif isinstance(obj, dict):
        h.update(b"d%d{" % len(obj))
        for key in sorted(obj, key=repr):
            feed(h, key, depth + 1, exact)
            feed(h, obj[key], depth + 1, exact)
        h.update(b"}")
    elif isinstance(obj, (set, frozenset)):
        h.update(b"S" + "".join(sorted(digest(item) for item in obj)).encode() + b";")
    elif isinstance(obj, (dt.datetime, dt.date, dt.time)):
        tz = getattr(obj, "tzinfo", None)
        h.update(b"t" + obj.isoformat().encode() + b"@" + str(tz).encode() + b";")
    elif isinstance(obj, URLWrapper):
        h.update(b"u" + type(obj).__name__.encode())
        feed(h, obj.name, depth + 1)
        feed(h, obj.slug, depth + 1)
    elif isinstance(obj, re.Pattern):
        h.update(b"p")
        feed(h, obj.pattern, depth + 1)
        h.update(b"%d;" % obj.flags)
    elif isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, type, types.ModuleType)):
        name = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', obj.__name__)}"
        h.update(b"f" + name.encode() + b";")
    elif dataclasses.is_dataclass(obj):
        h.update(b"c" + type(obj).__qualname__.encode())
        for f in dataclasses.fields(obj):
            if not f.compare:  # does not tell two values apart (a source's line in its file)
                continue
            feed(h, f.name, depth + 1)
            feed(h, getattr(obj, f.name), depth + 1, exact)
    else:
        text = repr(obj)
        if " at 0x" in text or " object at " in text:
            raise Unstable(text)
        h.update(b"o" + type(obj).__qualname__.encode())
        feed(h, text, depth + 1)


def digest(obj: Any) -> str:
    h = hashlib.blake2b(digest_size=20)
    feed(h, obj)
    return h.hexdigest()


_HOLDERS = ("stories", "days", "months", "shows")
_PLAIN = frozenset({str, int, float, bool, type(None)})  # values that hold no stories


def _holds(value: Any) -> bool:
    """A day, month, year or outlet of the archive, or a feed."""
    return any(hasattr(value, attr) for attr in _HOLDERS)


_BODY = "_briefing_body"  # (the body, its digest), kept in the story with it


def body_digest(story: Content) -> bytes:
    """A digest of the story's path and body.  It is kept in the story next to the very
    body string it was made from, so a story brought back from the article cache carries
    it (pickle keeps the two references one object), and a body replaced since is never
    taken for the one digested."""
    kept = story.__dict__.get(_BODY)
    content = story._content or ""
    if kept is not None and kept[0] is content:
        return kept[1]
    h = hashlib.blake2b(story.source_path.encode("utf-8", "surrogatepass"), digest_size=16)
    h.update(b"\0" + content.encode("utf-8", "surrogatepass"))
    found = h.digest()
    story.__dict__[_BODY] = (content, found)
    return found


def combine(site: str, page: str | None) -> str | None:
    """A page's key: the site digest with the page's own digest (None: unkeyed)."""
    if page is None:
        return None
    return hashlib.blake2b(f"{site}:{page}".encode(), digest_size=20).hexdigest()


class PageDigests:
    """``page(name, template, kwargs)``: the digest of one page's own inputs (its name,
    template and arguments, the bodies of the stories it shows), or None when unkeyed;
    a page's key is that ``combine``-d with the site digest."""

    def __init__(self, context: dict[str, Any]) -> None:
        # the site's own lists (every story, every date...) are covered by the site digest
        self._site_lists = {id(v) for v in context.values() if isinstance(v, (list, tuple))}
        # the digest of each list walked, by identity: a day's stories, a feed's items are
        # shown on several pages (the context does not change while pages are planned)
        self._lists: dict[int, tuple[Any, bytes]] = {}

    def page(self, name: str, template: str, kwargs: dict[str, Any]) -> str | None:
        h = hashlib.blake2b(digest_size=20)
        feed(h, name)
        feed(h, template)
        # a paginated page shows the bodies on its own page, not those of everything its
        # day, outlet or feed holds
        paginated = any(key.endswith("_page") for key in kwargs)
        try:
            for key in sorted(kwargs):
                value = kwargs[key]
                if (
                    isinstance(value, Paginator)
                    or f"{key}_page" in kwargs  # a paginated page shows its own page
                    or id(value) in self._site_lists
                ):
                    continue
                feed(h, key)
                if key.endswith(("_previous_page", "_next_page")):
                    # a link to the page before or after: its number, not its stories
                    feed(h, value.number if isinstance(value, PaginatorPage) else value)
                elif paginated and type(value) not in _PLAIN and _holds(value):
                    feed(h, getattr(value, "path", None) or getattr(value, "url", None))
                else:
                    self._walk(h, value, 0)
        except Unstable:
            return None
        return h.hexdigest()

    def _walk(self, h: Any, value: Any, depth: int) -> None:
        """The bodies a page shows: of stories, and of the stories in what it lists."""
        if depth > _MAX_DEPTH:
            raise Unstable("nested too deeply")
        if isinstance(value, Content):
            h.update(body_digest(value))
        elif isinstance(value, PaginatorPage):
            h.update(b"P%d" % value.number)
            self._walk(h, value.object_list, depth + 1)
        elif isinstance(value, (list, tuple)):
            h.update(self._list_digest(value, depth))
        elif type(value) in _PLAIN:
            feed(h, value, depth + 1)
        elif _holds(value):
            # a day, month, year or outlet of the archive, or a feed: its own fields come
            # from the site digest, the bodies of its stories do not
            h.update(b"A" + type(value).__name__.encode())
            feed(h, getattr(value, "path", None) or getattr(value, "url", None))
            for attr in _HOLDERS:
                if hasattr(value, attr):
                    self._walk(h, getattr(value, attr), depth + 1)
        else:
            feed(h, value, depth + 1)

    def _list_digest(self, value: list[Any] | tuple[Any, ...], depth: int) -> bytes:
        known = self._lists.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        h = hashlib.blake2b(b"L%d" % len(value), digest_size=16)
        for item in value:
            if isinstance(item, Content):
                h.update(body_digest(item))
            else:
                self._walk(h, item, depth + 1)
        found = h.digest()
        self._lists[id(value)] = (value, found)  # kept: its id is not used again meanwhile
        return found
