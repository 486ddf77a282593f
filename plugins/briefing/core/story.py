"""One story file → HTML, metadata and diagnostics.  The single checking code path.

Used by the Pelican reader during a build and by ``briefing check`` without one.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt

from . import archive, citations, corrections, frontmatter, limits, markdown, metadata
from .diagnostics import Diagnostic, Severity, Sink, display_path, unforeseen
from .settings import SETTINGS, setting
from .sources import parse_sources

#: File extensions read as stories: Pelican's Markdown extensions, all of them ours.
EXTENSIONS = ("md", "markdown", "mkd", "mdown")


@dataclass(frozen=True)
class Options:
    """Reader settings, read once from Pelican's settings (or defaults for the CLI)."""

    timezone: str = "UTC"
    # the rest as the settings table gives them (``core.settings``): real stories are far
    # smaller than the cap (the longest of 667 issues of a real weekly roundup is 41 KB),
    # and reading one is bounded in CPU time and memory too (``limits.py``)
    allow_html: bool = SETTINGS["BRIEFING_MARKDOWN_HTML"].default
    max_nesting: int = SETTINGS["BRIEFING_MAX_NESTING"].default
    max_story_bytes: int = SETTINGS["BRIEFING_MAX_STORY_BYTES"].default
    max_front_matter: int = SETTINGS["BRIEFING_MAX_FRONT_MATTER"].default
    max_story_seconds: float = SETTINGS["BRIEFING_MAX_STORY_SECONDS"].default
    max_story_memory: int = SETTINGS["BRIEFING_MAX_STORY_MEMORY"].default
    formatted_fields: frozenset[str] = frozenset({"summary"})
    # a story without a summary gets one from its body (Pelican's settings and defaults)
    summary_max_length: int | None = 50
    summary_max_paragraphs: int | None = None
    summary_end_suffix: str = "…"
    # how a correction's date is shown (Pelican's DEFAULT_DATE_FORMAT)
    date_format: str = "%-d %B %Y, %H:%M"

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Options:
        return cls(
            timezone=settings.get("TIMEZONE") or "UTC",
            allow_html=bool(setting(settings, "BRIEFING_MARKDOWN_HTML")),
            max_nesting=int(setting(settings, "BRIEFING_MAX_NESTING")),
            max_story_bytes=int(setting(settings, "BRIEFING_MAX_STORY_BYTES")),
            max_front_matter=int(setting(settings, "BRIEFING_MAX_FRONT_MATTER")),
            max_story_seconds=float(setting(settings, "BRIEFING_MAX_STORY_SECONDS")),
            max_story_memory=int(setting(settings, "BRIEFING_MAX_STORY_MEMORY")),
            formatted_fields=frozenset(settings.get("FORMATTED_FIELDS", ["summary"])),
            summary_max_length=settings.get("SUMMARY_MAX_LENGTH", cls.summary_max_length),
            summary_max_paragraphs=settings.get("SUMMARY_MAX_PARAGRAPHS"),
            summary_end_suffix=settings.get("SUMMARY_END_SUFFIX", cls.summary_end_suffix),
            date_format=settings.get("DEFAULT_DATE_FORMAT") or cls.date_format,
        )


@dataclass
class Story:
    path: str
    html: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: where the title, id and date are, for diagnostics found after reading (feed ids)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: the body's length and its words (before the sources), for the reading time
    words: tuple[int, int] | None = None
    #: the body's links to files of the site, ``(href, line, col)``, checked by the build
    links: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


XML_ILLEGAL = frontmatter.XML_ILLEGAL


def _xml_illegal(text: str, sink: Sink, *, first_line: int = 1, col_offset: int = 0) -> None:
    for m in XML_ILLEGAL.finditer(text):
        line = first_line + text.count("\n", 0, m.start())
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1 + col_offset
        sink.error(
            line,
            col,
            "xml-illegal-char",
            f"character U+{ord(m.group()):04X} cannot appear in a web feed; remove it",
        )


