"""Appending an entry to a story's ``corrections:``, changing nothing else.

``briefing correct`` uses it.  As with ``sourceedit``, the front matter is never dumped
again from parsed YAML: the new lines go after the list's last entry, at its own
indentation (or, when the story has no corrections yet, a new ``corrections:`` list
goes at the end of the front matter); comments, key order, quoting, line endings and a
byte order mark stay as written.  A list in flow style (``corrections: […]``) is refused
with a reason.  Pure: bytes in, bytes out, read back before they are returned.
"""

from __future__ import annotations

import re
from typing import Any

from . import frontmatter
from .diagnostics import Sink
from .sourceedit import EditRefused, fence_index, open_story, yaml_scalar

_BIG = 10**7


def append_correction(data: bytes, entry: dict[str, str]) -> tuple[bytes, list[str]]:
    """``data`` (a story's bytes) with ``entry`` (date, text and maybe kind, as text)
    appended to its corrections; also the lines added (without line ends)."""
    bom, text, eol, header = open_story(data, "corrections")
    lines = text.split("\n")  # a CRLF file keeps its "\r" at each line's end
    fields = [(name, entry[name]) for name in ("date", "text", "kind") if entry.get(name)]
    if "corrections" not in header.data:
        at = fence_index(lines, header)
        added = ["corrections:", *_item(fields, dash=2, field=4)]
    else:
        at, dash, field = _list_end(lines, header)
        added = _item(fields, dash=dash, field=field)
    cr = "\r" if eol == "\r\n" else ""
    lines[at:at] = [line + cr for line in added]
    out = (b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode("utf-8")
    _verify(text, out, dict(fields))
    return out, added


def _item(fields: list[tuple[str, str]], *, dash: int, field: int) -> list[str]:
    first, *rest = fields
    return [
        " " * dash + "- " + " " * (field - dash - 2) + f"{first[0]}: {yaml_scalar(first[1])}"
    ] + [" " * field + f"{name}: {yaml_scalar(value)}" for name, value in rest]


def _list_end(lines: list[str], header: frontmatter.Header) -> tuple[int, int, int]:
    """Where a new entry goes (a 0-based line index), its dash's and its fields' columns."""
    value = header.data["corrections"]
    key_line, key_col = header.key_pos[("corrections",)]
    row = lines[key_line - 1].rstrip("\r")
    after_key = row[key_col - 1 :].split(":", 1)[1].split("#", 1)[0].strip()
    if after_key.startswith("[") or (after_key and after_key not in ("|", ">")):
        raise EditRefused(
            "'corrections' is written on one line (flow style, such as []); write it as a "
            "list of '- date: …' entries, or add the entry by hand"
        )
    if value is not None and not isinstance(value, list):
        raise EditRefused("'corrections' is not a list")
    end = fence_index(lines, header)
    dash, field = key_col - 1 + 2, key_col - 1 + 4
    if value:  # the first entry shows how this file indents them
        first_line, first_col = min(
            pos for path, pos in header.key_pos.items() if path[:2] == ("corrections", 0)
        )
        item_row = lines[first_line - 1]
        found = re.match(r"^(\s*)-(\s+)", item_row)
        if found is None:
            raise EditRefused("the first correction is not written as '- date: …'")
        dash, field = len(found.group(1)), first_col - 1
    last = key_line - 1  # 0-based index of the list's last line
    i = key_line
    while i < end:
        line = lines[i].rstrip("\r")
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            indent = len(line) - len(line.lstrip(" "))
            if indent < key_col - 1 or (indent == key_col - 1 and not stripped.startswith("-")):
                break  # the next key of the front matter
            last = i
        i += 1
    return last + 1, dash, field


def _verify(text: str, out: bytes, entry: dict[str, Any]) -> None:
    """The edited front matter reads as the old one with the entry added, nothing else."""
    before = frontmatter.split(text.replace("\r\n", "\n"), Sink(""), max_front_matter=_BIG)
    sink = Sink("")
    after = frontmatter.split(
        out.decode("utf-8-sig").replace("\r\n", "\n"), sink, max_front_matter=_BIG
    )
    if after is None or before is None or sink.items:
        raise EditRefused("the edited front matter would not read back cleanly")
    expected = dict(before.data)
    expected["corrections"] = [*(expected.get("corrections") or []), entry]
    if after.data != expected or after.body != before.body:
        raise EditRefused("the edited front matter would not read back as intended")
