"""The email edition's own parts: a story's plain text made from its Markdown, and a
message no story can add a header to."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

from briefing.core import edition
from briefing.core.markdown import make_markdown
from briefing.core.sources import Source
from briefing.core.urls import host_of

MD = make_markdown()
BASE = "https://news.example.org/2026/11/27/tunnel/"


def _source(key: str, url: str, **fields) -> Source:
    return Source(key=key, url=url, host=host_of(url), **fields)


SOURCES = [
    _source("reuters", "https://www.reuters.com/world/tunnel-opens", outlet="Reuters",
            title="Harbour tunnel opens to traffic", archived="https://web.archive.org/web/2026/x"),
    _source("cnbc", "https://www.cnbc.com/2026/11/27/tunnel-tolls.html", outlet="CNBC"),
]  # fmt: skip


def text(body: str, sources=SOURCES) -> tuple[str, str]:
    return edition.story_text(MD, body, sources, base_url=BASE)


def test_citations_become_numbers_in_order_of_first_citation():
    body, listing = text(
        "The tunnel opened on Monday (cnbc.com), with tolls (reuters.com, cnbc.com). "
        "Later [@reuters].\n"
    )
    assert body == ("The tunnel opened on Monday [1], with tolls [2, 1]. Later [2].")
    assert listing.splitlines() == [
        "[1] CNBC",
        "    https://www.cnbc.com/2026/11/27/tunnel-tolls.html",
        "[2] Reuters: Harbour tunnel opens to traffic",
        "    https://www.reuters.com/world/tunnel-opens",
        "    Archived copy: https://web.archive.org/web/2026/x",
    ]


def test_text_is_wrapped_at_72_columns_without_breaking_an_address():
    long_url = "https://example.org/" + "a" * 90
    body, _ = text(
        ("Word " * 60) + f"and [a link]({long_url}) (cnbc.com), (reuters.com).\n\n"
        "> A quote that goes on " + "and on " * 15 + "\n\n"
        "- first item that is long enough " + "to wrap " * 10 + "\n- second\n\n"
        "1. one\n2. two\n\n"
        "```\ncode  keeps   its spacing\n```\n"
    )
    lines = body.splitlines()
    assert all(len(line) <= 72 for line in lines if long_url not in line), body
    assert any(line.strip() == f"<{long_url}>" or line.endswith(f"<{long_url}>") for line in lines)
    assert f"a link <{long_url}>" in " ".join(body.split())  # the words, then the address
    quoted = [line for line in lines if "and on" in line]
    assert len(quoted) == 2 and all(line.startswith("> ") for line in quoted)
    assert "- first item" in body and "\n  to wrap" in body and "\n- second" in body
    assert "\n- second\n\n1.  one\n2.  two" in body
    assert "    code  keeps   its spacing" in body
    assert "<" not in body.replace(f"<{long_url}>", "")  # no HTML


def test_relative_and_site_links_are_made_absolute():
    body, _ = edition.story_text(
        MD,
        "See [the map](../map/) and [the earlier story]({filename}/stories/old.md) (cnbc.com).\n",
        SOURCES,
        base_url=BASE,
        resolve=lambda href: "https://news.example.org/old/" if "old.md" in href else None,
    )
    flat = " ".join(body.split())
    assert "the map <https://news.example.org/2026/11/27/map/>" in flat
    assert "the earlier story <https://news.example.org/old/>" in flat


def test_a_header_value_keeps_to_one_line():
    hostile = "Budget passes\r\nBcc: everyone@example.org\nX-Evil: 1"
    assert edition.header_text(hostile) == "Budget passes Bcc: everyone@example.org X-Evil: 1"


def test_message_is_multipart_alternative_and_the_same_each_time():
    envelope = edition.Envelope(
        subject="The Briefing: Tunnel opens\r\nBcc: x@evil.example",
        sender="The Briefing <desk@news.example.org>",
        date=dt.datetime(2026, 11, 27, 7, 30, tzinfo=dt.UTC),
        message_id=edition.message_id("https://news.example.org", dt.date(2026, 11, 27)),
        unsubscribe="https://news.example.org/unsubscribe",
    )
    one = edition.compose(envelope, "Plain – text", "<p>HTML – text</p>", to="a@b.example")
    two = edition.compose(envelope, "Plain – text", "<p>HTML – text</p>", to="a@b.example")
    assert one.as_bytes() == two.as_bytes()
    parsed = email.message_from_bytes(one.as_bytes(), policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parsed.iter_parts())
    assert parsed.get_body(("plain",)).get_content().strip() == "Plain – text"
    assert "Bcc" not in parsed and "X-Evil" not in parsed
    assert parsed["Subject"] == "The Briefing: Tunnel opens Bcc: x@evil.example"
    assert parsed["List-Unsubscribe"] == "<https://news.example.org/unsubscribe>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Message-ID"] == edition.message_id(
        "https://news.example.org/", dt.date(2026, 11, 27)
    )
    assert parsed["Message-ID"] != edition.message_id(
        "https://other.example.org", dt.date(2026, 11, 27)
    )
