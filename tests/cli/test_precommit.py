"""The `briefing-check` pre-commit hook (`.pre-commit-hooks.yaml`), run as a site would run
it: pre-commit installs this checkout into an environment of its own (`try-repo`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitebuild import ROOT, env, make_project, story

BAD = (
    "---\ntitle: Bad\ndate: 2026-11-27T07:30:00+00:00\nsources:\n  a: https://a.example/x\n"
    "---\nSaid [@a] and [@nope].\n"
)


def pre_commit() -> str:
    found = Path(sys.executable).with_name("pre-commit")
    if found.exists():
        return str(found)
    if shutil.which("pre-commit"):
        return shutil.which("pre-commit")
    pytest.fail("pre-commit is missing: pip install -e '.[test]'")


def test_the_hook_blocks_a_broken_story_and_passes_a_good_one(tmp_path):
    site = make_project(
        tmp_path / "site",
        content={"stories/good.md": story("Good"), "stories/bad.md": BAD},
    )
    (site / ".gitignore").write_text("output/\ncache/\n")
    e = {**env(), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"), "GIT_AUTHOR_NAME": "T",
         "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T",
         "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
    git = ["git", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=site, check=True)
    subprocess.run(["git", "add", "-A"], cwd=site, check=True)

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [pre_commit(), "try-repo", str(ROOT), "briefing-check", "--files", *files],
            cwd=site, env=e, capture_output=True, text=True, timeout=900,
        )  # fmt: skip

    bad = hook("content/stories/bad.md")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert (
        "content/stories/bad.md:7:15: error: citation-undefined-key: no source has the key "
        "'nope' (keys: a)"
    ) in bad.stdout
    assert "files were modified" not in bad.stdout
    good = hook("content/stories/good.md")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "briefing check" in good.stdout and "Passed" in good.stdout
    # a file the hook is not for (the theme, the settings) is not checked
    other = hook("pelicanconf.py")
    assert other.returncode == 0 and "(no files to check)" in other.stdout
    assert os.path.exists(site / ".git")
