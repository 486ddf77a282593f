"""What a long build is doing, on a terminal: one line, replaced as the build goes
(reading stories, rendering pages, indexing the search), with counts.

Shown only on a terminal, never in CI (``CI`` set), with ``TERM=dumb`` or with
``NO_PROGRESS`` set, and only once the build has run two seconds: a short build prints
just its summary, as before.  The line is drawn on Pelican's own console (``rich``), so
Pelican's log lines appear above it, and it is gone when the build ends.

Nothing here runs on its own: no thread redraws the line (the build forks page
renderers, and a drawing thread could hold the console's lock across a fork).  The build
calls ``update`` as it goes, and the line is redrawn at most ten times a second; a
forked renderer never draws.
"""

from __future__ import annotations

import os
import time
from typing import Any

SHOW_AFTER = 2.0  # seconds; BRIEFING_PROGRESS_AFTER in the environment changes it
REDRAW_EVERY = 0.1


def wanted() -> bool:
    """On a terminal (Pelican's console's), and not in CI."""
    env = os.environ
    if env.get("CI") or env.get("NO_PROGRESS") or env.get("TERM") == "dumb":
        return False
    from pelican.log import console

    return bool(console.is_terminal)


def _seconds(text: str | None, default: float) -> float:
    try:
        return max(0.0, float(text)) if text else default
    except ValueError:
        return default


class Progress:
    def __init__(self) -> None:
        self.on = wanted()
        self.after = _seconds(os.environ.get("BRIEFING_PROGRESS_AFTER"), SHOW_AFTER)
        self.started = time.monotonic()
        self.owner = os.getpid()
        self.progress: Any = None
        self.task: Any = None
        self.drawn = 0.0
        self.counts: dict[str, int] = {}
        self.doing: str | None = None

    def update(self, what: str, done: int | None = None, total: int | None = None) -> None:
        """The build is doing ``what`` (``done`` of ``total``; ``done`` None: one more)."""
        if not self.on or os.getpid() != self.owner:
            return
        if done is None:
            done = self.counts.get(what, 0) + 1
        self.counts[what] = done
        now = time.monotonic()
        changed, self.doing = what != self.doing, what
        if now - self.started < self.after or (now - self.drawn < REDRAW_EVERY and not changed):
            return
        self.drawn = now
        if self.progress is None:
            from pelican.log import console
            from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self.progress = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                auto_refresh=False,  # no thread: drawn only when the build says
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self.progress.start()
            self.task = self.progress.add_task(what, total=total)
        shown = f"{what}: {done:,} of {total:,}" if total else f"{what}: {done:,}" if done else what
        self.progress.update(self.task, description=shown, completed=done, total=total)
        self.progress.refresh()

    def stop(self) -> None:
        if self.progress is not None and os.getpid() == self.owner:
            self.progress.stop()
            self.progress = None
