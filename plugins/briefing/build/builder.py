"""``PELICAN_CLASS``: Pelican's run, rendered into a staging folder and published only
when the whole build succeeded, with every diagnostic of the run printed once."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import jinja2
from pelican import Pelican, signals

from .. import fast
from ..core import permalinks
from ..core.diagnostics import Report
from ..core.settings import setting
from ..fast import background, heap, pages
from ..fast.indexing import Indexing
from ..files import cachefile, processes
from ..site import internals, pagination, search, state
from ..site.sitecheck import Stopped
from ..site.templates import template_location
from . import progress, publish

logger = logging.getLogger(__name__)


class BuildFailed(publish.PublishError):
    """The build had errors; ``output/`` was left as it was."""


class _ErrorCounter(logging.Handler):
    """Counts errors anything logs during a build (Pelican's own included), and the
    warnings Pelican gives for a static file it failed to copy: a site without its CSS
    or images must not be published.  Other warnings are counted apart: they fail a
    strict build (``--fatal warnings``, ``BRIEFING_STRICT``)."""

    _COPY_FAILED = ("A problem occurred copying", "While copying")

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0
        self.warnings = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or (
            record.name == "pelican.utils" and str(record.msg).startswith(self._COPY_FAILED)
        ):
            self.count += 1
        elif record.levelno == logging.WARNING:
            self.warnings += 1


@contextlib.contextmanager
def collecting(settings: dict[str, Any], report: Report, output: str) -> Iterator[bool]:
    """Everything a build finds goes to ``report``: Briefing's diagnostics (a new state
    for the run, ``site.state``), and the count of what Pelican (or anything else) logs.
    Pelican's ``--fatal warnings`` (or ``errors``) would raise an exception from inside
    the call that logs, which ends the build in a traceback half-way: it is turned off
    here, and the build fails at its end instead, with the usual summary.  Yields whether
    warnings were to be fatal."""
    counter = _ErrorCounter()
    root = logging.getLogger()
    root.addHandler(counter)
    build = state.start(settings, report, held=True)
    build.published = _load_record(settings, output)  # to compare with (permalinks)
    try:
        with internals.warnings_not_fatal() as strict:
            yield strict
    finally:
        build.held = False
        root.removeHandler(counter)
        report.logged_errors += counter.count
        report.logged_warnings += counter.warnings


@contextlib.contextmanager
def _drawing(settings: dict[str, Any], shown: progress.Progress) -> Iterator[None]:
    """The build's progress on a terminal: the state's ``progress`` draws it, and pages
    Pelican writes itself (without the speed layer) are counted as they are written."""
    state.of(settings).progress = shown.update

    def written(path: str, **_: Any) -> None:
        shown.update("writing pages")

    def finalized(*_: Any, **__: Any) -> None:
        shown.stop()  # Pelican prints its summary next: the line must be gone by then

    plain = not fast.enabled(settings)  # the speed layer counts the pages it renders
    if plain:
        signals.content_written.connect(written)
    signals.finalized.connect(finalized)
    try:
        yield
    finally:
        if plain:
            signals.content_written.disconnect(written)
        signals.finalized.disconnect(finalized)
        shown.stop()


class _Checked(Exception):
    """Raised where a build would start writing, when it only checks the stories."""


class _MakePages:
    """The last generator (with the speed layer): makes the pages every generator before it
    planned."""

    def __init__(self, *, context: dict[str, Any], settings: dict[str, Any], **_: Any) -> None:
        self.settings = settings

    def generate_output(self, writer: Any) -> None:
        if isinstance(writer, pages.PlanningWriter):
            writer.make_pages(_workers(self.settings))


def _workers(settings: dict[str, Any]) -> int:
    jobs = setting(settings, "BRIEFING_JOBS")
    if jobs:
        return max(1, int(jobs))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class BriefingPelican(Pelican):
    #: the heap is released at the end of ``run``, not at Pelican's ``finalized``
    releases_heap_itself = True
    _writer: pages.PlanningWriter | None = None
    _published: str = ""
    _manifest: dict[str, Any] = {"pages": {}, "search": {}}  # the published site's
    _spare: dict[str, Any] = {"pages": {}, "search": {}}  # the staging folder's, if a spare
    _search: Indexing | None = None
    _pruning: background.Forked | None = None
    _checking = False
    _context: dict[str, Any] | None = None  # the run's shared context

    def _get_generator_classes(self) -> list[type]:
        extra: list[type] = [self._keeping_context()]
        if fast.enabled(self.settings) and not self._checking:
            extra.append(_MakePages)
        return [*super()._get_generator_classes(), *extra]

    def _keeping_context(self) -> type:
        owner = self

        class KeepContext:
            """Not a generator: made like one, it keeps the run's context for the build."""

            def __init__(self, *, context: dict[str, Any], **_: Any) -> None:
                owner._context = context

        return KeepContext

    def check_stories(self) -> tuple[Report, set[str]]:
        """``briefing check``: the build's reading and every check it makes of the stories
        (the same code: the reader, Pelican's own, and ``site.sitecheck``), stopped before
        a page is planned; nothing is written but caches.  Returns the report and the
        files the build reads (absolute paths)."""
        report, context = self.read_site()
        root_path = os.path.abspath(self.settings["PATH"])
        read = {
            os.path.join(root_path, rel)
            for key in ("generated_content", "static_content")
            for rel in context.get(key) or ()
        }
        return report, read

    def read_site(self) -> tuple[Report, dict[str, Any]]:
        """The site as a build reads and checks it (its stories, days, outlets: the
        context templates get), stopped before a page is planned; nothing is written but
        caches.  For what is made from it outside a build (``briefing email``)."""
        report = Report()
        published = os.path.abspath(self.output_path)
        scratch = tempfile.mkdtemp(prefix="briefing-check-")
        self.output_path = self.settings["OUTPUT_PATH"] = scratch
        self._checking, self._context = True, None
        try:
            with collecting(self.settings, report, published):
                try:
                    Pelican.run(self)
                except (Stopped, _Checked):
                    pass
        finally:
            self._checking = False
            self.output_path = self.settings["OUTPUT_PATH"] = published
            shutil.rmtree(scratch, ignore_errors=True)
            fast.finish(self.settings)
            heap.release()
        return report, self._context or {}

    def template_environment(self) -> Any:
        """The theme's Jinja environment, as the build's generators have it (the theme's
        templates, the site's filters and globals)."""
        from pelican.generators import Generator

        made = Generator(
            context={},
            settings=self.settings,
            path=self.path,
            theme=self.theme,
            output_path=self.output_path,
        )
        return made.env

    def _get_writer(self) -> Any:
        if self._checking:
            raise _Checked  # the stories are read and checked: nothing is written
        if not fast.enabled(self.settings):
            return pagination.Writer(self.output_path, settings=self.settings)
        self._pruned()
        writer = pages.PlanningWriter(self.output_path, settings=self.settings)
        writer.reuse = pages.manifest_path(self.settings) is not None
        writer.previous = self._published
        writer.manifest = self._manifest["pages"]
        writer.spare = self._spare["pages"]
        writer.workers = _workers(self.settings)
        if setting(self.settings, "BRIEFING_SEARCH"):
            writer.after_render = self._start_search
            writer.before_remake = self._stop_search
        self._writer = writer
        return writer

    def _start_search(self) -> None:
        """Start Pagefind's index of the story pages, one bundle per quarter or year
        (``site.search``),
        as soon as they are made (``PlanningWriter``): it runs on another core while the
        build plans and makes the other pages, reading the story pages that will be linked
        from the published site."""
        writer = self._writer
        if writer is None or self._search is not None:
            return
        wanted = (writer.context or {}).get("search_pages") or {}
        keys = {job.name: job.key for job in writer.jobs}
        shard_pages = {
            shard: [(name, keys.get(name)) for name in names] for shard, names in wanted.items()
        }
        self._search = Indexing(
            writer.output_path,
            shard_pages,
            self._published if os.path.isdir(self._published) else None,
            self._manifest["search"] if writer.reuse else {},
            writer.workers,
            writer.source_of,
            self._spare["search"],
            search.sources_path(self.settings),
        )

    def _stop_search(self) -> None:
        """Stop an index started too early (a page it read was planned again)."""
        if self._search is not None:
            self._search.cancel()
            self._search = None

    def _finish_search(self, staging: str) -> dict[str, Any]:
        """The search index of the story pages, in ``staging``."""
        if not fast.enabled(self.settings):  # every shard indexed here, from scratch
            state.of(self.settings).progress("indexing the search")
            wanted = (self._context or {}).get("search_pages") or {}
            shard_pages = {shard: [(n, None) for n in names] for shard, names in wanted.items()}
            made, indexed = search.build(staging, shard_pages, None, {}, _workers(self.settings))
        else:
            self._start_search()  # if the pages were made some other way
            if self._search is None:
                return {}
            state.of(self.settings).progress("indexing the search")
            made, indexed = self._search.wait()
        logger.info("briefing: search index: %d of %d shard(s) indexed", indexed, len(made))
        return made

    def _discard(self, staging: str) -> None:
        """Throw the staging folder away (stopping what writes into it first)."""
        if self._pruning is not None:
            self._pruning.cancel()
            self._pruning = None
        if self._search is not None:
            self._search.cancel()
        shutil.rmtree(staging, ignore_errors=True)

    def _staging(self, output: str) -> str:
        """The folder to build in.  With the speed layer: the spare site, pruned to the
        pages and search bundles its manifest vouches for (the build keeps those that did
        not change), or a new empty folder.  The pruning is done by a forked process while
        the build reads the stories; ``_pruned`` waits for it before anything looks into
        the folder."""
        self._manifest = {"pages": {}, "search": {}}
        self._spare = {"pages": {}, "search": {}}
        self._pruning = None
        path = pages.manifest_path(self.settings) if fast.enabled(self.settings) else None
        if path is None:
            publish.discard_spare(output)
            return publish.make_staging(output)
        with heap.kept():  # the manifests live until the build ends
            saved = pages.load_manifest(path, output)
        self._manifest = {"pages": saved["pages"], "search": saved["search"]}
        spare = saved["spare"]
        staging = None
        if spare["pages"] or spare["search"]:
            staging = publish.take_spare(output)
        if staging is None:
            publish.discard_spare(output)
            return publish.make_staging(output)
        wanted = set(spare["pages"])
        for shard, (_, files) in spare["search"].items():
            wanted.update(f"{search.FOLDER}/{shard}/{rel}" for rel, *_ in files)
        self._spare = spare
        self._pruning = background.Forked(processes.prune, staging, wanted.__contains__)
        return staging

    def _pruned(self) -> None:
        """Wait for the spare site's pruning; if it failed, build in the emptied folder."""
        if self._pruning is None:
            return
        pruning, self._pruning = self._pruning, None
        try:
            pruning.result()
        except (OSError, background.Died):
            staging = self.output_path
            shutil.rmtree(staging, ignore_errors=True)
            os.makedirs(staging, exist_ok=True)
            self._spare = {"pages": {}, "search": {}}

    def run(self) -> None:
        output = os.path.abspath(self.output_path)
        self._published = output
        self._search = None
        self._writer = None
        timeout = float(setting(self.settings, "BRIEFING_LOCK_TIMEOUT"))
        try:
            self._run_locked(output, timeout, autoreload=_called_by_autoreload())
        finally:
            fast.finish(self.settings)  # the cache files written beside the build
            heap.release()
        if fast.enabled(self.settings) and _run_by_pelican_command():
            _exit_without_teardown()

    def _run_locked(self, output: str, timeout: float, *, autoreload: bool) -> None:
        with publish.BuildLock(output, timeout=timeout):
            publish.clean_stale(output)
            staging = self._staging(output)
            report = Report()
            self.output_path = self.settings["OUTPUT_PATH"] = staging
            strict = False
            shown = progress.Progress()
            try:
                with (
                    collecting(self.settings, report, output) as strict,
                    _drawing(self.settings, shown),
                ):
                    try:
                        super().run()
                    except Stopped:
                        pass  # the report holds the errors; handled below like any failure
            except jinja2.TemplateError as exc:
                self._discard(staging)
                raise BuildFailed(
                    f"{template_location(exc)}: template error: {exc}; "
                    f"{_shown(output)} was left unchanged"
                ) from None
            except BaseException:
                self._discard(staging)
                raise
            finally:
                if self._writer is not None:
                    report.logged_errors += self._writer.errors_logged
                self.output_path = self.settings["OUTPUT_PATH"] = output
                print_report(report)
            strict = strict or bool(setting(self.settings, "BRIEFING_STRICT"))
            failed = report.errors + report.logged_errors
            warned = report.warnings + report.logged_warnings
            if failed or (strict and warned):
                self._discard(staging)
                why = report.summary()
                if not failed:
                    why += "; a strict build fails on warnings"
                failed = BuildFailed(f"build failed ({why}); {_shown(output)} was left unchanged")
                if autoreload:
                    # Pelican's autoreload loop re-runs at once after an exception, which
                    # would rebuild a broken site in a busy loop: report and wait for changes.
                    print(f"briefing: {failed}; waiting for changes", file=sys.stderr, flush=True)
                    return
                raise failed
            made: dict[str, Any] = {"pages": {}, "search": {}}
            if self._writer is not None:
                # an upload then sends only what changed: pages rendered again with the
                # same bytes keep the published time (before the manifest records it); the
                # search index does the same for its files
                publish.keep_times(
                    staging,
                    output,
                    names=self._writer.rendered_names,
                    folders=(self.settings.get("THEME_STATIC_DIR") or "theme",),
                )
                made["pages"] = self._writer.new_manifest()
            context = self._context or {}
            record = permalinks.record(
                (s for name in permalinks.PUBLISHED for s in context.get(name) or ()),
                self.settings,
            )
            if setting(self.settings, "BRIEFING_SEARCH"):
                # part of the site, so built before the swap; only story pages are searched
                try:
                    made["search"] = self._finish_search(staging)
                except BaseException:
                    self._discard(staging)
                    raise
            publish.retain(output, staging, self.settings.get("OUTPUT_RETENTION", []))
            if self._writer is None:  # the whole site, the search index included
                publish.keep_times(staging, output)
            manifest = pages.manifest_path(self.settings) if self._writer is not None else None
            if publish.swap_in(staging, output, keep_previous=manifest is not None):
                made["spare"] = self._manifest  # the site just replaced is the spare now
            _save_record(self.settings, output, record)
            if self._writer is not None:
                pages.save_manifest(manifest, output, made)
                logger.info(
                    "briefing: %d page(s) rendered, %d unchanged page(s) kept "
                    "(%d linked from the published site)",
                    self._writer.rendered,
                    self._writer.reused,
                    self._writer.linked,
                )


