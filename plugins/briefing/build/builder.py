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
from pelican import Pelican

from ..core import clock, diagnostics, permalinks
from ..core.diagnostics import Report
from ..fast import background, heap, pages
from ..site import search
from . import publish

logger = logging.getLogger(__name__)


class BuildFailed(publish.PublishError):
    """The build had errors; ``output/`` was left as it was."""


class BuildStopped(BuildFailed):
    """Raised inside Pelican's run once the stories have errors, before anything is written."""


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
def _collecting(report: Report) -> Iterator[bool]:
    """Everything a build finds goes to ``report``: Briefing's diagnostics, and the count
    of what Pelican (or anything else) logs.  Pelican's ``--fatal warnings`` (or
    ``errors``) would raise an exception from inside the call that logs, which ends the
    build in a traceback half-way: it is turned off here, and the build fails at its end
    instead, with the usual summary.  Yields whether warnings were to be fatal."""
    from pelican.log import FatalLogger

    counter = _ErrorCounter()
    root = logging.getLogger()
    level = FatalLogger.fatal_lvl
    FatalLogger.fatal_lvl = logging.CRITICAL + 1
    root.addHandler(counter)
    try:
        with diagnostics.collecting(report):
            yield level <= logging.WARNING
    finally:
        FatalLogger.fatal_lvl = level
        root.removeHandler(counter)
        report.logged_errors += counter.count
        report.logged_warnings += counter.warnings


def take_settings(settings: dict[str, Any]) -> None:
    """``initialized``: what a Briefing build changes in the site's settings, and the
    combinations it refuses.

    Embargo: a story not yet due (``WITH_FUTURE_DATES = False``, by ``clock.now()``) or a
    draft is written nowhere, unless ``BRIEFING_PREVIEW_DRAFTS`` asks for it in a
    development build; a production build (``BRIEFING_PRODUCTION = True``, in
    ``publishconf.py``) refuses that."""
    clock.take_over_future_dates(settings)
    if settings.get("BRIEFING_PREVIEW_DRAFTS"):
        if settings.get("BRIEFING_PRODUCTION"):
            raise BuildFailed(
                "BRIEFING_PREVIEW_DRAFTS = True in a production build (BRIEFING_PRODUCTION = "
                "True) would publish drafts and stories not yet due; set "
                "BRIEFING_PREVIEW_DRAFTS = False in the production settings (publishconf.py)"
            )
        return
    for name in _DRAFT_FILES:
        settings[name] = ""  # Pelican writes no file for an empty SAVE_AS


_DRAFT_FILES = (
    "DRAFT_SAVE_AS",
    "DRAFT_LANG_SAVE_AS",
    "DRAFT_PAGE_SAVE_AS",
    "DRAFT_PAGE_LANG_SAVE_AS",
)


class _Checked(Exception):
    """Raised where a build would start writing, when it only checks the stories."""


class _MakePages:
    """The last generator: makes the pages every generator before it planned."""

    def __init__(self, *, context: dict[str, Any], settings: dict[str, Any], **_: Any) -> None:
        self.settings = settings

    def generate_output(self, writer: Any) -> None:
        if isinstance(writer, pages.PlanningWriter):
            writer.make_pages(_workers(self.settings))


