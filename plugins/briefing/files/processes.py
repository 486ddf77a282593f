"""Files and processes: helpers any layer may use, which know nothing of Briefing."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def prune(folder: str, keep: Callable[[str], bool]) -> None:
    """Remove every file under ``folder`` whose path (relative, with ``/``) ``keep``
    refuses, and the folders left empty.  Removing names never touches a file's bytes,
    which other sites may share through hard links."""
    for root, _dirs, files in os.walk(folder, topdown=False):
        rel = os.path.relpath(root, folder).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        kept = False
        for name in files:
            if keep(prefix + name):
                kept = True
            else:
                os.unlink(os.path.join(root, name))
        if not kept and root != folder:
            try:
                os.rmdir(root)
            except OSError:
                pass  # not empty: a subfolder holds something kept


def die_with_parent():
    """A ``preexec_fn`` so a helper process (the search indexer) is killed with the build:
    a killed build must not leave a process writing into a folder the next build removes."""
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()

    def preexec() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the build died before prctl took effect
            os._exit(1)

    return preexec


def identity(path: str) -> tuple[int, int, int] | None:
    """(inode, size, mtime) of a published file, which a build may take over only while it
    is still the very file it published; None if it is gone."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def die_with_parent_now(parent: int) -> None:
    """In a forked child: be killed with ``parent`` (a killed build takes its workers along)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before prctl took effect
        os._exit(1)
