"""Incremental builds: a page whose inputs did not change is taken over from the published
site, the rest are rendered (in parallel); the result is always byte for byte what a cold
build of the same content makes, and no published file is ever written to."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

from sitebuild import ROOT, build, make_project, snapshot, write

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate  # noqa: E402

SETTINGS = """
SITEURL = "https://briefing.example.org"
RELATIVE_URLS = False
BRIEFING_FEEDS = True
BRIEFING_JOBS = 2
"""
LATEST = dt.datetime(2026, 9, 1, 6, 0, tzinfo=dt.UTC)  # after every generated story
QUARTERS = (
    dt.datetime(2026, 2, 2, 6, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 8, 3, 6, 0, tzinfo=dt.UTC),
)


def project(folder: Path, *, theme_copy: bool = False) -> Path:
    """Two quarters of generated stories (two search shards), feeds on, two workers."""
    site = make_project(folder, settings=SETTINGS)
    for seed, start in enumerate(QUARTERS, 1):
        generate(site / "content" / "stories" / f"q{seed}", 30, seed=seed, start=start)
    if theme_copy:
        (site / "theme").unlink()
        shutil.copytree(ROOT / "theme", site / "theme")
    return site


def log(result) -> str:
    return " ".join((result.stdout + result.stderr).split())


def counts(result) -> tuple[int, int]:
    """(rendered, kept) from the build's log line."""
    m = re.search(r"(\d+) page\(s\) rendered, (\d+) unchanged", log(result))
    assert m, log(result)[-2000:]
    return int(m.group(1)), int(m.group(2))


def linked(result) -> int:
    """How many kept pages were linked from the published site (the rest were kept in
    place in the spare site the build started from)."""
    m = re.search(r"\((\d+) linked from the published site\)", log(result))
    assert m, log(result)[-2000:]
    return int(m.group(1))


def shards_indexed(result) -> tuple[int, int]:
    m = re.search(r"search index: (\d+) of (\d+) shard", log(result))
    assert m, log(result)[-2000:]
    return int(m.group(1)), int(m.group(2))


def built(site: Path):
    result = build(site, "-v")
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def first_story(site: Path) -> Path:
    return sorted((site / "content" / "stories").rglob("*.md"))[3]


def edit_body(site: Path) -> None:
    path = first_story(site)
    path.write_text(path.read_text() + "\nA late paragraph about the harbour ferry timetable.\n")


def edit_another_body(site: Path) -> None:
    path = sorted((site / "content" / "stories").rglob("*.md"))[-2]
    path.write_text(path.read_text() + "\nA paragraph about the night buses.\n")


def edit_title(site: Path) -> None:
    path = first_story(site)
    text = path.read_text()
    path.write_text(re.sub(r'^title: ".*"$', 'title: "A new headline"', text, count=1, flags=re.M))


def edit_outlet(site: Path) -> None:
    path = first_story(site)
    text = path.read_text()
    path.write_text(re.sub(r"^    outlet: .*$", "    outlet: Renamed", text, count=1, flags=re.M))


def add_story(site: Path) -> None:
    start = dt.datetime(2026, 8, 20, tzinfo=dt.UTC)
    generate(site / "content" / "stories" / "late", 1, seed=9, start=start)


def delete_story(site: Path) -> None:
    first_story(site).unlink()


def edit_settings(site: Path) -> None:
    with open(site / "pelicanconf.py", "a", encoding="utf-8") as f:
        f.write('\nSITENAME = "The Evening Briefing"\n')


def edit_template(site: Path) -> None:
    path = site / "theme" / "templates" / "partials" / "footer.html"
    path.write_text(path.read_text() + "\n<!-- a theme edit -->\n")


EDITS = {
    "body": edit_body,
    "title": edit_title,
    "outlet": edit_outlet,
    "new story": add_story,
    "deleted story": delete_story,
    "settings": edit_settings,
    "template": edit_template,
}

# how many of the two quarters' search bundles each edit makes again
SHARDS_INDEXED = {
    "body": 1,
    "title": 1,
    "outlet": 1,
    "new story": 1,
    "deleted story": 1,
    "settings": 0,
    "template": 0,
}


