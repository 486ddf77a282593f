"""A file written again with the bytes it had keeps the time it had.

An upload that compares size and time (rsync, most deploy tools) then sends only the files
whose bytes changed.  Called before a file's identity (inode, size, time) is recorded in a
manifest, so the manifest holds the time the file keeps.
"""

from __future__ import annotations

import filecmp
import os
import stat


def keep_time(new_path: str, old_path: str) -> bool:
    """Give ``new_path`` the times of ``old_path`` if the two are different files with the
    same bytes; returns whether it did."""
    try:
        new, old = os.lstat(new_path), os.lstat(old_path)
    except OSError:
        return False
    if (
        new.st_ino == old.st_ino
        or new.st_size != old.st_size
        or new.st_mtime_ns == old.st_mtime_ns
        or not (stat.S_ISREG(new.st_mode) and stat.S_ISREG(old.st_mode))
    ):
        return False
    if not filecmp.cmp(new_path, old_path, shallow=False):
        return False
    os.utime(new_path, ns=(old.st_atime_ns, old.st_mtime_ns), follow_symlinks=False)
    return True


def keep_times_under(new_root: str, old_root: str) -> int:
    """``keep_time`` for every file under ``new_root`` and its counterpart under
    ``old_root``.  A file that is the same inode in both (linked from the old) is skipped by
    the folders' listings alone, without a system call a file."""
    kept = 0
    todo = [""]
    while todo:
        rel = todo.pop()
        try:
            new_entries = list(os.scandir(os.path.join(new_root, rel)))
            old_entries = {e.name: e for e in os.scandir(os.path.join(old_root, rel))}
        except OSError:
            continue
        for entry in new_entries:
            old = old_entries.get(entry.name)
            if old is None:
                continue
            if entry.is_dir(follow_symlinks=False):
                if old.is_dir(follow_symlinks=False):
                    todo.append(os.path.join(rel, entry.name))
                continue
            if entry.inode() != old.inode() and keep_time(entry.path, old.path):
                kept += 1
    return kept
