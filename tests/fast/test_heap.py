"""A build keeps its long-lived objects out of the cycle collector's way (``heap.py``) and
hands them back when it ends, so a process that builds again and again (``pelican
--autoreload``, a program calling Pelican) does not hold every build's objects for ever."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sitebuild import env, make_project, story

# builds three times in one process: fresh, from the article cache, and a failed one
SCRIPT = """
import gc, pathlib
from pelican import get_instance, parse_arguments

def run():
    pelican, _ = get_instance(parse_arguments(["content", "-s", "pelicanconf.py", "-q"]))
    try:
        pelican.run()
        outcome = "built"
    except Exception as exc:
        outcome = type(exc).__name__
    gc.collect()
    print("heap:", outcome, gc.get_freeze_count(), flush=True)

run()
run()
bad = pathlib.Path("content/stories/bad.md")
bad.write_text("---\\ntitle: Bad\\ndate: 2026-13-45\\n---\\nBody.\\n")
run()
bad.unlink()
run()
"""


@pytest.mark.parametrize("pelican_class", ["briefing.BriefingPelican", "pelican.Pelican"])
def test_each_build_hands_its_objects_back_to_the_collector(tmp_path, pelican_class):
    stories = {
        f"stories/s{i}.md": story(
            f"Story {i}", date=f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:30:00Z"
        )
        for i in range(80)  # enough for the prepass's workers
    }
    settings = f"BRIEFING_SEARCH = False\nPELICAN_CLASS = {pelican_class!r}"
    site = make_project(tmp_path / "site", content=stories, settings=settings)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=site,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = [line.split()[1:] for line in result.stdout.splitlines() if line.startswith("heap:")]
    # Pelican's own class logs the bad story and publishes the rest
    failed = "BuildFailed" if pelican_class.startswith("briefing") else "built"
    assert [o[0] for o in outcomes] == ["built", "built", failed, "built"], result.stderr[-3000:]
    assert [int(o[1]) for o in outcomes] == [0, 0, 0, 0]
