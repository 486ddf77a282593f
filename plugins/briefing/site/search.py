"""The search index: Pagefind, one bundle per quarter of the last two years of stories,
one per year before.

An archive grows and is corrected at its newest end, and Pagefind cannot update an index in
place, so the index is split into shards by the date of each story (``shard_of``): a
quarter in the newest story's year and the year before (``2026-q4``), a whole year before
that (``2019``).  Each shard is a complete Pagefind bundle under ``pagefind/<shard>/``; the
search page loads the newest and merges the others in (Pagefind's ``mergeIndex``), which
costs the reader a few files for each bundle, so a twenty-year archive is at most 26
bundles, not 80 quarters.  A build re-indexes only the shards whose searchable text
changed and links the others from the published site: the day's new stories and
corrections cost one quarter's indexing, an edit to an older story its year's, and a
change that renders every page again but leaves the shards' text as it was (the theme's
header) none.  When the newest story enters a new year, the quarters of the year before
last are indexed once as one year.

Pagefind reads a copy of each story page cut down to its searchable ``<article>`` (the
element with ``data-pagefind-body``), which halves its work; pages of another shape are
given to it whole.  In the copy, citation and source links lose the attributes Pagefind
has no use for (it parses them all and notes every ``id`` as an anchor: a tenth of its
time), and the links back to the citations ("↩2") are left out: they are no words of the
story, and showed in the results' excerpts.

Indexing starts as soon as the story pages are made, which is as soon as the last of them
is planned (``pages.PlanningWriter``), and runs in a forked process (``Indexing``) on
another core while the build plans and renders the other pages, reading the story pages
that will be linked from the published site.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..core.citations import BACK_LINK, CITATION_LINK, SOURCE_LINK
from ..core.errors import Failure
from ..core.settings import setting
from ..files import cachefile, processes, sametime

FOLDER = "pagefind"
_FORMAT = "copies 1"  # how a shard's copies are cut and indexed (``_searchable``, the command)


def shard_of(date: Any, newest: Any) -> str:
    """The shard a story dated ``date`` is indexed in, in an archive whose newest story is
    dated ``newest``: its quarter (``2026-q4``) in the newest story's year and the year
    before, else its year (``2019``).  Names sort by time."""
    if date.year >= newest.year - 1:
        return f"{date.year:04d}-q{(date.month - 1) // 3 + 1}"
    return f"{date.year:04d}"


class SearchFailed(Failure):
    pass


def pagefind_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pagefind")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


def shard_key(copies: dict[str, str]) -> str:
    """A shard's digest from what Pagefind reads of it: the name and text digest of each
    copy ({name: digest}), and Pagefind's version.  Pagefind's bundle is a function of
    these (and of its command line, which is this module's), so a bundle made from the
    same copies can be kept, whatever else changed on the pages they were cut from."""
    h = hashlib.blake2b(f"pagefind {pagefind_version()};{_FORMAT};".encode(), digest_size=20)
    for name, digest in sorted(copies.items()):
        h.update(f"{name}\0{digest}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


# a citation's or a source's link (group 1 empty), or a back link to a citation, whole
_LINKS = re.compile(
    rf'<a class="(?:{CITATION_LINK}|{SOURCE_LINK}|({BACK_LINK}))"[^>]*>(?(1)[^<]*</a>)'
)


def _slim_link(match: re.Match[str]) -> str:
    return "" if match.group(1) else "<a>"


def _searchable(html: str) -> str:
    """The page cut down to its one ``data-pagefind-body`` article, with slimmer links (see
    the module's docstring), or the page itself."""
    start = html.find("<article")
    if start < 0 or html.find("<article", start + 1) >= 0:
        return html
    head_end = html.find(">", start)
    if "data-pagefind-body" not in html[start:head_end]:
        return html
    end = html.find("</article>", head_end)
    if end < 0 or html.find("</article>", end + 1) >= 0:
        return html
    html_tag = html.find("<html")  # keeps the doctype and <html lang="…">
    head = html[: html.find(">", html_tag) + 1] if 0 <= html_tag < start else "<html>"
    article = _LINKS.sub(_slim_link, html[start : end + 10])
    return f"{head}<body>{article}</body></html>"


def failure(exc: BaseException) -> SearchFailed:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return SearchFailed(f"the search index could not be built: {text}")


def _run(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = subprocess.run(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        env=env,
        preexec_fn=processes.die_with_parent(),
    )
    return result.returncode, result.stdout


def build(
    site: str,
    pages: dict[str, list[tuple[str, str | None]]],
    previous: str | None,
    known: dict[str, tuple[str, list[tuple[str, int, int, int]]]],
    workers: int,
    source: Callable[[str], str] | None = None,
    spare: dict[str, tuple[str, list[tuple[str, int, int, int]]]] | None = None,
    sources: str | None = None,
) -> tuple[dict[str, tuple[str, list[tuple[str, int, int, int]]]], int]:
    """Index each shard of ``pages`` (shard → [(page path, page digest)]) into
    ``site/pagefind/<shard>/``.  The searchable part of each page is copied for Pagefind
    under ``sources/<shard>/``, kept from build to build so that only changed pages are
    read and written again (by default a temporary folder), and a shard's digest is that
    of its copies (``shard_key``).  A shard whose digest matches ``spare`` (``site`` being
    the spare site) keeps the bundle ``site`` holds; one whose digest matches ``known``
    (the published site's) is linked from ``previous``; the rest are indexed.
    ``source(name)`` says where to read a page (by default from ``site``).  Returns the
    new ``known`` and how many shards were indexed."""
    read_from = source or (lambda name: os.path.join(site, name))
    made: dict[str, tuple[str, list[tuple[str, int, int, int]]]] = {}
    folder = os.path.join(site, FOLDER)
    for shard in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if shard not in pages:  # the spare's bundle of a quarter no story is in now
            shutil.rmtree(os.path.join(folder, shard), ignore_errors=True)
    spare = spare or {}
    if sources and os.path.isdir(sources):
        for shard in os.listdir(sources):
            if shard not in pages:
                shutil.rmtree(os.path.join(sources, shard), ignore_errors=True)
    with contextlib.ExitStack() as stack:
        # a temporary folder beside the staging folder and named after it, so a killed
        # build's copy is cleaned up with its staging folder
        parent, name = os.path.split(site)
        tmp = sources or stack.enter_context(
            tempfile.TemporaryDirectory(prefix=f"{name}-search-", dir=parent)
        )
        keys: dict[str, str] = {}
        checked: set[str] = set()  # shards whose copies were made or checked on disk
        failures: list[str] = []

        def copy(shard: str, recorded: bool = False) -> str | None:
            try:
                copies = os.path.join(tmp, shard)
                found = _recorded_digests(copies, pages[shard]) if recorded else None
                if found is None:
                    found = _copy_searchable(copies, pages[shard], read_from)
                    checked.add(shard)
                keys[shard] = shard_key(found)
            except OSError as exc:
                return f"{shard}: {exc}"
            return None

        # first the copies of the shards a bundle is known for (the spare's, the published
        # site's): a shard whose copies are what that bundle was made from keeps it
        known_before = [s for s in sorted(pages) if s in spare or s in known]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            failures += [f for f in pool.map(lambda s: copy(s, True), known_before) if f]
        todo = [s for s in sorted(pages) if s not in known_before]
        for shard in known_before:
            key = keys.get(shard)
            if key is None:
                continue
            if _in_place(site, shard, spare.get(shard), key):
                made[shard] = spare[shard]
                continue
            shutil.rmtree(_shard_dir(site, shard), ignore_errors=True)
            if previous and _link_shard(previous, site, shard, known.get(shard), key):
                made[shard] = known[shard]
            else:
                todo.append(shard)
        if todo and not failures:
            # shards side by side, each indexer on one thread; a lone shard gets them all
            threads = max(1, workers // len(todo))

            def index(shard: str) -> str | None:
                shutil.rmtree(_shard_dir(site, shard), ignore_errors=True)
                # the copies Pagefind reads are checked on disk (and made), not taken
                # from the record; the shard's digest is theirs
                failure = None if shard in checked else copy(shard)
                return failure or _index_shard(site, tmp, shard, threads)

            with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
                failures += [f for f in pool.map(index, sorted(todo)) if f]
    if failures:
        raise SearchFailed("the search index could not be built (pagefind): " + "; ".join(failures))
    for shard in todo:
        if previous:  # a file indexed again with the same bytes keeps the published time
            sametime.keep_times_under(_shard_dir(site, shard), _shard_dir(previous, shard))
        made[shard] = (keys[shard], _identities(site, shard))
    return made, len(todo)


def _shard_dir(site: str, shard: str) -> str:
    return os.path.join(site, FOLDER, shard)


def sources_path(settings: dict[str, Any]) -> str | None:
    """Where the searchable copies of the pages are kept between builds (in the cache
    folder), or None to use a temporary folder (when pages are not reused either)."""
    if not setting(settings, "BRIEFING_REUSE_PAGES"):
        return None
    return os.path.join(settings.get("CACHE_PATH") or "cache", "briefing-search")


def _in_place(
    site: str, shard: str, known: tuple[str, list[tuple[str, int, int, int]]] | None, key: str
) -> bool:
    """Whether ``site`` holds the very bundle ``known`` describes, with digest ``key``, and
    nothing else (a file left there by an indexer that was stopped is not kept)."""
    if known is None or known[0] != key:
        return False
    folder = _shard_dir(site, shard)
    held = {
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, files in os.walk(folder)
        for name in files
    }
    return held == {rel for rel, *_ in known[1]} and all(
        processes.identity(os.path.join(folder, rel)) == tuple(ids) for rel, *ids in known[1]
    )


def _link_shard(
    previous: str,
    site: str,
    shard: str,
    known: tuple[str, list[tuple[str, int, int, int]]] | None,
    key: str,
) -> bool:
    if known is None or not _in_place(previous, shard, known, key):
        return False
    old, new = _shard_dir(previous, shard), _shard_dir(site, shard)
    try:
        for rel, *_ in known[1]:
            target = os.path.join(new, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.link(os.path.join(old, rel), target)
    except OSError:
        shutil.rmtree(new, ignore_errors=True)
        return False
    return True


def _identities(site: str, shard: str) -> list[tuple[str, int, int, int]]:
    folder = _shard_dir(site, shard)
    found = []
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            found.append((os.path.relpath(path, folder), *processes.identity(path)))
    return sorted(found)


# in a shard's folder of copies: what each copy was made from (the page's key), the copy's
# identity when written, and its text's digest
_COPIES = ".copies.pickle"


def _recorded_digests(folder: str, pages: list[tuple[str, str | None]]) -> dict[str, str] | None:
    """The digests of a shard's copies as last recorded, if the record covers exactly
    ``pages`` with the same keys (the pages did not change), else None.  Nothing is
    checked on disk: enough to know the shard's bundle need not be made again, not to
    give the copies to Pagefind."""
    made = cachefile.load(os.path.join(folder, _COPIES))
    if not isinstance(made, dict) or len(made) != len(pages):
        return None
    digests = {}
    for name, key in pages:
        kept = made.get(name)
        if key is None or not (isinstance(kept, tuple) and len(kept) == 3 and kept[0] == key):
            return None
        digests[name] = kept[2]
    return digests


def _copy_searchable(
    folder: str, pages: list[tuple[str, str | None]], read_from: Callable[[str], str]
) -> dict[str, str]:
    """Make ``folder`` hold the searchable part of each page in ``pages`` ([(name, key)])
    and nothing else; returns the digest of each copy's text ({name: digest}).  A copy
    made from a page with the same key, and not touched since, is left alone without
    reading the page; a copy that is already right is not written again: creating files
    is what costs."""
    record_path = os.path.join(folder, _COPIES)
    made = cachefile.load(record_path)
    if not isinstance(made, dict):
        made = {}
    record = {}
    digests = {}
    wanted = {_COPIES}
    made_folders: set[str] = set()
    for name, key in pages:
        target = os.path.join(folder, name)
        wanted.add(os.path.normpath(name))
        kept = made.get(name)
        if (
            key is not None
            and isinstance(kept, tuple)
            and len(kept) == 3
            and kept[0] == key
            and processes.identity(target) == kept[1]
        ):
            record[name] = kept
            digests[name] = kept[2]
            continue
        with open(read_from(name), encoding="utf-8") as f:
            text = _searchable(f.read())
        try:
            with open(target, encoding="utf-8") as f:
                same = f.read() == text
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            # written in place: a copy left half-written by a killed build is not in the
            # record (saved last), so the next build compares it and writes it again
            folder_of = os.path.dirname(target)
            if folder_of not in made_folders:
                os.makedirs(folder_of, exist_ok=True)
                made_folders.add(folder_of)
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
        digests[name] = _text_digest(text)
        if key is not None:
            record[name] = (key, processes.identity(target), digests[name])
    if set(record) != set(made) or len(record) != len(pages):  # pages left the shard?
        processes.prune(folder, lambda rel: os.path.normpath(rel) in wanted)
    if record != made:
        cachefile.save(record_path, record, "the record of the search copies")
    return digests


def _index_shard(site: str, tmp: str, shard: str, threads: int = 1) -> str | None:
    """Run Pagefind over one shard's copies (made in ``tmp/<shard>``); returns a failure
    message or None."""
    source = os.path.join(tmp, shard)
    command = [
        *_pagefind(),
        "--site",
        source,
        "--output-path",
        _shard_dir(site, shard),
        "--quiet",
    ]
    env = {**os.environ, "RAYON_NUM_THREADS": str(threads)}
    try:
        code, output = _run(command, env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{shard}: {exc}"
    if code != 0:
        return f"{shard}: " + output.strip()[-2000:]
    try:
        canonicalize(_shard_dir(site, shard))
    except OSError as exc:
        return f"{shard}: {exc}"
    return None


# --- a canonical index -------------------------------------------------------------------
#
# Pagefind writes each filter's values in hash-map order, which changes from run to run, and
# names its files after their content; so two builds of one site would differ in
# ``filter/*.pf_filter``, the ``pf_meta`` file and ``pagefind-entry.json``.  Rewriting the
# filters with their values sorted (and renaming what refers to them) makes the index a
# function of the pages alone: reproducible builds, and uploads that skip unchanged files.

_SIGNATURE = b"pagefind_dcd"


def _load_pf(path: str) -> Any:
    import cbor2

    with open(path, "rb") as f:
        raw = gzip.decompress(f.read())
    if not raw.startswith(_SIGNATURE):
        raise ValueError(f"{path}: not a Pagefind data file")
    return cbor2.loads(raw[len(_SIGNATURE) :])


def _dump_pf(folder: str, prefix: str, stem: str, suffix: str, data: Any, size: int) -> str:
    """Write ``data`` as a Pagefind data file named by its content; returns the name's hash."""
    import cbor2

    body = gzip.compress(_SIGNATURE + cbor2.dumps(data), compresslevel=9, mtime=0)
    digest = f"{stem}_{hashlib.sha256(body).hexdigest()[:size]}"
    path = os.path.join(folder, f"{prefix}{digest}{suffix}")
    with open(path, "wb") as f:
        f.write(body)
    return digest


def canonicalize(bundle: str) -> bool:
    """Sort every filter's values (and the filter list) in the Pagefind bundle at ``bundle``.
    Returns False, leaving the bundle as Pagefind wrote it, if its layout is not the one
    this knows (another Pagefind version)."""
    entry_path = os.path.join(bundle, "pagefind-entry.json")
    with open(entry_path, encoding="utf-8") as f:
        entry = json.load(f)
    languages = entry.get("languages") if isinstance(entry, dict) else None
    if not isinstance(languages, dict):
        return False
    for info in languages.values():
        meta_path = os.path.join(bundle, f"pagefind.{info.get('hash')}.pf_meta")
        try:
            meta = _load_pf(meta_path)
        except (OSError, ValueError):
            return False
        filters = meta[-3] if isinstance(meta, list) and len(meta) >= 3 else None
        if not isinstance(filters, list) or not all(
            isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f)
            for f in filters
        ):
            return False
        renamed = []
        for name, digest in sorted(filters):
            old = os.path.join(bundle, "filter", f"{digest}.pf_filter")
            data = _load_pf(old)
            if not (isinstance(data, list) and len(data) == 2 and isinstance(data[1], list)):
                return False
            data[1].sort(key=lambda pair: str(pair[0]))
            stem = digest.rsplit("_", 1)[0]
            new = _dump_pf(os.path.join(bundle, "filter"), "", stem, ".pf_filter", data, 7)
            if new != digest:
                os.unlink(old)
            renamed.append([name, new])
        meta[-3] = renamed
        stem = str(info["hash"]).rsplit("_", 1)[0]
        new_meta = _dump_pf(bundle, "pagefind.", stem, ".pf_meta", meta, 10)
        if new_meta != info["hash"]:
            os.unlink(meta_path)
        info["hash"] = new_meta
    with open(entry_path, "w", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
    return True


def _pagefind() -> list[str]:
    """The indexer's command: its binary straight away (found as the ``pagefind`` package
    finds it, without importing that package's asyncio service), else ``python -m
    pagefind``."""
    named = os.environ.get("PAGEFIND_BINARY_PATH")
    if named:
        return [named]
    for package in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            found = importlib.import_module(package).get_executable()
        except Exception:  # not installed, or no binary for this machine
            continue
        return [str(found.resolve())]
    return [sys.executable, "-m", "pagefind"]
