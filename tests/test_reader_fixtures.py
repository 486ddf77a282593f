"""Reader behaviour, one fixture case per behaviour: story text → metadata, diagnostics, HTML."""

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from briefing.markdown import make_markdown
from briefing.story import StoryReader

from fixture_format import dump_diagnostics, dump_story

FIXTURES = Path(__file__).parent / "fixtures"
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
