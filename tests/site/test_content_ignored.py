"""`content-ignored`: a Markdown file under content/ that the site does not read is named,
by the build and by `briefing check`, instead of being left out without a word."""

from __future__ import annotations

from sitebuild import briefing, build, make_project, story


def test_a_story_outside_the_read_folders_is_named(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/read.md": story("Read"),
            "misplaced.md": story("Misplaced"),
            "notes/later.markdown": story("Later"),
            "images/README.md": "credits for the photos\n",  # a static folder: copied as is
            ".#read.md": "an editor's lock file\n",  # Pelican's IGNORE_FILES
        },
    )
    expected = [
        f"{path}:1:1: warning: content-ignored: this file is not part of the site: only "
        "content/stories/, content/pages/ are read (ARTICLE_PATHS, PAGE_PATHS); move it there "
        "to publish it"
        for path in ("content/misplaced.md", "content/notes/later.markdown")
    ]
    built = build(project)
    assert built.returncode == 0, built.stderr
    shown = " ".join((built.stdout + built.stderr).split())
    for line in expected:
        assert line in shown
    assert shown.count("content-ignored") == 2
    checked = briefing(project, "check")
    assert [line for line in checked.stdout.splitlines() if "content-ignored" in line] == expected
    assert not list((project / "output").rglob("*misplaced*"))