def _workers(settings: dict[str, Any]) -> int:
    value = settings.get("BRIEFING_JOBS")
    if value:
        return max(1, int(value))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class BriefingPelican(Pelican):
    _writer: pages.PlanningWriter | None = None
    _published: str = ""
    _manifest: dict[str, Any] = {"pages": {}, "search": {}}  # the published site's
    _spare: dict[str, Any] = {"pages": {}, "search": {}}  # the staging folder's, if a spare
    _search: search.Indexing | None = None
    _pruning: background.Forked | None = None
    _search_shards = 0

    _checking = False
    _read: dict[str, Any] | None = None  # in a check: the build's shared context

    def _get_generator_classes(self) -> list[type]:
        if self._checking:
            return [*super()._get_generator_classes(), self._keeping_context()]
        return [*super()._get_generator_classes(), _MakePages]

    def _keeping_context(self) -> type:
        owner = self

        class KeepContext:
            """Not a generator: made like one, it keeps the build's context for the check."""

            def __init__(self, *, context: dict[str, Any], **_: Any) -> None:
                owner._read = context

        return KeepContext

    def check_stories(self) -> tuple[Report, set[str]]:
        """``briefing check``: the build's reading and every check it makes of the stories
        (the same code: the reader, Pelican's own, and ``sitecheck.py``), stopped before a
        page is planned; nothing is written but caches.  Returns the report and the files
        the build reads (absolute paths)."""
        report = Report()
        published = os.path.abspath(self.output_path)
        manifest = pages.manifest_path(self.settings)
        with heap.kept():  # to compare with the published site (url-moved, feed-id-changed)
            permalinks.remember(self.settings, pages.load_manifest(manifest, published)["stories"])
        scratch = tempfile.mkdtemp(prefix="briefing-check-")
        self.output_path = self.settings["OUTPUT_PATH"] = scratch
        self._checking, self._read = True, None
        try:
            with _collecting(report):
                try:
                    Pelican.run(self)
                except (BuildStopped, _Checked):
                    pass
        finally:
            self._checking = False
            self.output_path = self.settings["OUTPUT_PATH"] = published
            shutil.rmtree(scratch, ignore_errors=True)
            background.finish_writes()
            heap.release()
        context = self._read or {}
        root_path = os.path.abspath(self.settings["PATH"])
        read = {
            os.path.join(root_path, rel)
            for key in ("generated_content", "static_content")
            for rel in context.get(key) or ()
        }
        return report, read

    def _get_writer(self) -> Any:
        if self._checking:
            raise _Checked  # the stories are read and checked: nothing is written
        self._pruned()
        writer = pages.PlanningWriter(self.output_path, settings=self.settings)
        writer.reuse = pages.manifest_path(self.settings) is not None
        writer.previous = self._published
        writer.manifest = self._manifest["pages"]
        writer.spare = self._spare["pages"]
        writer.workers = _workers(self.settings)
        if self.settings.get("BRIEFING_SEARCH", True):
            writer.after_render = self._start_search
            writer.before_remake = self._stop_search
        self._writer = writer
        return writer

    def _start_search(self) -> None:
        """Start Pagefind's index of the story pages, one bundle per quarter (``search.py``),
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
        self._search_shards = len(shard_pages)
        self._search = search.Indexing(
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

    def _finish_search(self) -> dict[str, Any]:
        self._start_search()  # if the pages were made some other way
        if self._search is None:
            return {}
        made, indexed = self._search.wait()
        logger.info(
            "briefing: search index: %d of %d shard(s) indexed", indexed, self._search_shards
        )
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
        """The folder to build in: the spare site, pruned to the pages and search bundles
        its manifest vouches for (the build keeps those that did not change), or a new
        empty folder.  The pruning is done by a forked process while the build reads the
        stories; ``_pruned`` waits for it before anything looks into the folder."""
        path = pages.manifest_path(self.settings)
        with heap.kept():  # the manifests live until the build ends
            saved = pages.load_manifest(path, output)
        self._manifest = {"pages": saved["pages"], "search": saved["search"]}
        permalinks.remember(self.settings, saved["stories"])
        self._spare = {"pages": {}, "search": {}}
        self._pruning = None
        spare = saved["spare"]
        staging = None
        if path is not None and (spare["pages"] or spare["search"]):
            staging = publish.take_spare(output)
        if staging is None:
            publish.discard_spare(output)
            return publish.make_staging(output)
        wanted = set(spare["pages"])
        for shard, (_, files) in spare["search"].items():
            wanted.update(f"{search.FOLDER}/{shard}/{rel}" for rel, *_ in files)
        self._spare = spare
        self._pruning = background.Forked(publish.prune, staging, wanted.__contains__)
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
        timeout = float(self.settings.get("BRIEFING_LOCK_TIMEOUT", 600))
        try:
            self._run_locked(output, timeout, autoreload=_called_by_autoreload())
        finally:
            background.finish_writes()  # the cache files written beside the build
            heap.release()
        if _run_by_pelican_command():
            _exit_without_teardown()

    def _run_locked(self, output: str, timeout: float, *, autoreload: bool) -> None:
        with publish.BuildLock(output, timeout=timeout):
            publish.clean_stale(output)
            staging = self._staging(output)
            report = Report()
            self.output_path = self.settings["OUTPUT_PATH"] = staging
            strict = False
            try:
                with _collecting(report) as strict:
                    try:
                        super().run()
                    except BuildStopped:
                        pass  # the report holds the errors; handled below like any failure
            except jinja2.TemplateError as exc:
                self._discard(staging)
                raise BuildFailed(
                    f"{_template_location(exc)}: template error: {exc}; "
                    f"{_shown(output)} was left unchanged"
                ) from None
            except BaseException:
                self._discard(staging)
                raise
            finally:
                if self._writer is not None:
                    report.logged_errors += self._writer.errors_logged
                self.output_path = self.settings["OUTPUT_PATH"] = output
                _print(report)
            strict = strict or bool(self.settings.get("BRIEFING_STRICT"))
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
                made["pages"] = self._writer.new_manifest()
                shared = self._writer.context or {}
                made["stories"] = permalinks.record(
                    (s for name in permalinks.PUBLISHED for s in shared.get(name) or ()),
                    self.settings,
                )
            if self.settings.get("BRIEFING_SEARCH", True):
                # part of the site, so built before the swap; only story pages are searched
                try:
                    made["search"] = self._finish_search()
                except BaseException:
                    self._discard(staging)
                    raise
            publish.retain(output, staging, self.settings.get("OUTPUT_RETENTION", []))
            manifest = pages.manifest_path(self.settings)
            if publish.swap_in(staging, output, keep_previous=manifest is not None):
                made["spare"] = self._manifest  # the site just replaced is the spare now
            if self._writer is not None:
                pages.save_manifest(manifest, output, made)
                logger.info(
                    "briefing: %d page(s) rendered, %d unchanged page(s) kept "
                    "(%d linked from the published site)",
                    self._writer.rendered,
                    self._writer.reused,
                    self._writer.linked,
                )


def _template_location(exc: jinja2.TemplateError) -> str:
    """``path:line`` of the template line that failed (Jinja maps its frames to templates)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return f"{exc.filename}:{exc.lineno}"
    where = "a template"
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".txt")) and os.path.exists(name):
            where = f"{os.path.relpath(name)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _run_by_pelican_command() -> bool:
    """Whether this build is the one run of a ``pelican`` command (not autoreload, not a
    program calling Pelican): nothing follows it but the process's exit."""
    caller = sys._getframe(2)  # this function <- BriefingPelican.run <- its caller
    if caller.f_code.co_name != "main" or caller.f_globals.get("__name__") != "pelican":
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
    caller = sys._getframe(2)  # this function <- BriefingPelican.run <- its caller
    return caller.f_code.co_name == "autoreload" and caller.f_globals.get("__name__") == "pelican"


def _print(report: Report) -> None:
    items = report.sorted()
    for d in items:
        print(d, file=sys.stderr)
    if items or report.logged_errors or report.logged_warnings:
        print(f"briefing: {report.summary()}", file=sys.stderr, flush=True)


def _shown(path: str) -> str:
    rel = os.path.relpath(path)
    return (rel if not rel.startswith(os.pardir) else path) + "/"


def quiet_reported(record: logging.LogRecord) -> bool:
    """Pelican's lines about a file it could not read say neither where nor why; the
    reader reported each such file with a located diagnostic (``reader.guard_reads``)."""
    return record.msg not in _REPORTED


_REPORTED = (
    "Could not process %s",
    "Skipping %s: could not find information about '%s'",
    'Unable to generate valid slug for %s "%s".',  # topic-invalid, section-invalid
)


def quiet_build_failures(record: logging.LogRecord) -> bool:
    """Pelican logs a failed run with a traceback; a failed build needs only its reason."""
    if record.exc_info and isinstance(record.exc_info[1], publish.PublishError):
        record.exc_info = None
        record.exc_text = None
    return True
