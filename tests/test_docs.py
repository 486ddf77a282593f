"""The author's guide keeps up with the code: every diagnostic code and every front-matter
field Briefing reads is documented."""

from pathlib import Path

from briefing.core.diagnostics import CODES
from briefing.core.metadata import DATE_FIELDS, LIST_FIELDS, TEXT_FIELDS
from briefing.core.sources import FIELDS

GUIDE = (Path(__file__).resolve().parents[1] / "docs" / "authoring.md").read_text()


def test_every_diagnostic_code_has_a_section_with_a_fix():
    for code in CODES:
        heading = f"### `{code}`\n"
        assert heading in GUIDE, code
        section = GUIDE.split(heading, 1)[1].split("\n### ", 1)[0]
        assert "Fix" in section or "fix" in section, code


def test_every_front_matter_and_source_field_is_documented():
    fields = (
        TEXT_FIELDS
        | LIST_FIELDS
        | DATE_FIELDS
        | {"status", "summary", "position", "sources", "corrections"}
    )
    for name in sorted(fields) + list(FIELDS):
        assert f"`{name}`" in GUIDE, name


def test_every_command_is_documented():
    for command in (
        "briefing new",
        "briefing import",
        "briefing check",
        "briefing serve",
        "make html",
        "make publish",
        "make serve",
    ):
        assert command in GUIDE
