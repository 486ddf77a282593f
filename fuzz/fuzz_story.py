"""Coverage-guided fuzzing of the story reader (front matter, Markdown, citations).

    make fuzz                      # 60 seconds, corpus in fuzz/corpus/
    .venv/bin/python fuzz/fuzz_story.py fuzz/corpus -max_total_time=600

The reader must never raise: every input yields HTML or diagnostics.  A crash found here
becomes a case in tests/test_fuzz_regressions.py.
"""

import sys

import atheris

with atheris.instrument_imports():
    from briefing.core.story import StoryReader

READER = StoryReader()


def test_one_input(data: bytes) -> None:
    story = READER.read_bytes(data, "fuzz.md")
    if story.html is None and not story.diagnostics:
        raise AssertionError("a story with neither HTML nor diagnostics")
    for d in story.diagnostics:
        if d.line < 1 or d.col < 1:
            raise AssertionError(f"diagnostic outside the file: {d}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
