"""Deploying: `make rsync_upload` sends the published site and, after a day's edit, only
the files that changed; the GitHub Pages workflow is one GitHub would accept."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitebuild import ROOT, build, env, make_project, snapshot, story

STORIES = {f"stories/s{i}.md": story(f"Story {i}", date=f"2026-11-{10 + i}T08:00:00+00:00",
                                       body=f"Paragraph {i}.\n") for i in range(6)}  # fmt: skip


def upload(project: Path, target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), "rsync_upload", f"BRIEFING_RSYNC_TARGET={target}/"],
        cwd=project, env=env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def transferred(result: subprocess.CompletedProcess[str]) -> int:
    return int(re.search(r"Number of regular files transferred: ([\d,]+)", result.stdout)
               .group(1).replace(",", ""))  # fmt: skip


@pytest.mark.parametrize("fast", [True, False], ids=["speed-layer", "plain"])
def test_rsync_upload_mirrors_output_and_then_sends_only_what_changed(tmp_path, fast):
    if not shutil.which("rsync"):
        pytest.fail("rsync is missing: apt-get install rsync (.ci/run installs it)")
    project = make_project(tmp_path / "site", content=STORIES, settings=f"BRIEFING_FAST = {fast}")
    shutil.copy(ROOT / "publishconf.py", project)
    assert build(project, "-s", "publishconf.py").returncode == 0
    served = tmp_path / "www"
    first = upload(project, served)
    assert first.returncode == 0, first.stderr
    assert snapshot(served) == snapshot(project / "output")

    before = snapshot(project / "output")
    # rsync compares times to the second: a day's rebuild comes seconds after, not within one
    time.sleep(1.1)
    story_file = project / "content" / "stories" / "s2.md"
    story_file.write_text(story_file.read_text() + "A correction.\n")
    assert build(project, "-s", "publishconf.py").returncode == 0
    after = snapshot(project / "output")
    changed = {path for path, digest in after.items() if before.get(path) != digest}
    assert changed  # the story's page, its day, the feeds, the search index …
    assert len(changed) < len(after) / 2
    second = upload(project, served)
    assert second.returncode == 0, second.stderr
    assert snapshot(served) == after
    assert transferred(second) == len(changed), sorted(changed)


def test_rsync_upload_needs_a_target(tmp_path):
    result = subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), "rsync_upload", "BRIEFING_RSYNC_TARGET="],
        cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "set BRIEFING_RSYNC_TARGET" in result.stderr


def test_the_pages_workflow_is_one_github_accepts():
    checker = Path(sys.executable).with_name("check-jsonschema")
    if not checker.exists():
        pytest.fail("check-jsonschema is missing: pip install -e '.[test]'")
    workflow = ROOT / ".github" / "workflows" / "pages.yml"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    text = workflow.read_text()
    assert "make publish" in text and "actions/deploy-pages" in text
    assert re.search(r"path: \|\n\s+\.venv\n\s+cache\n\s+output", text)  # incremental in CI
