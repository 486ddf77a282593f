"""`briefing check` gives what the build gives about stories: every reader fixture and every
kind of problem found across stories, run through both on one site, with the same codes,
positions and messages, and never a traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

from markdown_it.utils import read_fixture_file

from sitebuild import briefing, build, make_project, snapshot, story

FIXTURES = Path(__file__).parents[1] / "fixtures"
LINE = re.compile(r"^(content/\S+?):(\d+):(\d+): (error|warning|info): ([a-z-]+): (.*)$")
DEEP = "x: " + "{a: " * 1000 + "1" + "}" * 1000

ACROSS_STORIES = {
    # two stories at one URL, and two with one feed id
    "stories/twin-a.md": story("Twin", extra='id: "shared"\n'),
    "stories/twin-b.md": story("Twin", extra='id: "shared"\n'),
    # no date, and none in the file name
    "stories/undated.md": "---\ntitle: Undated\n---\nBody.\n",
    # links to a file the site lacks, to a draft, and to a story that is there
    "stories/links.md": story(
        "Links",
        body="See [this]({filename}/stories/missing.md), [that]({filename}drafted.md),\n"
        "[the twin]({filename}twin-a.md) and ![a map]({static}/images/none.png).\n",
    ),
    "stories/drafted.md": story("Drafted", extra="status: draft\n"),
    "stories/later.md": story("Later", date="2099-05-01T09:00:00+00:00"),
    # slugs, topics and sections that are not one URL segment
    "stories/long.md": story("Long " * 40),
    "stories/topics.md": story("Topics", extra='tags: [fine, "???"]\ncategory: "!!!"\n'),
    "stories/dots.md": story("Dots", extra="slug: '..'\n"),
    # front matter deeper than any parser should recurse, and a story too slow to parse
    "stories/deep.md": f"---\ntitle: Deep\ndate: 2026-11-27T07:30:00+00:00\n{DEEP}\n---\n",
    "stories/brackets.md": story("Brackets", body="[a" * 60_000),
    "pages/search.md": "---\ntitle: Search\n---\nA page over the site's own.\n",
}


def _fixture_stories() -> dict[str, str]:
    """Every story of the reader's fixture files (the citation cases under their shared
    front matter), one file each."""
    header = (FIXTURES / "citations_header.yaml").read_text()
    found = {}
    for name in (
        "diagnostics.md",
        "sources_diagnostics.md",
        "sources_list.md",
        "reader.md",
        "citations.md",
    ):
        for line, _title, text, _expected in read_fixture_file(FIXTURES / name):
            if name == "citations.md":
                text = f"---\n{header}---\n{text}"
            found[f"stories/{Path(name).stem}-{line:04d}.md"] = text
    return found


def _lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if LINE.match(line)}


def test_check_and_the_build_agree_on_every_fixture_and_every_problem_across_stories(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796284800")  # the same clock for both
    project = make_project(
        tmp_path / "site",
        content={**_fixture_stories(), **ACROSS_STORIES},
        settings="BRIEFING_MAX_STORY_SECONDS = 0.5",
    )
    checked = briefing(project, "check", "--format", "json")
    assert checked.returncode == 1, checked.stderr
    report = json.loads(checked.stdout)
    from_check = {
        f"{d['path']}:{d['line']}:{d['col']}: {d['severity']}: {d['code']}: {d['message']}"
        for d in report["diagnostics"]
    }
    built = build(project)
    assert built.returncode == 1
    from_build = _lines(built.stderr)
    assert "Traceback" not in checked.stdout + checked.stderr + built.stdout + built.stderr
    assert "Could not process" not in built.stdout + built.stderr
    assert not (project / "output").exists()

    assert from_check == from_build, (
        sorted(from_check - from_build),
        sorted(from_build - from_check),
    )
    codes = {LINE.match(line).group(5) for line in from_build}
    for code in (
        "url-collision",
        "feed-duplicate-id",
        "date-missing",
        "link-target-missing",
        "story-scheduled",
        "slug-invalid",
        "topic-invalid",
        "section-invalid",
        "nesting-too-deep",
        "too-slow",
        "yaml-syntax",
        "source-url-invalid",
        "text-bidi",
        "text-line-break",
    ):
        assert code in codes, code
    links = sorted(line for line in from_build if "stories/links.md" in line)
    assert [line.split(": error: ")[0] for line in links] == [
        "content/stories/links.md:5:12",
        "content/stories/links.md:5:51",
        "content/stories/links.md:6:46",
    ], links
    assert "names a story or page that is not published" in links[1]


def test_check_of_one_file_shows_the_error_another_file_has_over_it(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/twin-a.md": ACROSS_STORIES["stories/twin-a.md"],
            "stories/twin-b.md": ACROSS_STORIES["stories/twin-b.md"],
            "stories/other.md": story("Other", date="2024-02-30"),
        },
    )
    result = briefing(project, "check", "content/stories/twin-a.md")
    assert result.returncode == 1
    shown = result.stdout.splitlines()
    assert any(
        line.startswith("content/stories/twin-b.md:2:8: error: url-collision:")
        and "content/stories/twin-a.md" in line
        for line in shown
    ), shown
    assert not any("other.md" in line for line in shown), shown
    assert "checked 1 files" in result.stderr


def test_a_story_outside_the_sites_folders_is_checked_on_its_own(tmp_path):
    project = make_project(tmp_path / "site", content={"stories/ok.md": story("Fine")})
    loose = project / "draft.md"
    loose.write_text("---\ntitle: Loose\ndate: 2024-02-30\n---\n")
    before = snapshot(project)
    result = briefing(project, "check", "draft.md")
    assert result.returncode == 1
    assert result.stdout.startswith("draft.md:3:7: error: date-invalid:"), result.stdout
    assert {k: v for k, v in snapshot(project).items() if not k.startswith("cache/")} == before
