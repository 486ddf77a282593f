"""What the reader does with the bytes of a file: encodings, newlines and size caps."""

import subprocess
import sys
import time

from briefing.core.story import Options, StoryReader

STORY = (
    "---\ntitle: Harbour tunnel opens\ndate: 2026-11-27T07:30:00+00:00\n---\n"
    "First line.\n\nSecond.\n"
)


def read(data: bytes, **options):
    return StoryReader(Options(**options)).read_bytes(data, "story.md")


def test_bom_and_crlf_read_like_plain_lf():
    plain = read(STORY.encode())
    for variant in (
        b"\xef\xbb\xbf" + STORY.encode(),
        STORY.replace("\n", "\r\n").encode(),
        b"\xef\xbb\xbf" + STORY.replace("\n", "\r\n").encode(),
        STORY.replace("\n", "\r").encode(),
    ):
        story = read(variant)
        assert story.diagnostics == []
        assert story.metadata == plain.metadata
        assert story.html == plain.html


def test_positions_count_from_the_file_with_bom_and_crlf():
    text = "\ufeff---\r\ntitle: T\r\ndate: 2024-02-30\r\n---\r\n"
    [d] = read(text.encode()).diagnostics
    assert (d.line, d.col, d.code) == (3, 7, "date-invalid")


def test_invalid_utf8_names_line_and_column_of_the_bad_byte():
    data = "---\ntitle: Café\n---\nLine one.\nSome ça va \xff".encode()
    data = data.replace("\xff".encode(), b"\xff")
    story = read(data)
    [d] = story.diagnostics
    assert str(d) == (
        "story.md:5:12: error: encoding: the file is not valid UTF-8 (byte 0xff); save it as UTF-8"
    )
    assert story.html is None


