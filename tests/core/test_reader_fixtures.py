"""Reader behaviour, one fixture case per behaviour: story text → metadata, diagnostics, HTML."""

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from briefing.core.markdown import make_markdown
from briefing.core.story import StoryReader

from fixture_format import dump_diagnostics, dump_story

FIXTURES = Path(__file__).parents[1] / "fixtures"
READER = StoryReader()


def _cases(name):
    return [
        pytest.param(inp, exp, id=f"{line}-{title}")
        for line, title, inp, exp in read_fixture_file(FIXTURES / name)
    ]


@pytest.mark.parametrize(("text", "expected"), _cases("markdown.md"))
def test_markdown(text, expected):
    assert make_markdown().render(text) == expected


@pytest.mark.parametrize(("text", "expected"), _cases("reader.md"))
def test_reader(text, expected):
    story = READER.read_bytes(text.encode(), "story.md")
    assert dump_story(story) == expected


@pytest.mark.parametrize(("text", "expected"), _cases("diagnostics.md"))
def test_diagnostics(text, expected):
    story = READER.read_bytes(text.encode(), "story.md")
    assert dump_diagnostics(story) == expected
    assert story.ok == ("error:" not in expected)


CITATIONS_HEADER = (FIXTURES / "citations_header.yaml").read_text()
HEADER_LINES = CITATIONS_HEADER.count("\n") + 2  # the two --- fences


def _body_view(story) -> str:
    """The story's HTML without its Sources list, and its citation diagnostics by body line."""
    html = story.html.split('<section class="sources"')[0]
    notes = [
        f"! body:{d.line - HEADER_LINES}:{d.col}: {d.severity}: {d.code}: {d.message}\n"
        for d in story.diagnostics
        if d.code != "source-unused"
    ]
    return html + "".join(notes)


@pytest.mark.parametrize(("text", "expected"), _cases("citations.md"))
def test_citations(text, expected):
    story = READER.read_bytes(f"---\n{CITATIONS_HEADER}---\n{text}".encode(), "story.md")
    assert _body_view(story) == expected


@pytest.mark.parametrize(("text", "expected"), _cases("sources_list.md"))
def test_sources_list(text, expected):
    story = READER.read_bytes(text.encode(), "story.md")
    assert "<section" + story.html.split("<section", 1)[1] + dump_diagnostics(story) == expected


@pytest.mark.parametrize(("text", "expected"), _cases("sources_diagnostics.md"))
def test_sources_diagnostics(text, expected):
    story = READER.read_bytes(text.encode(), "story.md")
    assert dump_diagnostics(story) == expected
