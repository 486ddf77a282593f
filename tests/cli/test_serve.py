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
    return _fetch(url, timeout=2)[:2]


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
    proc = _start(project, port, log)
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


def _start(project, port, log):
    return subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", "serve", "--port", str(port)],
        cwd=project,
        env=env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _fetch(url: str, timeout: float = 10) -> tuple[int, str, str]:
    """Status, text and where the preview took the file from (memory or output/); status
    0 while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode(), r.headers.get("X-Briefing-Preview", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), ""
    except OSError:
        return 0, "", ""


def test_a_content_save_is_shown_from_memory_and_code_changes_build_afresh(tmp_path):
    project = make_project(
        tmp_path / "site",
        example_content=True,
        settings='BRIEFING_FEEDS = True\nSITEURL = "https://briefing.example.org"',
    )
    stories = project / "content" / "stories"
    port = _free_port()
    log = open(tmp_path / "serve.log", "w+")
    proc = _start(project, port, log)
    url = f"http://127.0.0.1:{port}/"
    status = url + "__briefing/status"
    battery = url + "2026/11/28/regions-largest-grid-battery-switched-on/"
    try:
        assert _wait_for(lambda: _get(url)[0] == 200, 60), "the site was not served"
        assert _fetch(battery)[2] == "output"
        feed = (
            url
            + next((project / "output").rglob("*.atom.xml"))
            .relative_to(project / "output")
            .as_posix()
        )

        # an edit: the warm preview plans the site again; the page comes from memory
        path = stories / "2026-11-28-grid-battery.md"
        path.write_text(path.read_text() + "\nA paragraph saved while previewing.\n")
        shown = _wait_for(lambda: (r := _fetch(battery))[0] == 200 and "saved while" in r[1] and r)
        assert shown and shown[2] == "memory", shown and shown[2]
        assert _wait_for(lambda: "briefing serve: updated in memory" in _read(log))
        # ... and its feeds; then the full build catches up
        assert _wait_for(lambda: "saved while" in _fetch(feed)[1])
        assert _wait_for(lambda: _fetch(battery)[2] == "output", 60), "no full build followed"
        assert "saved while" in _fetch(battery)[1]

        # a removal: the page is gone at once, not served stale from output/
        council = url + "2026/11/28/council-passes-budget-with-library-hours-restored/"
        assert _fetch(council)[0] == 200
        removed = stories / "2026-11-28-council-budget.md"
        text = removed.read_text()
        removed.unlink()
        assert _wait_for(lambda: _fetch(council)[0] == 404)
        assert _wait_for(lambda: _read(log).count("updated in memory") == 2)
        removed.write_text(text)  # and back again
        assert _wait_for(lambda: _fetch(council)[0] == 200)
        assert _wait_for(lambda: _caught_up(status), 60)

        # settings change: a full build in a fresh process, then the warm preview again
        updates = _read(log).count("updated in memory")
        conf = project / "pelicanconf.py"
        conf.write_text(conf.read_text() + '\nSITENAME = "Renamed While Serving"\n')
        assert _wait_for(lambda: "Renamed While Serving" in _fetch(url)[1], 60)
        assert _wait_for(lambda: _caught_up(status), 60)  # and the warm preview started again
        assert _read(log).count("updated in memory") == updates
        path.write_text(path.read_text() + "\nA second paragraph.\n")
        shown = _wait_for(lambda: (r := _fetch(battery)) and "second paragraph" in r[1] and r, 60)
        assert shown[2] == "memory" and "Renamed While Serving" in shown[1]
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()


def test_without_the_speed_layer_every_save_is_a_full_build(tmp_path):
    project = make_project(
        tmp_path / "site", example_content=True, settings="BRIEFING_FAST = False"
    )
    port = _free_port()
    log = open(tmp_path / "serve.log", "w+")
    proc = _start(project, port, log)
    url = f"http://127.0.0.1:{port}/"
    try:
        assert _wait_for(lambda: _get(url)[0] == 200, 60), "the site was not served"
        path = project / "content" / "stories" / "2026-11-28-grid-battery.md"
        path.write_text(path.read_text() + "\nA paragraph saved while previewing.\n")
        page = url + "2026/11/28/regions-largest-grid-battery-switched-on/"
        shown = _wait_for(lambda: (r := _fetch(page)) and "saved while" in r[1] and r, 60)
        assert shown[2] == "output"
        assert "updated in memory" not in _read(log) and "briefing.build.warm" not in _ps(proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()


def _caught_up(status: str) -> bool:
    """Whether no full build is due or running (``output/`` holds the site saved last)."""
    return json.loads(_get(status)[1] or "{}").get("building") is False


def _ps(proc) -> str:
    """The command lines of the processes in the preview's session."""
    found = subprocess.run(
        ["ps", "-o", "args=", "-s", str(proc.pid)], capture_output=True, text=True
    ).stdout
    return found
