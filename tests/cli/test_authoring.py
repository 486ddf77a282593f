"""`briefing new` and `briefing import`: stories start in one command and build."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from markdown_it.utils import read_fixture_file

from briefing.cli.authoring import import_briefing

from sitebuild import build, env, make_project

FIXTURES = Path(__file__).parents[1] / "fixtures"
DATE = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
BRIEFING = [sys.executable, "-m", "briefing.cli"]


def run(project, *args, stdin=None):
    return subprocess.run(
        [*BRIEFING, *args],
        cwd=project,
        env=env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(i, e, id=f"{line}-{t}")
        for line, t, i, e in read_fixture_file(FIXTURES / "import.md")
    ],
)
def test_import(text, expected):
    assert import_briefing(text, date=DATE).text == expected


def test_imported_briefing_builds_with_every_group_a_link_and_no_footer(tmp_path):
    text = read_fixture_file(FIXTURES / "import.md")[0][2]
    project = make_project(tmp_path / "site")
    result = run(project, "import", "-", "--date", "2026-11-29T09:00:00+00:00", stdin=text)
    assert result.returncode == 0, result.stderr
    path = project / result.stdout.strip()
    assert (
        path == project / "content/stories/2026-11-29-meta-opens-its-model-and-tightens-ad-rules.md"
    )
    assert "dropped the app's footer line: Get your own daily briefing" in result.stderr
    built = build(project)
    assert built.returncode == 0, built.stderr
    assert "error:" not in built.stderr
    assert built.stderr.count("warning: source-unverified") == 4  # until an author fixes them
    page = BeautifulSoup(
        next((project / "output").glob("2026/11/29/*/index.html")).read_text(), "html.parser"
    )
    body = page.select_one(".story__body")
    paragraphs = body.find_all("p", recursive=False)
    groups = [[a.text for a in p.select("a.citation")] for p in paragraphs]
    assert groups == [["about.fb.com", "about.fb.com", "ai.meta.com"], ["cnbc.com", "about.fb.com"]]
    assert "Get your own" not in page.text and "App Store" not in page.text
    # the text reads exactly as imported
    assert paragraphs[1].get_text() == (
        "Analysts said the pair of announcements was timed for the company's developer event "
        "(cnbc.com). The ad rules take effect in January (about.fb.com)."
    )


def test_new_creates_a_skeleton_that_builds_and_never_overwrites(tmp_path):
    project = make_project(tmp_path / "site")
    args = (
        "new",
        "Ferry strike called off",
        "--topics",
        "transport, labour",
        "--section",
        "City",
        "--date",
        "2026-11-29T08:00:00+00:00",
    )
    first = run(project, *args)
    assert first.returncode == 0, first.stderr
    path = project / first.stdout.strip()
    assert path == project / "content/stories/2026-11-29-ferry-strike-called-off.md"
    text = path.read_text()
    assert text.startswith(
        '---\ntitle: "Ferry strike called off"\ndate: 2026-11-29T08:00:00+00:00\n'
        'slug: "ferry-strike-called-off"\nid: urn:uuid:'
    )
    assert 'category: "City"\ntags: ["transport", "labour"]\n' in text
    path.write_text(text.replace("What happened", "Edited by hand"))
    again = run(project, *args)
    assert again.returncode == 1
    assert "already exists; not overwriting it" in again.stderr
    assert "Edited by hand" in path.read_text()
    built = build(project)
    assert built.returncode == 0, built.stderr
    assert (project / "output/2026/11/29/ferry-strike-called-off/index.html").exists()


def test_a_corrected_headline_keeps_the_url_briefing_new_gave_the_story(tmp_path):
    """A newsroom fixes headlines after publication; links already shared must keep
    working, so the story is born with its slug (as the build would have made it from the
    first headline, apostrophe and accents included) and keeps it."""
    project = make_project(tmp_path / "site")
    made = run(project, "new", "Ministry's café plan: what’s next?", "--date", "2026-11-29T08:00")
    assert made.returncode == 0, made.stderr
    path = project / made.stdout.strip()
    text = path.read_text().replace("What happened", "The ministry said (example.com). What")
    path.write_text(text)
    assert build(project).returncode == 0
    first = sorted(
        p.relative_to(project / "output") for p in (project / "output").glob("2026/11/29/*/")
    )
    assert [str(p) for p in first] == ["2026/11/29/ministrys-cafe-plan-whats-next"]
    path.write_text(text.replace('title: "Ministry', 'title: "Corrected: Ministry'))
    built = build(project)
    assert built.returncode == 0, built.stderr
    page = project / "output" / first[0] / "index.html"
    assert "Corrected: Ministry" in page.read_text()
    assert sorted(p.name for p in (project / "output/2026/11/29").glob("*/")) == [first[0].name]


def test_a_long_headline_is_born_with_a_slug_of_one_short_url_part(tmp_path):
    project = make_project(tmp_path / "site")
    headline = "Council approves the harbour tunnel budget after a night of debate " * 3
    made = run(project, "new", headline.strip(), "--date", "2026-11-29T08:00")
    assert made.returncode == 0, made.stderr
    path = project / made.stdout.strip()
    slug = re.search(r'^slug: "(.*)"$', path.read_text(), re.M).group(1)
    assert slug.startswith("council-approves-the-harbour-tunnel-budget")
    assert len(slug.encode()) <= 100 and not slug.endswith("-")
    path.write_text(path.read_text().replace("What happened", "It passed (example.com). What"))
    built = build(project)
    assert built.returncode == 0, built.stderr
    assert (project / "output" / "2026" / "11" / "29" / slug / "index.html").exists()


def test_briefing_new_leaves_the_slug_to_file_names_where_the_site_says_so(tmp_path):
    project = make_project(tmp_path / "site")
    conf = project / "pelicanconf.py"
    conf.write_text(conf.read_text() + '\nSLUGIFY_SOURCE = "basename"\n')
    made = run(project, "new", "Ferry strike", "--date", "2026-11-29T08:00")
    assert made.returncode == 0, made.stderr
    assert "slug:" not in (project / made.stdout.strip()).read_text()


def test_new_dates_default_to_now_with_the_sites_offset(tmp_path):
    project = make_project(tmp_path / "site")
    result = run(project, "new", "Today")
    assert result.returncode == 0
    text = (project / result.stdout.strip()).read_text()
    assert re.search(r"^date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", text, re.M)


def test_cli_help_and_usage_errors(tmp_path):
    project = make_project(tmp_path / "site")
    top = run(project, "--help")
    assert top.returncode == 0
    for command in ("check", "new", "import", "serve"):
        assert command in top.stdout
        assert run(project, command, "--help").returncode == 0
    assert run(project, "new").returncode == 2
    assert run(project, "new", "X", "--date", "yesterday").returncode == 2
    assert run(project, "import", "missing.txt").returncode == 2
    assert run(project, "import", "-", stdin="\n\n").returncode == 1


def test_no_colour_when_not_on_a_terminal(tmp_path):
    project = make_project(tmp_path / "site")
    (project / "content" / "bad.md").write_text("---\ntitle: [x\n---\n")
    result = run(project, "check")
    assert "\033[" not in result.stdout + result.stderr


def test_import_names_every_line_of_the_apps_closing_block_it_drops(tmp_path):
    text = next(t for _, d, t, _ in read_fixture_file(FIXTURES / "import.md") if "Scout's" in d)
    project = make_project(tmp_path / "site")
    result = run(project, "import", "-", "--date", "2026-11-29T09:00:00+00:00", "-o", "-",
                 stdin=text)  # fmt: skip
    assert result.returncode == 0, result.stderr
    dropped = [
        line.removeprefix("briefing: dropped the app's footer line: ")
        for line in result.stderr.splitlines()
        if "dropped the app's footer line" in line
    ]
    assert dropped == [
        "Get your own daily briefing",
        "Scout delivers personalized news, insights, and conversations tailored to your role "
        "and industry.",
        "Download on the App Store",
        "Shared from Scout - Be the smartest in the room.",
    ]
    assert "Markets had expected the hold." in result.stdout
    assert "Scout" not in result.stdout
