"""What the reader does with the bytes of a file: encodings, newlines and size caps."""

from briefing.story import Options, StoryReader

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

    from briefing import background
    from briefing.prepass import Prepass

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
    first = Prepass(settings, reader, files=paths)
    for path in paths[:-1]:
        digest, story = first.results[path]
        data = open(path, "rb").read()
        assert digest == hashlib.sha256(data).hexdigest()
        assert story.metadata == reader.read_path(path).metadata
    assert paths[-1] not in first.results and first.take(paths[-1]) is None
    background.finish_writes()
    cached_only = StoryReader(Options())

    def no_parsing(data, path):
        raise AssertionError(f"{path} parsed again")

    cached_only.read_bytes = no_parsing
    again = Prepass(settings, cached_only, files=paths)
    assert {p: again.results[p][0] for p in paths[:-1]} == {
        p: first.results[p][0] for p in paths[:-1]
    }
