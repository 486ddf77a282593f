"""Build small real sites with Pelican in a subprocess, as `make html` does."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_project(
    dest: Path,
    *,
    content: dict[str, str | bytes] | None = None,
    example_content: bool = False,
    settings: str = "",
) -> Path:
    """A project folder laid out like this repository: pelicanconf.py, content/, theme/, plugins/.

    theme/ and plugins/ are links to the repository's own, so the real code is built.
    """
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "pelicanconf.py", dest / "pelicanconf.py")
    if settings:
        with open(dest / "pelicanconf.py", "a", encoding="utf-8") as f:
            f.write("\n" + settings + "\n")
    for name in ("theme", "plugins"):
        (dest / name).symlink_to(ROOT / name)
    if example_content:
        shutil.copytree(ROOT / "content", dest / "content")
    for rel, data in (content or {}).items():
        write(dest / "content" / rel, data)
    (dest / "content").mkdir(exist_ok=True)
    return dest


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def pelican_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", *args]


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.pop("PYTHONPATH", None)
    e["COLUMNS"] = "200"  # keep Rich from wrapping log lines
    return e


def build(
    project: Path, *args: str, timeout: float = 300, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        pelican_cmd(*args),
        cwd=project,
        env={**env(), **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def briefing(project: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The ``briefing`` command (``check`` and the rest) run in ``project``."""
    return subprocess.run(
        [sys.executable, "-m", "briefing.cli", *args],
        cwd=project, env=env(), capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def snapshot(folder: Path, ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its bytes (empty dict if absent)."""
    result = {}
    if not folder.exists():
        return result
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath, name)
            rel = path.relative_to(folder).as_posix()
            if not rel.startswith(ignore):
                result[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def leftovers(project: Path, wait: float = 10) -> list[str]:
    """What builds left beside output/, once the previous site a build removes in the
    background (``.output.trash-*``) is gone (waiting up to ``wait`` seconds for it)."""
    kinds = (".output.staging-", ".output.old-", ".output.trash-")
    deadline = time.monotonic() + wait
    while True:
        found = sorted(p.name for p in project.iterdir() if p.name.startswith(kinds))
        if not any(name.startswith(".output.trash-") for name in found):
            return found
        if time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def story(
    title: str, date: str = "2026-11-27T07:30:00+00:00", body: str = "Body.\n", extra: str = ""
) -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n{body}"