@pytest.mark.parametrize("name", list(EDITS))
def test_an_incremental_build_equals_a_cold_build(tmp_path, name):
    site = project(tmp_path / "site", theme_copy=True)
    first = built(site)
    assert counts(first)[1] == 0  # nothing to keep the first time
    edit_another_body(site)
    built(site)  # the first build's site is the spare now, which the next build starts from
    EDITS[name](site)
    again = built(site)
    rendered, kept = counts(again)

    cold = project(tmp_path / "cold", theme_copy=True)
    edit_another_body(cold)
    EDITS[name](cold)
    built(cold)  # sequential, one worker, from nothing
    assert snapshot(site / "output") == snapshot(cold / "output")  # search index too
    if name == "body":
        # the story, its day, month and year, its outlets, the front page, feeds: not all
        assert 0 < rendered < (rendered + kept) / 4, (rendered, kept)
        assert shards_indexed(again) == (1, 2)  # only the quarter the story is in
        # the spare lacked only what the last two builds changed; the second build's
        # changes (not this one's) were linked from the published site
        assert 0 < linked(again) < rendered, (rendered, linked(again))
    if name in ("settings", "template"):
        assert kept == 0  # they may change any page
    if name in ("title", "new story", "deleted story", "outlet"):
        # the pages that show or list the story, not the rest (docs/architecture.md)
        assert 0 < rendered < (rendered + kept) / 2, (name, rendered, kept)
    # the search index is made again only for the quarter whose searchable text changed,
    # though every page was rendered again: the site's name and footer are not in it
    assert shards_indexed(again) == (SHARDS_INDEXED[name], 2)


def test_a_page_rendered_again_the_same_is_the_published_file(tmp_path):
    """A theme edit may change any page, so every page is rendered again; those that come
    out as they were are the published files, linked, not new files (an upload that
    compares size and time skips them); the rest are new files."""
    site = project(tmp_path / "site", theme_copy=True)
    built(site)
    output = site / "output"

    def files() -> dict[Path, tuple[int, bytes]]:
        return {
            p.relative_to(output): (p.stat().st_ino, p.read_bytes()) for p in output.rglob("*.html")
        }

    before = files()
    nav = site / "theme" / "templates" / "partials" / "day_nav.html"  # on day pages only
    nav.write_text(nav.read_text() + "\n<!-- between the days -->\n")
    assert counts(built(site))[1] == 0  # every page was rendered again
    after = files()
    same_file = {p for p in after if p in before and after[p][0] == before[p][0]}
    same_bytes = {p for p in after if p in before and after[p][1] == before[p][1]}
    assert same_file == same_bytes  # linked exactly when the text came out the same
    assert len(same_file) > len(after) / 2, (len(same_file), len(after))
    day = next(p for p in after if re.fullmatch(r"\d{4}/\d{2}/\d{2}/index.html", p.as_posix()))
    assert day not in same_file and Path("index.html") in same_file


def test_an_unchanged_site_renders_nothing_and_indexes_nothing(tmp_path):
    site = project(tmp_path / "site")
    built(site)
    before = snapshot(site / "output")
    again = built(site)
    assert counts(again)[0] == 0
    assert shards_indexed(again) == (0, 2)
    assert snapshot(site / "output") == before  # search index included


def test_moving_a_storys_front_matter_lines_renders_nothing(tmp_path):
    """Where a source sits in its file (for diagnostics) shows on no page: a comment line
    added above the sources changes no page and no search bundle."""
    site = project(tmp_path / "site")
    built(site)
    before = snapshot(site / "output")
    path = first_story(site)
    text = path.read_text()
    assert text.startswith("---\n") and "sources:" in text
    path.write_text("---\n# checked by the desk\n" + text[len("---\n") :])
    again = built(site)
    assert counts(again)[0] == 0
    assert shards_indexed(again) == (0, 2)
    assert snapshot(site / "output") == before


def test_published_files_are_never_written_to(tmp_path):
    """Kept pages are hard links to the published files, or the spare site's own files,
    which it shares with the published site; a build writes only new files."""
    site = project(tmp_path / "site")
    hold = tmp_path / "hold"  # keep every file ever published alive, with its bytes
    hold.mkdir()
    held: dict[int, tuple[Path, bytes]] = {}
    for edit in (None, edit_body, edit_another_body, edit_body):
        if edit is not None:
            edit(site)
        before = set(held)
        built(site)
        files = [p for p in (site / "output").rglob("*") if p.is_file()]
        for path in files:
            ino = path.stat().st_ino
            if ino not in held:
                held[ino] = (path, path.read_bytes())
                os.link(path, hold / str(len(held)))
        if edit is not None:  # most pages were kept, not written again
            assert len({p.stat().st_ino for p in files} & before) > len(files) / 2
    for i, (path, data) in enumerate(held.values(), 1):
        assert (hold / str(i)).read_bytes() == data, f"{path} was written to in place"


