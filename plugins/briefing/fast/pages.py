"""Pages planned first, then made: taken over from the last published site when nothing
they show has changed, otherwise rendered on every core.

``PlanningWriter`` is the writer Pelican's generators write through (``BriefingPelican``
hands it out).  ``write_file`` renders nothing: it notes a ``Job`` per output file, with
Pelican's own pagination and overwrite rules.  After the last generator, ``make_pages``

* keeps each page of the spare site (the site before the published one, which the build
  took as its staging folder, ``publish.take_spare``) whose digest (``fingerprint.py``)
  matches the spare's manifest, where it is;
* links each other page whose digest matches the manifest of the published site into the
  staging folder (a hard link);
* renders the rest in forked worker processes, which share the parsed stories with the
  parent and take jobs in small batches from a shared counter;
* removes the spare's pages this build does not make.

The pages the search index reads (the story pages) are made in that way as soon as the
last of them is planned, and the index is started then (``after_render``), so that it runs
beside the planning and rendering of every other page instead of after them.

Files are never written to in place: a page that replaces one of the spare's is a new
file, so a file the spare shares with the published site (a hard link) keeps its bytes.

The manifest (``cache/briefing-pages.pickle``) maps each output file to its digest and the
identity (inode, size, mtime) of the file that was published, for the published site and
for the spare; it is written only after the swap, and a file whose identity differs
(edited, replaced) is never reused.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pelican import signals
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from ..core.errors import Failure
from ..core.settings import setting
from ..files import cachefile, processes
from ..site import pagination, state
from . import background, heap
from .fingerprint import PageDigests, ReadsKept, Unstable, combine
from .keys import site_digest

logger = logging.getLogger(__name__)
MANIFEST_NAME = "briefing-pages.pickle"
READS_NAME = "briefing-template-reads.pickle"
_BATCH = 8


@dataclass
class Job:
    name: str  # path under the output folder
    key: str | None  # digest, None when the page cannot be keyed
    template: Any = None  # a Jinja template, rendered with ``context`` and ``own``
    context: dict[str, Any] | None = None  # the generators' shared context
    own: dict[str, Any] | None = None  # the page's own values, over the context's
    make: Callable[[], str] | None = None  # or a function returning the text
    relative: bool = False  # links relative to the page (Pelican's ``RELATIVE_URLS``)

    def values(self) -> dict[str, Any]:
        """What the template is rendered with, made only for a page that is rendered (an
        edit plans thousands of pages and renders a few); the shared context does not
        change once pages are planned (the site digest is taken from it then)."""
        assert self.context is not None
        if not self.relative:
            return {**self.context, **(self.own or {})}
        relative = path_to_url(get_relative_path(self.name))
        return {**self.context, "SITEURL": relative, "localsiteurl": relative, **(self.own or {})}


class RenderFailed(Failure):
    """A page could not be rendered (the message says which and why)."""


class PlanningWriter(Writer):
    """Pelican's ``Writer`` interface; pages are noted as jobs and made by ``make_pages``."""

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        self.jobs: list[Job] = []
        self._index: dict[str, int] = {}
        self.context: dict[str, Any] | None = None  # the generators' shared context
        self.digests: PageDigests | None = None
        self._site: background.Forked | None = None  # the site digest, being worked out
        self._site_key: str | None = None  # ... and once known
        self.reuse = True
        self._folders: set[str] = set()
        self.previous: str | None = None  # the published site
        self.manifest: dict[str, tuple[str, int, int, int]] = {}
        self.spare: dict[str, tuple[str, int, int, int]] = {}  # the staging folder's pages
        self._known: dict[str, tuple[int, int, int]] = {}  # identities of pages not written
        self._linked: set[str] = set()
        self.reused = self.rendered = self.linked = 0
        self.rendered_names: set[str] = set()
        self.workers = 1
        # the search index: started (``after_render``) as soon as the pages it reads are
        # made, which is as soon as the last of them is planned; stopped
        # (``before_remake``) if one of those is planned again after that
        self.after_render: Callable[[], None] | None = None
        self.before_remake: Callable[[], None] | None = None
        self._waiting: set[str] | None = None  # search pages not planned yet
        self._early: dict[str, Job] = {}  # search pages made early, by name
        self._keep: list[tuple[Job, str]] = []  # pages to link from the published site
        self.errors_logged = 0

    # --- planning -------------------------------------------------------------------------

    def write_file(
        self,
        name: str,
        template: Any,
        context: dict[str, Any],
        relative_urls: bool = False,
        paginated: dict[str, Any] | None = None,
        template_name: str | None = None,
        override_output: bool = False,
        url: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Pelican's ``Writer.write_file``, noting a job per file instead of writing it."""
        if not name:
            return
        self.context = context
        if self._waiting is None and self.after_render is not None:
            shards = context.get("search_pages") or {}
            self._waiting = {page for names in shards.values() for page in names}
        if self.digests is None and self.reuse:
            # the first page planned: every generator has read its content by now; the
            # site digest is worked out on another core while pages are planned
            kept = ReadsKept(reads_path(self.settings))
            self.digests = PageDigests(context, self.settings, kept)
            self._site = background.Forked(site_digest, self.settings, context)
        for path, _, given in pagination.files(
            name, url, paginated, template_name, self.settings, kwargs
        ):
            self._plan_page(template, context, path, given, relative_urls, override_output)

    def write_text(
        self, name: str, make: Callable[[], str], depends: Any, override: bool = False
    ) -> None:
        """A file whose text ``make()`` returns; ``depends`` is what its digest covers."""
        key = self.digests.page(name, "<text>", {"depends": depends}) if self.digests else None
        self._add(Job(name, self._keyed(key), make=make), override)

    def _plan_page(
        self,
        template: Any,
        context: dict[str, Any],
        name: str,
        kwargs: dict[str, Any],
        relative_urls: bool,
        override: bool,
    ) -> None:
        # Pelican's values for the page; relative links are worked out only if it is rendered
        own = {} if relative_urls else {"localsiteurl": context.get("localsiteurl", None)}
        own["output_file"] = name
        own.update(kwargs)
        key = None
        if self.digests is not None:
            extra = {"relative": relative_urls, **kwargs}
            key = self.digests.page(name, template.name or repr(template), extra, template)
        job = Job(name, self._keyed(key), template, context, own, relative=bool(relative_urls))
        self._add(job, override)

    def _keyed(self, page: str | None) -> str | None:
        """A page's key once the site digest is known; until then its own digest."""
        return page if self._site_key is None else combine(self._site_key, page)

    def _settle_keys(self) -> None:
        """Wait for the site digest, and key every page planned so far with it."""
        if self._site is None or self._site_key is not None:
            return
        try:
            try:
                self._site_key = self._site.result()
            except background.Died:  # its process was lost: work it out here
                self._site_key = site_digest(self.settings, self.context or {})
        except Unstable as exc:
            logger.info("briefing: pages cannot be reused this build (%s)", exc)
            self.reuse, self.digests, self._site = False, None, None
            for job in self.jobs:
                job.key = None
            return
        for job in self.jobs:
            job.key = combine(self._site_key, job.key)

    def _add(self, job: Job, override: bool) -> None:
        """Pelican's rule: a file is written once, unless one write says ``override``."""
        path = job.name
        if path in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{path}" a second time (was previously overwritten)'
                )
            logger.info('Skipping "%s", not overwriting', path)
            return
        if path in self._index:
            if not override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{path}" as Pelican has already '
                    "written to it previously (set `override=True` if intended)"
                )
            logger.info('Overwriting "%s"', path)
            self.jobs[self._index[path]] = job
        else:
            self._index[path] = len(self.jobs)
            self.jobs.append(job)
        if override:
            self._overridden_files.add(path)
        if self._waiting and path in self._waiting:
            self._waiting.discard(path)
            if not self._waiting:
                self._make_search_pages()

    # --- making ---------------------------------------------------------------------------

    def _make_search_pages(self) -> None:
        """Make the pages the search index reads as soon as the last of them is planned,
        and start the index (``after_render``): it runs beside the rest of the build."""
        assert self.context is not None and self.after_render is not None
        self._settle_keys()
        shards = self.context.get("search_pages") or {}
        jobs = [self.jobs[self._index[name]] for names in shards.values() for name in names]
        self._make(jobs)
        self._early = {job.name: job for job in jobs}
        self.after_render()

    def make_pages(self, workers: int) -> None:
        """Render the pages whose inputs changed on ``workers`` cores, call ``after_render``
        (the search index starts there, if it did not start earlier), then link the
        unchanged pages from the published site."""
        self.workers = workers
        self._settle_keys()
        if self.digests is not None and self.digests.reads is not None:
            self.digests.reads.save()  # every page is planned: every template was read
        names = {job.name for job in self.jobs}
        for name in self.spare:
            if name not in names:
                self._remove(name, prune=True)
        made_early = {id(job) for job in self._early.values()}
        replaced = [
            name for name, job in self._early.items() if self.jobs[self._index[name]] is not job
        ]
        if replaced:  # planned again after the index started: the index must start again
            if self.before_remake is not None:
                self.before_remake()
            self._linked.difference_update(replaced)
            for name in replaced:
                self._known.pop(name, None)
            self._keep = [(job, old) for job, old in self._keep if job.name not in replaced]
        self._make([job for job in self.jobs if id(job) not in made_early])
        if self.after_render is not None:
            self.after_render()
        for job, old in self._keep:
            if self._link(old, job.name):
                self._known[job.name] = self.manifest[job.name][1:]  # the same file
            else:
                self._render(job)  # no hard links here after all: render it
                self.rendered_names.add(job.name)
        self.rendered = len(self.rendered_names)
        self.reused = len(self.jobs) - self.rendered
        self.linked = len(self._linked - self.rendered_names)
        for job in self.jobs:  # only names and digests are needed from here on
            job.template = job.context = job.own = job.make = None

    def _make(self, jobs: list[Job]) -> None:
        """Keep those of ``jobs`` the staging folder (a spare site) already holds, note
        those to link from the published site, and render the rest."""
        todo: list[Job] = []
        for job in jobs:
            if self._kept_in_place(job):
                self._known[job.name] = self.spare[job.name][1:]
                continue
            if job.name in self.spare:
                self._remove(job.name)  # the spare's out-of-date copy
            old = self._reusable(job)
            if old is None:
                todo.append(job)
            else:
                self._keep.append((job, old))
                self._linked.add(job.name)
        self.rendered_names.update(job.name for job in todo)
        workers = max(1, min(self.workers, len(todo) // (4 * _BATCH)))
        if workers == 1:
            progress = state.of(self.settings).progress
            for done, job in enumerate(todo, 1):
                self._render(job)
                progress("rendering pages", done, len(todo))
        else:
            self.errors_logged += _render_in_parallel(self, todo, workers)

    def source_of(self, name: str) -> str:
        """Where page ``name`` can be read once the changed pages are rendered: the new
        file, or the published one it will be linked to."""
        if name in self._linked and self.previous:
            return os.path.join(self.previous, name)
        return os.path.join(self.output_path, name)

    def _kept_in_place(self, job: Job) -> bool:
        """Whether the staging folder (a spare site) already holds this very page."""
        return _holds(self.spare, self.output_path, job)

    def _remove(self, name: str, prune: bool = False) -> None:
        """Unlink a spare page (and, with ``prune``, the folders it leaves empty)."""
        path = sanitised_join(self.output_path, name)
        try:
            os.unlink(path)
        except FileNotFoundError:
            return
        while prune:
            path = os.path.dirname(path)
            if len(path) <= len(self.output_path):
                break
            try:
                os.rmdir(path)
            except OSError:
                break
            self._folders.discard(path)

    def _reusable(self, job: Job) -> str | None:
        """The published file this page can be taken from, if its inputs did not change."""
        if not self.previous or not _holds(self.manifest, self.previous, job):
            return None  # changed, gone, or not the file published with this digest
        return os.path.join(self.previous, job.name)

    def _link(self, old: str, name: str) -> bool:
        new = sanitised_join(self.output_path, name)
        try:
            self._folder_for(new)
            try:
                os.link(old, new)
            except FileExistsError:  # the name is taken (a page made twice): replace it
                os.unlink(new)
                os.link(old, new)
        except OSError:
            return False  # another file system, no hard links
        return True

    def _folder_for(self, path: str) -> None:
        folder = os.path.dirname(path)
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)

    def text_of(self, job: Job) -> tuple[str, dict[str, Any] | None]:
        """A planned page's text, and the values its template was rendered with (none
        for a text file).  The build writes it; the preview serves it (``build.warm``)."""
        if job.make is not None:
            return job.make(), None
        local = job.values()
        if local.get("localsiteurl") and self.context is not None:
            # Pelican's way of telling stories which page links are relative to
            self.context["localsiteurl"] = local["localsiteurl"]
        return job.template.render(local), local

    def page(self, name: str) -> Job | None:
        """The job planned for output file ``name``, if any."""
        at = self._index.get(name)
        return None if at is None else self.jobs[at]

    def _render(self, job: Job) -> None:
        text, local = self.text_of(job)
        path = sanitised_join(self.output_path, job.name)
        self._folder_for(path)
        data = text.encode("utf-8")
        old = self._published_same(job.name, data)
        if old is None or not self._link(old, job.name):
            try:
                f = open(path, "xb")
            except FileExistsError:  # made earlier this build (a page planned again),
                os.unlink(path)  # maybe as a link to a published file: keep its bytes
                f = open(path, "xb")
            with f:
                f.write(data)
        logger.info('Writing "%s"', path)
        if local is not None:
            signals.content_written.send(path, context=local)

    def _published_same(self, name: str, data: bytes) -> str | None:
        """The published file of this page if it holds these very bytes (``_render``
        links it instead of writing a new file): a page rendered again whose text came
        out the same (most of them, when a new story changes what every page may show).
        Reading a file costs less than creating one, and an upload that compares size and
        time skips a file that is the same file."""
        if not self.previous or not self.reuse:  # BRIEFING_REUSE_PAGES off: all new files
            return None
        old = os.path.join(self.previous, name)
        try:
            # O_NOFOLLOW: a link put in the published site by hand is not linked on
            with open(os.open(old, os.O_RDONLY | os.O_NOFOLLOW), "rb") as f:
                if os.fstat(f.fileno()).st_size != len(data) or f.read() != data:
                    return None
        except OSError:  # not published: write it
            return None
        return old

    def new_manifest(self) -> dict[str, tuple[str, int, int, int]]:
        """Digest and identity of every keyed file written (call before the swap)."""
        self._settle_keys()
        entries = {}
        for job in self.jobs:
            if job.key is None:
                continue
            found = self._known.get(job.name) or processes.identity(
                os.path.join(self.output_path, job.name)
            )
            if found is not None:
                entries[job.name] = (job.key, *found)
        return entries


def _holds(manifest: dict[str, tuple[str, int, int, int]], site: str, job: Job) -> bool:
    """Whether ``site`` holds this page with the digest ``manifest`` gives it, in the very
    file (inode, size, mtime) the manifest recorded."""
    known = manifest.get(job.name) if job.key is not None else None
    if known is None or known[0] != job.key:
        return False
    return processes.identity(os.path.join(site, job.name)) == known[1:]


def _render_in_parallel(writer: PlanningWriter, jobs: list[Job], workers: int) -> int:
    """Render ``jobs`` in ``workers - 1`` forked children and this process; returns the
    number of errors the children logged.  Any failure is raised here."""
    ctx = multiprocessing.get_context("fork")
    counter = ctx.RawValue("q", 0)
    lock = ctx.Lock()
    children = []
    parent = os.getpid()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    # objects made so far are left alone by the collector (until the build ends), so a
    # worker does not copy the memory pages it shares with this process just to scan them
    heap.keep()
    for _ in range(workers - 1):
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no more processes to be had: render with those there are
            os.close(read_end)
            os.close(write_end)
            break
        if pid == 0:  # child
            os.close(read_end)
            status = _child(writer, jobs, counter, lock, write_end, parent)
            os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    failure: BaseException | None = None
    try:
        _take_jobs(writer, jobs, counter, lock)
    except BaseException as exc:
        failure = exc
        with lock:
            counter.value = len(jobs)  # the children stop after their batch
    logged = 0
    problems = []
    for pid, read_end in children:
        with os.fdopen(read_end, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
        report = pickle.loads(data) if data else None
        if report is None:
            code = os.waitstatus_to_exitcode(status)
            problems.append(f"a page renderer (pid {pid}) died ({_describe(code)})")
            continue
        logged += report["logged"]
        if report.get("error"):
            problems.append(report["error"])
    if failure is not None:
        raise failure
    if problems:
        raise RenderFailed("; ".join(problems))
    return logged


def _no_progress(*_: Any) -> None:
    pass


def _take_jobs(writer: PlanningWriter, jobs: list[Job], counter: Any, lock: Any) -> None:
    settings = getattr(writer, "settings", None)  # drawn by the build's process only
    progress = state.of(settings).progress if settings is not None else _no_progress
    while True:
        with lock:
            start = counter.value
            counter.value = start + _BATCH
        if start >= len(jobs):
            return
        for job in jobs[start : start + _BATCH]:
            writer._render(job)
        progress("rendering pages", min(counter.value, len(jobs)), len(jobs))


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _child(
    writer: PlanningWriter, jobs: list[Job], counter: Any, lock: Any, out: int, parent: int
) -> int:
    processes.die_with_parent_now(parent)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    counted = _Count()
    logging.getLogger().addHandler(counted)
    report: dict[str, Any] = {"logged": 0}
    status = 0
    try:
        _take_jobs(writer, jobs, counter, lock)
    except BaseException as exc:  # reported to the parent, which fails the build
        with lock:
            counter.value = len(jobs)
        report["error"] = _explain(exc)
        status = 1
    report["logged"] = counted.count
    try:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        with os.fdopen(out, "wb") as f:
            f.write(pickle.dumps(report))
    except BaseException:
        status = 2
    return status


def _explain(exc: BaseException) -> str:
    import jinja2

    from ..site.templates import template_location

    if isinstance(exc, jinja2.TemplateError):
        return f"{template_location(exc)}: template error: {exc}"
    if isinstance(exc, OSError):
        return f"{exc.filename or 'a page'}: {exc.strerror or exc}"
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


# --- the manifest of the published site ----------------------------------------------------


def manifest_path(settings: dict[str, Any]) -> str | None:
    if not setting(settings, "BRIEFING_REUSE_PAGES"):
        return None
    return os.path.join(settings.get("CACHE_PATH") or "cache", MANIFEST_NAME)


def reads_path(settings: dict[str, Any]) -> str | None:
    """Where what each template reads is kept (``fingerprint.ReadsKept``)."""
    if not setting(settings, "BRIEFING_REUSE_PAGES"):
        return None
    return os.path.join(settings.get("CACHE_PATH") or "cache", READS_NAME)


def load_manifest(path: str | None, output: str) -> dict[str, Any]:
    """``{"pages": {...}, "search": {...}, "spare": {"pages": ..., "search": ...}}`` of the
    published site and the spare, or empty ones."""
    data = cachefile.load(path)
    if not isinstance(data, dict) or data.get("output") != os.path.abspath(output):
        data = {}
    spare = data.get("spare") if isinstance(data.get("spare"), dict) else {}
    return {
        "pages": data.get("pages") or {},
        "search": data.get("search") or {},
        "spare": {"pages": spare.get("pages") or {}, "search": spare.get("search") or {}},
    }


def save_manifest(path: str | None, output: str, parts: dict[str, Any]) -> None:
    cachefile.save(path, {"output": os.path.abspath(output), **parts}, "the page manifest")
