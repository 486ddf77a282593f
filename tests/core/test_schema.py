"""`briefing schema`: the front matter's JSON Schema agrees with the reader (every valid
story of the fixtures and the golden site validates; every type error the reader reports
is a schema error too) and with the author's guide (its descriptions)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from markdown_it.utils import read_fixture_file

from briefing.core.diagnostics import Severity
from briefing.core.schema import FIELD_DOCS, SOURCE_DOCS, front_matter_schema
from briefing.core.story import StoryReader

from sitebuild import ROOT, env

FIXTURES = ROOT / "tests" / "fixtures"
SCHEMA = front_matter_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
READER = StoryReader()


class _AsEditors(yaml.SafeLoader):
    """YAML as an editor's language server reads it for a schema: dates are text."""


_AsEditors.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def front_matter(text: str):
    m = re.match(r"\ufeff?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*$", text, re.S | re.M)
    return None if m is None else yaml.load(m.group(1), Loader=_AsEditors)  # noqa: S506


def stories():
    for path in sorted(FIXTURES.glob("*.md")):
        for line, title, text, _ in read_fixture_file(path):
            if text.startswith("---"):
                yield f"{path.name}:{line}: {title}", text
    for path in sorted((ROOT / "tests" / "golden_site").rglob("*.md")):
        yield str(path.relative_to(ROOT)), path.read_text()


#: warnings the schema makes errors of, so an editor marks them as they are typed
FLAGGED = {"source-unknown-field"}


def errors_of(text: str) -> list[str]:
    story = READER.read_bytes(text.encode(), "story.md")
    return [d.code for d in story.diagnostics if d.severity is Severity.ERROR or d.code in FLAGGED]


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    shown = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "schema"], env=env(), capture_output=True,
        text=True, check=True,
    ).stdout  # fmt: skip
    import json

    assert json.loads(shown) == SCHEMA


def test_every_story_the_reader_takes_without_error_validates():
    checked = 0
    for name, text in stories():
        if errors_of(text):
            continue
        data = front_matter(text)
        if not isinstance(data, dict):
            continue
        problems = [e.message for e in VALIDATOR.iter_errors(data)]
        assert problems == [], name
        checked += 1
    assert checked >= 25  # the fixtures and the golden site: not an empty loop


def test_every_type_error_of_the_reader_is_a_schema_error():
    typed = {"type", "status-invalid", "source-invalid", "source-url-missing",
             "source-url-invalid", "title-missing", *FLAGGED}  # fmt: skip
    checked = 0
    for name, text in stories():
        if not typed & set(errors_of(text)):
            continue
        try:
            data = front_matter(text)
        except yaml.YAMLError:
            continue
        assert list(VALIDATOR.iter_errors(data)), name
        checked += 1
    assert checked >= 10


def _guide_rows(heading: str) -> dict[str, str]:
    guide = (ROOT / "docs" / "authoring.md").read_text()
    table = next(c for c in guide[guide.index(heading) :].split("\n\n") if c.startswith("|"))
    rows = {}
    for name, text in re.findall(r"^\| (`[^|]+`) \| (.+) \|$", table, re.M):
        for field in re.findall(r"`([a-z_]+)`", name):
            rows[field] = text.replace("`", "")
    return rows


def test_the_descriptions_are_the_guides():
    fields = _guide_rows("## Front-matter fields")
    assert {k: v for k, v in fields.items() if k in FIELD_DOCS} == FIELD_DOCS
    assert set(fields) == set(SCHEMA["properties"])
    assert _guide_rows("### Sources") == SOURCE_DOCS


@pytest.mark.parametrize(
    ("front", "wrong"),
    [
        ({"title": "T", "tags": {"a": 1}}, "tags"),
        ({"title": "T", "status": "live"}, "status"),
        ({"title": "T", "date": "27 Nov 2026"}, "date"),
        ({"title": "T", "sources": {"a": "ftp://x.example/"}}, "sources"),
        ({"title": "T", "sources": {"a": {"url": "https://x.example/", "outlett": "X"}}},
         "sources"),
        ({"title": "T", "sources": [{"url": "https://x.example/"}]}, "sources"),
        ({"Title": "T", "Status": "live"}, "Status"),  # keys in any case, as Pelican's
    ],
)  # fmt: skip
def test_an_editor_is_told_what_is_wrong(front, wrong):
    found = list(VALIDATOR.iter_errors(front))
    assert {e.absolute_path[0] for e in found if e.absolute_path} == {wrong}


def test_a_story_needs_a_title_however_its_key_is_written():
    assert list(VALIDATOR.iter_errors({"date": "2026-11-27"}))
    assert not list(VALIDATOR.iter_errors({"TITLE": "T", "date": "2026-11-27"}))


def test_the_guide_shows_the_setup():
    guide = (ROOT / "docs" / "authoring.md").read_text()
    assert "# yaml-language-server: $schema=" in guide
    assert Path(ROOT / "docs" / "authoring.md").exists()