# --- the published site's record of its stories (``core.permalinks``) ---------------------

_RECORD_NAME = "briefing-published.pickle"


def _record_path(settings: dict[str, Any]) -> str:
    return os.path.join(settings.get("CACHE_PATH") or "cache", _RECORD_NAME)


def _load_record(settings: dict[str, Any], output: str) -> dict[str, Any]:
    """What the build that made the published site (at ``output``) recorded."""
    saved = cachefile.load(_record_path(settings))
    output = os.path.abspath(output)
    if isinstance(saved, dict) and saved.get("output") == output:
        record = saved.get("record")
        if isinstance(record, dict):
            return record
    return {}


def _save_record(settings: dict[str, Any], output: str, record: dict[str, Any]) -> None:
    saved = {"output": os.path.abspath(output), "record": record}
    cachefile.save(_record_path(settings), saved, "the record of the published stories")


def _run_by_pelican_command() -> bool:
    """Whether this build is the one run of a ``pelican`` command (not autoreload, not a
    program calling Pelican): nothing follows it but the process's exit."""
    if internals.called_from(2) != "main":  # this function <- run <- its caller
        return False
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return os.path.basename(sys.argv[0]) == "pelican" or (
        spec is not None and spec.name == "pelican.__main__"
    )


def _exit_without_teardown() -> None:
    """Once the successful build's command exits, exit at once: freeing every story,
    page and context one object at a time takes half a second at 5,000 stories and
    changes nothing (mypy's ``fast_exit`` does the same).  Logging and the standard
    streams are flushed first; registered last, this runs before other exit handlers."""

    def leave() -> None:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(0)

    atexit.register(leave)


def _called_by_autoreload() -> bool:
    return internals.called_from(2) == "autoreload"  # this function <- run <- its caller


def print_report(report: Report) -> None:
    items = report.sorted()
    for d in items:
        print(d, file=sys.stderr)
    if items or report.logged_errors or report.logged_warnings:
        print(f"briefing: {report.summary()}", file=sys.stderr, flush=True)


def _shown(path: str) -> str:
    rel = os.path.relpath(path)
    return (rel if not rel.startswith(os.pardir) else path) + "/"
