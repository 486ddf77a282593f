"""Files in the cache folder: what a build keeps for the next one (parsed stories, page
digests, related stories).  Each is one pickle, replaced whole (a killed build leaves the
old file), and only an optimisation: a file that cannot be read is as good as none, and
one that cannot be written costs the next build time, not correctness."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable
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


def keyed(path: str, key: str, keep: int = 2) -> str:
    """Where to keep entries valid for ``key`` (a digest of the settings they were made
    with): ``path`` with a digest of ``key`` before its suffix, so that the builds of
    different settings files (``make html``'s, ``make publish``'s, ``briefing check``'s)
    each keep theirs rather than replacing one another's.  Of the files kept for other
    keys, the ``keep - 1`` last used stay, and the rest (and an unkeyed ``path`` of an
    earlier version) are deleted."""
    stem, suffix = os.path.splitext(path)
    folder, base = os.path.split(stem)
    mine = f"{stem}.{hashlib.blake2b(key.encode(), digest_size=6).hexdigest()}{suffix}"
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return mine
    ours = re.compile(re.escape(base) + r"\.[0-9a-f]{12}" + re.escape(suffix))
    others = []
    for name in names:
        other = os.path.join(folder, name)
        if ours.fullmatch(name) and other != mine:
            with contextlib.suppress(OSError):
                others.append((os.stat(other).st_mtime_ns, other))
    stale = [other for _, other in sorted(others, reverse=True)[max(0, keep - 1) :]]
    for other in [*stale, path]:
        for name in (other, other + ".new"):
            with contextlib.suppress(OSError):
                os.unlink(name)
    with contextlib.suppress(OSError):
        os.utime(mine)  # used now: the last to go
    return mine


def save(path: str | None, value: Any, what: str, *, flat: bool = False) -> None:
    """Write ``value`` to ``path`` atomically; ``what`` names it in the warning on failure.
    ``flat``: ``value`` shares no object between its parts and holds no cycle, so the
    pickler keeps no memo of what it wrote, and an object that makes its bytes as it is
    written (``__reduce__``) lets them go as soon as they are."""
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".briefing-", dir=folder)
        with os.fdopen(fd, "wb") as f:
            pickler = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.fast = flat  # no memo
            pickler.dump(value)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        logger.warning("briefing: %s was not saved (%s)", what, exc)
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


class Layered:
    """A mapping kept as a base file, written whole now and then, plus a small file of the
    entries changed since (``<path>.new``), so that changing a few entries of thousands
    does not rewrite them all.  Both files carry ``key`` (what the entries are valid
    for), the base's token, and an ``extra`` value written whole each time (the newest
    is loaded); anything else found is ignored."""

    def __init__(self, path: str | None, key: str, what: str, *, flat: bool = False) -> None:
        self.path, self.key, self.what = path, key, what
        self.flat = flat  # written without a memo (``save``)
        self.extra: Any = None
        self._token: str | None = None
        self._base_size = 0
        self._since: dict[Any, Any] = {}

    def load(self) -> dict[Any, Any]:
        saved = load(self.path)
        if not (isinstance(saved, tuple) and len(saved) == 4 and saved[0] == self.key):
            return {}
        _, self._token, entries, self.extra = saved
        self._base_size = len(entries)
        since = load(self.path + ".new") if self.path else None
        if isinstance(since, tuple) and len(since) == 4 and since[:2] == saved[:2]:
            self._since, self.extra = since[2], since[3]
            entries.update(self._since)
        return entries

    def whole_due(self, changed: Iterable[Any]) -> bool:
        """Whether saving new entries under the keys ``changed`` writes the base file whole
        (the first time, or when the entries changed since it was are a tenth of it)."""
        since = len(self._since.keys() | set(changed))
        return self._token is None or since > max(64, self._base_size // 10)

    def save(
        self,
        current: dict[Any, Any] | Callable[[], dict[Any, Any]],
        new: dict[Any, Any],
        extra: Any = None,
    ) -> None:
        """``current``: every entry there is now, or what makes them (asked only when the
        base file is written whole); ``new``: those changed since ``load``."""
        if not self.path or not new:
            return
        since = {**self._since, **new}
        if not self.whole_due(new):
            since_value = (self.key, self._token, since, extra)
            save(self.path + ".new", since_value, self.what, flat=self.flat)
            return
        entries = current() if callable(current) else current
        token = os.urandom(8).hex()
        save(self.path, (self.key, token, entries, extra), self.what, flat=self.flat)
        try:
            os.unlink(self.path + ".new")
        except OSError:
            pass
