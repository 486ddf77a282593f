"""End-to-end: build small real sites through Pelican and the plugin, inspect output/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup

from sitebuild import ROOT, briefing, build, env, make_project, snapshot, story, write

BAD_YAML = (
    "---\ntitle: Broken\ndate: 2026-11-29T10:00:00+00:00\ntags: [a, b\nsummary: x\n---\nBody\n"
)


def test_example_site_builds_front_page_and_one_page_per_story(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    # plain `pelican content`, with pelicanconf.py found by its default name
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "content"],
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "error:" not in result.stderr and "warning:" not in result.stderr
    output = project / "output"
    index = BeautifulSoup((output / "index.html").read_text(), "html.parser")
    stories = sorted((ROOT / "content" / "stories").glob("*.md"))
    assert len(stories) >= 3
    links = [a["href"] for a in index.select(".story__title--in-day a")]
    assert len(links) == len(stories)
    for path in stories:
        text = path.read_text()
        title = re.search(r"^title: (.+)$", text, re.M).group(1)
        day = re.search(r"^date: (\d{4})-(\d\d)-(\d\d)", text, re.M).groups()
        pages = list(output.joinpath(*day).glob("*/index.html"))
        page = next(
            p for p in pages if BeautifulSoup(p.read_text(), "html.parser").h1.text == title
        )
        assert page.parent.name == re.sub(r"[^a-z0-9]+", "-", title.lower().replace("'", "")).strip(
            "-"
        )


def test_pelican_native_markdown_builds_with_no_warnings(tmp_path):
    project = tmp_path / "roundup"
    shutil.copytree(ROOT / "tests" / "pelican_native", project)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            "content",
            "-s",
            "pelicanconf.py",
            "-o",
            "output",
            "--fatal",
            "warnings",
            "-e",
            f'PLUGIN_PATHS=["{ROOT / "plugins"}"]',
        ],
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    page = BeautifulSoup((project / "output" / "this-week-47.html").read_text(), "html.parser")
    body = page.select_one("article") or page
    assert page.title.text.startswith("This Week in the Harbour 47")
    # Pelican's {filename} and {static} links resolve to the built files
    assert body.find("a", string="Read issue 46")["href"] == "./this-week-46.html"
    assert body.find("img", alt="Map of the tunnel")["src"] == "./images/tunnel-map.png"
    assert (project / "output" / "images" / "tunnel-map.png").exists()
    assert body.find("table") is not None and body.select_one("pre.highlight") is not None
    # tags, authors, the multi-line summary and the draft keep Pelican's meanings
    assert (project / "output" / "tag" / "tunnels.html").exists()
    assert (project / "output" / "author" / "tom-field.html").exists()
    description = page.find("meta", attrs={"name": "description"})["content"]
    assert description == "The tunnel opens early, and last week's storm barrier test is on video."
    index = BeautifulSoup((project / "output" / "index.html").read_text(), "html.parser")
    assert index.find("p", string="Storm season opens and the ferry timetable changes.")
    # a draft is written nowhere (BRIEFING_PREVIEW_DRAFTS = True would show it)
    assert not (project / "output" / "drafts").exists()
    assert "Harbour 48" not in "".join(p.read_text() for p in (project / "output").rglob("*.html"))


def test_malformed_yaml_fails_with_position_and_keeps_output(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    assert build(project).returncode == 0
    before = snapshot(project / "output")
    write(project / "content" / "stories" / "bad.md", BAD_YAML)
    result = build(project)
    assert result.returncode == 1
    assert "content/stories/bad.md:5:8: error: yaml-syntax: did not find expected ',' or ']'" in (
        result.stderr
    )
    assert "output/ was left unchanged" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(project / "output") == before
    # fixed: the next build publishes
    write(project / "content" / "stories" / "bad.md", story("Fixed", extra="tags: [a, b]\n"))
    assert build(project).returncode == 0
    assert snapshot(project / "output") != before
    assert list((project / "output" / "2026" / "11" / "27").glob("fixed/index.html"))


def test_a_build_reports_every_error_of_the_run(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/good.md": story("Good"),
            "stories/a.md": BAD_YAML,
            "stories/b.md": story("B", date="2024-02-30"),
            "stories/c.md": story("C", date="2026-11-27T07:30:00"),  # a warning only
        },
    )
    result = build(project)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("content/")]
    assert lines == [
        "content/stories/a.md:5:8: error: yaml-syntax: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts at line 4, column 7)",
        "content/stories/b.md:3:7: error: date-invalid: 'date': '2024-02-30' is not a real "
        "date or time (day is out of range for month)",
        "content/stories/c.md:3:7: warning: date-naive: 'date' has no UTC offset, so TIMEZONE "
        "(Europe/London) is assumed; write it with an offset, e.g. 2026-11-27T07:30:00+00:00",
    ]
    assert "briefing: 2 errors in 2 files, 1 warning" in result.stderr
    assert not (project / "output").exists()


def test_warnings_alone_publish_and_naive_dates_take_timezone(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/c.md": story("Summer time", date="2026-07-01T09:00:00"),
        },
    )
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert "warning: date-naive" in result.stderr
    page = project / "output" / "2026" / "07" / "01" / "summer-time" / "index.html"
    time = BeautifulSoup(page.read_text(), "html.parser").find("time")
    assert time["datetime"] == "2026-07-01T09:00:00+01:00"  # Europe/London in summer


def test_content_cache_works_because_metadata_pickles(tmp_path):
    settings = "CACHE_CONTENT = True\nLOAD_CONTENT_CACHE = True\nCACHE_PATH = 'cache'"
    project = make_project(tmp_path / "site", example_content=True, settings=settings)
    first = build(project)
    assert first.returncode == 0, first.stderr
    assert list((project / "cache").iterdir())
    before = snapshot(project / "output")
    second = build(project)
    assert second.returncode == 0, second.stderr
    assert "Could not" not in second.stdout + second.stderr
    assert snapshot(project / "output") == before


def test_theme_escapes_titles_and_keeps_story_html(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/x.md": story(
                '"<script>alert(1)</script> & co"', body="Text with <b>raw</b> HTML and **bold**.\n"
            ),
        },
    )
    assert build(project).returncode == 0
    [page] = (project / "output").glob("2026/11/27/*/index.html")
    html = page.read_text()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "&lt;b&gt;raw&lt;/b&gt;" in html and "<strong>bold</strong>" in html


def test_output_retention_survives_the_swap(tmp_path):
    project = make_project(
        tmp_path / "site", example_content=True, settings="OUTPUT_RETENTION = ['.git', 'CNAME']"
    )
    assert build(project).returncode == 0
    write(project / "output" / ".git" / "HEAD", "ref: refs/heads/gh-pages\n")
    write(project / "output" / "CNAME", "news.example.org\n")
    write(project / "output" / "stale.html", "old")
    assert build(project).returncode == 0
    assert (project / "output" / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (project / "output" / "CNAME").exists()
    assert not (project / "output" / "stale.html").exists()  # the site is rebuilt, not patched


def test_publish_settings_write_feeds_with_absolute_links(tmp_path):
    project = make_project(tmp_path / "site", example_content=True)
    shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py", "-o", "output"],
        cwd=project,
        env={**env(), "BRIEFING_SITEURL": "https://news.example.org"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    feed = (project / "output" / "feeds" / "all.atom.xml").read_text()
    assert (
        '<link rel="self" type="application/atom+xml" href="https://news.example.org/feeds/all.atom.xml"/>'
        in feed
    )
    index = BeautifulSoup((project / "output" / "index.html").read_text(), "html.parser")
    story_links = [a["href"] for a in index.select(".story__title--in-day a")]
    assert story_links and all(h.startswith("https://news.example.org/2026/") for h in story_links)


def test_reader_cache_serves_unchanged_stories_and_rereads_edited_ones(tmp_path):
    project = make_project(
        tmp_path / "site", example_content=True, settings="BRIEFING_SEARCH = False"
    )
    assert build(project).returncode == 0
    (cache,) = (project / "cache").glob("briefing-stories.*.pickle")  # named for its key
    story_file = project / "content" / "stories" / "2026-11-28-grid-battery.md"
    story_file.write_text(
        story_file.read_text().replace(
            "Region's largest grid battery switched on", "Grid battery switched on early"
        )
    )
    copy = project / "content" / "stories" / "2026-11-26-copy.md"
    copy.write_text(story_file.read_text().replace("2026-11-28T08:00", "2026-11-26T08:00"))
    result = build(project)
    assert result.returncode == 0, result.stderr
    titles = [
        BeautifulSoup(p.read_text(), "html.parser").h1.text
        for p in (project / "output").glob("2026/11/*/*/index.html")
    ]
    assert titles.count("Grid battery switched on early") == 2
    assert "Region's largest grid battery switched on" not in titles


def test_reader_cache_sees_an_edit_that_keeps_the_size_and_the_modification_time(tmp_path):
    """The cache skips reading files whose stat signature is unchanged; a tool that puts
    the mtime back (``touch -r``, an archive extractor) must not hide an edit."""
    project = make_project(
        tmp_path / "site", example_content=True, settings="BRIEFING_SEARCH = False"
    )
    assert build(project).returncode == 0
    story_file = project / "content" / "stories" / "2026-11-28-grid-battery.md"
    before = story_file.stat()
    text = story_file.read_text()
    assert "switched on" in text
    story_file.write_text(text.replace("switched on", "switched in"))  # same length
    os.utime(story_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert story_file.stat().st_size == before.st_size
    assert build(project).returncode == 0
    titles = [
        BeautifulSoup(p.read_text(), "html.parser").h1.text
        for p in (project / "output").glob("2026/11/*/*/index.html")
    ]
    assert "Region's largest grid battery switched in" in titles


def test_builds_with_two_settings_files_keep_each_others_articles(tmp_path):
    """``make html`` and ``make publish`` (or ``briefing check``) read with different
    settings: each keeps its own articles, so going back and forth reads nothing again,
    and only the last two settings' files are kept."""
    project = make_project(
        tmp_path / "site", example_content=True, settings="BRIEFING_SEARCH = False"
    )
    conf = project / "pelicanconf.py"
    (project / "other.py").write_text(conf.read_text() + '\nSITESUBTITLE = "Other"\n')
    (project / "third.py").write_text(conf.read_text() + '\nSITESUBTITLE = "Third"\n')
    cache = project / "cache"

    def articles() -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in cache.glob("briefing-articles*")}

    cache.mkdir()
    (cache / "briefing-articles.pickle").write_bytes(b"an earlier version's")
    assert build(project).returncode == 0
    (first,) = articles().items()  # the earlier version's file is gone
    assert build(project, "-s", "other.py").returncode == 0
    both = articles()
    assert len(both) == 2 and both[first[0]] == first[1]
    assert build(project).returncode == 0  # every article kept: its file as it was
    assert articles() == both
    assert briefing(project, "check", "content").returncode == 0  # pelicanconf.py's
    assert articles() == both
    assert build(project, "-s", "third.py").returncode == 0
    after = articles()
    assert len(after) == 2 and after[first[0]] == first[1]  # other.py's, used last, went


