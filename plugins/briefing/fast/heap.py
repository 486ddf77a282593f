"""The build's long-lived objects and Python's cycle collector.

A build makes a few large sets of objects that live until it ends (thousands of stories
brought back from the article cache, the archive around them) and then makes and drops
many small ones (planning and rendering pages).  Left alone, the collector walks the
large sets again at each full collection while they grow and after: a tenth of an edit
build.  So they are made with the collector paused and then frozen (``gc.freeze``: moved
where it never looks), which is also what Python's documentation advises before forking
workers, as the build does; ``release()`` at the end of a build hands them back, so a
long-lived process (``pelican --autoreload``) can still collect them.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def kept() -> Iterator[None]:
    """Make objects that live until the build ends: no collection while they are made,
    none of them (nor anything older) looked at again this build."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def keep() -> None:
    """Everything made so far lives until the build ends."""
    gc.freeze()


def release() -> None:
    """The build is over: its objects may be collected again."""
    gc.unfreeze()
