"""Faults injected into real builds: full disks and I/O errors at random writes, a kill in
the middle of the swap, three builds at once.  After each, output/ is byte-identical to a
complete build (old or new), never holds a zero-byte file, and the next build cleans up."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from sitebuild import (
    build,
    env,
    leftovers,
    make_project,
    pelican_cmd,
    snapshot,
    story,
    write,
)

# Runs Pelican with writes into the staging folder failing at random (seeded).
FAULTY = textwrap.dedent("""
    import builtins, errno, os, random, sys
    kind, rate, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    real_open, real_link = builtins.open, os.link
    def fault(file):
        if ".output.staging-" in str(file) and rng.random() < rate:
            with real_open(f"faults/{os.getpid()}-{rng.random()}", "w"):
                pass  # counted by the test
            code = errno.ENOSPC if kind == "enospc" else errno.EIO
            raise OSError(code, os.strerror(code), str(file))
    def faulty_open(file, mode="r", *args, **kwargs):
        if any(m in mode for m in "wax"):
            fault(file)
        return real_open(file, mode, *args, **kwargs)
    def faulty_link(src, dst, *args, **kwargs):
        fault(dst)  # a page kept from the published site
        return real_link(src, dst, *args, **kwargs)
    builtins.open, os.link = faulty_open, faulty_link
    sys.argv = ["pelican", "content", "-s", "pelicanconf.py", *sys.argv[4:]]
    from pelican import main
    main()
""")

# Runs Pelican and kills itself with SIGKILL inside the swap, before or after the exchange.
KILL_IN_SWAP = textwrap.dedent("""
    import os, signal, sys
    when = sys.argv[1]
    from briefing.build import publish
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


def faulty_build(project, kind: str, rate: float, seed: int, *pelican_args: str):
    """A build whose writes into the staging folder fail at ``rate`` (seeded)."""
    return subprocess.run(
        [sys.executable, "-c", FAULTY, kind, str(rate), str(seed), *pelican_args],
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


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
    return project, old, new


@pytest.mark.parametrize("kind", ["enospc", "eio"])
def test_random_write_failures_never_damage_output(site, kind):
    """Full builds (nothing kept from the last one): every file is a fresh write."""
    project, old, new = site
    (project / "faults").mkdir()
    failed = 0
    for seed in range(12):
        result = faulty_build(project, kind, 0.02, seed, "-e", "BRIEFING_REUSE_PAGES=false")
        now = snapshot(project / "output")
        if result.returncode == 0:
            assert now == new  # no fault hit: the complete new site
            old = now
        else:
            failed += 1
            assert now == old, f"{kind} seed {seed} changed output/"
        assert no_empty_files(project / "output") == []
    assert failed >= 6, "the faults should have hit most builds"
    assert build(project).returncode == 0
    assert leftovers(project) == []
    assert snapshot(project / "output") == new


@pytest.mark.parametrize("kind", ["enospc", "eio"])
def test_random_write_failures_in_incremental_builds(tmp_path, kind):
    """Each build edits one story, keeps the other pages from the published site (hard
    links, which fail too) and renders the rest; output/ is always the last complete
    site: the previous one, or exactly what a cold build of the new content makes."""
    project = make_project(tmp_path / "site", example_content=True)
    (project / "faults").mkdir()
    assert build(project).returncode == 0
    late = project / "content" / "stories" / "zz-late.md"
    published = snapshot(project / "output")
    failed = 0
    for seed in range(12):
        text = story("A late story", body=f"Version {seed} of the late story.\n")
        write(late, text)
        result = faulty_build(project, kind, 0.05, seed)
        now = snapshot(project / "output")
        if result.returncode == 0:
            reference = make_project(tmp_path / f"reference-{seed}", example_content=True)
            write(reference / "content" / "stories" / "zz-late.md", text)
            assert build(reference).returncode == 0
            assert now == snapshot(reference / "output")
            published = now
        else:
            failed += 1
            assert now == published, f"{kind} seed {seed} changed output/"
        assert no_empty_files(project / "output") == []
    assert failed >= 4, "the faults should have hit many builds"
    assert len(list((project / "faults").iterdir())) >= failed
    assert build(project).returncode == 0
    assert leftovers(project) == []


@pytest.mark.parametrize("when", ["before", "after"])
def test_kill_inside_the_swap(site, when):
    project, old, new = site
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
        assert now == new
    assert no_empty_files(project / "output") == []
    assert build(project).returncode == 0
    assert leftovers(project) == []
    assert snapshot(project / "output") == new


def test_three_builds_at_once_publish_one_complete_site(site):
    project, old, new = site
    procs = [
        subprocess.Popen(
            pelican_cmd(), cwd=project, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    for proc in procs:
        proc.communicate(timeout=300)
        assert proc.returncode == 0
    assert snapshot(project / "output") == new
    assert leftovers(project) == []