@pytest.mark.parametrize("cache_name", ["briefing-articles.pickle", "briefing-stories.pickle"])
def test_caches_write_only_the_stories_read_since_their_last_full_write(tmp_path, cache_name):
    """Pelican's articles (kept while their files are unchanged) and the parsed stories
    (kept by content, used when the articles cannot be: here, the settings changed)."""
    project = make_project(
        tmp_path / "site", example_content=True, settings="BRIEFING_SEARCH = False"
    )
    conf = project / "pelicanconf.py"

    def edit_and_build(old: str, new: str) -> None:
        story_file.write_text(story_file.read_text().replace(old, new))
        if cache_name == "briefing-stories.pickle":  # the articles kept cannot be used
            conf.write_text(conf.read_text() + f"\nSITESUBTITLE = {new!r}\n")
        assert build(project).returncode == 0

    assert build(project).returncode == 0
    (cache,) = (project / "cache").glob(cache_name.replace(".pickle", "*.pickle"))
    since = cache.with_name(cache.name + ".new")
    base = cache.read_bytes()  # (its time is touched when used: see cachefile.keyed)
    story_file = project / "content" / "stories" / "2026-11-28-grid-battery.md"
    edit_and_build("switched on", "switched on early")
    assert cache.read_bytes() == base and since.exists()
    written = since.stat().st_mtime_ns
    assert build(project).returncode == 0  # nothing new: nothing written
    assert cache.read_bytes() == base
    assert since.stat().st_mtime_ns == written
    since.write_bytes(b"\x80\x05damaged")
    edit_and_build("switched on early", "switched on late")
    titles = [
        BeautifulSoup(p.read_text(), "html.parser").h1.text
        for p in (project / "output").glob("2026/11/*/*/index.html")
    ]
    assert "Region's largest grid battery switched on late" in titles


