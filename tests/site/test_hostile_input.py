"""Hostile and odd input through a whole build: no script reaches any page or feed; URL
clashes, future dates, template mistakes and odd file names are handled."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitebuild import ROOT, briefing, build, env, make_project, story

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "</title><script>x</script>",
    "' onmouseover='x",
    "<iframe src=//e>",
    "<object data=x>",
    "<embed src=x>",
    "]]></content><script>x</script>",
    "{{ 7*7 }}",
    "&lt;script&gt;",
    "\u202eevil",
    "</script><!--",
]
SAFE_URL = ("https://", "http://", "mailto:", "#", "/", "../", "./")
BAD_TAGS = {"script", "iframe", "object", "embed"}


def yaml(value: str) -> str:
    return json.dumps(value)


def assert_no_active_content(html: str, where: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        if tag.name == "script":
            # ours only: the JSON-LD block and the theme's own scripts
            assert tag.get("type") == "application/ld+json" or tag.get("src", "").endswith(
                (".js",)
            ), (where, str(tag)[:200])
            if tag.get("type") == "application/ld+json":
                json.loads(tag.string)
            continue
        assert tag.name not in BAD_TAGS, (where, str(tag)[:200])
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), (where, str(tag)[:200])
            if attr in ("href", "src", "action", "formaction"):
                assert value.startswith(SAFE_URL) or not value or ":" not in value.split("/")[0], (
                    where,
                    attr,
                    value,
                )


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(HOSTILE), min_size=6, max_size=6))
def test_no_script_reaches_any_page_or_feed(tmp_path_factory, values):
    title, summary, tag, outlet, source_title, body = values
    # a name that makes no URL part is refused (test_segments); these all make one
    tag, author = f"Desk {tag}", f"Ana {outlet}"
    project = make_project(
        tmp_path_factory.mktemp("hostile") / "site",
        content={
            "stories/x.md": (
                f"---\ntitle: {yaml(title)}\nslug: hostile\ndate: 2026-11-27T09:00:00+00:00\n"
                f"summary: {yaml(summary)}\ncategory: {yaml(tag)}\ntags: [{yaml(tag)}]\n"
                f"authors: [{yaml(author)}]\nsources:\n  a:\n    url: https://evil.example.com/x\n"
                f"    outlet: {yaml(outlet)}\n    title: {yaml(source_title)}\n"
                f"    note: {yaml(body)}\n---\n{body} (evil.example.com) [x]({body}) <{body}>\n"
            ),
        },
    )
    shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py"],
        cwd=project,
        env={**env(), "BRIEFING_SITEURL": "https://news.example.org"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    output = project / "output"
    pages = list(output.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        assert_no_active_content(page.read_text(), str(page.relative_to(output)))
    for feed in output.glob("feeds/**/*.json"):
        for item in json.loads(feed.read_text())["items"]:
            assert_no_active_content(item["content_html"], str(feed))
    import feedparser

    for feed in output.glob("feeds/**/*.xml"):
        parsed = feedparser.parse(str(feed), sanitize_html=False)
        assert parsed.bozo == 0, feed
        for entry in parsed.entries:
            for content in entry.get("content", []):
                assert_no_active_content(content.value, str(feed))


def test_two_stories_at_one_url_even_by_case_or_accent_fail_the_build(tmp_path):
    for slugs in (("tunnel", "Tunnel"), ("cafe\u0301", "caf\u00e9")):
        project = make_project(
            tmp_path / slugs[1],
            content={
                "stories/a.md": story("A", extra=f"slug: {yaml(slugs[0])}\n"),
                "stories/b.md": story("B", extra=f"slug: {yaml(slugs[1])}\n"),
            },
        )
        result = build(project)
        assert result.returncode == 1, slugs
        assert "content/stories/b.md:2:8: error: url-collision: this story would be written to" in (
            result.stderr
        ), result.stderr
        assert not (project / "output").exists()


def test_a_title_with_nothing_left_for_a_url_needs_a_slug(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/x.md": story(yaml("<img src=x onerror=alert(1)>")),
        },
    )
    result = build(project)
    assert result.returncode == 1
    assert "content/stories/x.md:2:8: error: slug-invalid: the title gives no slug" in (
        result.stderr
    )
    assert "Traceback" not in result.stdout + result.stderr


def test_future_story_is_held_back_until_its_date(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/now.md": story("Out now"),
            "stories/later.md": story("Embargoed", date="2099-01-01T09:00:00+00:00"),
        },
    )
    assert build(project).returncode == 0
    index = (project / "output" / "index.html").read_text()
    assert "Out now" in index and "Embargoed" not in index
    assert not (project / "output" / "2099").exists()


def test_an_undefined_template_variable_names_the_template_and_line(tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    page = theme / "templates" / "404.html"
    lines = page.read_text().splitlines()
    lines.insert(3, "{{ no_such_variable }}")
    page.write_text("\n".join(lines) + "\n")
    project = make_project(
        tmp_path / "site", example_content=True, settings=f"THEME = {str(theme)!r}"
    )
    built = build(project)
    assert built.returncode == 1
    out = built.stdout + built.stderr
    assert "404.html:4: template error: 'no_such_variable' is undefined" in " ".join(out.split())
    assert not (project / "output").exists()


def test_file_names_with_spaces_and_unicode_build(tmp_path):
    project = make_project(
        tmp_path / "site",
        content={
            "stories/Café crème story.md": story("Café crème"),
            "stories/日本 news.md": story("Tokyo notes", date="2026-11-26T09:00:00+00:00"),
        },
    )
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert (project / "output" / "2026" / "11" / "27" / "cafe-creme" / "index.html").exists()
    check = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "check"],
        cwd=project,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_front_matter_nested_past_any_recursion_fails_that_story_alone(tmp_path):
    """A thousand levels (past Python's recursion limit) and five hundred (past pickling's
    in the caches): a located error for that story, none for another, no traceback."""
    for depth in (1000, 500):
        deep = "x: " + "{a: " * depth + "1" + "}" * depth
        project = make_project(
            tmp_path / str(depth),
            example_content=True,
            content={"stories/deep.md": f"---\ntitle: Deep\ndate: 2026-11-27\n{deep}\n---\n"},
        )
        for result in (build(project), briefing(project, "check")):
            shown = result.stdout + result.stderr
            assert result.returncode == 1, shown
            assert "Traceback" not in shown and "Could not process" not in shown
            assert "content/stories/deep.md:4:80: error: nesting-too-deep:" in shown
            assert "1 error in 1 file" in shown, shown  # the other files are fine


def test_fatal_warnings_and_strict_fail_on_any_warning_with_the_summary(tmp_path):
    def project(name: str, settings: str = ""):
        return make_project(
            tmp_path / name,
            settings=settings,
            content={
                "stories/x.md": story(
                    "Warned",
                    body="Text (a.example.com) and ![](map.png).\n",
                    extra="sources:\n  a: https://a.example.com/x\n  b: https://b.example.com/y\n",
                )
            },
        )

    assert build(project("plain")).returncode == 0  # warnings alone pass a plain build
    for site, args in (
        (project("fatal"), ("--fatal", "warnings")),
        (project("strict", "BRIEFING_STRICT = True"), ()),
    ):
        result = build(site, *args)
        shown = result.stdout + result.stderr
        assert result.returncode == 1, shown
        assert "Traceback" not in shown
        assert "content/stories/x.md:6:3: warning: source-unused" in shown
        # Briefing's warning and Pelican's (an image without alt text) are both counted
        assert "briefing: 0 errors, 2 warnings (1 logged by Pelican or a plugin)" in shown
        assert "a strict build fails on warnings" in " ".join(shown.split())
        assert not (site / "output").exists()


def test_slugs_topics_and_sections_are_one_safe_url_segment(tmp_path):
    bad_slugs = ["a/b", "/etc/escape", "a?b#c", ".", "..", "x" * 300, "a\\\\b", "a b"]
    content = {
        f"stories/s{i}.md": story(f"Story {i}", extra=f"slug: {yaml(slug)}\n")
        for i, slug in enumerate(bad_slugs)
    }
    content["stories/long.md"] = story("Headline " * 20)
    content["stories/tags.md"] = story("Tags", extra='tags: [ok, "???"]\ncategory: "!?"\n')
    content["stories/fine.md"] = story("Fine")
    project = make_project(tmp_path / "site", content=content)
    for result in (build(project), briefing(project, "check")):
        shown = result.stdout + result.stderr
        assert result.returncode == 1
        for i in range(len(bad_slugs)):
            assert f"content/stories/s{i}.md:4:7: error: slug-invalid: slug " in shown, i
        assert (
            "content/stories/long.md:2:8: error: slug-invalid: the title makes the slug "
            "'headline-headline" in shown
        )
        assert 'set slug: "headline-' in shown
        assert "content/stories/tags.md:4:12: error: topic-invalid: the topic '???'" in shown
        assert "content/stories/tags.md:5:11: error: section-invalid: the section '!?'" in shown
        assert "fine.md" not in shown
        assert "Traceback" not in shown and "WARNING" not in shown
    assert not (project / "output").exists()
