"""A build longer than two seconds shows on a terminal what it is doing, with counts; on a
pipe or in CI, not a line of it, and the summary line stays."""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys

import pytest

from sitebuild import ROOT, env, make_project

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate_bench  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("progress") / "site")
    generate_bench(project / "content" / "stories", 400, "briefing")  # seconds to build
    return project


def build_on(project, terminal: bool, **extra: str) -> str:
    """A cold build (no site, no cache), so that it takes its few seconds."""
    for folder in ("output", "cache"):
        shutil.rmtree(project / folder, ignore_errors=True)
    e = {k: v for k, v in env().items() if k not in ("CI", "NO_PROGRESS")}
    # shown from half a second on, so that the test does not hang on the machine's speed
    e.update(TERM="xterm", COLUMNS="120", BRIEFING_PROGRESS_AFTER="0.5", **extra)
    cmd = [
        sys.executable,
        "-m",
        "pelican",
        "content",
        "-s",
        "pelicanconf.py",
        "--delete-output-directory",
    ]
    if not terminal:
        result = subprocess.run(
            cmd, cwd=project, env=e, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stderr
        return result.stdout + result.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=project, env=e, stdout=follower, stderr=follower)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    assert proc.wait(600) == 0
    return shown.decode(errors="replace")


def test_a_terminal_sees_what_the_build_does_with_counts(site):
    shown = build_on(site, terminal=True)
    counted = re.findall(r"(rendering pages|reading stories|writing pages): ([\d,]+)", shown)
    assert counted, shown[-2000:]
    rendering = [int(n.replace(",", "")) for what, n in counted if what == "rendering pages"]
    assert rendering and max(rendering) > 0  # (pages are made in more than one round)
    assert re.search(r"rendering pages: [\d,]+ of [\d,]+", shown)
    # the summary stays (on a terminal Pelican's spinner may cut into its line)
    assert "Done: P" in shown


def test_without_the_speed_layer_the_pages_written_are_counted(site):
    with open(site / "pelicanconf.py") as f:
        settings = f.read()
    try:
        (site / "pelicanconf.py").write_text(settings + "\nBRIEFING_FAST = False\n")
        shown = build_on(site, terminal=True)
    finally:
        (site / "pelicanconf.py").write_text(settings)
    assert re.search(r"writing pages: [\d,]+", shown), shown[-2000:]


def test_a_pipe_or_ci_sees_only_the_summary(site):
    for shown in (build_on(site, terminal=False), build_on(site, terminal=True, CI="true")):
        assert not re.search(r"rendering pages|reading stories|writing pages|indexing the", shown)
        assert "Done: P" in shown
