"""Crash-safe publishing: build in a staging folder, then swap it into ``output/``.

``output/`` is always either the previous complete site or the new complete one:

* a build renders into ``.<output>.staging-*`` beside ``output/``;
* only a build that finished without errors is swapped in, with one atomic
  ``renameat2(RENAME_EXCHANGE)`` on Linux (two renames elsewhere, undone on the next
  run if a crash fell between them);
* a lock file ``.<output>.lock`` lets one build at a time publish; a second build waits
  (or fails fast) and says which process holds the lock;
* leftovers of killed builds are removed by the next build, under the lock;
* the site a swap replaces is kept as ``.<output>.spare`` (``swap_in``): the next build
  takes it as its staging folder (``take_spare``) and brings it up to date in place,
  which costs only what changed since, where a fresh staging folder costs a link per
  file.  A build that dies while doing so leaves a staging folder, removed as above.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import glob
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable

from ..core.errors import Failure
from ..files import sametime


class PublishError(Failure):
    """Publishing failed; ``output/`` was left as it was."""


class BuildLocked(PublishError):
    pass


def _sibling(output: str, suffix: str) -> str:
    parent, name = os.path.split(os.path.abspath(output))
    return os.path.join(parent, f".{name}.{suffix}")


class BuildLock:
    """An exclusive ``flock`` held for the whole build; the kernel drops it if we die."""

    def __init__(self, output: str, *, timeout: float, poll: float = 0.1) -> None:
        self.path = _sibling(output, "lock")
        self.timeout = timeout
        self.poll = poll
        self._fd: int | None = None

    def holder(self) -> str:
        try:
            with open(self.path, encoding="utf-8") as f:
                return f.read().strip() or "an unknown process"
        except OSError:
            return "an unknown process"

    def __enter__(self) -> BuildLock:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise BuildLocked(
                        f"another build is publishing to {os.path.dirname(self.path)} "
                        f"({self.holder()}); lock file {self.path}. "
                        f"Gave up after {self.timeout:g} s (BRIEFING_LOCK_TIMEOUT)."
                    ) from None
                if not told:
                    print(
                        f"briefing: waiting for another build to finish ({self.holder()})",
                        file=sys.stderr,
                        flush=True,
                    )
                    told = True
                time.sleep(self.poll)
        os.ftruncate(fd, 0)
        info = f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}: "
        info += " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
        os.pwrite(fd, info.encode("utf-8", "replace") + b"\n", 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def clean_stale(output: str) -> list[str]:
    """Remove what killed builds left behind (call with the lock held)."""
    output = os.path.abspath(output)
    olds = sorted(glob.glob(glob.escape(_sibling(output, "old-")) + "*"))
    if not os.path.exists(output) and olds:
        # a crash fell between the two renames of the fallback swap: put the old site back
        os.rename(olds.pop(), output)
    removed = []
    for kind in ("staging-", "trash-"):
        olds += glob.glob(glob.escape(_sibling(output, kind)) + "*")
    for path in olds:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def make_staging(output: str) -> str:
    output = os.path.abspath(output)
    os.makedirs(os.path.dirname(output), exist_ok=True)
    staging = tempfile.mkdtemp(
        prefix=os.path.basename(_sibling(output, "staging-")), dir=os.path.dirname(output)
    )
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp's 0700 would hide the site from a web server
    return staging


def spare_path(output: str) -> str:
    return _sibling(output, "spare")


def take_spare(output: str) -> str | None:
    """The site the last swap replaced, renamed to be this build's staging folder (call
    with the lock held); None if there is none."""
    spare = spare_path(output)
    if not os.path.isdir(spare) or os.path.islink(spare):
        return None
    staging = make_staging(output)
    os.rmdir(staging)
    try:
        os.rename(spare, staging)
    except OSError:
        return None
    return staging


def discard_spare(output: str) -> None:
    """Remove the spare site (in the background), for a build that starts afresh."""
    spare = spare_path(output)
    if os.path.isdir(spare) and not os.path.islink(spare):
        remove_later(spare, output)


def retain(output: str, staging: str, names: Iterable[str]) -> None:
    """Carry Pelican's OUTPUT_RETENTION entries (e.g. ``.git``) from the old site over."""
    for name in names:
        src, dst = os.path.join(output, name), os.path.join(staging, name)
        if os.path.lexists(src) and not os.path.lexists(dst):
            if os.path.isdir(src) and not os.path.islink(src):
                shutil.copytree(src, dst, symlinks=True)
            else:
                shutil.copy2(src, dst, follow_symlinks=False)


def keep_times(
    staging: str, output: str, *, names: Iterable[str] | None = None, folders: Iterable[str] = ()
) -> int:
    """Give each file of the new site that is byte for byte the published one the published
    one's time (``files.sametime``), so an upload that compares size and time sends only
    what changed.  With ``names`` (the pages rendered this build) only those and the files
    under ``folders`` (written outside the page writer: the theme's) are looked at, not the
    whole site.  Call it before the pages' manifest is made.  Returns how many it touched."""
    if not os.path.isdir(output):
        return 0
    if names is None:
        return sametime.keep_times_under(staging, output)
    kept = sum(sametime.keep_time(os.path.join(staging, n), os.path.join(output, n)) for n in names)
    for folder in folders:
        new, old = os.path.join(staging, folder), os.path.join(output, folder)
        kept += sametime.keep_times_under(new, old)
    return kept


def remove_later(folder: str, output: str) -> None:
    """Remove a previous site without making the build wait: renamed ``.<output>.trash-*``
    (the next build removes it if this does not get to), then deleted by a detached
    process.  Removing a tree of thousands of files takes as long as linking it."""
    trash = tempfile.mkdtemp(
        prefix=os.path.basename(_sibling(output, "trash-")), dir=os.path.dirname(output)
    )
    try:
        os.rename(folder, os.path.join(trash, "site"))
    except OSError:
        os.rmdir(trash)
        shutil.rmtree(folder, ignore_errors=True)
        return
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    try:
        pid = os.fork()
    except OSError:
        shutil.rmtree(trash, ignore_errors=True)
        return
    if pid:
        os.waitpid(pid, 0)  # the middle process exits at once
        return
    try:  # the middle process: start the remover in its own session, then exit
        os.setsid()
        if os.fork() == 0:
            os.closerange(3, 1 << 16)  # the build lock in particular
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            shutil.rmtree(trash, ignore_errors=True)
    finally:
        os._exit(0)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: str, b: str) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system can't."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), b)


def swap_in(staging: str, output: str, *, keep_previous: bool = False) -> bool:
    """Make the finished ``staging`` folder the site at ``output`` in one step.  The
    previous site is kept as the spare if ``keep_previous`` (returns True), else removed."""
    output = os.path.abspath(output)
    if not os.path.lexists(output):
        os.rename(staging, output)
        return False
    if _exchange(staging, output):
        previous = staging  # it now holds the previous site
    else:
        previous = tempfile.mkdtemp(
            prefix=os.path.basename(_sibling(output, "old-")), dir=os.path.dirname(output)
        )
        os.rmdir(previous)
        os.rename(output, previous)
        os.rename(staging, output)
    if keep_previous and not os.path.lexists(spare_path(output)):
        try:
            os.rename(previous, spare_path(output))
            return True
        except OSError:
            pass
    remove_later(previous, output)
    return False
