"""`make serve`: build, serve on 127.0.0.1, rebuild on change, survive a broken story."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

from sitebuild import env, make_project, pelican_cmd, story, write


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode()
    except OSError:
        return None


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return None


def test_serve_rebuilds_on_change_and_waits_out_a_broken_story(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    port = _free_port()
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen(
        pelican_cmd("--autoreload", "--listen", "--bind", "127.0.0.1", "--port", str(port)),
        cwd=project,
        env=env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # Pelican serves from child processes: stop them all
    url = f"http://127.0.0.1:{port}/"
    try:
        assert _wait_for(lambda: _get(url)), "the site was not served"
        write(project / "content" / "stories" / "bad.md", "---\ntitle: [unclosed\n---\n")
        assert _wait_for(lambda: "bad.md:2:8: error: yaml-syntax" in _read(log))
        time.sleep(2)
        builds = _read(log).count("Done: Processed")
        time.sleep(3)
        assert _read(log).count("Done: Processed") == builds, "rebuilt with no change"
        assert proc.poll() is None
        assert "Latest briefings" in _get(url)  # the last good site is still served

        write(project / "content" / "stories" / "bad.md", story("Fixed while serving"))
        assert _wait_for(lambda: "Fixed while serving" in (_get(url) or ""))
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()


def _read(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()