def test_a_story_whose_address_changes_is_reported_with_the_slug_that_keeps_it(tmp_path):
    """A corrected headline or date moves a story without `slug:`; the build says so, at
    the title (or date), with the old and new addresses, once: the next build is quiet."""
    project = make_project(
        tmp_path / "site",
        content={
            "stories/ferry.md": story("Ferry strike called off", body="Text.\n"),
            "stories/pinned.md": story("Tunnel opens", extra="slug: tunnel\n"),
        },
    )
    assert "url-moved" not in build(project).stderr  # nothing published yet
    ferry = project / "content/stories/ferry.md"
    ferry.write_text(story("Ferry strike called off, union says", body="Text.\n"))
    pinned = project / "content/stories/pinned.md"
    pinned.write_text(story("Tunnel opens early", extra="slug: tunnel\n"))
    moved = build(project)
    assert moved.returncode == 0, moved.stderr  # a warning, not an error
    warnings = [line for line in moved.stderr.splitlines() if "url-moved" in line]
    assert warnings == [
        "content/stories/ferry.md:2:8: warning: url-moved: this story moved from "
        "2026/11/27/ferry-strike-called-off/ to 2026/11/27/ferry-strike-called-off-union-says/ "
        "since the last build, and links to the old address will break; to keep the old "
        'address, set slug: "ferry-strike-called-off"; to send its readers on, add aliases: '
        '["2026/11/27/ferry-strike-called-off/"]'
    ]
    assert "url-moved" not in build(project).stderr
    # moved again, with the old address kept as an alias: nothing to warn about
    ferry.write_text(
        story(
            "Ferry strike off",
            body="Text.\n",
            extra='aliases: ["2026/11/27/ferry-strike-called-off-union-says/"]\n',
        )
    )
    aliased = build(project)
    assert aliased.returncode == 0, aliased.stderr
    assert "url-moved" not in aliased.stderr
    pinned.write_text(
        story("Tunnel opens early", date="2026-11-26T07:30:00+00:00", extra="slug: tunnel\n")
    )
    dated = build(project)
    assert (
        "content/stories/pinned.md:3:7: warning: url-moved: this story moved from " in dated.stderr
    )
    assert "(its date is part of the address)" in dated.stderr
    # a site that changes its URL scheme moves every story on purpose: no warnings
    conf = project / "pelicanconf.py"
    conf.write_text(
        conf.read_text()
        + '\nARTICLE_URL = "{date:%Y}/{slug}/"\nARTICLE_SAVE_AS = "{date:%Y}/{slug}/index.html"\n'
    )
    assert "url-moved" not in build(project).stderr


