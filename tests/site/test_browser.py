"""The built site in a real browser (Debian's Chromium driven by Playwright), the Nu HTML
checker and an offline link check, over a site of a few weeks of stories."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tools import need_axe, need_chromium, need_lychee, need_vnu

from sitebuild import ROOT, build, make_project, write

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate  # noqa: E402

SCREENSHOTS = ROOT / "screenshots"
STORY = "/2026/11/29/city-publishes-its-open-data-portal/"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The example site plus 40 generated stories over the weeks before it, and one from
    May (so the search index has two quarters' bundles, and with an alias, so the checks
    of every file see a redirect page), built once."""
    project = make_project(tmp_path_factory.mktemp("browser") / "site", example_content=True)
    start = dt.datetime(2026, 10, 20, 6, 0, tzinfo=dt.UTC)
    generate(project / "content" / "stories" / "generated", 40, seed=7, start=start)
    write(
        project / "content" / "stories" / "2026-05-12-airship.md",
        "---\ntitle: An airship returns to the harbour\ndate: 2026-05-12T09:00:00+01:00\n"
        "category: City\ntags: [harbour]\naliases: [2026/05/12/zeppelin/]\n"
        "sources:\n  gazette:\n"
        "    url: https://harbourgazette.example/2026/05/12/airship\n"
        "    outlet: The Harbour Gazette\n---\n"
        "A zeppelin moored at the old pier for the first time in ninety years "
        "(harbourgazette.example).\n",
    )
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project / "output"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def _offline(context, base):
    """Every request that is not to our server gets a stand-in page, never the network."""

    def handle(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            route.fulfill(
                status=200,
                content_type="text/html",
                body="<!doctype html><title>Source</title><p>external source",
            )

    context.route("**/*", handle)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    _offline(context, server)
    yield context.new_page()
    context.close()


def page_types(site: Path) -> dict[str, str]:
    def first(pattern: str) -> str:
        match = sorted(site.glob(pattern))[0]
        return "/" + match.parent.relative_to(site).as_posix() + "/"

    return {
        "front page": "/",
        "front page, an older page": "/page/1/",
        "day": "/2026/11/28/",
        "story": STORY,
        "corrected story": "/2026/11/27/harbour-tunnel-opens-two-months-early/",
        "corrections": "/corrections/",
        "year": "/2026/",
        "month": "/2026/11/",
        "archive": "/archive/",
        "sections": "/sections/",
        "section": first("section/*/index.html"),
        "topics": "/topics/",
        "topic": first("topic/*/index.html"),
        "outlets": "/sources/",
        "outlet": "/sources/techledger.example/",
        "authors": "/authors/",
        "author": first("author/*/index.html"),
        "about page": "/about/",
        "search": "/search/",
        "404": "/404.html",
    }


def test_every_page_type_exists(site):
    for name, path in page_types(site).items():
        target = site / path.lstrip("/")
        assert (target / "index.html" if path.endswith("/") else target).is_file(), name


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_violations_on_any_page_type(browser, server, site, scheme):
    axe = need_axe().read_text()
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1100, "height": 900})
    _offline(context, server)
    page = context.new_page()
    failures = {}
    for name, path in page_types(site).items():
        page.goto(server + path)
        if name == "search":
            page.wait_for_selector(".pagefind-ui__search-input")
        page.add_script_tag(content=axe)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
        )
        if result["violations"]:
            failures[name] = [
                (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]
            ]
    context.close()
    assert failures == {}, json.dumps(failures, indent=1)


def test_a_citation_link_leads_to_its_source(page, server):
    page.goto(server + STORY)
    link = page.locator("a.citation").first
    href = link.get_attribute("href")
    assert href == "https://techledger.example/civic/open-data-portal"
    link.click()
    page.wait_for_url(href)
    assert page.title() == "Source"


def test_citation_card_shows_on_keyboard_focus(page, server):
    page.goto(server + STORY)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('citation')"):
            break
    else:
        pytest.fail("no citation reached with the Tab key")
    card = page.evaluate("getComputedStyle(document.activeElement, '::after').content")
    assert "Tech Ledger: Port Allan opens its data" in card
    display = page.evaluate("getComputedStyle(document.activeElement, '::after').display")
    assert display != "none"


def test_citation_card_shows_on_first_tap_and_second_tap_follows(browser, server):
    context = browser.new_context(
        has_touch=True, is_mobile=True, viewport={"width": 390, "height": 844}
    )
    _offline(context, server)
    page = context.new_page()
    page.goto(server + STORY)
    link = page.locator("a.citation").first
    link.tap()
    assert page.url == server + STORY
    assert "is-open" in link.get_attribute("class")
    card = link.evaluate("el => getComputedStyle(el, '::after').content")
    assert "Tech Ledger" in card
    link.tap()
    page.wait_for_url("https://techledger.example/civic/open-data-portal")
    context.close()


def test_search_finds_a_story_by_a_word_from_its_body(page, server):
    page.goto(server + "/search/")
    page.fill(".pagefind-ui__search-input", "punctuality")
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for()
    assert first.get_attribute("href").endswith(STORY)
    assert first.inner_text() == "City publishes its open-data portal"
    # the filter panel fills in as Pagefind loads each filter: wait for all three
    page.wait_for_function(
        "document.querySelectorAll('.pagefind-ui__filter-name').length >= 3", timeout=15000
    )
    filters = page.locator(".pagefind-ui__filter-name").all_inner_texts()
    assert {"section", "topic", "outlet"} <= {f.strip().lower() for f in filters}


