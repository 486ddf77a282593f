"""Files in the cache folder: what a build keeps for the next one (parsed stories, page
digests, related stories).  Each is one pickle, replaced whole (a killed build leaves the
old file), and only an optimisation: a file that cannot be read is as good as none, and
one that cannot be written costs the next build time, not correctness."""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from typing import Any

logger = logging.getLogger(__name__)

#: what a damaged, truncated or foreign pickle raises on loading
_UNREADABLE = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    ValueError,
    TypeError,
    AttributeError,
    ImportError,
    IndexError,
    KeyError,
)


def load(path: str | None) -> Any:
    """What ``save`` wrote at ``path``, or None."""
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except _UNREADABLE:
        return None


def save(path: str | None, value: Any, what: str) -> None:
    """Write ``value`` to ``path`` atomically; ``what`` names it in the warning on failure."""
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".briefing-", dir=folder)
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        logger.warning("briefing: %s was not saved (%s)", what, exc)
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
