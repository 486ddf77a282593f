"""The warm preview: the site kept in memory between an author's saves (``briefing serve``).

A ``WarmSite`` lives in a process of its own, started by the preview and kept as long as
only content changes.  ``plan()`` runs the build's reading, checks and page planning again
in that process (Pelican's generators, the same code as ``make html``; what a save did not
touch comes back from the speed layer's caches, already in memory), and renders nothing:
``text(name)`` renders one planned page when the browser asks for it, with the template
and values the build would write it with (``PlanningWriter.text_of``).  A save then costs
the site's planning and the pages the author looks at, not a build: no page is written,
none rendered on spec, no search index made.  ``output/`` stays the last full build's, which
the preview makes in a fresh process after each save, for the search index and the static
files, and whenever settings, theme or plugin code change.

``main()`` is the process's loop: one request a line on standard input (JSON), one answer
on its standard output (a JSON line, then the page's bytes if it has any); what the build
prints goes to standard error.
"""

from __future__ import annotations

import gc
import json
import os
import queue
import sys
import tempfile
import threading
import traceback
from typing import Any, BinaryIO

import jinja2
from pelican import Pelican
from pelican.generators import SourceFileGenerator, StaticGenerator
from pelican.settings import read_settings

from .. import fast
from ..core.diagnostics import Report
from ..core.errors import Failure
from ..core.settings import setting
from ..fast import heap, pages
from ..site.sitecheck import Stopped
from ..site.templates import template_location
from .builder import BriefingPelican, collecting, print_report


class WarmSite(BriefingPelican):
    """The build's Pelican, planning the site in memory as often as asked."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self._site = os.path.abspath(settings.get("OUTPUT_PATH") or "output")
        # nothing is written: the generators are given a folder that is never made
        nowhere = os.path.join(tempfile.gettempdir(), f"briefing-warm-{os.getpid()}-unwritten")
        super().__init__({**settings, "OUTPUT_PATH": nowhere})
        self.planned: pages.PlanningWriter | None = None
        self._texts: dict[str, bytes] = {}
        self._static: dict[str, str] = {}  # static files the build copies: name -> source

    def _get_generator_classes(self) -> list[type]:
        # not the build's last generator, which renders every page planned; the static
        # files and sources are read (pages link to them) but copied by the full build
        return [
            _read_only(c) if issubclass(c, StaticGenerator | SourceFileGenerator) else c
            for c in super()._get_generator_classes()
            if c.__name__ != "_MakePages"
        ]

    def _get_writer(self) -> Any:
        writer = pages.PlanningWriter(self.output_path, settings=self.settings)
        writer.reuse = False  # nothing is written, so no page needs its digest
        self._writer = writer
        return writer

    def plan(self) -> dict[str, Any]:
        """Read, check and plan the site again; what the build would say of it."""
        report = Report()
        before = set(self.names())
        self.planned, self._writer, self._texts, self._context = None, None, {}, None
        self._static = {}
        self._published = self._site
        problem, strict = "", False
        try:
            with collecting(self.settings, report, self._site) as strict:
                try:
                    Pelican.run(self)
                except Stopped:
                    pass
        except jinja2.TemplateError as exc:
            problem = f"{template_location(exc)}: template error: {exc}"
        except Failure as exc:
            problem = str(exc)
        finally:
            fast.finish(self.settings)  # the caches it wrote, for the next full build
        print_report(report)
        strict = strict or bool(setting(self.settings, "BRIEFING_STRICT"))
        failed = bool(problem or report.errors or report.logged_errors) or (
            strict and bool(report.warnings or report.logged_warnings)
        )
        if not failed:
            self.planned = self._writer
            found = (self._context or {}).get("staticfiles") or ()
            self._static = {f.save_as: f.source_path for f in found if f.save_as}
        names = set(self.names())
        return {
            "ok": not failed,
            "diagnostics": [str(d) for d in report.sorted()],
            "summary": problem or report.summary(),
            "pages": len(names),
            "gone": sorted(before - names) if self.planned is not None else [],
        }

    def tidy(self) -> None:
        """Collect the last plan's objects, garbage now: a plan freezes every object
        there is (``fast.heap``), so each plan would otherwise keep its own.  Done once
        the preview has had the plan and its pages (``IDLE``), not before the next plan."""
        heap.release()
        gc.collect()
        heap.keep()

    def names(self) -> list[str]:
        """Every output file the site plans, and the static files it copies."""
        if self.planned is None:
            return []
        return [*(job.name for job in self.planned.jobs), *self._static]

    def text(self, name: str) -> bytes | None:
        """Output file ``name`` as the build would write it, if the site plans it; a
        static file (an image a new story shows) as the build copies it."""
        if name in self._texts:
            return self._texts[name]
        job = self.planned.page(name) if self.planned is not None else None
        if job is not None:
            text, _ = self.planned.text_of(job)
            data = text.encode("utf-8")
        elif name in self._static:
            try:
                with open(self._static[name], "rb") as f:
                    data = f.read()
            except OSError:
                return None
        else:
            return None
        self._texts[name] = data
        return data


def _read_only(generator: type) -> type:
    """``generator`` with its files read but not copied to the output folder."""

    def generate_output(self: Any, writer: Any = None) -> None:
        pass

    return type(generator.__name__, (generator,), {"generate_output": generate_output})


def _answer(out: BinaryIO, head: dict[str, Any], body: bytes = b"") -> None:
    out.write(json.dumps({**head, "length": len(body)}).encode() + b"\n" + body)
    out.flush()


#: seconds without a request after a plan before its predecessor's objects are collected
#: (``WarmSite.tidy``): the browser's reload and the pages it asks for come first
IDLE = 1.0


def main() -> int:
    """``python -m briefing.build.warm SETTINGS [NAME=VALUE ...]``: the preview's worker."""
    # the answers get standard output to themselves; anything printed goes to stderr
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    overrides = dict(arg.split("=", 1) for arg in sys.argv[2:])
    settings = read_settings(sys.argv[1], override=_coerced(overrides))
    site = WarmSite(settings)
    requests: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in sys.stdin:
            requests.put(line)
        requests.put(None)  # the preview is gone

    threading.Thread(target=read, daemon=True).start()
    untidy = False
    while True:
        try:
            line = requests.get(timeout=IDLE if untidy else None)
        except queue.Empty:
            site.tidy()
            untidy = False
            continue
        if line is None:
            return 0
        request = json.loads(line)
        try:
            if request["op"] == "plan":
                _answer(out, site.plan())
                untidy = True
            elif request["op"] == "page":
                data = site.text(request["name"])
                _answer(out, {"found": data is not None}, data or b"")
            elif request["op"] == "names":
                _answer(out, {"names": site.names()})
        except Exception:  # a bug: the preview makes a full build instead
            _answer(out, {"crashed": traceback.format_exc()})


def _coerced(overrides: dict[str, str]) -> dict[str, Any]:
    """As Pelican's ``-e NAME=VALUE``: each value in JSON."""
    return {name: json.loads(text) for name, text in overrides.items()}


if __name__ == "__main__":
    sys.exit(main())
