"""The citation plugin on a bare ``MarkdownIt``, with no Pelican and no story reader: one
fixture case per behaviour (``tests/fixtures/citations_plugin.md``), as mdit-py-plugins
tests its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.utils import read_fixture_file

from briefing.core.citations import PROBLEMS, SOURCES, citations_plugin
from briefing.core.sources import Source
from briefing.core.urls import host_of

FIXTURES = Path(__file__).parents[1] / "fixtures"


def source(key: str, url: str, outlet: str | None = None, title: str | None = None) -> Source:
    return Source(key=key, url=url, host=host_of(url), outlet=outlet, title=title)


SOURCE_LIST = [
    source("cnbc", "https://www.cnbc.com/2026/11/26/markets.html", "CNBC", "Markets close higher"),
    source("llama", "https://about.fb.com/news/llama/"),
    source("ads", "https://about.fb.com/news/ads/"),
]
MD = MarkdownIt("commonmark").use(citations_plugin)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(inp, exp, id=f"{line}-{title}")
        for line, title, inp, exp in read_fixture_file(FIXTURES / "citations_plugin.md")
    ],
)
def test_citations_plugin(text, expected):
    env = {SOURCES: SOURCE_LIST}
    html = MD.render(text, env).split("<section", 1)[0]  # then the Sources list
    problems = "".join(f"! {y}:{x}: {code}: {m}\n" for y, x, code, m in env.get(PROBLEMS, []))
    assert html + problems == expected


def test_the_sources_list_numbers_sources_by_first_citation_with_links_back():
    env = {SOURCES: SOURCE_LIST}
    html = MD.render("Keys [@ads] then (cnbc.com), and [@ads] again.", env)
    listed = html.split('<ol class="sources__list">', 1)[1]
    assert listed.index("news/ads/") < listed.index("cnbc.com/2026") < listed.index("news/llama/")
    assert 'href="#cite-1"' in listed and 'href="#cite-3"' in listed  # both citations of ads