def test_a_story_whose_feed_id_changes_is_reported_with_the_id_that_keeps_it(tmp_path):
    """Renaming a story file without `id:`, or removing or changing its `id:`, would give
    every subscriber the story again as new: a warning at the title, naming both ids and
    the `id:` line that keeps the old one; `briefing check` says it too."""
    project = make_project(
        tmp_path / "site",
        content={
            "stories/ferry.md": story("Ferry strike called off"),
            "stories/tunnel.md": story("Tunnel opens", extra='id: "tag:news.example.org,1"\n'),
        },
    )
    assert build(project).returncode == 0
    stories = project / "content" / "stories"
    (stories / "ferry.md").rename(stories / "2026-11-27-ferry.md")
    (stories / "tunnel.md").write_text(story("Tunnel opens"))

    def changed(result):
        return sorted(line for line in result.stderr.splitlines() if "feed-id-changed" in line)

    check = briefing(project, "check")
    check_lines = sorted(line for line in check.stdout.splitlines() if "feed-id-changed" in line)
    built = build(project)
    assert built.returncode == 0, built.stderr  # a warning, not an error
    lines = changed(built)
    assert lines == check_lines
    assert len(lines) == 2, lines
    renamed, unpinned = lines
    old = re.search(r"changed from (urn:uuid:[0-9a-f-]+) to", renamed).group(1)
    assert renamed.startswith(
        f"content/stories/2026-11-27-ferry.md:2:8: warning: feed-id-changed: this story's "
        f"feed entry id changed from {old} to urn:uuid:"
    )
    assert "(its file was content/stories/ferry.md and it has no id:)" in renamed
    assert renamed.endswith(f'to keep the old id, set id: "{old}"')
    assert unpinned.startswith(
        "content/stories/tunnel.md:2:8: warning: feed-id-changed: this story's feed entry id "
        "changed from tag:news.example.org,1 to urn:uuid:"
    )
    assert "(its id: was removed)" in unpinned
    assert changed(build(project)) == []  # once: the published site has the new ids now
    # renamed again: the id: line the message gives keeps the published id
    (stories / "2026-11-27-ferry.md").rename(stories / "ferry-strike.md")
    [line] = [x for x in briefing(project, "check").stdout.splitlines() if "feed-id-changed" in x]
    keep = re.search(r'set (id: "[^"]+")$', line).group(1)
    text = (stories / "ferry-strike.md").read_text()
    (stories / "ferry-strike.md").write_text(text.replace("---\n", f"---\n{keep}\n", 1))
    assert changed(build(project)) == []


