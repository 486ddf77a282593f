"""Pelican's articles kept from one build to the next, so that a story whose file did not
change costs neither a read nor Pelican's own work on it (its metadata, its URL, its
place in the lists).

Pelican's ``ArticlesGenerator`` asks ``get_cached_data(path)`` before it reads each file
and hands every article it read to ``cache_data(path, article)``.  Its own cache behind
those (``CONTENT_CACHING_LAYER = "generator"``) pickles each article with the whole
context, trusts a file's mtime, and writes everything again every build.  This one,
installed on the generator as it is made (``install``):

* is keyed by Briefing's code, Pelican's version and the settings: any change to those
  starts afresh, in a file of its own (``cachefile.keyed``), so that builds with two
  settings files (``make html``, ``make publish``, ``briefing check``) do not undo each
  other's;
* keeps an article only while its file has the stat signature (inode, size, mtime,
  ctime) it was read with, and, with ``WITH_FUTURE_DATES = False``, while the clock
  leaves it on the same side of now;
* takes a snapshot of each article as Pelican made it, before it is filed in any list,
  and pickles it without the settings, the context and the section, topic and author
  objects, which are the current build's when it is brought back;
* reports the story's diagnostics again when it keeps it, as a read would;
* is not used when another plugin listens to the signals sent while content is read
  (their work would be missing from a kept article);
* is a base file written whole now and then, plus a small file of the articles read
  since (``cachefile.Layered``), so an edit does not rewrite the archive.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import weakref
from collections.abc import Callable
from typing import Any

from pelican import signals
from pelican.urlwrappers import URLWrapper

from ..core import clock
from ..core.settings import setting
from ..files import cachefile
from ..site import internals, reader, state
from . import background, fingerprint, heap, keys, prepass

logger = logging.getLogger(__name__)
CACHE_NAME = "briefing-articles.pickle"


def install(generator: Any, writes: background.Writes, skip: Callable[[set[str]], None]) -> None:
    """``article_generator_init``: keep the generator's articles between builds; the cache
    file is written through ``writes``, and the files it has are given to ``skip`` (the
    prepass need not read them)."""
    settings = generator.settings
    if not setting(settings, "BRIEFING_READ_CACHE") or _others_listen():
        return
    try:
        key = keys.articles_key(settings)
    except fingerprint.Unstable as exc:
        logger.debug("briefing: articles are read afresh (%s)", exc)
        return
    path = cachefile.keyed(os.path.join(settings.get("CACHE_PATH") or "cache", CACHE_NAME), key)
    cache = ArticleCache(generator, key, path, writes, skip)
    internals.hook_content_cache(generator, cache.get, cache.put, cache.save)


def _others_listen() -> bool:
    """Whether a plugin other than Briefing listens to what is sent as content is read."""
    for signal in (
        signals.content_object_init,
        signals.article_generator_preread,
        signals.article_generator_context,
    ):
        for ref in list(signal.receivers.values()):
            receiver = ref() if isinstance(ref, weakref.ref) else ref
            if receiver is not None and not str(getattr(receiver, "__module__", "")).startswith(
                "briefing"
            ):
                return True
    return False


class ArticleCache:
    def __init__(
        self,
        generator: Any,
        key: str,
        path: str,
        writes: background.Writes,
        skip: Callable[[set[str]], None],
    ) -> None:
        self.writes, self.skip = writes, skip
        self.generator = generator
        self.settings = generator.settings
        self.store = cachefile.Layered(path, key, "the article cache", flat=True)
        # the usable entries, by path: (stamp, snapshot), unpickled
        self._kept: dict[str, tuple[Any, Any]] | None = None
        self._given: set[str] = set()  # the paths whose article Pelican was given
        self._read: dict[str, tuple[Any, Any]] = {}  # path -> (stamp, snapshot)

    # --- Pelican's interface -------------------------------------------------------------

    def get(self, path: str, default: Any = None) -> Any:
        if self._kept is None:
            self._kept = self._revive(self._usable())
        kept = self._kept.get(path)
        if kept is None or path in self._given:
            return default
        self._given.add(path)
        cls, attributes, found = kept[1]
        article = cls.__new__(cls)
        article.__dict__.update(attributes)
        state.publish(self.settings, found)
        return article

    def _revive(self, usable: dict[str, tuple[Any, bytes]]) -> dict[str, tuple[Any, Any]]:
        """Every usable article unpickled, in one pass, as objects that live until the
        build ends (``heap.kept``): {path: (stamp, snapshot)}.  Their pickled bytes are let
        go: a story's HTML is held once, by its article, and is pickled again only when
        the cache file is written whole."""
        revived = {}
        with heap.kept():
            for path in list(usable):
                stamp, blob = usable.pop(path)
                try:
                    revived[path] = (stamp, self._unpickle(blob))
                except Exception as exc:  # a damaged entry is as good as none: read the file
                    logger.debug("briefing: %s is read afresh (%s)", path, exc)
        return revived

    def put(self, path: str, article: Any) -> None:
        """Pelican read ``article`` from ``path``: note it as it is now."""
        full = self._full(path)
        signature = prepass.signature(full)
        if signature is not None:
            date = getattr(article, "date", None)
            stamp = (signature, date, self._not_yet_due(date))
            found = state.of(self.settings).read.get(full, [])
            article.url  # noqa: B018 - worked out now, so that it is kept with the rest
            fingerprint.body_digest(article)  # likewise (what page digests read of it)
            self._read[path] = (stamp, (type(article), dict(article.__dict__), found))

    def save(self) -> None:
        """Pickle the articles read this build and write them.  Many (a first build, or
        a base file written whole) are written by a forked process, beside the rest of
        the build (``background``)."""
        count = len(self._read)
        if count and self.store.whole_due(self._read):
            count += len(self._kept or {})
        self.writes.add("the article cache", count, self._write)

    def _write(self) -> None:
        # each article is pickled as the file is written, and its bytes let go once they
        # are: the writer never holds every article's bytes at once
        def lazily(entries: dict[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
            return {p: (stamp, _Pickled(self, p, snap)) for p, (stamp, snap) in entries.items()}

        new = lazily(self._read)
        self.store.save(lambda: {**lazily(self._kept or {}), **new}, new)

    # --- which entries are good --------------------------------------------------------

    def _full(self, path: str) -> str:
        return os.path.abspath(os.path.join(self.generator.path, path))

    def _not_yet_due(self, date: Any) -> bool | None:
        if not clock.holds_future(self.settings):
            return None
        return reader.not_yet_due(self.settings, date)

    def _usable(self) -> dict[str, tuple[Any, bytes]]:
        """The kept articles whose files are as they were read (and which the clock has
        not moved past their date); the reader's prepass is told to leave those alone."""
        usable = {}
        with heap.kept():  # the entries live until the build ends (they are saved again)
            entries = self.store.load()
        for path, entry in entries.items():
            try:
                (signature, date, due), _ = entry
                if prepass.signature(self._full(path)) != signature:
                    continue
            except (TypeError, ValueError):  # not an entry this code wrote
                continue
            if self._not_yet_due(date) == due:
                usable[path] = entry
        self.skip({self._full(path) for path in usable})
        return usable

    # --- pickled without the build's own objects ----------------------------------------

    def _pickle(self, snapshot: Any) -> bytes:
        out = io.BytesIO()
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        settings, context = self.settings, self.generator.context

        def persistent_id(obj: Any) -> Any:
            if obj is settings:
                return "settings"
            if obj is context:
                return "context"
            if isinstance(obj, URLWrapper):
                return ("wrapper", type(obj), obj.name)
            return None

        pickler.persistent_id = persistent_id  # type: ignore[method-assign]
        pickler.dump(snapshot)
        return out.getvalue()

    def _unpickle(self, blob: bytes) -> Any:
        unpickler = pickle.Unpickler(io.BytesIO(blob))

        def persistent_load(pid: Any) -> Any:
            if pid == "settings":
                return self.settings
            if pid == "context":
                return self.generator.context
            _, cls, name = pid
            return reader.shared_object(self.settings, cls, name)

        unpickler.persistent_load = persistent_load  # type: ignore[method-assign]
        return unpickler.load()


class _Pickled:
    """An article's snapshot, which becomes its pickled bytes as the cache file is written
    (``cachefile.save`` with ``flat``): loaded, the entry holds the bytes."""

    __slots__ = ("cache", "path", "snapshot")

    def __init__(self, cache: ArticleCache, path: str, snapshot: Any) -> None:
        self.cache, self.path, self.snapshot = cache, path, snapshot

    def __reduce__(self) -> tuple[Any, ...]:
        try:
            blob = self.cache._pickle(self.snapshot)
        except Exception as exc:  # something that does not pickle: read it each time
            logger.debug("briefing: %s cannot be kept (%s)", self.path, exc)
            blob = b""  # unpickled next time, it fails: the story is read afresh
        return (bytes, (blob,))
