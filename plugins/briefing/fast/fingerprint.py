"""Digests of what each page is made of, so an unchanged page can be taken over from the
last published build instead of being rendered again.

A page's key is the **site digest** (Briefing's and Pelican's code, the theme, the
settings) combined with the digest of what the page shows (``PageDigests``): its own
stories in full, the cards of the stories it lists or links to, and the parts of the
context its template reads.  So editing a story's text re-renders only the pages that
carry that text, and a new story or a changed headline only the pages that show or list
that story (its day, its lists, its neighbours, the feeds it is in), not every page.

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

from ..core.sources import Source
from ..files import cachefile
from ..site.pagination import StablePage


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


#: what a page's key always covers, whatever its template names: whether its links are
#: relative (its SITEURL)
_ALWAYS = frozenset({"relative"})

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


# what the reader notes for itself, not for pages (the reading time, which pages show, is
# in the record): where fields are in the file, and how many words the body has
_NOT_SHOWN = frozenset(
    {"briefing_positions", "briefing_words", "briefing_links", "briefing_scheduled"}
)


def story_record(story: Any) -> tuple[Any, ...]:
    """Everything a page could show about a story except its body."""
    metadata = story.metadata
    if _NOT_SHOWN.intersection(metadata):
        metadata = {k: v for k, v in metadata.items() if k not in _NOT_SHOWN}
    cited = metadata.get("cited_sources")
    if cited:
        listed = {id(s) for s in metadata.get("sources") or () if type(s) is Source}
        if all(id(s) in listed for s in cited):
            # the same objects as in ``sources``: their keys say which, in what order
            metadata = {**metadata, "cited_sources": [s.key for s in cited]}
    return (
        story.source_path,
        story.url,
        story.save_as,
        getattr(story, "status", None),
        metadata,
        str(story.summary),
        getattr(story, "reading_minutes", None),
        getattr(story, "in_default_lang", None),
        [t.url for t in getattr(story, "translations", [])],
    )


def combine(site: str, page: str | None) -> str | None:
    """A page's key: the site digest with the page's own digest (None: unkeyed)."""
    if page is None:
        return None
    return hashlib.blake2b(f"{site}:{page}".encode(), digest_size=20).hexdigest()


def template_reads(template: Any, kept: ReadsKept | None = None) -> frozenset[str] | None:
    """The names a template reads from its context (its own, and those of every template
    it extends, includes or imports), or None when that cannot be known (a template
    named by a variable, a template without source).  ``kept``: each file's answer from
    earlier builds, by its source."""
    env = getattr(template, "environment", None)
    name = getattr(template, "name", None)
    if env is None or name is None or env.loader is None:
        return None
    closures = env.__dict__.setdefault("_briefing_reads", {})
    if name not in closures:
        found: set[str] | None = set()
        seen: set[str] = set()
        todo = [name]
        while todo and found is not None:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            own = _own_reads(env, current, kept)
            if own is None:
                found = None
                break
            found |= own[0]
            todo.extend(own[1])
        closures[name] = None if found is None else frozenset(found)
    return closures[name]


Reads = tuple[frozenset[str], tuple[str, ...]]

_READS_FORMAT = "reads 2"  # what ``_own_reads`` notes: change it when that changes

#: among a template's reads: its source names a paginator (a list's totals)
PAGINATOR = " paginator"


class ReadsKept:
    """What each template file reads (``_own_reads``), kept between builds in the cache
    folder by a digest of Jinja's version, the environment's syntax and the file's
    source: parsing every template again cost a tenth of a rebuild."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        found = cachefile.load(path)
        self.entries: dict[str, Reads | None] = found if isinstance(found, dict) else {}
        self.used: dict[str, Reads | None] = {}

    def save(self) -> None:
        """Keep the entries this build used (the others are of templates gone or edited)."""
        if self.path and self.used != self.entries:
            cachefile.save(self.path, self.used, "the record of what templates read")
            self.entries = dict(self.used)


def _is_reads(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], frozenset)
        and all(type(n) is str for n in value[0])
        and isinstance(value[1], tuple)
        and all(type(n) is str for n in value[1])
    )


def _syntax(env: Any) -> str:
    import jinja2

    options = [
        getattr(env, attr, None)
        for attr in (
            "block_start_string",
            "block_end_string",
            "variable_start_string",
            "variable_end_string",
            "comment_start_string",
            "comment_end_string",
            "line_statement_prefix",
            "line_comment_prefix",
            "trim_blocks",
            "lstrip_blocks",
        )
    ]
    return f"{_READS_FORMAT};{jinja2.__version__};{options!r};{sorted(env.extensions)!r}"


