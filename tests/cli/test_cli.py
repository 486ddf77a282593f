"""`briefing check`: the same diagnostics as the build, without building."""

from __future__ import annotations

import json
import subprocess
import sys

from sitebuild import build, env, make_project, story, write

BRIEFING = [sys.executable, "-m", "briefing.cli"]


def run(project, *args):
    return subprocess.run(
        [*BRIEFING, *args], cwd=project, env=env(), capture_output=True, text=True, timeout=120
    )


def test_clean_site_exits_0(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    result = run(project, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "checked 5 files: 0 errors, 0 warnings" in result.stderr


def test_errors_exit_1_with_the_same_lines_as_the_build(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/ok.md": story("Fine"),
            "stories/bad.md": "---\ntitle: T\ndate: 2024-02-30\n---\n",
            "stories/naive.md": story("Naive", date="2026-11-27T07:30:00"),
        },
    )
    result = run(project, "check")
    assert result.returncode == 1
    expected = [
        "content/stories/bad.md:3:7: error: date-invalid: 'date': '2024-02-30' is not a real "
        "date or time (day is out of range for month)",
        "content/stories/naive.md:3:7: warning: date-naive: 'date' has no UTC offset, so TIMEZONE "
        "(Europe/London) is assumed; write it with an offset, e.g. 2026-11-27T07:30:00+00:00",
    ]
    assert result.stdout.splitlines() == expected
    built = build(project)
    assert [line for line in built.stderr.splitlines() if line.startswith("content/")] == expected


def test_strict_makes_warnings_fatal(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/naive.md": story("Naive", date="2026-11-27T07:30:00"),
        },
    )
    assert run(project, "check").returncode == 0
    assert run(project, "check", "--strict").returncode == 1


def test_json_format_for_editors(tmp_path):
    project = make_project(tmp_path / "site")
    write(project / "content" / "stories" / "bad.md", "---\ntitle: [x\n---\n")
    result = run(project, "check", "--format", "json", "content/stories/bad.md")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["files"] == 1 and data["errors"] == 1 and data["warnings"] == 0
    [d] = data["diagnostics"]
    assert (d["path"], d["line"], d["col"], d["severity"], d["code"]) == (
        "content/stories/bad.md",
        2,
        8,
        "error",
        "yaml-syntax",
    )


def test_bad_usage_exits_2(tmp_path):
    project = make_project(tmp_path / "site")
    assert run(project, "check", "no/such/story.md").returncode == 2
    assert run(project, "check", "--format", "xml").returncode == 2
    assert run(project).returncode == 2
    assert run(project, "check", "-s", "missing.py").returncode == 2


def test_console_script_is_installed():
    result = subprocess.run(
        ["briefing", "check", "--help"],
        capture_output=True,
        text=True,
        env={**env(), "PATH": f"{sys.prefix}/bin"},
    )
    assert result.returncode == 0
    assert "--strict" in result.stdout


def test_check_leaves_the_reader_cache_written_for_the_next_check_and_build(tmp_path):
    """Many stories read at once are written to the cache by a forked process; the
    command waits for it, so the cache is there (whole) when it returns."""
    project = make_project(tmp_path / "site")
    for i in range(80):
        write(
            project / "content" / "stories" / f"s{i}.md",
            story(f"Story {i}", date=f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:30:00Z"),
        )
    result = run(project, "check")
    assert result.returncode == 0, result.stderr
    (cache,) = (project / "cache").glob("briefing-stories.*.pickle")  # named for its key
    assert [p.name for p in cache.parent.iterdir() if p.name.startswith(".briefing-")] == []
    import pickle

    key, _token, entries, seen = pickle.loads(cache.read_bytes())
    assert len(entries) == 80 and len(seen) == 80


def test_the_reader_cache_is_kept_from_one_process_to_the_next(tmp_path):
    """Several formatted fields are a set of names, whose order depends on the process's
    string hashes; the reader cache's key must not, or each run would read afresh."""
    import os
    import pickle

    project = make_project(
        tmp_path / "site",
        settings='FORMATTED_FIELDS = ["summary", "standfirst", "kicker", "note", "dek"]',
    )
    write(project / "content" / "stories" / "a.md", story("A"))
    cache = project / "cache"
    keys = set()
    for seed in ("1", "2", "3"):
        result = subprocess.run(
            [*BRIEFING, "check"],
            cwd=project,
            env={**env(), "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        keys |= {pickle.loads(p.read_bytes())[0] for p in cache.glob("briefing-stories.*")}
        os.utime(project / "content" / "stories" / "a.md")  # read again, through the cache
    assert len(keys) == 1


def test_a_mistake_in_the_settings_is_named_with_its_line_not_a_traceback(tmp_path):
    project = make_project(tmp_path / "site", settings="SITENAME = 'unclosed")
    result = run(project, "check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("briefing: error: cannot read the settings pelicanconf.py:")
    assert "unterminated string literal" in result.stderr
