"""A bound on what reading one story may cost: CPU time and memory.

Real stories are small (the longest of 667 issues of a real weekly roundup is 41 KB) and
read in milliseconds, but Markdown has inputs on which a parser is quadratic (``[a``
repeated: every ``[`` looks for its ``]`` to the end of the text) or builds millions of
tokens.  ``bounded`` watches one story's reading with a timer signal: past the CPU time or
the memory allowed, it stops the reading by raising ``Overrun``, which the reader turns
into a located ``too-slow`` or ``too-large`` error, and the build goes on with the other
stories.

Time is the reading thread's own CPU time (``time.thread_time``), so a busy machine or
other work in the process does not count against a story; memory is the growth of the
process's resident set since the story began (Linux's ``/proc/self/statm``; elsewhere
only time is bounded).  The timer needs the main thread (only it receives signals):
anywhere else the reading is not bounded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator

_TICK = 0.05  # seconds between two looks at the clock and the memory
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class Overrun(Exception):
    """Reading a story went past a bound: ``kind`` is "time" or "memory"."""

    def __init__(self, kind: str, amount: float) -> None:
        self.kind, self.amount = kind, amount
        super().__init__(f"{kind} {amount}")


def _resident() -> int | None:
    """The process's resident memory in bytes, or None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def bounded(seconds: float, memory: int) -> Iterator[None]:
    """Raise ``Overrun`` inside the block once it has used ``seconds`` of CPU time or grown
    the process by ``memory`` bytes (0 or less: no bound of that kind)."""
    if (seconds <= 0 and memory <= 0) or threading.current_thread() is not threading.main_thread():
        yield
        return
    started = time.thread_time()
    base = _resident() if memory > 0 else None
    fired: float | None = None  # when Overrun was raised: again only if the block goes on

    def look(_signum: int, _frame: object) -> None:
        nonlocal fired
        used = time.thread_time() - started
        if fired is not None and used - fired < 1:
            return  # the exception is on its way out of the block
        if seconds > 0 and used > seconds:
            fired = used
            raise Overrun("time", used)
        if base is not None:
            now = _resident()
            if now is not None and now - base > memory:
                fired = used
                raise Overrun("memory", now - base)

    previous = signal.signal(signal.SIGALRM, look)
    signal.setitimer(signal.ITIMER_REAL, _TICK, _TICK)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, previous)
