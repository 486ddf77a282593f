"""`make serve` (`briefing serve`): build, serve on 127.0.0.1, rebuild on change, and show a
failing story's diagnostics in the browser instead of a stale page."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from sitebuild import env, make_project, story, write


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError:
        return 0, ""


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return None


def test_serve_rebuilds_on_change_and_shows_a_broken_storys_diagnostics(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    port = _free_port()
    log = open(tmp_path / "serve.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", "serve", "--port", str(port)],
        cwd=project,
        env=env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    status = url + "__briefing/status"
    try:
        assert _wait_for(lambda: _get(url)[0] == 200), "the site was not served"
        code, page = _get(url)
        assert "Latest briefings" in page and "__briefing/status" in page  # reloads itself
        generation = json.loads(_get(status)[1])["generation"]

        write(project / "content" / "stories" / "bad.md", "---\ntitle: [unclosed\n---\n")
        assert _wait_for(lambda: _get(url)[0] == 500)
        code, page = _get(url + "2026/11/29/")
        assert code == 500 and "The last build failed" in page
        assert "content/stories/bad.md:2:8" in page and "yaml-syntax" in page
        assert "bad.md:2:8: error: yaml-syntax" in _read(log)  # and in the terminal
        builds = json.loads(_get(status)[1])["generation"]
        assert builds > generation
        time.sleep(2)
        assert json.loads(_get(status)[1])["generation"] == builds, "rebuilt with no change"

        write(project / "content" / "stories" / "bad.md", story("Fixed while serving"))
        assert _wait_for(lambda: "Fixed while serving" in _get(url)[1])
        assert _get(url)[0] == 200

        # the preview shows what a published site holds back: a story not yet due
        write(project / "content" / "stories" / "later.md", story("Due later", date="2099-01-01"))
        draft = url + "drafts/due-later/"
        assert _wait_for(lambda: "Due later" in _get(draft)[1])
        assert "Due later" not in _get(url)[1]  # previewed, not listed
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()


def _read(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()
