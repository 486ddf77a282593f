"""Nothing lost: output/ is the previous complete site or the new one, whatever happens."""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.build import publish
from briefing.files import processes

from sitebuild import (
    ROOT,
    build,
    env,
    leftovers,
    make_project,
    pelican_cmd,
    snapshot,
    story,
    write,
)

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate  # noqa: E402


@pytest.fixture
def big_site(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "site")
    generate(project / "content" / "stories", 2000)
    return project


def test_kill_9_at_any_moment_leaves_the_previous_output_byte_identical(big_site):
    project = big_site
    assert build(project).returncode == 0  # cold: fills the reader cache
    started = time.monotonic()
    assert build(project).returncode == 0  # the build the kills below interrupt
    full = time.monotonic() - started
    before = snapshot(project / "output")
    assert len(before) > 2000
    # an edit, so that a completed build would change output/
    write(project / "content" / "stories" / "zz-new.md", story("A late story"))

    rng = random.Random(20261129)
    moments = [full * (k + rng.random()) / 20 for k in range(20)]  # 20 random moments
    killed_while_running = 0
    for moment in moments:
        proc = subprocess.Popen(
            pelican_cmd(),
            cwd=project,
            env=env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(moment)
        if proc.poll() is None:
            killed_while_running += 1
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = snapshot(project / "output")
        if proc.returncode == 0:  # finished before the kill: the new complete site
            assert "2026/11/27/a-late-story/index.html" in after
            break
        assert after == before, f"output/ changed after kill -9 at {moment:.2f}s"
    assert killed_while_running >= 16

    # the next build cleans what the killed ones left and publishes the new site
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert leftovers(project) == []
    after = snapshot(project / "output")
    assert "2026/11/27/a-late-story/index.html" in after
    # every page is still there (the search index's files are named by their content)
    assert {path for path in before if not path.startswith("pagefind/")} < set(after)
    assert list((project / "output" / "pagefind").glob("*/pagefind-entry.json"))


def test_a_write_failure_mid_build_keeps_output(tmp_path):
    """A full disk, simulated by a file-size limit: writes fail with EFBIG part-way."""
    project = make_project(tmp_path / "site", example_content=True)
    assert build(project).returncode == 0
    before = snapshot(project / "output")
    write(project / "content" / "stories" / "long.md", story("Long", body="word " * 20000))

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))

    result = subprocess.run(
        pelican_cmd(),
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_file_size,
    )
    assert result.returncode != 0
    assert "File too large" in result.stdout + result.stderr
    assert snapshot(project / "output") == before
    assert build(project).returncode == 0
    assert leftovers(project) == []


def test_second_build_fails_fast_naming_the_lock_holder(tmp_path):
    project = make_project(
        tmp_path / "site", example_content=True, settings="BRIEFING_LOCK_TIMEOUT = 0"
    )
    with publish.BuildLock(str(project / "output"), timeout=0):
        result = build(project)
    assert result.returncode == 1
    assert f"another build is publishing to {project}" in result.stdout + result.stderr
    assert f"pid {os.getpid()}" in result.stdout + result.stderr
    assert not (project / "output").exists()


def test_second_build_waits_for_the_first(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    lock = publish.BuildLock(str(project / "output"), timeout=0)
    with lock:
        proc = subprocess.Popen(
            pelican_cmd(),
            cwd=project,
            env=env(),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(2.0)
        assert proc.poll() is None, "the second build should wait for the lock"
        assert not (project / "output").exists()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"waiting for another build to finish (pid {os.getpid()}" in err
    assert (project / "output" / "index.html").exists()


def test_two_builds_at_once_both_publish_a_complete_site(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    procs = [
        subprocess.Popen(
            pelican_cmd(), cwd=project, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for proc in procs:
        proc.communicate(timeout=120)
        assert proc.returncode == 0
    reference = make_project(tmp_path / "reference", example_content=True)
    assert build(reference).returncode == 0
    assert snapshot(project / "output") == snapshot(reference / "output")
    assert list((project / "output" / "pagefind").glob("*/pagefind-entry.json"))
    assert leftovers(project) == []


def test_swap_is_one_rename_exchange(tmp_path):
    output, staging = tmp_path / "output", tmp_path / "staging"
    write(output / "index.html", "old")
    write(staging / "index.html", "new")
    publish.swap_in(str(staging), str(output))
    assert (output / "index.html").read_text() == "new"
    assert not staging.exists()


def test_fallback_swap_and_recovery_after_a_crash_between_renames(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    output, staging = tmp_path / "output", tmp_path / "staging"
    write(output / "index.html", "old")
    write(staging / "index.html", "new")
    publish.swap_in(str(staging), str(output))
    assert (output / "index.html").read_text() == "new"
    assert leftovers(tmp_path) == []  # the old site is removed in the background
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]
    # a crash after `output -> .output.old-*` and before `staging -> output`
    os.rename(output, tmp_path / ".output.old-x1")
    write(tmp_path / ".output.staging-y2" / "index.html", "half")
    publish.clean_stale(str(output))
    assert (output / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two renames"])
def test_the_replaced_site_is_kept_as_the_spare_and_taken_by_the_next_build(
    tmp_path, monkeypatch, exchange
):
    if not exchange:
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    output = tmp_path / "output"
    write(output / "index.html", "old")
    staging = publish.make_staging(str(output))
    write(Path(staging) / "index.html", "new")
    assert publish.swap_in(staging, str(output), keep_previous=True)
    assert (output / "index.html").read_text() == "new"
    spare = Path(publish.spare_path(str(output)))
    assert (spare / "index.html").read_text() == "old"
    publish.clean_stale(str(output))  # a spare is not a leftover
    assert spare.exists()
    taken = publish.take_spare(str(output))
    assert taken is not None and Path(taken).name.startswith(".output.staging-")
    assert (Path(taken) / "index.html").read_text() == "old" and not spare.exists()
    assert publish.take_spare(str(output)) is None


def test_pruning_a_spare_keeps_only_what_is_vouched_for(tmp_path):
    site = tmp_path / "site"
    for name in ("a/index.html", "a/b/index.html", "c/old.html", "theme/css/site.css"):
        write(site / name, name)
    processes.prune(str(site), {"a/index.html"}.__contains__)
    found = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    assert found == ["a", "a/index.html"]  # emptied folders go too