def test_a_page_changed_in_output_is_rendered_again(tmp_path):
    site = project(tmp_path / "site")
    built(site)
    page = next((site / "output" / "2026" / "02").rglob("*/index.html"))
    original = page.read_bytes()
    with open(page, "ab") as f:  # someone edits the published site by hand
        f.write(b"<!-- tampered -->")
    again = built(site)
    assert counts(again)[0] >= 1
    assert page.read_bytes() == original


def test_a_spare_site_changed_by_hand_is_not_trusted(tmp_path):
    site = project(tmp_path / "site")
    built(site)
    edit_body(site)
    built(site)  # the first site is now the spare
    spare = site / ".output.spare"
    pages = sorted(spare.glob("20[0-9][0-9]/[01][0-9]/[0-3][0-9]/*/index.html"))
    page = pages[len(pages) // 2]  # a story page neither edit touches
    (spare / "stray.html").write_text("not made by any build")
    page.unlink()
    page.write_text("<!-- replaced by hand -->")
    edit_another_body(site)
    built(site)
    cold = project(tmp_path / "cold")
    edit_body(cold)
    edit_another_body(cold)
    built(cold)
    assert snapshot(site / "output") == snapshot(cold / "output")


def test_a_template_error_on_one_page_in_a_worker_names_the_template(tmp_path):
    site = project(tmp_path / "site", theme_copy=True)
    built(site)
    before = snapshot(site / "output")
    template = site / "theme" / "templates" / "article.html"
    text = template.read_text()
    # only the last story of the archive fails, so the failure can fall to either worker
    template.write_text(
        text.replace(
            "{% block content %}",
            "{% block content %}{% if not article.next_story %}{{ no_such_value }}{% endif %}",
            1,
        )
    )
    result = build(site)
    assert result.returncode != 0
    assert "article.html:" in log(result) and "no_such_value" in log(result)
    assert snapshot(site / "output") == before


class _Writer:
    """Stands in for the planning writer: renders a job by writing its name, and fails
    (or dies) on the jobs named so, but only in a worker process, never in the parent."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.parent = os.getpid()

    def _render(self, job) -> None:
        if os.getpid() != self.parent:
            if job.name == "fail":
                raise OSError(28, "No space left on device", "fail")
            if job.name == "die":
                os.kill(os.getpid(), 9)
        (self.folder / job.name).write_text(job.name)


@pytest.mark.parametrize(("bad", "message"), [("fail", "No space left"), ("die", "SIGKILL")])
def test_a_failing_worker_fails_the_build_with_its_reason(tmp_path, bad, message):
    from briefing.fast import pages

    # many jobs, the bad one in each batch, so a worker is sure to meet one
    jobs = [pages.Job(bad if i % 8 == 0 else f"page-{i}", None) for i in range(400)]
    with pytest.raises(pages.RenderFailed, match=message):
        pages._render_in_parallel(_Writer(tmp_path), jobs, 2)


def test_workers_share_the_jobs(tmp_path):
    from briefing.fast import pages

    jobs = [pages.Job(f"page-{i}", None) for i in range(400)]
    pages._render_in_parallel(_Writer(tmp_path), jobs, 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(j.name for j in jobs)


def test_search_bundles_are_quarters_of_the_last_two_years_then_years(tmp_path):
    """A story is indexed in its quarter's bundle in the newest story's year and the year
    before, in its year's bundle before that; a new story re-indexes its own bundle."""
    site = project(tmp_path / "site")  # February and August 2026
    built(site)
    pagefind = site / "output" / "pagefind"

    def bundles() -> dict[str, int]:
        found = {}
        for bundle in pagefind.iterdir():
            entry = json.loads((bundle / "pagefind-entry.json").read_text())
            found[bundle.name] = entry["languages"]["en"]["page_count"]
        return found

    assert bundles() == {"2026-q3": 30, "2026-q1": 30}
    page = (site / "output" / "search" / "index.html").read_text()
    assert 'data-bundles="2026-q3 2026-q1"' in page  # newest first, the others merged in
    assert "/pagefind/2026-q3/pagefind-ui.js" in page

    late = site / "content" / "stories" / "late"
    generate(late, 1, seed=9, start=dt.datetime(2026, 10, 5, tzinfo=dt.UTC))
    generate(late / "old", 1, seed=10, start=dt.datetime(2025, 5, 10, tzinfo=dt.UTC))
    generate(late / "older", 1, seed=11, start=dt.datetime(2024, 3, 10, tzinfo=dt.UTC))
    again = built(site)
    assert bundles() == {"2026-q4": 1, "2026-q3": 30, "2026-q1": 30, "2025-q2": 1, "2024": 1}
    assert shards_indexed(again) == (3, 5)  # the two that were there are kept
    page = (site / "output" / "search" / "index.html").read_text()
    assert 'data-bundles="2026-q4 2026-q3 2026-q1 2025-q2 2024"' in page

    write(site / "content" / "stories" / "q1" / "extra.md", "")  # an empty file is an error
    before = bundles()
    assert build(site).returncode != 0
    assert bundles() == before


@pytest.mark.parametrize(
    ("newest", "shards"),
    [
        ((2026, 11), ["2026-q4", "2026-q4", "2026-q3", "2026-q1", "2025-q4", "2024"]),
        ((2027, 1), ["2027-q1", "2026-q4", "2026-q3", "2026-q1", "2025", "2024"]),
        ((2028, 4), ["2028-q2", "2026", "2026", "2026", "2025", "2024"]),
    ],
)
def test_a_storys_search_bundle_follows_the_newest_story(newest, shards):
    """As the newest story enters a new year, the year before last folds into one bundle."""
    from briefing.site.search import shard_of

    dates = [(2026, 11), (2026, 10), (2026, 8), (2026, 2), (2025, 12), (2024, 6)]
    last = dt.date(*newest, 1)
    found = [shard_of(dt.date(*d, 1), last) for d in [newest, *dates[1:]]]
    assert found == shards
    assert sorted(set(found), reverse=True) == list(dict.fromkeys(found))  # by time


def test_outlet_pages_are_paginated_like_topic_pages(tmp_path):
    """Each outlet cites dozens of stories: its pages list ten at a time, newest first, cut
    from the oldest end (page 1 holds the oldest ten, the first page the newest ten to
    nineteen)."""
    site = project(tmp_path / "site")
    built(site)
    outlet = site / "output" / "sources" / "metrowire.example"
    first = (outlet / "index.html").read_text()
    cited = int(re.search(r"cited in (\d+) stor", first).group(1))
    pages = sorted(outlet.glob("page/*/index.html"), key=lambda p: int(p.parent.name))
    assert cited > 20 and len(pages) == cited // 10 - 1  # pages 1, 2, …
    assert first.count('class="story-card"') == cited - 10 * len(pages)
    newest = f"https://briefing.example.org/sources/metrowire.example/page/{len(pages)}/"
    assert f'rel="next" href="{newest}"' in first
    oldest = pages[0].read_text()
    assert oldest.count('class="story-card"') == 10 and 'rel="next"' not in oldest
    assert "cited in" not in oldest and "<time" in oldest  # its dates, not the outlet's count


def test_a_new_story_leaves_every_older_page_of_every_list_as_it_was(tmp_path):
    """A page numbered N holds the same stories as news arrives, so a new story changes
    each list's first page and leaves its older pages byte for byte as published."""
    site = project(tmp_path / "site")
    built(site)
    output = site / "output"
    older = {p: p.read_bytes() for p in output.rglob("page/*/index.html")}
    fronts = {p.parent.parent.parent / "index.html" for p in older}
    assert len(older) > 8 and len(fronts) > 4
    before = {p: p.read_bytes() for p in fronts}
    generate(site / "content" / "stories" / "late", 1, seed=9, start=LATEST)
    rendered, kept = counts(built(site))
    assert {p: p.read_bytes() for p in older} == older
    assert any(p.read_bytes() != data for p, data in before.items())
    assert rendered < (rendered + kept) / 4, (rendered, kept)


def test_damaged_cache_files_cost_time_not_correctness(tmp_path):
    """Truncated or foreign files in cache/ are ignored: the build renders everything and
    publishes the same site."""
    site = project(tmp_path / "site")
    built(site)
    before = snapshot(site / "output")
    cache = site / "cache"
    found = cache.glob("briefing-*.pickle")
    names = sorted(re.sub(r"\.[0-9a-f]{12}\.", ".", p.name) for p in found)
    assert names == [
        "briefing-articles.pickle",  # named for the settings, briefing-articles.<digest>.pickle
        "briefing-pages.pickle",
        "briefing-published.pickle",
        "briefing-related.pickle",
        "briefing-stories.pickle",
        "briefing-template-reads.pickle",
    ]
    for i, path in enumerate(sorted(cache.glob("briefing-*.pickle"))):
        path.write_bytes(path.read_bytes()[: 40 * i] + b"\x80\x05not a pickle")
    # the compiled templates, and the records of the search index's copies of the pages
    for i, path in enumerate(sorted(cache.glob("briefing-templates/*/*"))):
        path.write_bytes(path.read_bytes()[: 1 + 7 * i])
    records = sorted(cache.glob("briefing-search/*/.copies.pickle"))
    assert len(records) == 2
    records[0].write_bytes(b"\x80\x05not a pickle")
    names = pickle.loads(records[1].read_bytes())
    records[1].write_bytes(pickle.dumps({name: "junk" for name in names}))
    again = built(site)
    assert counts(again)[1] == 0  # nothing could be trusted, so nothing was kept
    assert snapshot(site / "output") == before


def test_without_processes_to_fork_this_process_renders_everything(tmp_path, monkeypatch):
    from briefing.fast import pages

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    jobs = [pages.Job(f"page-{i}", None) for i in range(100)]
    pages._render_in_parallel(_Writer(tmp_path), jobs, 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(j.name for j in jobs)


@pytest.mark.parametrize(
    ("page", "indexed"),
    [
        (  # a story page: Pagefind reads its article, in the page's language
            '<!DOCTYPE html><html lang="fr"><head><title>T</title></head><body><nav>Menu</nav>'
            '<article class="story" data-pagefind-body><h1>T</h1><p>Bonjour</p></article>'
            "<footer>Pied</footer></body></html>",
            '<!DOCTYPE html><html lang="fr"><body><article class="story" data-pagefind-body>'
            "<h1>T</h1><p>Bonjour</p></article></body></html>",
        ),
        (  # citation and source links without their attributes, no links back
            '<html lang="en"><body><article data-pagefind-body><p>Said (<a class="citation" '
            'id="cite-1" href="https://x.org/a" aria-describedby="source-1" data-card="X: A">'
            'x.org</a>).</p><ol><li id="source-1" class="source"><span class="source__outlet">'
            'X</span>, <a class="source__link" href="https://x.org/a"><cite>A</cite></a>. '
            '<a class="source__back" href="#cite-1" aria-label="Back to citation 1">↩</a>'
            '</li></ol><p><a href="/topic/x/" data-pagefind-filter="topic">X</a></p>'
            "</article></body></html>",
            '<html lang="en"><body><article data-pagefind-body><p>Said (<a>x.org</a>).</p><ol>'
            '<li id="source-1" class="source"><span class="source__outlet">X</span>, '
            '<a><cite>A</cite></a>. </li></ol><p><a href="/topic/x/" '
            'data-pagefind-filter="topic">X</a></p></article></body></html>',
        ),
        (  # two articles, or none marked for search: the whole page, as Pagefind would see it
            "<html><body><article data-pagefind-body>A</article><article>B</article></body></html>",
            "<html><body><article data-pagefind-body>A</article><article>B</article></body></html>",
        ),
        (
            "<html><body><article>A</article></body></html>",
            "<html><body><article>A</article></body></html>",
        ),
    ],
)
def test_the_indexer_reads_a_story_page_cut_to_its_searchable_article(page, indexed):
    from briefing.site import search

    assert search._searchable(page) == indexed


def test_an_edit_rewrites_one_search_copy_and_never_trusts_a_copy_changed_by_hand(tmp_path):
    """The indexer's copies of the story pages (cache/briefing-search) are made again only
    for pages that changed; a copy changed since it was made is made again too."""
    from briefing.site import search

    site = project(tmp_path / "site")
    built(site)
    copies = site / "cache" / "briefing-search"

    def identities() -> dict[Path, tuple[int, int, int]]:
        found = {}
        for path in copies.rglob("*.html"):
            st = path.stat()
            found[path] = (st.st_ino, st.st_size, st.st_mtime_ns)
        return found

    before = identities()
    assert len(before) == 60  # one per story
    edit_body(site)
    built(site)
    after = identities()
    assert after.keys() == before.keys()
    changed = [p for p in after if after[p] != before[p]]
    assert len(changed) == 1 and "harbour ferry timetable" in changed[0].read_text()
    # a copy in the same quarter changed by hand is not trusted when that quarter is
    # indexed again
    shard = changed[0].relative_to(copies).parts[0]
    other = next(
        p for p in sorted(after) if p.relative_to(copies).parts[0] == shard and p != changed[0]
    )
    other.write_text(other.read_text().replace("</article>", "zzzhand</article>"))
    edit_body(site)
    built(site)
    page = site / "output" / other.relative_to(copies / shard)
    assert other.read_text() == search._searchable(page.read_text())
    assert "zzzhand" not in other.read_text()


def test_a_cancelled_search_index_stops_its_indexers(tmp_path, monkeypatch):
    """A build that fails after the index started stops the indexer before it removes the
    staging folder, so nothing writes into a folder that is gone, and the unfinished index
    is a failure, never half an index."""
    from briefing.fast.indexing import Indexing
    from briefing.site import search

    # an indexer that says where it runs, then would take half a minute
    started_file = tmp_path / "indexer.pid"
    monkeypatch.setattr(
        search,
        "_pagefind",
        lambda: [
            sys.executable,
            "-c",
            f"import os, time; open({str(started_file)!r}, 'w').write(str(os.getpid())); "
            "time.sleep(30)",
        ],
    )
    site = tmp_path / "staging"
    write(
        site / "2026/01/01/a/index.html",
        "<html><body><article data-pagefind-body>A</article></body></html>",
    )
    indexing = Indexing(str(site), {"2026-q1": [("2026/01/01/a/index.html", None)]}, None, {}, 1)
    deadline = time.monotonic() + 10
    while not started_file.exists() or not started_file.read_text():
        assert time.monotonic() < deadline, "the indexer never started"
        time.sleep(0.01)
    indexer = int(started_file.read_text())
    started = time.monotonic()
    indexing.cancel()
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(indexing.pid, os.WNOHANG)  # the build's indexing process is reaped

    def running(pid: int) -> bool:  # a zombie is as good as gone
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    while running(indexer):  # Pagefind's process dies with the indexing process
        assert time.monotonic() - started < 5, "the indexer outlived the cancelled index"
        time.sleep(0.01)
    with pytest.raises(search.SearchFailed):
        indexing.wait()


def test_the_search_index_starts_once_its_pages_are_planned_and_again_if_one_changes(
    tmp_path,
):
    """The story pages the index reads are made as soon as the last one is planned, and
    the index starts then, beside the rest of the build; a page planned again after that
    (Pelican's override) stops that index and starts a new one over the new page."""
    import jinja2

    from briefing.fast.pages import PlanningWriter

    events: list[tuple[str, ...]] = []
    writer = PlanningWriter(str(tmp_path), settings={"PAGINATED_TEMPLATES": {}})
    writer.reuse = False
    writer.after_render = lambda: events.append(("start", (tmp_path / "a.html").read_text()))
    writer.before_remake = lambda: events.append(("stop",))
    context = {"search_pages": {"2026-q1": ["a.html", "b.html"]}}
    page = jinja2.Template("{{ text }}")
    writer.write_file("a.html", page, context, text="first")
    assert events == []  # b.html is not planned yet
    writer.write_file("b.html", page, context, text="b")
    assert events == [("start", "first")]
    writer.write_file("other.html", page, context, text="other")
    writer.write_file("a.html", page, context, text="second", override_output=True)
    writer.make_pages(1)
    assert events == [("start", "first"), ("stop",), ("start", "second")]
    assert (tmp_path / "a.html").read_text() == "second"
    assert writer.source_of("a.html") == os.path.join(str(tmp_path), "a.html")
    assert writer.rendered == 3 and (tmp_path / "other.html").read_text() == "other"


def test_a_page_made_twice_in_one_build_never_writes_into_a_published_file(tmp_path):
    """A story page made early (for the index) as a link to the published file, since it
    came out the same, then planned again with other text (Pelican's override), gets a
    new file: the published one keeps its bytes."""
    import jinja2

    from briefing.fast.fingerprint import PageDigests
    from briefing.fast.pages import PlanningWriter

    published, staging = tmp_path / "published", tmp_path / "staging"
    published.mkdir()
    staging.mkdir()
    (published / "a.html").write_text("first")
    writer = PlanningWriter(str(staging), settings={"PAGINATED_TEMPLATES": {}})
    context = {"search_pages": {"2026-q1": ["a.html"]}}
    writer.digests = PageDigests(context)  # pages reused, with no site digest to wait for
    writer.previous = str(published)
    writer.after_render = lambda: None
    page = jinja2.Template("{{ text }}")
    writer.write_file("a.html", page, context, text="first")  # made at once, as a link
    assert (staging / "a.html").stat().st_ino == (published / "a.html").stat().st_ino
    writer.write_file("a.html", page, context, text="second", override_output=True)
    writer.make_pages(1)
    assert (staging / "a.html").read_text() == "second"
    assert (published / "a.html").read_text() == "first"


@pytest.mark.parametrize("fork", [True, False])
def test_the_site_digest_worked_out_beside_the_planning_is_the_same(monkeypatch, fork):
    """Worked out in a forked process (or here, when there is none to be had), it is the
    digest itself, and a setting with no stable form still means pages are not reused."""
    from briefing.fast import background, fingerprint, keys

    if not fork:

        def no_fork():
            raise BlockingIOError(11, "Resource temporarily unavailable")

        monkeypatch.setattr(os, "fork", no_fork)

    def beside(settings):
        return background.Forked(keys.site_digest, settings, {})

    settings = {"PLUGINS": [], "THEME": "", "SITENAME": "The Briefing"}
    expected = keys.site_digest(settings, {})
    assert beside(settings).result() == expected
    assert beside({**settings, "SITENAME": "Another"}).result() != expected
    with pytest.raises(fingerprint.Unstable):  # raised in the child, raised here
        beside({**settings, "HOOK": object()}).result()


def test_work_beside_the_build_answers_raises_or_is_stopped():
    """``background.Forked``: the child's answer, or its exception, comes back here; one
    that is cancelled (killed) is a failure, never an answer."""
    from briefing.fast import background

    assert background.Forked(sum, [1, 2, 3]).result() == 6
    with pytest.raises(ZeroDivisionError):
        background.Forked(divmod, 1, 0).result()
    sleeper = background.Forked(time.sleep, 30)
    started = time.monotonic()
    sleeper.cancel()
    assert time.monotonic() - started < 5
    with pytest.raises(background.Died):
        sleeper.result()


def _fail_to_prune(folder: str, keep) -> None:
    raise PermissionError(f"{folder}: cannot remove a file")


def test_a_spare_site_that_cannot_be_pruned_is_emptied_and_nothing_is_kept(tmp_path):
    """The spare site is pruned beside the build; if that fails, the build starts from an
    empty folder rather than from one holding files its manifest does not vouch for."""
    from briefing.build.builder import BriefingPelican
    from briefing.fast import background

    staging = tmp_path / "staging"
    write(staging / "2026" / "01" / "02" / "kept" / "index.html", "from the spare")
    write(staging / "stray.html", "not vouched for")
    builder = object.__new__(BriefingPelican)
    builder.output_path = str(staging)
    builder._spare = {"pages": {"2026/01/02/kept/index.html": ("key", 1, 2, 3)}, "search": {}}
    builder._pruning = background.Forked(_fail_to_prune, str(staging), lambda rel: True)
    builder._pruned()
    assert staging.is_dir() and list(staging.iterdir()) == []
    assert builder._spare == {"pages": {}, "search": {}}


def test_a_setting_that_holds_a_set_does_not_stop_pages_being_reused(tmp_path):
    """Each build is a new process with its own string hashes, so a set's order changes
    from one build to the next; the settings' digest must not."""
    site = project(tmp_path / "site")
    with open(site / "pelicanconf.py", "a", encoding="utf-8") as f:
        f.write('\nTHEME_EXTRA_WORDS = {"words": {"w%d" % i for i in range(12)}}\n')
    built(site)
    again = built(site)
    assert counts(again)[0] == 0
    assert shards_indexed(again) == (0, 2)
