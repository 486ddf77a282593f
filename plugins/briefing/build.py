"""``PELICAN_CLASS``: Pelican's run, rendered into a staging folder and published only
when the whole build succeeded, with every diagnostic of the run printed once."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys

import jinja2
from pelican import Pelican

from . import diagnostics, publish
from .diagnostics import Report


class BuildFailed(publish.PublishError):
    """The build had errors; ``output/`` was left as it was."""


class BuildStopped(BuildFailed):
    """Raised inside Pelican's run once the stories have errors, before anything is written."""


class _ErrorCounter(logging.Handler):
    """Counts errors anything logs during a build (Pelican's own included)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class BriefingPelican(Pelican):
    def run(self) -> None:
        output = os.path.abspath(self.output_path)
        timeout = float(self.settings.get("BRIEFING_LOCK_TIMEOUT", 600))
        with publish.BuildLock(output, timeout=timeout):
            publish.clean_stale(output)
            staging = publish.make_staging(output)
            report = Report()
            counter = _ErrorCounter()
            root = logging.getLogger()
            root.addHandler(counter)
            self.output_path = self.settings["OUTPUT_PATH"] = staging
            try:
                with diagnostics.collecting(report):
                    try:
                        super().run()
                    except BuildStopped:
                        pass  # the report holds the errors; handled below like any failure
            except jinja2.TemplateError as exc:
                shutil.rmtree(staging, ignore_errors=True)
                raise BuildFailed(
                    f"{_template_location(exc)}: template error: {exc}; "
                    f"{_shown(output)} was left unchanged"
                ) from None
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
            finally:
                root.removeHandler(counter)
                self.output_path = self.settings["OUTPUT_PATH"] = output
                _print(report)
            if report.errors or counter.count:
                shutil.rmtree(staging, ignore_errors=True)
                errors = report.summary() if report.errors else f"{counter.count} error(s) logged"
                failed = BuildFailed(
                    f"build failed ({errors}); {_shown(output)} was left unchanged"
                )
                if _called_by_autoreload():
                    # Pelican's autoreload loop re-runs at once after an exception, which
                    # would rebuild a broken site in a busy loop: report and wait for changes.
                    print(f"briefing: {failed}; waiting for changes", file=sys.stderr, flush=True)
                    return
                raise failed
            if self.settings.get("BRIEFING_SEARCH", True):
                # part of the site, so built before the swap; only story pages are searched
                _index_for_search(staging, _glob(self.settings.get("ARTICLE_SAVE_AS", "")))
            publish.retain(output, staging, self.settings.get("OUTPUT_RETENTION", []))
            publish.swap_in(staging, output)


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


def _glob(save_as: str) -> str:
    """Story pages as a glob (``{date:%Y}/{slug}/index.html`` → ``*/*/index.html``)."""
    pattern = re.sub(r"\{[^}]*\}", "*", save_as)
    return pattern if pattern.endswith(".html") else "**/*.html"


def _index_for_search(site: str, glob: str = "**/*.html") -> None:
    """Pagefind's static search index in ``site/pagefind/`` (``pagefind[extended]``)."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", site, "--glob", glob, "--quiet"],
            capture_output=True,
            text=True,
            timeout=600,
            preexec_fn=publish.die_with_parent(),
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(site, ignore_errors=True)
        raise BuildFailed(f"the search index could not be built: {exc}") from None
    if result.returncode != 0:
        shutil.rmtree(site, ignore_errors=True)
        raise BuildFailed(
            "the search index could not be built (pagefind): "
            + (result.stderr or result.stdout).strip()[-2000:]
        )


def _called_by_autoreload() -> bool:
    caller = sys._getframe(2)  # this function <- BriefingPelican.run <- its caller
    return caller.f_code.co_name == "autoreload" and caller.f_globals.get("__name__") == "pelican"


def _print(report: Report) -> None:
    items = report.sorted()
    for d in items:
        print(d, file=sys.stderr)
    if items:
        print(f"briefing: {report.summary()}", file=sys.stderr, flush=True)


def _shown(path: str) -> str:
    rel = os.path.relpath(path)
    return (rel if not rel.startswith(os.pardir) else path) + "/"


def quiet_build_failures(record: logging.LogRecord) -> bool:
    """Pelican logs a failed run with a traceback; a failed build needs only its reason."""
    if record.exc_info and isinstance(record.exc_info[1], publish.PublishError):
        record.exc_info = None
        record.exc_text = None
    return True