def _xml_illegal_value(value: str, line: int, col: int, sink: Sink) -> None:
    ch = XML_ILLEGAL.search(value).group()
    sink.error(
        line,
        col,
        "xml-illegal-char",
        f"this value holds U+{ord(ch):04X}, which cannot appear in a web feed; remove it",
    )


class StoryReader:
    """Reads stories with one configured Markdown parser (building it is the costly part)."""

    def __init__(self, options: Options | None = None) -> None:
        self.options = options or Options()
        self.md: MarkdownIt = markdown.make_markdown(
            allow_html=self.options.allow_html, max_nesting=self.options.max_nesting
        )

    def read_path(self, path: str | os.PathLike[str]) -> Story:
        return self.read_bytes(self.bytes_of(path), display_path(path))

    def bytes_of(self, path: str | os.PathLike[str]) -> bytes:
        """The file's bytes, one past the size cap at most (``read_bytes`` reports it).

        Read in a buffer of the file's size: ``read(cap + 1)`` would take a buffer of the
        cap's size (2 MB) for each story, from fresh memory pages the kernel must map and
        zero, three times the cost of reading a 5 kB story."""
        limit = self.options.max_story_bytes + 1
        with open(path, "rb") as f:
            try:
                size = os.fstat(f.fileno()).st_size
            except OSError:
                size = limit
            data = f.read(min(size + 1, limit))
            if len(data) > size and len(data) < limit:  # it grew since: read on to the cap
                data += f.read(limit - len(data))
            return data

    def body_of(self, path: str | os.PathLike[str]) -> str | None:
        """The Markdown body of a story the build has read (for what is made from it again,
        such as the plain text of an email edition); None if it cannot be had now."""
        sink = Sink(display_path(path))
        text = _decode(self.bytes_of(path), sink)
        header = text and frontmatter.split(
            text, sink, max_front_matter=self.options.max_front_matter
        )
        return header.body if header else None

    def read_bytes(self, data: bytes, path: str, *, sources_only: bool = False) -> Story:
        """Read a story; with ``sources_only``, only its front matter and sources (for
        ``briefing sources``: the body, its Markdown and citations are not read)."""
        story = Story(path=path)
        sink = Sink(path)
        try:
            if len(data) > self.options.max_story_bytes:
                sink.error(
                    1,
                    1,
                    "too-large",
                    f"the story is over the cap of {self.options.max_story_bytes:,} bytes "
                    "(BRIEFING_MAX_STORY_BYTES)",
                )
                return story
            text = _decode(data, sink)
            if text is None:
                return story
            options = self.options
            with limits.bounded(options.max_story_seconds, options.max_story_memory):
                self._read_text(text, story, sink, sources_only)
            return story
        except limits.Overrun as exc:
            _drop_reading(story)
            if exc.kind == "time":
                sink.error(
                    1,
                    1,
                    "too-slow",
                    f"reading this story took over {self.options.max_story_seconds:g} s of "
                    f"CPU time (BRIEFING_MAX_STORY_SECONDS); at {len(data):,} bytes it holds "
                    "Markdown a parser reads very slowly, such as thousands of unclosed '['",
                )
            else:
                sink.error(
                    1,
                    1,
                    "too-large",
                    f"reading this story ({len(data):,} bytes) took over "
                    f"{self.options.max_story_memory // 2**20:,} MB of memory "
                    "(BRIEFING_MAX_STORY_MEMORY); split it or simplify its Markdown",
                )
            return story
        except Exception as exc:  # a bug of ours: this file fails, never the build
            _drop_reading(story)
            sink.error(1, 1, "read-failed", unforeseen(exc))
            return story
        finally:
            story.diagnostics = sink.items

    def _read_text(self, text: str, story: Story, sink: Sink, sources_only: bool = False) -> None:
        _xml_illegal(text, sink)
        header = frontmatter.split(text, sink, max_front_matter=self.options.max_front_matter)
        if header is None:
            return
        for path, value in header.raw.items():  # YAML escapes such as "\ud800" or "\x01"
            if isinstance(value, str) and XML_ILLEGAL.search(value) and value not in text:
                line, col = header.where(path)
                _xml_illegal_value(value, line, col, sink)
        _bidi(text, header, sink)
        story.positions = {
            key: header.where((key,)) for key in POSITIONS if (key,) in header.value_pos
        }
        story.positions.update(_item_positions(header))
        story.metadata = metadata.interpret(
            header,
            sink,
            timezone=self.options.timezone,
            formatted_fields=self.options.formatted_fields,
        )  # formatted fields as written, rendered below with the story's sources
        sources, broken = parse_sources(
            story.metadata.get("sources"), header, sink, story_date=story.metadata.get("date")
        )
        if sources_only:
            story.metadata["sources"] = sources
            return
        cited_elsewhere: set[str] = set()
        # no sources declared at all: [@name] is a handle, as in a Pelican archive's post
        keys_as_text = "sources" not in story.metadata
        for name in self.options.formatted_fields & story.metadata.keys():
            # a summary may cite as the body does; its citations link to the sources
            # wherever it is shown, a list of stories included
            shown: dict[str, Any] = {
                citations.SOURCES: sources,
                citations.BROKEN: broken,
                citations.DETACHED: True,
                citations.KEYS_AS_TEXT: keys_as_text,
            }
            story.metadata[name] = markdown.render(self.md, story.metadata[name], shown)
            for _, _, code, message in shown.get(citations.PROBLEMS, []):
                sink.error(*header.where((name,)), code, f"in '{name}': {message}")
            cited_elsewhere.update(shown.get(citations.CITED, []))
        env: dict[str, Any] = {
            citations.SOURCES: sources,
            citations.BROKEN: broken,
            citations.KEYS_AS_TEXT: keys_as_text,
        }
        story.html = markdown.render(self.md, header.body, env)
        story.words = (len(story.html), archive.body_words(story.html))
        found = self._corrections(story, header, sink, sources, broken, keys_as_text)
        cited_elsewhere.update(found)
        for line, col, code, message in env.get(citations.PROBLEMS, []):
            sink.error(line + header.body_line - 1, col, code, message)
        story.links = [
            (href, line + header.body_line - 1, col)
            for href, line, col in env.get(markdown.SITE_LINKS, [])
        ]
        cited = env.get(citations.CITED, [])
        for source in sources:
            if source.key not in cited and source.key not in cited_elsewhere:
                sink.warning(
                    source.line,
                    source.col,
                    "source-unused",
                    f"source '{source.key}' is never cited in the story",
                )
        if sources or "sources" in story.metadata:
            by_key = {s.key: s for s in sources}
            story.metadata["sources"] = sources
            story.metadata["cited_sources"] = [by_key[k] for k in cited]

    def _corrections(
        self,
        story: Story,
        header: frontmatter.Header,
        sink: Sink,
        sources: list[Any],
        broken: set[str],
        keys_as_text: bool,
    ) -> set[str]:
        """Read ``corrections:``, render each text with the story's sources, add the
        Corrections section after the body, and date ``modified`` by the newest entry
        when it is not given.  Returns the keys of the sources the entries cite."""
        meta = story.metadata
        date, modified = meta.get("date"), meta.get("modified")
        if date is not None and modified is not None and corrections.earlier(modified, date):
            sink.error(
                *header.where(("modified",)),
                "modified-before-date",
                f"'modified' ({modified.isoformat()}) is before the story's date "
                f"({date.isoformat()})",
            )
        cited: set[str] = set()
        if "corrections" not in meta:
            return cited
        entries = []
        for entry, path in corrections.parse_corrections(
            meta.pop("corrections"), header, sink, story_date=date
        ):
            shown: dict[str, Any] = {
                citations.SOURCES: sources,
                citations.BROKEN: broken,
                citations.DETACHED: True,
                citations.KEYS_AS_TEXT: keys_as_text,
            }
            rendered = markdown.render(self.md, entry.text, shown)
            for _, _, code, message in shown.get(citations.PROBLEMS, []):
                sink.error(*header.where((*path, "text")), code, f"in a correction: {message}")
            cited.update(shown.get(citations.CITED, []))
            entries.append(dataclasses.replace(entry, html=rendered))
        if entries:
            meta["corrections"] = entries
            story.html = (story.html or "") + corrections.section_html(
                entries, self.options.date_format
            )
            if modified is None:
                meta["modified"] = corrections.newest(entries).date
        return cited


