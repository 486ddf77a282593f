"""Adding fields to one source of a story (core/sourceedit.py): the added lines and not
one other byte."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.core.sourceedit import EditRefused, add_fields

COPY = "https://web.archive.org/web/20261120090000/https://news.example/a?x=1&y=2#top"
ADD = [("archived", COPY), ("dead", "2026-12-01")]


def added(before: bytes, after: bytes) -> list[bytes]:
    """The lines of ``after`` that are not in ``before``, given ``before``'s lines are all
    in ``after`` in order (else the test fails)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    extra, i = [], 0
    for line in new:
        if i < len(old) and line == old[i]:
            i += 1
        else:
            extra.append(line)
    assert i == len(old), "a line of the story was changed or lost"
    return extra


def test_a_mapping_source_gets_lines_after_its_last_field():
    before = (
        b"---\ntitle: T  # the headline\nsources:\n  # comment\n  a:\n    url: https://a.example/x\n"
        b"    title: >\n      folded\n      text\n\n  b:\n    url: https://b.example/y\n---\nBody\n"
    )
    after = add_fields(before, "a", ADD)
    assert added(before, after) == [f"    archived: {COPY}\n".encode(), b"    dead: 2026-12-01\n"]
    assert after.index(b"dead: 2026-12-01") < after.index(b"\n\n  b:")


def test_the_last_source_before_a_comment_and_the_fence():
    before = b"---\nsources:\n  a:\n      url: https://a.example/x\n# end\n---\nBody\n"
    after = add_fields(before, "a", [("archived", COPY)])
    assert after == before.replace(b"x\n# end", f"x\n      archived: {COPY}\n# end".encode())


def test_crlf_and_a_byte_order_mark_are_kept():
    before = b"\xef\xbb\xbf---\r\nsources:\r\n  a:\r\n    url: https://a.example/x\r\n---\r\nB\r\n"
    after = add_fields(before, "a", [("archived", COPY)])
    assert after.startswith(b"\xef\xbb\xbf")
    assert added(before, after) == [f"    archived: {COPY}\r\n".encode()]


def test_the_short_form_becomes_a_mapping_keeping_its_comment_and_quotes():
    before = b"---\nsources:\n    a: 'https://a.example/x'   # the wire\n---\nBody\n"
    after = add_fields(before, "a", [("archived", COPY)])
    assert after == (
        b"---\nsources:\n    a:\n        url: 'https://a.example/x'   # the wire\n"
        + f"        archived: {COPY}\n".encode()
        + b"---\nBody\n"
    )  # indented as the file indents (4 here)


def test_the_list_form():
    before = b"---\nsources:\n- id: a\n  url: https://a.example/x\n- id: b\n  url: https://b.example/y\n---\n"
    after = add_fields(before, "a", [("archived", COPY)])
    assert added(before, after) == [f"  archived: {COPY}\n".encode()]
    assert after.index(b"archived") < after.index(b"- id: b")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\nsources:\n  a: {url: 'https://a.example/x'}\n---\n", "flow style"),
        ("---\nsources:\n  a:\n    url: https://a.example/x\n    archived: https://c.example/\n---\n",
         "already has 'archived'"),
        ("---\nsources:\n  b: https://b.example/\n---\n", "no source 'a'"),
        ("Title: T\nSources: https://a.example/x\n\nBody\n", "only in YAML front matter"),
        ("---\nsources:\n  a:\n    url: https://a.example/x\r---\n", "lone CR"),
    ],
)  # fmt: skip
def test_refused_with_a_reason(text, reason):
    with pytest.raises(EditRefused, match=reason):
        add_fields(text.encode(), "a", [("archived", COPY)])


def test_a_value_yaml_would_misread_is_quoted():
    before = b"---\nsources:\n  a:\n    url: https://a.example/x\n---\n"
    after = add_fields(before, "a", [("archived", "https://c.example/x #1")])
    assert b'    archived: "https://c.example/x #1"\n' in after


keys = st.sampled_from(["wire", "union", "a_1", "x.y"])
comments = st.sampled_from(["", "  # note", "    # another: one"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(keys, st.booleans(), comments), min_size=1, max_size=4, unique_by=lambda t: t[0]
    ),
    st.integers(min_value=0, max_value=3),
    st.sampled_from([2, 4]),
    st.booleans(),
)
def test_any_story_changes_only_by_the_added_lines(sources, pick, indent, crlf):
    pad = " " * indent
    lines = ["---", "title: Any  # kept", "sources:"]
    for key, short, comment in sources:
        url = f"https://{key}.example/p"
        if short:
            lines.append(f"{pad}{key}: {url}{comment}")
        else:
            lines += [f"{pad}{key}:{comment}", f"{pad * 2}url: {url}", f"{pad * 2}outlet: O"]
    lines += ["topics: [a]", "---", "Body."]
    eol = "\r\n" if crlf else "\n"
    before = (eol.join(lines) + eol).encode()
    key, short, comment = sources[pick % len(sources)]
    after = add_fields(before, key, [("archived", COPY)])
    if short:  # the one line that changes: key: URL → key: / url: URL
        before = before.replace(
            f"{pad}{key}: https://{key}.example/p{comment}{eol}".encode(),
            f"{pad}{key}:{eol}{pad * 2}url: https://{key}.example/p{comment}{eol}".encode(),
        )
    assert added(before, after) == [f"{pad * 2}archived: {COPY}{eol}".encode()]
