"""Pelican's articles kept from one build to the next (articlecache.py): a story whose file
did not change is not read again, yet the build says and shows what a fresh read would."""

from __future__ import annotations

import re

from sitebuild import build, make_project, snapshot, story


def read_files(result) -> list[str]:
    """The stories Pelican read (its debug log names each file it reads)."""
    return sorted(set(re.findall(r"Read file (\S+\.md)", result.stdout + result.stderr)))


def assert_same_as_a_fresh_build(site, fresh_folder) -> None:
    """``site``'s output is what a build that reads every story afresh makes of its
    content (moved to a new project at ``fresh_folder``)."""
    kept = snapshot(site / "output")
    fresh = make_project(fresh_folder, settings="BRIEFING_SEARCH = False")
    (fresh / "content").rmdir()
    (site / "content").rename(fresh / "content")
    assert build(fresh).returncode == 0
    assert snapshot(fresh / "output") == kept


def test_only_the_changed_story_is_read_and_the_site_is_the_same(tmp_path):
    stories = {
        f"stories/{n}.md": story(
            n.title(), date=f"2026-11-2{i}T07:30:00+00:00", body=f"Body of {n.title()}.\n"
        )
        for i, n in enumerate(["alpha", "bravo", "charlie"], 1)
    }
    site = make_project(tmp_path / "site", content=stories, settings="BRIEFING_SEARCH = False")
    first = build(site, "-D")
    assert first.returncode == 0, first.stderr
    assert len(read_files(first)) == 3
    again = build(site, "-D")
    assert again.returncode == 0 and read_files(again) == []
    bravo = site / "content" / "stories" / "bravo.md"
    bravo.write_text(bravo.read_text().replace("Body of Bravo", "A new body of Bravo"))
    edited = build(site, "-D")
    assert edited.returncode == 0
    assert [p.rsplit("/", 1)[-1] for p in read_files(edited)] == ["bravo.md"]
    assert_same_as_a_fresh_build(site, tmp_path / "fresh")


def test_when_the_cache_file_is_written_whole_the_kept_stories_stay_in_it(tmp_path):
    """The kept articles' pickled bytes are not held through the build: when enough
    stories changed for the cache file to be written whole, the kept ones are pickled
    again from their articles, and the next build still reads none of them."""
    stories = {
        f"stories/s{i:02d}.md": story(
            f"Story {i}",
            date=f"2026-11-{1 + i % 28:02d}T{i // 28 + 7:02d}:{i % 60:02d}:00+00:00",
            body=f"Body {i}.\n",
        )
        for i in range(75)
    }
    site = make_project(tmp_path / "site", content=stories, settings="BRIEFING_SEARCH = False")
    assert build(site, "-D").returncode == 0
    for i in range(70):  # more than the 64 changed entries a base file is written whole at
        path = site / "content" / "stories" / f"s{i:02d}.md"
        path.write_text(path.read_text().replace(f"Body {i}.", f"A new body {i}."))
    edited = build(site, "-D")
    assert edited.returncode == 0 and len(read_files(edited)) == 70
    (base,) = (site / "cache").glob("briefing-articles.*.pickle")
    assert not base.with_name(base.name + ".new").exists()  # written whole
    written = base.read_bytes()
    again = build(site, "-D")
    assert again.returncode == 0 and read_files(again) == []
    assert base.read_bytes() == written
    assert_same_as_a_fresh_build(site, tmp_path / "fresh")


def test_a_kept_story_reports_its_warnings_again(tmp_path):
    site = make_project(
        tmp_path / "site",
        content={"stories/naive.md": story("Naive", date="2026-11-27T07:30:00")},
        settings="BRIEFING_SEARCH = False",
    )
    for _ in range(2):
        result = build(site, "-D")
        assert result.returncode == 0
        assert "stories/naive.md:3:7: warning: date-naive" in result.stderr
    assert read_files(result) == []  # the second time, from the kept article


def test_a_story_held_back_by_the_clock_is_published_once_its_date_passes(tmp_path, monkeypatch):
    """With WITH_FUTURE_DATES = False a story dated later is a draft; a kept article must
    not stay one once the clock (here SOURCE_DATE_EPOCH) has passed its date."""
    site = make_project(
        tmp_path / "site",
        content={"stories/later.md": story("Quokka census", date="2026-11-28T12:00:00+00:00")},
        settings="BRIEFING_SEARCH = False\nWITH_FUTURE_DATES = False",
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795780800")  # 2026-11-27T12:00Z: before
    assert build(site).returncode == 0
    assert "Quokka census" not in (site / "output" / "index.html").read_text()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795953600")  # 2026-11-29T12:00Z: after
    assert build(site).returncode == 0
    assert "Quokka census" in (site / "output" / "index.html").read_text()


def test_another_plugin_listening_as_content_is_read_turns_it_off():
    """Its work would be missing from a kept article, so every story is read."""
    from pelican import signals

    from briefing.fast import articlecache

    def mark(content):  # a plugin's receiver, from a module that is not Briefing's
        content.marked = True

    mark.__module__ = "someone_elses_plugin"
    assert not articlecache._others_listen()
    signals.content_object_init.connect(mark)
    try:
        assert articlecache._others_listen()
    finally:
        signals.content_object_init.disconnect(mark)
    assert not articlecache._others_listen()
