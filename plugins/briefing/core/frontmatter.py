"""Split a story into its header and body, and load the header safely.

Two header styles are accepted:

* YAML front matter between ``---`` fences (closed by ``---`` or ``...``);
* Pelican's own ``Key: value`` lines (Python-Markdown's ``meta`` syntax), ended by a
  blank line, so existing Pelican content builds unchanged.

YAML is read from libyaml's event stream (``CSafeLoader`` when available) and built
into plain values here, which lets us refuse anchors/aliases (alias bombs), duplicate
keys and type-naming tags, and remember the file position of every key and value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml.reader
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from .diagnostics import Sink

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is in PyYAML's wheels
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
STR_TAG = "tag:yaml.org,2002:str"
#: Tags the safe loader may build; anything else (``!!python/...``, ``!!binary``,
#: local ``!tags``) is refused with a diagnostic.
ALLOWED_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    TIMESTAMP_TAG,
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}

#: What XML 1.0 cannot carry, so no feed could: C0 controls but tab/newline/CR, lone
#: surrogates (from YAML escapes), U+FFFE and U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: What YAML (1.1, as PyYAML reads it) takes for a line break but editors and ``\n``
#: counting do not: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.  In front matter one would
#: silently end a value and start a new key, and move every later position.
UNICODE_BREAKS = re.compile("[\x85\u2028\u2029]")
#: How deep front matter may nest lists and mappings (a story needs three or four levels:
#: sources, a source, its fields); deeper is refused before anything recurses over it.
MAX_DEPTH = 20
_BREAK_NAMES = {"\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}

Position = tuple[int, int]  # 1-based (line, column) in the story file
KeyPath = tuple[Any, ...]

_FENCE_OPEN = re.compile(r"---[ \t]*(?:\n|$)")
_FENCE_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
# Python-Markdown's meta extension, which Pelican's Markdown reader uses.
_META_LINE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
_META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)$")


@dataclass
class Header:
    """A story's header, as raw values with the file position of each key and value."""

    style: str  # "yaml", "pelican" or "none"
    data: dict[str, Any] = field(default_factory=dict)
    key_pos: dict[KeyPath, Position] = field(default_factory=dict)
    value_pos: dict[KeyPath, Position] = field(default_factory=dict)
    raw: dict[KeyPath, str] = field(default_factory=dict)  # scalars as written
    body: str = ""
    body_line: int = 1  # file line on which the body starts
    start: Position = (1, 1)

    def where(self, path: KeyPath) -> Position:
        """Where to point a diagnostic about the value at ``path``."""
        return self.value_pos.get(path) or self.key_pos.get(path) or self.start


def split(text: str, sink: Sink, *, max_front_matter: int) -> Header | None:
    """Split ``text`` (newlines already ``\\n``) into header and body.

    Returns None when the header is broken beyond use; the reason is in ``sink``.
    """
    if UNICODE_BREAKS.search(text, 0, _header_end(text)):
        text = _unicode_breaks(text, sink)
    if _FENCE_OPEN.match(text):
        return _split_yaml(text, sink, max_front_matter=max_front_matter)
    if _META_LINE.match(text[: text.find("\n")] if "\n" in text else text):
        return _split_pelican(text)
    return Header(style="none", body=text, body_line=1)


def _header_end(text: str) -> int:
    """Where the header ends at the latest: the closing fence of YAML front matter, else
    the first blank line (a Pelican header); the whole text when neither is found."""
    if _FENCE_OPEN.match(text):
        close = _FENCE_CLOSE.search(text, text.find("\n") + 1 if "\n" in text else len(text))
        return close.start() if close else len(text)
    blank = text.find("\n\n")
    return len(text) if blank < 0 else blank


def _unicode_breaks(text: str, sink: Sink) -> str:
    """Each NEL, U+2028 or U+2029 in the header is an error at its own position; it is read
    as a space, so every later key and position stays where the file has it."""
    end = _header_end(text)
    for m in UNICODE_BREAKS.finditer(text, 0, end):
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        sink.error(
            line,
            col,
            "text-line-break",
            f"U+{ord(m.group()):04X} ({_BREAK_NAMES[m.group()]}) is an invisible line break: "
            "YAML would end the value here and read the rest as a new key; remove it",
        )
    return UNICODE_BREAKS.sub(" ", text[:end]) + text[end:]