#: Fields whose position a story keeps, for what is found about them after reading
#: (feed ids, URLs, slugs made by Pelican, topics and sections); the items of the list
#: fields are kept too, as ``tags.0``.
POSITIONS = ("title", "id", "date", "aliases", "slug", "category", "tags", "author", "authors")
_LIST_POSITIONS = ("tags", "authors")

#: Bidirectional controls: they reorder what a reader sees (``Invoice \u202efdp.exe`` reads
#: as "Invoiceexe.pdf"), legitimate in running text but a lie in a name or a title.
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BIDI_FIELDS = {"title", "slug", "author", "authors", "category", "tags"}
_BIDI_SOURCE_FIELDS = {"outlet", "title"}


def _item_positions(header: frontmatter.Header) -> dict[str, tuple[int, int]]:
    found = {}
    for name in _LIST_POSITIONS:
        value = header.data.get(name)
        if isinstance(value, list):
            for i in range(len(value)):
                found[f"{name}.{i}"] = header.where((name, i))
    return found


def _bidi(text: str, header: frontmatter.Header, sink: Sink) -> None:
    """``text-bidi`` at each bidirectional control in a title, name, slug, topic or source
    title: at the character in the file, or at the YAML escape that wrote it."""
    lines: list[str] = []
    values = header.raw.items()
    if header.style == "pelican":  # a list of lines per key
        values = (((k,), "\n".join(v)) for k, v in header.data.items() if isinstance(v, list))
    for path, value in values:
        if not path or not isinstance(path[0], str):
            continue
        named = path[0] in _BIDI_FIELDS or (
            path[0] == "sources" and len(path) == 3 and path[-1] in _BIDI_SOURCE_FIELDS
        )
        m = BIDI.search(value) if named else None
        if m is None:
            continue
        line, col = header.where(path)
        lines = lines or text.split("\n")
        at = _written_at(lines, line, col, m.group())
        label = ".".join(str(p) for p in path)
        sink.warning(
            *(at or (line, col)),
            "text-bidi",
            f"'{label}' holds U+{ord(m.group()):04X}, an invisible control that reorders the "
            "text readers see (it can make a name or title read as something else); "
            "remove it",
        )


def _written_at(lines: list[str], line: int, col: int, char: str) -> tuple[int, int] | None:
    """Where ``char`` is written at or after (line, col): itself, or as a YAML escape."""
    escape = re.compile(
        rf"{re.escape(char)}|\\(?:u{ord(char):04x}|U{ord(char):08x})", re.IGNORECASE
    )
    for n in range(line - 1, min(len(lines), line + 20)):
        start = col - 1 if n == line - 1 else 0
        m = escape.search(lines[n], start)
        if m:
            return n + 1, m.start() + 1
    return None


def _drop_reading(story: Story) -> None:
    """A reading stopped half-way: what it found wrong is kept, nothing it made."""
    story.html, story.metadata, story.words, story.links = None, {}, None, []


def _decode(data: bytes, sink: Sink) -> str | None:
    """UTF-8 (a BOM is fine), newlines normalised to ``\\n``; report the first bad byte."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[max(line_start, start) : exc.start].decode("utf-8", "replace")) + 1
        sink.error(
            line,
            col,
            "encoding",
            f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
        )
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
