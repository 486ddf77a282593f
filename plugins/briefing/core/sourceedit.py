"""Adding a field to one source in a story's front matter, changing nothing else.

``briefing sources archive --write`` adds ``archived:`` and ``dead:`` lines.  An author's
file is theirs: its comments, key order, quoting, line endings and byte order mark stay
as written.  So the front matter is never dumped again from parsed YAML; new lines are
inserted at positions the front-matter reader reports, at the source's own indentation:

* a source written as a mapping gets the lines after its last field;
* a source written as ``key: URL`` (the short form) becomes a mapping, its URL on a line
  of its own, the value and any comment kept as written;
* a source in flow style (``key: {url: …}``) is not touched: the edit is refused with a
  reason, for the author to make by hand.

Pure: bytes in, bytes out.  The caller re-reads the result to confirm it (``verify``).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from . import frontmatter
from .diagnostics import Sink


class EditRefused(Exception):
    """The edit cannot be made safely; the message says why, for the author."""


def open_story(data: bytes, what: str) -> tuple[bool, str, str, frontmatter.Header]:
    """A story's bytes as an editor needs them: whether it starts with a byte order mark,
    its text, its line end, and its YAML front matter (``what`` says, for the refusal,
    what is to be written there)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EditRefused("the file is not valid UTF-8") from None
    if re.search("\r(?!\n)", text):
        raise EditRefused("the file has a line break written as a lone CR")
    eol = "\r\n" if "\r\n" in text else "\n"
    header = frontmatter.split(text.replace("\r\n", "\n"), Sink(""), max_front_matter=10**7)
    if header is None or header.style != "yaml":
        raise EditRefused(f"{what} can be written only in YAML front matter (between --- lines)")
    return bom, text, eol, header


def add_fields(data: bytes, key: str, fields: list[tuple[str, str]]) -> bytes:
    """``data`` (a story's bytes) with ``fields`` (name, value) added to source ``key``."""
    bom, text, eol, header = open_story(data, "sources")
    lines = text.split("\n")  # a CRLF file keeps its "\r" at each line's end
    sources = header.data.get("sources")
    path, value = _find(sources, key)
    for name, _ in fields:
        if isinstance(value, dict) and name in value:
            raise EditRefused(f"source '{key}' already has '{name}'")
    if isinstance(value, str):
        lines = _expand_short(lines, header, path, eol, key)
        header = frontmatter.split(
            "\n".join(lines).replace("\r\n", "\n"), Sink(""), max_front_matter=10**7
        )
        assert header is not None
    at, indent = _block_end(lines, header, path, key)
    new = [
        " " * indent + f"{name}: {yaml_scalar(v)}" + ("\r" if eol == "\r\n" else "")
        for name, v in fields
    ]
    lines[at:at] = new
    out = (b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode("utf-8")
    _verify(text, out, path, fields)
    return out


def _verify(text: str, out: bytes, path: tuple, fields: list[tuple[str, str]]) -> None:
    """The edited front matter reads as the old one plus the new fields, nothing else."""
    before = frontmatter.split(text.replace("\r\n", "\n"), Sink(""), max_front_matter=10**7)
    sink = Sink("")
    after = frontmatter.split(
        out.decode("utf-8-sig").replace("\r\n", "\n"), sink, max_front_matter=10**7
    )
    if after is None or before is None or sink.items:
        raise EditRefused("the edited front matter would not read back cleanly")
    expected = before.data
    entry = expected["sources"][path[1]]
    if isinstance(entry, str):
        entry = {"url": entry}
    expected["sources"][path[1]] = {**entry, **dict(fields)}
    if after.data != expected or after.body != before.body:
        raise EditRefused("the edited front matter would not read back as intended")


def _find(sources: Any, key: str) -> tuple[tuple, Any]:
    if isinstance(sources, dict) and key in sources:
        return ("sources", key), sources[key]
    if isinstance(sources, list):
        for i, item in enumerate(sources):
            if isinstance(item, dict) and str(item.get("id")) == key:
                return ("sources", i), item
    raise EditRefused(f"no source '{key}' in the front matter")


def _line_indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _expand_short(
    lines: list[str], header: frontmatter.Header, path: tuple, eol: str, key: str
) -> list:
    """``key: URL  # comment`` → ``key:`` and ``  url: URL  # comment`` below it."""
    key_line, key_col = header.key_pos[path]
    value_line, value_col = header.value_pos[path]
    if value_line != key_line:
        raise EditRefused(f"source '{key}': its URL is not on the key's line")
    row = lines[key_line - 1]
    nxt = lines[key_line] if key_line < len(lines) else ""
    if nxt.strip() and _line_indent(nxt) > key_col - 1 and not nxt.lstrip().startswith("#"):
        raise EditRefused(f"source '{key}': its URL goes on over more than one line")
    step = _indent_step(lines, header)
    cr = "\r" if eol == "\r\n" else ""
    head = row[: value_col - 1].rstrip()
    if not head.endswith(":"):
        raise EditRefused(f"source '{key}' is not written as 'key: URL'")
    rest = row[value_col - 1 :]
    return [
        *lines[: key_line - 1],
        head + cr,
        " " * (key_col - 1 + step) + "url: " + rest,
        *lines[key_line:],
    ]


def _indent_step(lines: list[str], header: frontmatter.Header) -> int:
    """How far the file indents a mapping's fields: as a source written as a mapping
    does, else as the sources are indented under ``sources:``, else 2."""
    for path, (line, col) in header.key_pos.items():
        if len(path) == 3 and path[0] == "sources" and not isinstance(path[1], int):
            parent = header.key_pos.get(path[:2])
            if parent and line != parent[0] and col > parent[1]:
                return col - parent[1]
    top = header.key_pos.get(("sources",))
    for path, (_, col) in header.key_pos.items():
        if top and len(path) == 2 and path[0] == "sources" and col > top[1]:
            return col - top[1]
    return 2


def _block_end(
    lines: list[str], header: frontmatter.Header, path: tuple, key: str
) -> tuple[int, int]:
    """Where to insert new fields of the source at ``path`` (a 0-based line index) and
    at what indentation."""
    field_keys = [(pos, p) for p, pos in header.key_pos.items() if len(p) == 3 and p[:2] == path]
    if not field_keys:
        raise EditRefused(f"source '{key}' has no fields to add to")
    (first_line, first_col), _ = min(field_keys)
    row = lines[first_line - 1]
    before = row[: first_col - 1]
    if "{" in before or before.rstrip().endswith(","):
        raise EditRefused(f"source '{key}' is written in flow style ({{…}}); add the field by hand")
    if (
        path[1] in header.key_pos
        and header.key_pos[path][0] == first_line
        and isinstance(path[1], str)
    ):
        raise EditRefused(f"source '{key}' has its fields on the key's line")
    indent = first_col - 1
    last = first_line - 1  # 0-based index of the block's last non-blank line
    end = fence_index(lines, header)
    i = first_line
    while i < end:
        line = lines[i].rstrip("\r")
        if line.strip():
            if _line_indent(line) < indent:
                break
            last = i
        i += 1
    return last + 1, indent


def fence_index(lines: list[str], header: frontmatter.Header) -> int:
    """The 0-based index of the closing fence line."""
    return header.body_line - 2


def yaml_scalar(value: str) -> str:
    """``value`` as YAML that reads back as the same string: plain when it can be."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z))?", value):
        return value  # a day or a time, as authors write them (the reader takes them as text)
    try:
        if yaml.safe_load(f"k: {value}") == {"k": value} and not value.startswith(("'", '"')):
            return value
    except yaml.YAMLError:
        pass
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