def _split_yaml(text: str, sink: Sink, *, max_front_matter: int) -> Header | None:
    start = text.find("\n") + 1 if "\n" in text else len(text)
    close = _FENCE_CLOSE.search(text, start)
    if close is None:
        sink.error(
            1,
            1,
            "front-matter-unclosed",
            "front matter opened with '---' on line 1 is never closed; "
            "add a line '---' after the last key",
        )
        return None
    yaml_text = text[start : close.start()]
    if len(yaml_text) > max_front_matter:
        sink.error(
            2,
            1,
            "too-large",
            f"front matter is {len(yaml_text):,} characters, over the cap of "
            f"{max_front_matter:,} (BRIEFING_MAX_FRONT_MATTER)",
        )
        return None
    close_line = text.count("\n", 0, close.start()) + 1
    body_start = text.find("\n", close.start())
    body = "" if body_start < 0 else text[body_start + 1 :]
    header = Header(style="yaml", body=body, body_line=close_line + 1, start=(1, 1))
    loaded = _load_yaml(yaml_text, first_line=2, sink=sink, header=header)
    if loaded is _FAILED:
        return None
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        kind = "a list" if isinstance(loaded, list) else f"a single {_kind(loaded)}"
        line, col = header.value_pos.get((), (2, 1))
        sink.error(
            line,
            col,
            "front-matter-not-mapping",
            f"front matter must be a mapping of 'key: value' lines, but it is {kind}",
        )
        return None
    header.data = loaded
    return header


def _split_pelican(text: str) -> Header:
    """Pelican's ``Key: value`` header: lines up to the first blank or non-header line."""
    header = Header(style="pelican")
    data: dict[str, list[str]] = {}
    key = None
    pos = 0
    consumed = 0  # header lines read so far
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        line_no = consumed + 1
        if not line.strip():
            pos, consumed = end + 1, consumed + 1
            break
        meta = _META_LINE.match(line)
        more = _META_MORE.match(line) if meta is None else None
        if meta:
            key = meta.group("key").lower()
            at_key = (line_no, meta.start("key") + 1)
            if key in data:  # the n-th repeat of a key, for Pelican's duplicate warning
                header.key_pos[(key, len(data[key]))] = at_key
            else:
                header.key_pos[(key,)] = at_key
                header.value_pos[(key,)] = (line_no, meta.start("value") + 1)
            data.setdefault(key, []).append(meta.group("value").strip())
        elif more and key is not None:
            data[key].append(more.group("value").strip())
        else:
            break  # this line starts the body
        pos, consumed = end + 1, consumed + 1
    header.data = data
    header.body = text[pos:]
    header.body_line = consumed + 1
    return header


class _Failed:
    pass


_FAILED = _Failed()


class _Refused(Exception):
    pass


def _load_yaml(text: str, *, first_line: int, sink: Sink, header: Header) -> Any:
    """Build plain values from the YAML event stream; return ``_FAILED`` on any error."""
    loader = _Loader(text)

    def at(mark: yaml.Mark | None) -> Position:
        if mark is None:
            return (first_line, 1)
        return (first_line + mark.line, mark.column + 1)

    def refuse(mark: yaml.Mark | None, code: str, message: str) -> None:
        line, col = at(mark)
        sink.error(line, col, code, message)
        raise _Refused

    def node(path: KeyPath, depth: int = 0) -> Any:
        event = loader.get_event()
        if isinstance(event, AliasEvent):
            refuse(
                event.start_mark,
                "yaml-alias",
                f"alias '*{event.anchor}' refused: anchors and aliases are not allowed "
                "in front matter; write the value out",
            )
        if getattr(event, "anchor", None):
            refuse(
                event.start_mark,
                "yaml-alias",
                f"anchor '&{event.anchor}' refused: anchors and aliases are not allowed "
                "in front matter; write the value out",
            )
        header.value_pos[path] = at(event.start_mark)
        tag = getattr(event, "tag", None)
        if isinstance(event, ScalarEvent):
            if tag is None or tag == "!":
                tag = loader.resolve(ScalarNode, event.value, event.implicit)
            check_tag(tag, event)
            header.raw[path] = event.value
            if tag == TIMESTAMP_TAG:
                return event.value  # dates are parsed strictly, from their text, later
            if tag == STR_TAG:
                return event.value  # what the safe constructor makes of it, without a node
            scalar = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            return loader.construct_object(scalar)
        if isinstance(event, SequenceStartEvent | MappingStartEvent) and depth >= MAX_DEPTH:
            refuse(
                event.start_mark,
                "nesting-too-deep",
                f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; "
                "front matter needs a few: flatten it",
            )
        if isinstance(event, SequenceStartEvent):
            check_tag(tag, event)
            items = []
            while not loader.check_event(SequenceEndEvent):
                items.append(node((*path, len(items)), depth + 1))
            loader.get_event()
            return items
        if isinstance(event, MappingStartEvent):
            check_tag(tag, event)
            mapping: dict[Any, Any] = {}
            while not loader.check_event(MappingEndEvent):
                key_event = loader.peek_event()
                key = node((*path, "<key>"), depth + 1)
                del header.value_pos[(*path, "<key>")]
                header.raw.pop((*path, "<key>"), None)
                if not isinstance(key, str | int | float | bool) and key is not None:
                    refuse(key_event.start_mark, "type", "a mapping key must be plain text")
                if not path and isinstance(key, str):
                    key = key.lower()  # Pelican's metadata names are case-insensitive
                key_path = (*path, key)
                if key in mapping:
                    first = header.key_pos[key_path][0]
                    refuse(
                        key_event.start_mark,
                        "yaml-duplicate-key",
                        f"duplicate key '{key}' (first given on line {first})",
                    )
                header.key_pos[key_path] = at(key_event.start_mark)
                mapping[key] = node(key_path, depth + 1)
            loader.get_event()
            return mapping
        refuse(event.start_mark, "yaml-syntax", f"unexpected {type(event).__name__}")

    def check_tag(tag: str | None, event: Any) -> None:
        if tag is not None and tag not in ALLOWED_TAGS:
            refuse(
                event.start_mark,
                "yaml-tag",
                f"tag '{tag}' refused: front matter holds only text, numbers, booleans, "
                "dates, lists and mappings",
            )

    try:
        loader.get_event()  # StreamStart
        if loader.check_event(StreamEndEvent):
            return None
        loader.get_event()  # DocumentStart
        value = node(())
        end = loader.get_event()
        if not isinstance(end, DocumentEndEvent):  # pragma: no cover - parser guarantees
            refuse(end.start_mark, "yaml-syntax", "expected the end of the document")
        if not loader.check_event(StreamEndEvent):
            nxt = loader.peek_event()
            refuse(
                nxt.start_mark,
                "yaml-multiple-documents",
                "front matter holds more than one YAML document; remove the extra '---'/'...'",
            )
        return value
    except _Refused:
        return _FAILED
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and (mark is None or mark.index >= len(text.rstrip())):
            mark = exc.context_mark  # "unexpected end": point where the open construct began
        message = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            cline, ccol = at(exc.context_mark)
            message += f" ({exc.context} that starts at line {cline}, column {ccol})"
        line, col = at(mark)
        sink.error(line, col, "yaml-syntax", message)
        return _FAILED
    except yaml.reader.ReaderError as exc:  # a character YAML cannot read at all
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        if isinstance(char, str) and XML_ILLEGAL.match(char):
            return _FAILED  # reported already, at its position, as xml-illegal-char
        before = text[: exc.position]
        line = first_line + before.count("\n")
        col = exc.position - (before.rfind("\n") + 1) + 1
        sink.error(line, col, "yaml-syntax", f"YAML cannot read this character: {exc.reason}")
        return _FAILED
    except yaml.YAMLError as exc:  # pragma: no cover - errors without a mark
        sink.error(first_line, 1, "yaml-syntax", str(exc))
        return _FAILED
    finally:
        loader.dispose()


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null value"
    return "string"
