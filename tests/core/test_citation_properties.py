"""Property tests of the citation parser: never crashes, one error per undefined citation,
and no source field can put markup on the page."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from briefing.core.story import StoryReader

READER = StoryReader()
HEADER = (Path(__file__).parents[1] / "fixtures" / "citations_header.yaml").read_text()
BODY_START = HEADER.count("\n") + 3  # file line of the first body line
FAST = settings(suppress_health_check=[HealthCheck.too_slow])  # examples: the profile


def read_body(body: str):
    return READER.read_bytes(f"---\n{HEADER}---\n{body}".encode(), "story.md")


FRAGMENTS = list("()[]@;,.\\`*_~#>-|!:<&/ \n\tabcmo0123456789") + [
    "cnbc.com", "about.fb.com", "ai.meta.com", "www.", "@cnbc", "@ads", "[@", "](",
    "http://", "reuters.com", "\u00e9", "\u202e", "    ", "\n\n", "```",
]  # fmt: skip
markdownish = st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join) | st.text(max_size=200)


@FAST
@given(markdownish)
def test_parser_never_crashes(body):
    story = read_body(body)
    assert story.html is not None
    last_line = BODY_START + body.count("\n")
    for d in story.diagnostics:
        if d.code.startswith(("citation-", "nesting-")):  # about the body: inside it
            assert BODY_START <= d.line <= last_line and d.col >= 1, d


DEFINED = [
    "(cnbc.com)",
    "[@cnbc]",
    "(ai.meta.com, cnbc.com)",
    "(about.fb.com@ads)",
    "[@llama; @ads]",
    "(about.fb.com, about.fb.com)",
]
WORDS = ["Markets", "rose", "on", "Tuesday.", "said", "the", "minister", "(see below)", "(2024)"]


@st.composite
def body_with_undefined(draw):
    """Words, defined citations and undefined ones; returns the body and where each
    undefined citation starts (1-based body line and column)."""
    lines, expected = [], []
    for line_no in range(1, draw(st.integers(1, 4)) + 1):
        parts, col = [], 1
        for _ in range(draw(st.integers(1, 8))):
            kind = draw(st.sampled_from(["word", "defined", "host", "key"]))
            if kind == "word":
                text = draw(st.sampled_from(WORDS))
            elif kind == "defined":
                text = draw(st.sampled_from(DEFINED))
            elif kind == "host":
                text = f"(missing{draw(st.integers(0, 99))}.com)"
            else:
                text = f"[@missing{draw(st.integers(0, 99))}]"
            if kind in ("host", "key"):
                expected.append((line_no, col))
            parts.append(text)
            col += len(text) + 1
        lines.append(" ".join(parts))
    return "\n".join(lines) + "\n", expected


@FAST
@given(body_with_undefined())
def test_every_undefined_citation_is_one_error_at_its_position(case):
    body, expected = case
    story = read_body(body)
    found = [
        (d.line - BODY_START + 1, d.col)
        for d in story.diagnostics
        if d.code in ("citation-undefined-host", "citation-undefined-key")
    ]
    assert sorted(found) == sorted(expected)
    others = [
        d
        for d in story.diagnostics
        if d.severity.name == "ERROR"
        and d.code not in ("citation-undefined-host", "citation-undefined-key")
    ]
    assert others == []


hostile = st.one_of(
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "' onmouseover='x",
            "</a><iframe src=//evil>",
            "<svg onload=alert(1)>",
            "javascript:alert(1)",
            "&lt;script&gt;",
            "\u202e\u2066evil",
            "]]><!--",
            "{{ 7*7 }}",
            "{% raw %}",
        ]
    ),
    st.text(max_size=40),
)
ALLOWED_TAGS = {"a", "section", "h2", "ol", "li", "span", "cite", "time", "p"}


@FAST
@given(outlet=hostile, title=hostile, note=hostile, path=hostile)
def test_no_source_field_injects_markup(outlet, title, note, path):
    assume("\x00" not in outlet + title + note + path)
    url = "https://evil.example.com/" + path
    fm = (
        "title: T\ndate: 2026-11-27T09:00:00+00:00\nsources:\n  x:\n"
        f"    url: {json.dumps(url)}\n    outlet: {json.dumps(outlet)}\n"
        f"    title: {json.dumps(title)}\n    note: {json.dumps(note)}\n"
    )
    story = READER.read_bytes(f"---\n{fm}---\nSaid (evil.example.com).\n".encode(), "s.md")
    assume(story.html is not None)
    soup = BeautifulSoup(story.html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in ALLOWED_TAGS, tag
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), tag
            if attr == "href":
                assert value.startswith(("https://evil.example.com/", "#")), tag
    # each field shows up as text, exactly as written
    text = soup.get_text()
    if story.ok:
        for field in (outlet.strip(), title.strip(), note.strip()):
            assert field in text or field in str(soup.find("a", class_="citation")["data-card"])
