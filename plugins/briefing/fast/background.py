"""Work done in a forked process beside the build: the search index, the site digest.

A forked child shares the build's memory as it was at the fork (the parsed stories, the
context) without copying it, and runs on another core; its answer comes back pickled
through a pipe.  Fork only while the build has no other thread (forking a process with
threads can deadlock the child).
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any

from ..files import processes

logger = logging.getLogger(__name__)


class Died(Exception):
    """The child ended without an answer (killed, or cancelled)."""


class Forked:
    """``fn(*args)`` in a forked child; ``result()`` waits for it and returns its value or
    raises its exception, ``cancel()`` kills it (and, through ``die_with_parent``, what it
    started).  Where no process can be had, ``fn`` runs when ``result()`` is asked."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._call: tuple[Callable[..., Any], tuple[Any, ...]] | None = (fn, args)
        self._outcome: tuple[str, Any] | None = None
        self._cancelled = False
        self.pid = 0
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        read_end, write_end = os.pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # no process to be had: run it when asked
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:
            os.close(read_end)
            _child(fn, args, write_end, parent)
        os.close(write_end)
        self.pid, self._read_end = pid, read_end
        # the child has them; held here too, they (the parsed stories of a first build,
        # say) would live in the build's memory until the child is waited for
        self._call = None

    def result(self) -> Any:
        if self._outcome is None:
            if self.pid:
                self._outcome = self._wait()
            else:
                assert self._call is not None
                self._outcome = _outcome_of(*self._call)
        kind, value = self._outcome
        if kind == "ok":
            return value
        raise value

    def cancel(self) -> None:
        if self._outcome is None and self.pid and not self._cancelled:
            self._cancelled = True
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.result()
        except BaseException:
            pass

    def _wait(self) -> tuple[str, Any]:
        with os.fdopen(self._read_end, "rb") as f:
            data = f.read()
        _, status = os.waitpid(self.pid, 0)
        if self._cancelled:
            return ("error", Died("cancelled"))
        if not data:
            code = os.waitstatus_to_exitcode(status)
            how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            return ("error", Died(how))
        return pickle.loads(data)


# --- cache files written beside the build --------------------------------------------

_WRITE_HERE_BELOW = 64  # entries; more are written by a forked process


class Writes:
    """The cache files one build writes beside itself (``add``), which ``finish`` waits
    for before the build's process ends (the build and ``briefing check`` call it; at the
    latest, the interpreter's exit does)."""

    def __init__(self) -> None:
        self._pending: list[tuple[Forked, str]] = []

    def add(self, what: str, entries: int, fn: Callable[..., Any], *args: Any) -> None:
        """``fn(*args)``, writing ``entries`` new entries of ``what`` (a cache file): here
        when they are few, else in a forked process while the build goes on."""
        if entries < _WRITE_HERE_BELOW:
            fn(*args)
            return
        if not self._pending:
            atexit.register(self.finish)
        self._pending.append((Forked(fn, *args), what))

    def finish(self) -> None:
        """Wait for the writes started.  A failed one is a warning: caches are an
        optimisation, and the next build reads more."""
        if self._pending:
            atexit.unregister(self.finish)
        while self._pending:
            work, what = self._pending.pop()
            try:
                work.result()
            except Exception as exc:
                logger.warning("briefing: %s was not saved (%s)", what, exc)


def _outcome_of(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    try:
        return ("ok", fn(*args))
    except Exception as exc:
        return ("error", exc)


def _child(fn: Callable[..., Any], args: tuple[Any, ...], out: int, parent: int) -> None:
    """In the child: run ``fn``, send its outcome to the parent, and leave."""
    status = 0
    try:
        processes.die_with_parent_now(parent)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        outcome = _outcome_of(fn, args)
        try:
            data = pickle.dumps(outcome)
        except Exception:  # an answer or exception that does not pickle: say what it was
            data = pickle.dumps(("error", RuntimeError(f"{outcome[1]!r}"[:2000])))
        with os.fdopen(out, "wb") as f:
            f.write(data)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except BaseException:
        status = 2
    finally:
        os._exit(status)
