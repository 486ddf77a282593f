"""Read every story once, on every core, and remember the results by content hash.

Pelican reads files one at a time in one process.  Before its first read, the Briefing
reader asks this module for all stories under the content folder: files whose bytes (and
reader options, and Briefing's version) were seen in an earlier build come from the cache
file; the rest are parsed in parallel worker processes.  The reader then serves Pelican's
reads from memory.  Results are the same as reading one file at a time: the same
``StoryReader`` does the work.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..core.diagnostics import display_path
from ..core.settings import setting
from ..core.story import EXTENSIONS, Story, StoryReader
from ..files import cachefile
from . import background, heap, keys

logger = logging.getLogger(__name__)
CACHE_NAME = "briefing-stories.pickle"
_reader: StoryReader | None = None  # in a worker process: its reader (``_start_worker``)
_PARALLEL_FROM = 64  # fewer stories than this are read in the build's own process


def _start_worker(reader: StoryReader) -> None:
    """In a worker process (forked: ``reader`` is the build's, not a copy sent over)."""
    global _reader
    _reader = reader
    gc.enable()


def _read(item: tuple[str, bytes | None]) -> tuple[str, Story] | None:
    """(digest, story) of the file at ``path``, whose bytes are ``data`` if the build read
    them already; None if it cannot be read now (Pelican's own read reports it)."""
    path, data = item
    assert _reader is not None
    return _read_with(_reader, path, data)


def _read_with(reader: StoryReader, path: str, data: bytes | None) -> tuple[str, Story] | None:
    if data is None:
        try:
            data = reader.bytes_of(path)
        except OSError:
            return None
    return hashlib.sha256(data).hexdigest(), reader.read_bytes(data, display_path(path))


def story_files(root: str, skip: list[str]) -> list[str]:
    suffixes = tuple("." + ext for ext in EXTENSIONS)
    skip = [os.path.abspath(s) + os.sep for s in skip]
    found = []
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if any((os.path.abspath(dirpath) + os.sep).startswith(s) for s in skip):
            continue
        found += [os.path.join(dirpath, f) for f in sorted(files) if f.endswith(suffixes)]
    return found


class Prepass:
    """All stories of a build, read up front; ``take(path)`` hands each to the reader once."""

    def __init__(
        self,
        settings: dict[str, Any],
        reader: StoryReader,
        files: list[str] | None = None,
        skip: set[str] | None = None,
        writes: background.Writes | None = None,
    ) -> None:
        self.reader = reader
        self.writes = writes or background.Writes()
        self.results: dict[str, tuple[str, Story]] = {}  # abs path -> (hash, story)
        self.workers = int(setting(settings, "BRIEFING_READ_WORKERS") or os.cpu_count() or 1)
        cache_dir = settings.get("CACHE_PATH") or "cache"
        self.key = keys.reader_key(reader.options)
        # a file for each key, so a new version of the code, which cannot use the stories
        # an older one parsed, does not load them to find that out
        self.cache_path = (
            cachefile.keyed(os.path.join(cache_dir, CACHE_NAME), self.key)
            if setting(settings, "BRIEFING_READ_CACHE")
            else None
        )
        self.skip = skip or set()  # files not to read (the article cache has them)
        self.run(settings, files)

    # The cache is ``cachefile.Layered``: a base file of every story, written whole now and
    # then, and a small file of the stories parsed since, so that editing one story of
    # thousands does not rewrite tens of megabytes each build.  Its extra value is the
    # stat signature of every file as last read: a file whose signature is unchanged is
    # not read again to find its digest.

    def _load_cache(self) -> tuple[dict[str, Story], dict[str, tuple[Any, str]]]:
        self._store = cachefile.Layered(self.cache_path, self.key, "the reader cache")
        with heap.kept():
            entries = self._store.load()
        seen = self._store.extra if isinstance(self._store.extra, dict) else {}
        return entries, seen

    def _save_cache(self, entries: dict[str, Story], cached: dict[str, Story]) -> None:
        new = {d: s for d, s in entries.items() if cached.get(d) is not s}
        # thousands (a first build) are pickled by a forked process, beside the build
        self.writes.add("the reader cache", len(new), self._store.save, entries, new, self._seen)

    def run(self, settings: dict[str, Any], files: list[str] | None = None) -> None:
        skip = [settings.get("OUTPUT_PATH", "output")]
        paths = files if files is not None else story_files(settings.get("PATH", "content"), skip)
        if self.skip:
            paths = [p for p in paths if os.path.abspath(p) not in self.skip]
            if len(paths) < _PARALLEL_FROM:  # a few: read here, without the cache
                self.cache_path = None
        cached, seen = self._load_cache()
        self._seen: dict[str, tuple[Any, str]] = {}  # abs path -> (signature, digest)
        kept = {}  # the skipped stories stay in the cache file
        for full in self.skip:
            known = seen.get(full)
            if known is not None and known[1] in cached:
                kept[known[1]] = cached[known[1]]
                self._seen[full] = known
        # (path, its bytes if read here, its signature): with no stories to look up by
        # digest (a first build), the workers read the files and digest them
        todo: list[tuple[str, bytes | None, Any]] = []
        for path in paths:
            full = os.path.abspath(path)
            sig = signature(full)
            if sig is None:
                continue  # Pelican's own read reports it
            known = seen.get(full)
            if known is not None and known[0] == sig:
                hit = cached.get(known[1])
                if hit is not None and hit.path == display_path(path):
                    self.results[full] = (known[1], hit)
                    self._seen[full] = known
                    continue
            if not cached:
                todo.append((path, None, sig))
                continue
            try:
                data = self.reader.bytes_of(path)
            except OSError:
                continue
            digest = hashlib.sha256(data).hexdigest()
            self._seen[full] = (sig, digest)
            hit = cached.get(digest)
            if hit is not None and hit.path == display_path(path):
                self.results[full] = (digest, hit)
            else:
                todo.append((path, data, sig))
        for (path, _, sig), read in zip(todo, self._parse(todo), strict=True):
            if read is not None:
                full = os.path.abspath(path)
                self._seen[full] = (sig, read[0])
                self.results[full] = read
        self._save_cache({**kept, **{d: s for d, s in self.results.values()}}, cached)

    def _parse(self, todo: list[tuple[str, bytes | None, Any]]) -> list[tuple[str, Story] | None]:
        items = [(p, d) for p, d, _ in todo]
        if (
            self.workers < 2
            or len(items) < _PARALLEL_FROM
            or "fork" not in (multiprocessing.get_all_start_methods())
        ):
            return [_read_with(self.reader, p, d) for p, d in items]
        context = multiprocessing.get_context("fork")
        chunk = max(8, len(items) // (self.workers * 8))
        try:
            # the stories come back as objects that live until the build ends; the
            # workers collect their own garbage as usual
            with (
                heap.kept(),
                ProcessPoolExecutor(
                    self.workers,
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=(self.reader,),
                ) as pool,
            ):
                return list(pool.map(_read, items, chunksize=chunk))
        except (OSError, BrokenProcessPool) as exc:  # no processes to be had: read here
            logger.warning("briefing: reading in one process (%s)", exc)
            return [_read_with(self.reader, p, d) for p, d in items]

    def take(self, path: str) -> Story | None:
        """The story read up front, if the file was not touched since (same signature)."""
        full = os.path.abspath(path)
        entry = self.results.pop(full, None)
        known = self._seen.get(full)
        if entry is None or known is None or signature(full) != known[0]:
            return None
        return entry[1]


def signature(path: str) -> tuple[int, int, int, int] | None:
    """What changes whenever a file's bytes do: inode, size, modification and change
    times (the last cannot be set back by tools that restore a file's mtime)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns
