"""Faults injected into real builds: full disks and I/O errors at random writes, a kill in
the middle of the swap, three builds at once.  After each, output/ is byte-identical to a
complete build (old or new), never holds a zero-byte file, and the next build cleans up."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from sitebuild import build, env, leftovers, make_project, pelican_cmd, snapshot, story, write

# Runs Pelican with writes into the staging folder failing at random (seeded).
FAULTY = textwrap.dedent("""
    import builtins, errno, os, random, sys
    kind, rate, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    real_open = builtins.open
    def faulty_open(file, mode="r", *args, **kwargs):
        writing = any(m in mode for m in "wax") and ".output.staging-" in str(file)
        if writing and rng.random() < rate:
            code = errno.ENOSPC if kind == "enospc" else errno.EIO
            raise OSError(code, os.strerror(code), str(file))
        return real_open(file, mode, *args, **kwargs)
    builtins.open = faulty_open
    sys.argv = ["pelican", "content", "-s", "pelicanconf.py"]
    from pelican import main
    main()
""")

# Runs Pelican and kills itself with SIGKILL inside the swap, before or after the exchange.
KILL_IN_SWAP = textwrap.dedent("""
    import os, signal, sys
    when = sys.argv[1]
    from briefing import publish
    real = publish._exchange
    def exchange(a, b):
        if when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        done = real(a, b)
        if when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return done
    publish._exchange = exchange
    sys.argv = ["pelican", "content", "-s", "pelicanconf.py"]
    from pelican import main
    main()
""")


def no_empty_files(folder):
    return [p for p in folder.rglob("*") if p.is_file() and p.stat().st_size == 0]


@pytest.fixture
def site(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    assert build(project).returncode == 0
    old = snapshot(project / "output")
    write(project / "content" / "stories" / "zz-new.md", story("A late story"))
    reference = make_project(tmp_path / "reference", example_content=True)
    write(reference / "content" / "stories" / "zz-new.md", story("A late story"))
    assert build(reference).returncode == 0
    new = snapshot(reference / "output")
    search = ("pagefind/",)  # Pagefind's file names and stamps differ run to run
    strip = lambda snap: {k: v for k, v in snap.items() if not k.startswith(search)}  # noqa: E731
    return project, old, strip(new), strip


@pytest.mark.parametrize("kind", ["enospc", "eio"])
def test_random_write_failures_never_damage_output(site, kind):
    project, old, new, strip = site
    failed = 0
    for seed in range(12):
        result = subprocess.run(
            [sys.executable, "-c", FAULTY, kind, "0.02", str(seed)],
            cwd=project,
            env=env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        now = snapshot(project / "output")
        if result.returncode == 0:
            assert strip(now) == new  # no fault hit: the complete new site
            old = now
        else:
            failed += 1
            assert now == old, f"{kind} seed {seed} changed output/"
        assert no_empty_files(project / "output") == []
    assert failed >= 6, "the faults should have hit most builds"
    assert build(project).returncode == 0
    assert leftovers(project) == []
    assert strip(snapshot(project / "output")) == new


@pytest.mark.parametrize("when", ["before", "after"])
def test_kill_inside_the_swap(site, when):
    project, old, new, strip = site
    result = subprocess.run(
        [sys.executable, "-c", KILL_IN_SWAP, when],
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == -9
    now = snapshot(project / "output")
    if when == "before":
        assert now == old
    else:
        assert strip(now) == new
    assert no_empty_files(project / "output") == []
    assert build(project).returncode == 0
    assert leftovers(project) == []
    assert strip(snapshot(project / "output")) == new


def test_three_builds_at_once_publish_one_complete_site(site):
    project, old, new, strip = site
    procs = [
        subprocess.Popen(
            pelican_cmd(), cwd=project, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    for proc in procs:
        proc.communicate(timeout=300)
        assert proc.returncode == 0
    assert strip(snapshot(project / "output")) == new
    assert leftovers(project) == []
