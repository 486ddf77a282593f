"""One build's state, in one object made when the build starts and reached from its
settings (``of``), never kept in a module: two builds in one process (the tests, Pelican's
autoreload, a program that builds twice) cannot see each other's.

A build started by Briefing's ``PELICAN_CLASS`` (or by ``briefing check``) makes it with
the report its diagnostics go to (``start``); a build by Pelican's own class gets a new
one as each run begins (``site.plugin``), and its diagnostics are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core import archive
from ..core.diagnostics import Diagnostic, Report, Severity

#: Where a build's state is kept in its settings (not a setting: lower case).
KEY = "_briefing_build"
_logger = logging.getLogger("briefing")
_LOG_LEVELS = {Severity.INFO: logging.INFO, Severity.WARNING: logging.WARNING}


def _nothing(*_: Any) -> None:
    return None


def _ignore(*_: Any, **__: Any) -> None:
    pass


@dataclass(eq=False)
class Build:
    #: where the build's diagnostics go; None: they are logged as they come
    report: Report | None = None
    #: made by the build's own class for this run (not replaced as the run begins)
    held: bool = False
    #: what reading each file found, by absolute path
    read: dict[str, list[Diagnostic]] = field(default_factory=dict)
    #: one section, topic or author object per name for the whole build
    objects: dict[tuple[type, str], Any] = field(default_factory=dict)
    #: the published site's record of its stories (``core.permalinks.record``)
    published: dict[str, Any] = field(default_factory=dict)
    # What the speed layer puts in place for this build (``fast``); the site only calls
    # them, and each does what the plain version does, sooner:
    #: ``(story_reader, path) -> Story | None``: a story read up front (the prepass)
    story_of: Callable[[Any, str], Any] = _nothing
    #: ``(stories) -> None``: sets each story's ``related_stories``
    link_related: Callable[[list[Any]], None] = archive.link_related
    #: the text of each ``cached`` block of the templates, by key, once rendered (None:
    #: each is rendered where it is shown)
    blocks: dict[tuple[Any, ...], Any] | None = None
    #: the speed layer's own objects for this build
    fast: Any = None
    #: ``(what, done=None, total=None)``: what the build is doing, for a terminal
    #: (``build/progress.py``); does nothing unless the build's class sets it
    progress: Callable[..., None] = _ignore

    def __reduce__(self) -> tuple[Any, ...]:
        # settings are pickled with what holds them (Pelican's content cache pickles
        # topics with theirs): a build's state is never kept, nor sent to a process
        return (Build, ())


def start(settings: dict[str, Any], report: Report | None = None, *, held: bool = False) -> Build:
    """A new state for the build run with ``settings``.  The object is renewed in place:
    Pelican copies the settings into its context as a run begins, which then holds it."""
    found = settings.get(KEY)
    if isinstance(found, Build):
        found.__init__(report=report, held=held)  # type: ignore[misc]
        return found
    build = settings[KEY] = Build(report=report, held=held)
    return build


def of(settings: dict[str, Any]) -> Build:
    """The state of the build run with ``settings`` (made if there is none yet)."""
    found = settings.get(KEY)
    if not isinstance(found, Build):
        found = start(settings)
    return found


def publish(settings: dict[str, Any], items: Iterable[Diagnostic]) -> None:
    """Hand diagnostics to the build's report, or log them when it has none."""
    items = list(items)
    report = of(settings).report
    if report is not None:
        report.extend(items)
        return
    for d in items:
        _logger.log(_LOG_LEVELS.get(d.severity, logging.ERROR), "%s", d)


def errors(settings: dict[str, Any]) -> int:
    """Errors reported so far in the build (0 when it keeps no report)."""
    report = of(settings).report
    return report.errors if report is not None else 0