def _own_reads(env: Any, name: str, kept: ReadsKept | None = None) -> Reads | None:
    """One template file's free names and the templates it names, parsed once a build
    (and, with ``kept``, once a change of its source)."""
    files = env.__dict__.setdefault("_briefing_files", {})
    if name not in files:
        from jinja2 import TemplateNotFound, meta

        try:
            source = env.loader.get_source(env, name)[0]
        except TemplateNotFound:
            files[name] = None
            return None
        key = None
        if kept is not None:
            key = hashlib.blake2b(
                f"{_syntax(env)}\0{name}\0{source}".encode("utf-8", "surrogatepass"),
                digest_size=20,
            ).hexdigest()
            found = kept.entries.get(key, False)
            if found is None or _is_reads(found):
                files[name] = kept.used[key] = found
                return files[name]
        tree = env.parse(source)
        refs = tuple(meta.find_referenced_templates(tree))
        names = frozenset(meta.find_undeclared_variables(tree))
        if "paginator" in source:  # reached through a page too (``articles_page.paginator``)
            names |= {PAGINATOR}
        files[name] = None if None in refs else (names, refs)
        if kept is not None and key is not None:
            kept.used[key] = files[name]
    return files[name]


class PageDigests:
    """``page(name, template, kwargs)``: the digest of what one page shows, or None when
    unkeyed; a page's key is that ``combine``-d with the site digest (code, theme,
    settings).

    What a page shows: its arguments (a story, a day, a page of a list, a feed), and the
    values of the context its template reads (``template_reads``: the site's pages for
    the masthead, the calendar for the archive…).  A story is digested with everything a
    page may show of it (``story_record``: its fields, sources, summary, reading
    time, corrections), its body, and the cards of the stories it links to (previous,
    next, related) and of its day and outlets; a day, month, year, outlet or feed with
    its own fields and the stories it holds.  So a new story renders again the pages
    that show it or link to it, not the whole site."""

    def __init__(
        self,
        context: dict[str, Any],
        settings: dict[str, Any] | None = None,
        reads: ReadsKept | None = None,
    ) -> None:
        self.context = context
        self.settings = settings or {}
        self.reads = reads
        self._totals = True  # whether the page being digested may show a list's totals
        # a story's digests, by identity (the context does not change while pages are
        # planned): its card (what a list shows) and all of it (its own page, its day)
        self._cards: dict[int, tuple[Any, bytes]] = {}
        self._stories: dict[int, tuple[Any, bytes]] = {}
        self._lists: dict[int, tuple[Any, bytes]] = {}
        self._holders: dict[int, tuple[Any, bytes]] = {}
        self._card_lists: dict[int, tuple[Any, bytes]] = {}
        self._everything: bytes | None = None

    def page(
        self, name: str, template: str, kwargs: dict[str, Any], source: Any = None
    ) -> str | None:
        h = hashlib.blake2b(digest_size=20)
        feed(h, name)
        feed(h, template)
        reads = template_reads(source, self.reads) if source is not None else None
        self._totals = reads is None or PAGINATOR in reads
        try:
            for key in sorted(kwargs):
                if reads is not None and key not in reads and key not in _ALWAYS:
                    continue  # an argument the template never names, such as all_articles
                value = kwargs[key]
                feed(h, key)
                if isinstance(value, Paginator):
                    # "page N of M": how many there are, not what the other pages hold
                    feed(h, (value.count, value.num_pages, value.per_page))
                elif f"{key}_page" in kwargs:
                    # a paginated page shows its own page of the list in full; of the
                    # whole list, what a list shows (how many, their cards)
                    h.update(self._cards_of(value, 0))
                elif key.endswith(("_previous_page", "_next_page")):
                    # a link to the page before or after: its number and address, not its
                    # stories
                    if isinstance(value, PaginatorPage):
                        feed(h, (value.number, value.url))
                    else:
                        feed(h, value)
                else:
                    self._walk(h, value, 0)
            if source is not None:
                if reads is None:
                    h.update(self.everything())
                else:
                    for read in sorted(reads):
                        if read in kwargs or read in self.settings or read not in self.context:
                            continue  # an argument; a setting (in the site digest); unknown
                        value = self.context[read]
                        if callable(value) and not isinstance(value, (list, dict)):
                            continue  # a function of the site's: its code is in the digest
                        feed(h, "ctx:" + read)
                        self._walk(h, value, 0)
        except Unstable:
            return None
        return h.hexdigest()

    def everything(self) -> bytes:
        """Every story of the site, for a page whose template's reads are not known."""
        if self._everything is None:
            h = hashlib.blake2b(digest_size=20)
            for key in sorted(k for k, v in self.context.items() if isinstance(v, list)):
                feed(h, key)
                self._walk(h, self.context[key], 0)
            self._everything = h.digest()
        return self._everything

    def card(self, story: Content) -> bytes:
        """What a list shows of a story (everything but its body and its links)."""
        known = self._cards.get(id(story))
        if known is not None and known[0] is story:
            return known[1]
        h = hashlib.blake2b(b"C", digest_size=16)
        feed(h, story_record(story))
        found = h.digest()
        self._cards[id(story)] = (story, found)
        return found

    def story(self, story: Content) -> bytes:
        """All of a story a page may show: its card, body, and what it links to."""
        known = self._stories.get(id(story))
        if known is not None and known[0] is story:
            return known[1]
        h = hashlib.blake2b(b"S", digest_size=16)
        h.update(self.card(story))
        h.update(body_digest(story))
        day = getattr(story, "day", None)
        feed(h, (getattr(day, "url", None), getattr(day, "title", None)))
        for attr in ("previous_story", "next_story"):
            linked = getattr(story, attr, None)
            h.update(self.card(linked) if isinstance(linked, Content) else b"-")
        for linked in getattr(story, "related_stories", None) or ():
            h.update(self.card(linked))
        for outlet in getattr(story, "outlets", None) or ():
            feed(h, (outlet.host, outlet.name, outlet.url))
        found = h.digest()
        self._stories[id(story)] = (story, found)
        return found

    def _walk(self, h: Any, value: Any, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise Unstable("nested too deeply")
        if isinstance(value, Content):
            h.update(self.story(value))
        elif type(value) in _PLAIN:
            feed(h, value, depth + 1)
        elif isinstance(value, StablePage) and not self._totals:
            # a page of a list cut from its oldest end: its own stories and place; the
            # whole list's size only where the template names the paginator
            h.update(b"Q%d/%d/%d" % (value.number, value.front, value.has_next()))
            self._walk(h, value.object_list, depth + 1)
        elif isinstance(value, PaginatorPage):
            paginator = value.paginator
            h.update(b"P%d/%d/%d" % (value.number, paginator.num_pages, paginator.count))
            self._walk(h, value.object_list, depth + 1)
        elif isinstance(value, (list, tuple)):
            h.update(self._list_digest(value, depth))
        elif isinstance(value, dict):
            if not any(
                isinstance(v, (Content, list, tuple, dict)) or _holds(v) for v in value.values()
            ):
                feed(h, value, depth + 1)  # plain values (an outlet's sources by URL): as one
                return
            h.update(b"d%d{" % len(value))
            for key in sorted(value, key=repr):
                feed(h, key, depth + 1)
                self._walk(h, value[key], depth + 1)
            h.update(b"}")
        elif _holds(value):
            known = self._holders.get(id(value))
            if known is None or known[0] is not value:
                inner = hashlib.blake2b(digest_size=16)
                self._holder(inner, value, depth)
                known = self._holders[id(value)] = (value, inner.digest())
            h.update(known[1])
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            fields = [f.name for f in dataclasses.fields(value) if f.compare]
            items = [getattr(value, name) for name in fields]
            if any(isinstance(i, Content) or _holds(i) for i in items):
                h.update(b"c" + type(value).__qualname__.encode())  # such as a listed correction
                for name, item in zip(fields, items, strict=True):
                    feed(h, name)
                    self._walk(h, item, depth + 1)
            else:
                feed(h, value, depth + 1)  # a source, a correction: plain values
        else:
            feed(h, value, depth + 1)

    def _cards_of(self, value: Any, depth: int) -> bytes:
        """What a list shows of the stories in ``value`` (a list, or a list of days):
        how many, and their cards."""
        if depth > _MAX_DEPTH:
            raise Unstable("nested too deeply")
        known = self._card_lists.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        h = hashlib.blake2b(b"K", digest_size=16)
        items = value if isinstance(value, (list, tuple)) else [value]
        h.update(b"%d;" % len(items))
        for item in items:
            if isinstance(item, Content):
                h.update(self.card(item))
            elif _holds(item):
                feed(h, getattr(item, "url", None) or getattr(item, "path", None))
                for attr in _HOLDERS:
                    if hasattr(item, attr):
                        h.update(self._cards_of(getattr(item, attr), depth + 1))
            else:
                self._walk(h, item, depth + 1)
        found = h.digest()
        self._card_lists[id(value)] = (value, found)  # a list paginated: asked once a page
        return found

    def _holder(self, h: Any, value: Any, depth: int) -> None:
        """A day, month, year, outlet or feed: its own fields (a neighbour of the same
        kind, such as a day's previous day, by its address only) and what it holds; what
        its properties answer (its address, its title) comes from those fields."""
        h.update(b"A" + type(value).__name__.encode())
        fields = (
            [f.name for f in dataclasses.fields(value)]
            if dataclasses.is_dataclass(value)
            else sorted(k for k in vars(value) if not k.startswith("_"))
        )
        for attr in fields:
            item = getattr(value, attr, None)
            if isinstance(item, types.MethodType):
                continue  # what it answers comes from the fields digested here
            feed(h, attr)
            if attr in _HOLDERS:
                self._walk(h, item, depth + 1)
            elif _holds(item) or isinstance(item, Content):
                feed(h, getattr(item, "url", None) or getattr(item, "path", None))
            elif callable(item) and not isinstance(item, (list, dict)):
                feed(h, item)  # a function: its name
            else:
                self._walk(h, item, depth + 1)

    def _list_digest(self, value: list[Any] | tuple[Any, ...], depth: int) -> bytes:
        known = self._lists.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        h = hashlib.blake2b(b"L%d" % len(value), digest_size=16)
        for item in value:
            if isinstance(item, Content):
                h.update(self.story(item))
            else:
                self._walk(h, item, depth + 1)
        found = h.digest()
        self._lists[id(value)] = (value, found)  # kept: its id is not used again meanwhile
        return found