def test_aliases_send_readers_of_an_old_address_on_to_the_story(tmp_path):
    """`aliases:` keeps old links working: each is a page that is not indexed, names the
    story as canonical and moves on to it at once (relative links in a relative site)."""
    project = make_project(
        tmp_path / "site",
        content={
            "stories/ferry.md": story(
                "Ferry strike called off, union says",
                extra='aliases: ["2026/11/27/ferry-strike-called-off/", "/old/ferry.html"]\n',
            ),
            "stories/tunnel.md": story("Tunnel <opens>"),
        },
    )
    result = build(project)
    assert result.returncode == 0, result.stderr
    output = project / "output"
    story_page = "2026/11/27/ferry-strike-called-off-union-says/"
    for alias, depth in (
        ("2026/11/27/ferry-strike-called-off/index.html", 4),
        ("old/ferry.html", 1),
    ):
        page = BeautifulSoup((output / alias).read_text(), "html.parser")
        target = "../" * depth + story_page
        assert page.find("link", rel="canonical")["href"] == target
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
        assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url={target}"
        assert page.find("a")["href"] == target
        assert page.title.text.startswith("Ferry strike called off, union says")
        assert (output / alias).parent.joinpath(target, "index.html").resolve().is_file()
    sitemap = (output / "sitemap.xml").read_text()
    assert story_page in sitemap and "ferry-strike-called-off/" not in sitemap.replace(
        story_page, ""
    )


@pytest.mark.parametrize(
    ("aliases", "expected"),
    [
        ('["../secrets/"]', "3:11: error: alias-invalid: alias '../secrets/' has an empty"),
        ('["https://other.example/x/"]', "3:11: error: alias-invalid: alias 'https://other"),
        (
            '["2026/11/27/tunnel-opens/", "2026/11/27/", "search/x/"]',
            "3:10: error: url-collision: an alias cannot be written over another page: "
            "2026/11/27/tunnel-opens/ is where content/stories/tunnel.md is written; "
            "2026/11/27/ is one of the site's own pages; search/x/ is one of the site's own "
            "pages; remove them",
        ),
    ],
    ids=["outside the site", "another site", "over other pages"],
)
def test_an_alias_that_cannot_be_written_fails_the_build_at_the_aliases(
    tmp_path, aliases, expected
):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/ferry.md": (
                f"---\ntitle: Ferry\naliases: {aliases}\n"
                "date: 2026-11-27T07:30:00+00:00\n---\nBody.\n"
            ),
            "stories/tunnel.md": story("Tunnel opens"),
        },
    )
    result = build(project)
    assert result.returncode != 0
    assert f"content/stories/ferry.md:{expected}" in result.stderr
    assert not (project / "output").exists()
