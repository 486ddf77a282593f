"""Seed fuzz/corpus/ with every story input from the test fixtures."""

from pathlib import Path

from markdown_it.utils import read_fixture_file

ROOT = Path(__file__).resolve().parents[1]
corpus = ROOT / "fuzz" / "corpus"
corpus.mkdir(exist_ok=True)
for fixture in sorted((ROOT / "tests" / "fixtures").glob("*.md")):
    for line, _title, text, _expected in read_fixture_file(fixture):
        (corpus / f"{fixture.stem}-{line}").write_text(text)
for story in sorted((ROOT / "content").rglob("*.md")):
    (corpus / f"content-{story.stem}").write_bytes(story.read_bytes())
