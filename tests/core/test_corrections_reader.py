"""A story's corrections as the reader takes them: each problem at its entry, the texts
rendered with the story's sources, ``modified`` following the newest entry, and
``briefing correct``'s edit adding one entry and nothing else."""

from __future__ import annotations

import pytest

from briefing.core.correctionedit import append_correction
from briefing.core.sourceedit import EditRefused
from briefing.core.story import StoryReader

HEAD = """---
title: Tunnel opens
date: 2026-11-27T07:30:00+00:00
sources:
  gazette:
    url: https://harbourgazette.example/a
    outlet: The Harbour Gazette
"""
BODY = "---\nThe tunnel opened (harbourgazette.example).\n"


def read(corrections: str, extra: str = ""):
    story = StoryReader().read_bytes((HEAD + extra + corrections + BODY).encode(), "s.md")
    return story, [(d.line, d.col, str(d.severity), d.code) for d in story.diagnostics]


def test_entries_are_rendered_with_the_storys_sources_and_date_modified():
    story, found = read(
        "corrections:\n"
        "  - date: 2026-11-27T10:00:00+00:00\n"
        "    text: The toll is 2.40, not 2.60 (harbourgazette.example).\n"
        "  - date: 2026-11-28T09:15:00+01:00\n"
        "    kind: update\n"
        "    text: The second bore opens in March [@gazette].\n"
    )
    assert found == []
    entries = story.metadata["corrections"]
    assert [(c.kind, c.date.isoformat()) for c in entries] == [
        ("correction", "2026-11-27T10:00:00+00:00"),
        ("update", "2026-11-28T09:15:00+01:00"),
    ]
    assert 'href="https://harbourgazette.example/a"' in entries[1].html
    assert entries[0].plain == "The toll is 2.40, not 2.60 (harbourgazette.example)."
    assert story.metadata["modified"].isoformat() == "2026-11-28T09:15:00+01:00"
    # the section after the body: newest first, kind and date, anchored
    section = story.html.split('<section class="corrections"', 1)[1]
    assert section.index("correction-2") < section.index("correction-1")
    assert '<span class="correction__kind">Update</span>' in section
    assert '<time datetime="2026-11-28T09:15:00+01:00">28 November 2026, 09:15</time>' in section
    assert story.html.index('class="sources"') < story.html.index('class="corrections"')


def test_a_given_modified_stays_and_one_before_the_story_is_an_error():
    story, found = read(
        "corrections:\n  - date: 2026-11-27T10:00:00+00:00\n    text: Fixed a name.\n",
        extra="modified: 2026-11-29T08:00:00+00:00\n",
    )
    assert found == [] and story.metadata["modified"].isoformat() == "2026-11-29T08:00:00+00:00"
    _, found = read("", extra="modified: 2026-11-26T08:00:00+00:00\n")
    assert found == [(8, 11, "error", "modified-before-date")]


@pytest.mark.parametrize(
    "entry, expected",
    [
        ("  - date: 2026-11-26T10:00:00+00:00\n    text: Too early.\n", (9, 11, "correction-date")),
        ("  - date: 2026-11-28\n    text: No time.\n", (9, 11, "date-invalid")),
        ("  - date: 2026-11-28T10:00:00\n    text: No offset.\n", (9, 11, "date-invalid")),
        ("  - date: 2026-11-28T10:00:00+00:00\n    text: ''\n", (10, 11, "correction-invalid")),
        ("  - date: 2026-11-28T10:00:00+00:00\n", (9, 5, "correction-invalid")),
        (
            "  - date: 2026-11-28T10:00:00+00:00\n    text: x\n    kind: erratum\n",
            (11, 11, "correction-invalid"),
        ),
        (
            "  - date: 2026-11-28T10:00:00+00:00\n    text: x\n    by: me\n",
            (11, 5, "correction-invalid"),
        ),
        (
            "  - date: 2026-11-28T10:00:00+00:00\n    text: Says [@nobody].\n",
            (10, 11, "citation-undefined-key"),
        ),
        ("  - just text\n", (9, 5, "correction-invalid")),
    ],
)
def test_each_problem_is_an_error_at_its_entry(entry, expected):
    story, found = read("corrections:\n" + entry)
    assert [(line, col, code) for line, col, severity, code in found if severity == "error"] == [
        expected
    ]
    assert "corrections" not in story.metadata or not story.ok


def test_entries_out_of_order_are_a_warning():
    _, found = read(
        "corrections:\n"
        "  - date: 2026-11-28T10:00:00+00:00\n    text: Second.\n"
        "  - date: 2026-11-27T10:00:00+00:00\n    text: First.\n"
    )
    assert found == [(11, 11, "warning", "correction-order")]


def test_not_a_list_is_an_error():
    _, found = read("corrections: Fixed a typo.\n")
    assert found == [(8, 14, "error", "correction-invalid")]


ENTRY = {"date": "2026-11-28T09:00:00+00:00", "text": 'The toll is £2: "not £3".'}


def test_append_keeps_every_other_byte_and_reads_back():
    original = (
        "\ufeff---\r\ntitle: 'Tunnel opens'   # the headline\r\n"
        "date: 2026-11-27T07:30:00+00:00\r\ncorrections:\r\n"
        "- date: 2026-11-27T10:00:00+00:00   # first\r\n"
        "  text: >-\r\n    Folded text\r\n    on two lines.\r\n"
        "tags: [a, b]\r\n---\r\nBody.\r\n"
    ).encode()
    out, added = append_correction(original, {**ENTRY, "kind": "update"})
    assert added == [
        "- date: 2026-11-28T09:00:00+00:00",
        '  text: "The toll is £2: \\"not £3\\"."',
        "  kind: update",
    ]
    # the lines inserted after the last entry, nothing else changed
    text = out.decode("utf-8")
    assert out.startswith(b"\xef\xbb\xbf")
    assert text.replace("".join(f"{line}\r\n" for line in added), "") == original.decode()
    assert text.index("on two lines.") < text.index(added[0]) < text.index("tags:")
    story = StoryReader().read_bytes(out, "s.md")
    assert story.ok and [c.kind for c in story.metadata["corrections"]] == ["correction", "update"]


def test_append_makes_the_list_at_the_end_of_the_front_matter():
    original = (HEAD + BODY).encode()
    out, added = append_correction(original, ENTRY)
    assert added[0] == "corrections:" and added[1].startswith("  - date: ")
    assert out.decode() == HEAD + "\n".join(added) + "\n" + BODY


@pytest.mark.parametrize(
    "story, reason",
    [
        (HEAD + "corrections: []\n" + BODY, "flow style"),
        ("Title: Old\nDate: 2020-01-01\n\nBody.\n", "only in YAML front matter"),
        (HEAD + "corrections: Fixed.\n" + BODY, "one line"),
    ],
)
def test_append_refuses_what_it_cannot_edit_safely(story, reason):
    with pytest.raises(EditRefused, match=reason):
        append_correction(story.encode(), ENTRY)