def test_search_finds_a_story_in_an_older_quarter_of_the_index(page, server, site):
    """The May story lives in its own bundle (2026-q2), merged into the newest one."""
    assert sorted(p.name for p in (site / "pagefind").iterdir()) == ["2026-q2", "2026-q4"]
    page.goto(server + "/search/")
    page.fill(".pagefind-ui__search-input", "zeppelin")
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for()
    assert first.get_attribute("href").endswith("/2026/05/12/an-airship-returns-to-the-harbour/")
    assert page.locator(".pagefind-ui__result-link").count() == 1


def test_a_word_from_one_bundle_ranks_above_another_bundles_nearest_word(page, server):
    """ "airship" is only in the May story (2026-q2); the November bundle, without it,
    answers with "air" (Pagefind's nearest shorter word), which must not come first."""
    page.goto(server + "/search/")
    page.fill(".pagefind-ui__search-input", "airship")
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for()
    assert first.get_attribute("href").endswith("/2026/05/12/an-airship-returns-to-the-harbour/")


def test_with_javascript_off_stories_read_and_search_says_why(browser, server):
    context = browser.new_context(java_script_enabled=False)
    _offline(context, server)
    page = context.new_page()
    page.goto(server + "/search/")
    assert "Search needs JavaScript" in page.inner_text("main")
    page.goto(server + STORY)
    assert "Port Allan launched an open-data portal" in page.inner_text("main")
    assert page.locator(".sources li").count() == 1
    context.close()


def test_screenshots_front_page_and_story_light_and_dark(browser, server):
    SCREENSHOTS.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        for width, device in ((1280, "desktop"), (390, "phone")):
            context = browser.new_context(
                color_scheme=scheme, viewport={"width": width, "height": 900}
            )
            _offline(context, server)
            page = context.new_page()
            for name, path in (("front", "/"), ("story", STORY)):
                page.goto(server + path)
                out = SCREENSHOTS / f"{name}-{device}-{scheme}.png"
                page.screenshot(path=str(out))
                assert out.stat().st_size > 10_000
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{name} scrolls sideways on a {device}"
            context.close()


def test_nu_html_checker_finds_no_errors(site):
    vnu = need_vnu()
    result = subprocess.run(
        [*vnu, "--skip-non-html", "--errors-only", "--format", "gnu", str(site)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout + result.stderr == ""


def test_no_broken_internal_links_or_fragments(site):
    lychee = need_lychee()
    result = subprocess.run(
        [
            lychee,
            "--offline",
            "--include-fragments",
            "--index-files",
            "index.html",
            "--no-progress",
            "--root-dir",
            str(site),
            str(site),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b0 Errors\b", result.stdout + result.stderr), result.stdout


def test_the_site_works_from_a_copy_anywhere(site, tmp_path):
    """RELATIVE_URLS: the development build opens from any folder."""
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)
    index = (copy / "index.html").read_text()
    assert 'href="./theme/css/main.css"' in index or 'href="theme/css/main.css"' in index


def test_search_filters_work_across_the_merged_bundles(page, server):
    """Pagefind's own API over the rewritten (canonical) filter files: filtering by a
    section returns only that section's stories, from both quarters' bundles."""
    page.goto(server + "/search/")
    result = page.evaluate(
        """async () => {
          const pf = await import("/pagefind/2026-q4/pagefind.js");
          await pf.options({ baseUrl: "/" });
          await pf.mergeIndex("/pagefind/2026-q2/");
          const all = await pf.search("harbour");
          const city = await pf.search("harbour", { filters: { section: "City" } });
          const data = await Promise.all(city.results.map((r) => r.data()));
          const filters = await pf.filters();
          return {
            all: all.results.length,
            city: data.map((d) => [d.url, d.filters.section]),
            sections: Object.keys(filters.section || {}),
          };
        }"""
    )
    assert 0 < len(result["city"]) < result["all"]
    assert all(section == ["City"] for _, section in result["city"])
    assert any(url.startswith("/2026/05/") for url, _ in result["city"])  # the older bundle
    assert {"City", "Energy"} <= set(result["sections"])


def test_screenshots_of_the_email_edition_at_600_and_375_pixels_light_and_dark(browser, tmp_path):
    """The example site's 28 November edition, as a mail client at full width and a phone
    would show it, into docs/screenshots/ (docs/email.md shows them)."""
    project = make_project(tmp_path / "site", example_content=True)
    shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
    made = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "email", "build", "2026-11-28",
         "-s", "publishconf.py", "--out", "edition"],
        cwd=project, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    edition = (project / "edition" / "2026-11-28.html").as_uri()
    shots = ROOT / "docs" / "screenshots"
    backgrounds = {}
    for scheme in ("light", "dark"):
        for width in (600, 375):
            context = browser.new_context(
                color_scheme=scheme, viewport={"width": width, "height": 900}
            )
            context.route("http*://**/*", lambda route: route.abort())  # a mail loads nothing
            page = context.new_page()
            page.goto(edition)
            out = shots / f"email-{width}-{scheme}.png"
            page.screenshot(path=str(out), full_page=True)
            assert out.stat().st_size > 10_000
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"the edition scrolls sideways at {width} pixels"
            backgrounds[scheme] = page.evaluate(
                "getComputedStyle(document.querySelector('.frame')).backgroundColor"
            )
            assert page.locator(".headline").count() == 2
            context.close()
    assert backgrounds["light"] != backgrounds["dark"]  # dark mode is honoured