def test_latin1_file_is_refused_not_garbled():
    story = read("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    assert [(d.line, d.col, d.code) for d in story.diagnostics] == [(2, 11, "encoding")]


def test_a_story_over_the_size_cap_is_refused():
    story = read(b"x" * 2001, max_story_bytes=2000)
    assert [(d.line, d.col, d.code) for d in story.diagnostics] == [(1, 1, "too-large")]
    assert "2,000 bytes" in story.diagnostics[0].message


def test_a_story_file_is_read_whole_up_to_the_cap_and_refused_past_it(tmp_path):
    reader = StoryReader(Options(max_story_bytes=len(STORY.encode()) + 10))
    path = tmp_path / "story.md"
    for text in (STORY, STORY + "x" * 10):  # under the cap, and exactly at it
        path.write_text(text)
        assert reader.bytes_of(path) == text.encode()
        assert reader.read_path(path).diagnostics == []
    path.write_text(STORY + "x" * 11)  # one byte over
    assert len(reader.bytes_of(path)) == len(STORY.encode()) + 11
    assert [d.code for d in reader.read_path(path).diagnostics] == ["too-large"]
    path.write_text(STORY * 100)  # far over: no more than one byte past the cap is read
    assert len(reader.bytes_of(path)) == len(STORY.encode()) + 11
    assert [d.code for d in reader.read_path(path).diagnostics] == ["too-large"]


def test_the_default_cap_is_what_real_stories_need():
    at_cap = STORY.encode() + b"x" * (512 * 1024 - len(STORY.encode()))
    assert read(at_cap).ok
    story = read(at_cap + b"x")
    assert [d.code for d in story.diagnostics] == ["too-large"]
    assert "524,288 bytes" in story.diagnostics[0].message


def test_a_story_that_parses_too_slowly_is_stopped_and_named_with_its_time():
    # every unclosed '[' looks for its ']' to the end of the text: quadratic
    data = (STORY + "[a" * 60_000).encode()
    started = time.monotonic()
    story = read(data, max_story_seconds=0.3)
    assert time.monotonic() - started < 5
    [d] = story.diagnostics
    assert (d.line, d.col, d.code) == (1, 1, "too-slow")
    assert "over 0.3 s of CPU time (BRIEFING_MAX_STORY_SECONDS)" in d.message
    assert f"{len(data):,} bytes" in d.message
    assert story.html is None and not story.ok
    # the reader is usable after it: the next story reads in full
    assert read(STORY.encode(), max_story_seconds=0.3).ok


def test_a_story_whose_reading_takes_too_much_memory_is_stopped():
    # emphasis markers make a token each: about 400 bytes of memory a byte of text.
    # Memory is the growth of the process, so each reading is in a fresh one.
    script = (
        "import sys\n"
        "from briefing.core.story import Options, StoryReader\n"
        f"data = ({STORY!r} + '*a' * 100_000).encode()\n"
        "options = Options(max_story_memory=int(sys.argv[1]))\n"
        "for d in StoryReader(options).read_bytes(data, 'story.md').diagnostics:\n"
        "    print(d)\n"
    )
    for cap, expected in ((256 * 2**20, ""), (20 * 2**20, "too-large")):
        result = subprocess.run(
            [sys.executable, "-c", script, str(cap)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        if not expected:
            assert result.stdout == ""  # within the default 256 MB
            continue
        assert result.stdout.startswith("story.md:1:1: error: too-large: reading this story"), (
            result.stdout
        )
        assert "took over 20 MB of memory (BRIEFING_MAX_STORY_MEMORY)" in result.stdout


def test_an_unforeseen_failure_is_a_located_diagnostic_of_that_file_alone(monkeypatch):
    from briefing.core import metadata

    def broken(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    reader = StoryReader()
    monkeypatch.setattr(metadata, "interpret", broken)
    [d] = reader.read_bytes(STORY.encode(), "story.md").diagnostics
    assert str(d) == (
        "story.md:1:1: error: read-failed: Briefing failed on this file (RecursionError: "
        "maximum recursion depth exceeded); please report it with the file"
    )
    monkeypatch.undo()
    assert reader.read_bytes(STORY.encode(), "other.md").ok


def test_front_matter_over_the_size_cap_is_refused():
    text = "---\ntitle: T\nnote: " + "y" * 5000 + "\n---\nBody.\n"
    story = read(text.encode(), max_front_matter=1000)
    assert [(d.line, d.col, d.code) for d in story.diagnostics] == [(2, 1, "too-large")]


def test_raw_html_can_be_allowed_by_the_site():
    text = STORY + "\n<aside>Note</aside>\n"
    assert "&lt;aside&gt;" in read(text.encode()).html
    assert "<aside>Note</aside>" in read(text.encode(), allow_html=True).html


def test_ten_thousand_nested_markers_are_an_error_not_silent_truncation():
    head = "---\ntitle: T\ndate: 2026-01-01T00:00:00Z\n---\nIntro.\n\n"
    for body in ("> " * 10_000 + "deep", "- " * 10_000 + "deep", "1. " * 10_000 + "deep"):
        story = read((head + body).encode())
        assert [(d.line, d.col, d.code) for d in story.diagnostics] == [(7, 1, "nesting-too-deep")]
        assert not story.ok


def test_nesting_within_the_limit_renders_fully():
    body = "\n".join("  " * i + "- level " + str(i) for i in range(15))
    story = read(f"{STORY}\n{body}\n".encode())
    assert story.diagnostics == []
    assert "level 14" in story.html


def test_characters_xml_cannot_carry_are_reported_where_they_are():
    cases = {
        "---\ntitle: Bad \x01 raw\ndate: 2026-11-27T09:00:00Z\n---\nOK\n": [(2, 12)],
        "---\ntitle: T\ndate: 2026-11-27T09:00:00Z\n---\nBody \x0b here\n": [(5, 6)],
        '---\ntitle: "escaped \\x01"\ndate: 2026-11-27T09:00:00Z\n---\n': [(2, 8)],
        "---\ntitle: T\ndate: 2026-11-27T09:00:00Z\n---\nnon-character \ufffe\n": [(5, 15)],
    }
    for text, positions in cases.items():
        story = read(text.encode())
        assert [(d.line, d.col) for d in story.diagnostics] == positions, text
        assert {d.code for d in story.diagnostics} == {"xml-illegal-char"}


def test_lone_surrogate_escape_is_refused():
    story = read(b'---\ntitle: "lone \\ud800"\ndate: 2026-11-27T09:00:00Z\n---\n')
    assert not story.ok


def test_a_first_build_reads_on_every_core_what_one_process_reads(tmp_path):
    """With no reader cache yet, the prepass's workers read and digest the files; the
    stories and digests are those of reading each file here, a file that cannot be read
    is left to Pelican's own read, and the next prepass finds them all in the cache."""
    import hashlib

    from briefing.fast import background
    from briefing.fast.prepass import Prepass

    folder = tmp_path / "content"
    folder.mkdir()
    paths = []
    for i in range(70):  # enough for the workers
        path = folder / f"s{i:02d}.md"
        path.write_text(STORY.replace("Harbour tunnel opens", f"Story {i}"))
        paths.append(str(path))
    (folder / "gone.md").mkdir()  # listed, but no file to read
    paths.append(str(folder / "gone.md"))
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "BRIEFING_READ_WORKERS": 2}
    reader = StoryReader(Options())
    writes = background.Writes()
    first = Prepass(settings, reader, files=paths, writes=writes)
    for path in paths[:-1]:
        digest, story = first.results[path]
        data = open(path, "rb").read()
        assert digest == hashlib.sha256(data).hexdigest()
        assert story.metadata == reader.read_path(path).metadata
    assert paths[-1] not in first.results and first.take(paths[-1]) is None
    writes.finish()
    cached_only = StoryReader(Options())

    def no_parsing(data, path):
        raise AssertionError(f"{path} parsed again")

    cached_only.read_bytes = no_parsing
    again = Prepass(settings, cached_only, files=paths)
    assert {p: again.results[p][0] for p in paths[:-1]} == {
        p: first.results[p][0] for p in paths[:-1]
    }
