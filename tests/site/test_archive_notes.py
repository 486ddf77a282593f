"""`source-unarchived`: a note for each older source without an archived copy, in the
build and in `briefing check` alike, only when BRIEFING_ARCHIVE_NOTES is on."""

from __future__ import annotations

from sitebuild import briefing, build, env, make_project

T0 = 1796083200  # 2026-12-01T00:00:00Z

STORY = """---
title: Old news
date: 2026-10-01T08:00:00+00:00
sources:
  old:
    url: https://old.example/a
  kept:
    url: https://kept.example/b
    archived: https://web.archive.org/web/20261001000000/https://kept.example/b
  fresh:
    url: https://fresh.example/c
    published: 2026-11-20
---
Then [@old; @kept; @fresh].
"""

NOTE = (
    "content/stories/old.md:5:3: info: source-unarchived: source 'old' is 61 days old and "
    "has no archived copy; find one with `briefing sources archive --write`"
)


def test_notes_only_when_asked_and_only_for_old_sources_without_a_copy(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0))
    quiet = make_project(tmp_path / "quiet", content={"stories/old.md": STORY})
    loud = make_project(
        tmp_path / "loud",
        content={"stories/old.md": STORY},
        settings="BRIEFING_ARCHIVE_NOTES = True",
    )
    assert env()["SOURCE_DATE_EPOCH"] == str(T0)
    for project, expected in ((quiet, []), (loud, [NOTE])):
        built = build(project)
        assert built.returncode == 0, built.stderr
        shown = built.stdout + built.stderr
        assert [line for line in (NOTE,) if line in " ".join(shown.split())] == expected
        checked = briefing(project, "check")
        assert checked.returncode == 0, checked.stdout
        notes = [line for line in checked.stdout.splitlines() if "source-unarchived" in line]
        assert notes == expected  # 'kept' has a copy, 'fresh' is 11 days old
