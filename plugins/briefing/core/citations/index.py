"""markdown-it-py plugin for citations, in the shape of mdit-py-plugins' ``footnote``.

Two syntaxes, both rendered the briefing way, ``(cnbc.com)`` with the host linked:

* briefing style: a parenthesis holding only hostnames, ``(cnbc.com)``,
  ``(about.fb.com, ai.meta.com)``; a repeated host cites that many distinct sources of
  the host in front-matter order; ``(cnbc.com@jobs)`` names the source ``jobs`` when a host
  has several (readers still see ``cnbc.com``);
* keys, pandoc style: ``[@cnbc]``, ``[@a; @b]``.

An inline rule makes ``citation`` tokens; a core rule resolves them against the sources in
``env["briefing_sources"]``, numbers them, reports problems in ``env["briefing_problems"]``
as ``(line, col, code, message)`` and appends a ``citation_sources`` token; render rules
turn both into HTML.  A parenthesis that is not entirely hostnames is ordinary text, and so
is one whose hosts are neither the story's nor on a real public suffix (``(index.html)``).

Imports nothing from Pelican.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ..sources import KEY_PATTERN
from ..urls import HOST_PATTERN, has_public_suffix, normalize_host

SOURCES = "briefing_sources"
PROBLEMS = "briefing_problems"
CITED = "briefing_cited"
BROKEN = "briefing_broken_sources"  # keys of sources already reported as unusable
#: set for text shown away from the story's own page (a summary on a list of stories):
#: citations link to their sources without ids or references to a source list, and none
#: is added
DETACHED = "briefing_detached"
#: set for a story that declares no ``sources`` at all (a Pelican archive's post): there,
#: ``[@name]`` is a credit to a handle, not a citation, and stays text
KEYS_AS_TEXT = "briefing_keys_as_text"

_HOST_ITEM = rf"(?:www\.)?{HOST_PATTERN}(?:@{KEY_PATTERN})?"
HOST_GROUP = re.compile(rf"\(\s*({_HOST_ITEM}(?:\s*,\s*{_HOST_ITEM})*)\s*\)")
_KEY_GROUP = re.compile(rf"\[\s*@({KEY_PATTERN})((?:\s*;\s*@{KEY_PATTERN})*)\s*\]")
_SPLIT_KEYS = re.compile(r"\s*;\s*@")


def citations_plugin(md: MarkdownIt) -> None:
    md.inline.add_terminator_char("(")
    md.inline.ruler.before("link", "citation_keys", _key_rule)
    md.inline.ruler.before("link", "citation_hosts", _host_rule)
    anchor = "footnote_tail" if "footnote_tail" in _core_rule_names(md) else "inline"
    md.core.ruler.after(anchor, "citation_resolve", _resolve)
    md.add_render_rule("citation", render_citation)
    md.add_render_rule("citation_sources", render_sources)


def _core_rule_names(md: MarkdownIt) -> list[str]:
    return [rule.name for rule in md.core.ruler.__rules__]


# --- inline rules: make tokens -------------------------------------------------------


def _key_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[" or state.linkLevel > 0 or state.env.get(KEYS_AS_TEXT):
        return False
    m = _KEY_GROUP.match(state.src, state.pos, state.posMax)
    if not m or state.src[m.end() : m.end() + 1] in ("(", "["):  # [@x](url) is a link
        return False
    if not silent:
        keys = [m.group(1), *filter(None, _SPLIT_KEYS.split(m.group(2))[1:])]
        _push(state, "key", [(None, key) for key in keys], m)
    state.pos = m.end()
    return True


def _host_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "(" or state.linkLevel > 0:
        return False
    m = HOST_GROUP.match(state.src, state.pos, state.posMax)
    if not m:
        return False
    items = []
    known = {s.host for s in state.env.get(SOURCES, ())}
    for text in re.split(r"\s*,\s*", m.group(1)):
        host, _, key = text.partition("@")
        host = normalize_host(host)
        if not key and host not in known and not has_public_suffix(host):
            return False  # (index.html), (node.js): ordinary text
        items.append((host, key or None))
    if not silent:
        _push(state, "host", items, m)
    state.pos = m.end()
    return True


def _push(state: StateInline, kind: str, items: list, m: re.Match[str]) -> None:
    token = state.push("citation", "", 0)
    token.content = m.group(0)
    token.meta = {"kind": kind, "items": items, "offset": m.start()}


# --- core rule: resolve, number, check -----------------------------------------------


def _resolve(state: StateCore) -> None:
    sources: Sequence[Any] = state.env.get(SOURCES, ())
    by_key = {s.key: s for s in sources}
    by_host: dict[str, list[Any]] = {}
    for s in sources:
        by_host.setdefault(s.host, []).append(s)
    problems = state.env.setdefault(PROBLEMS, [])
    broken = state.env.get(BROKEN, set())
    lines = state.src.split("\n")
    order: list[str] = []  # source keys by first citation
    anchors: dict[str, list[str]] = {}
    count = 0

    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            if token.type != "citation":
                continue
            at = _position(block, token.meta["offset"], lines)

            def problem(code: str, message: str, at: tuple[int, int] = at) -> None:
                problems.append((*at, code, message))

            if token.meta["kind"] == "key":
                resolved = [_by_key(key, by_key, broken, problem) for _, key in token.meta["items"]]
            else:
                resolved = _by_host(token.meta["items"], by_key, by_host, broken, problem)
            links = []
            for (host, _), source in zip(token.meta["items"], resolved, strict=True):
                if source is None:
                    links.append((host, None, None))
                    continue
                count += 1
                anchor = f"cite-{count}"
                if source.key not in anchors:
                    order.append(source.key)
                anchors.setdefault(source.key, []).append(anchor)
                links.append((host or source.host, source, anchor))
            token.meta["links"] = links

    numbers = {key: i for i, key in enumerate(order, 1)}
    for s in sources:
        numbers.setdefault(s.key, len(numbers) + 1)
    for block in state.tokens:
        for token in block.children or ():
            if token.type == "citation":
                token.meta["numbers"] = numbers
    state.env[CITED] = order
    if sources and not state.env.get(DETACHED):
        listing = Token("citation_sources", "", 0)
        listing.block = True
        listing.meta = {
            "entries": sorted(
                ((numbers[s.key], s, anchors.get(s.key, [])) for s in sources),
                key=lambda entry: entry[0],
            )
        }
        state.tokens.append(listing)


def _by_key(key: str, by_key: dict[str, Any], broken: set[str], problem) -> Any:
    source = by_key.get(key)
    if source is None and key not in broken:
        known = ", ".join(by_key) or "none"
        problem("citation-undefined-key", f"no source has the key '{key}' (keys: {known})")
    return source


def _by_host(items, by_key, by_host, broken, problem) -> list[Any]:
    """One group: explicit host@key first, then the rest of each host in front-matter order."""
    resolved: list[Any] = [None] * len(items)
    explicit = {key for _, key in items if key}
    pending: dict[str, list[int]] = {}
    for i, (host, key) in enumerate(items):
        if key:
            source = _by_key(key, by_key, broken, problem)
            if source is not None and source.host != host:
                problem("citation-undefined-key", f"source '{key}' is at {source.host}, not {host}")
                source = None
            resolved[i] = source
        else:
            pending.setdefault(host, []).append(i)
    for host, slots in pending.items():
        candidates = [s for s in by_host.get(host, []) if s.key not in explicit]
        if not by_host.get(host):
            hosts = ", ".join(sorted(by_host)) or "none"
            problem(
                "citation-undefined-host", f"no source of this story is at {host} (hosts: {hosts})"
            )
        elif len(slots) > len(candidates):
            problem(
                "citation-too-many",
                f"this group cites {host} {len(slots)} times, but the story has "
                f"{len(candidates)} other source(s) there",
            )
        elif len(slots) < len(candidates):
            keys = ", ".join(s.key for s in candidates)
            problem(
                "citation-ambiguous-host",
                f"{host} could be any of the sources {keys}; say which with "
                f"({host}@{candidates[0].key})",
            )
        else:
            for slot, source in zip(slots, candidates, strict=True):
                resolved[slot] = source
    return resolved


def _position(block: Token, offset: int, lines: list[str]) -> tuple[int, int]:
    """1-based line and column in the Markdown source of an offset into inline content.

    Line starts and each line's indentation are found once per block, so a block with
    many citations costs no more than one pass over it."""
    meta = block.meta
    if "_line_starts" not in meta:
        meta["_line_starts"] = [0] + [m.end() for m in re.finditer("\n", block.content)]
        meta["_lines"] = block.content.split("\n")
        meta["_indent"] = {}
    starts = meta["_line_starts"]
    k = bisect.bisect_right(starts, offset) - 1
    line_index = (block.map[0] if block.map else 0) + k
    indent = meta["_indent"].get(k)
    if indent is None:
        indent = meta["_indent"][k] = _indent(meta["_lines"][k], lines, line_index)
    return line_index + 1, indent + offset - starts[k] + 1


def _indent(content_line: str, lines: list[str], line_index: int) -> int:
    """Where a line of inline content starts in its source line (after `> `, list markers,
    indentation, or a table cell's `|`)."""
    content_line = content_line.rstrip()
    if not 0 <= line_index < len(lines):
        return 0
    source_line = lines[line_index].rstrip()
    if source_line.endswith(content_line):
        return len(source_line) - len(content_line)
    found = source_line.find(content_line)
    return max(found, 0)


# --- render rules ----------------------------------------------------------------------


def _card(source: Any) -> str:
    parts = [source.outlet_name]
    if source.title:
        parts.append(source.title)
    text = ": ".join(parts)
    if source.published_text:
        text += f" ({source.published_text})"
    return text


#: classes of the links citations and source lists are made of (``search`` hands Pagefind
#: the first two without their attributes, and no back link)
CITATION_LINK, SOURCE_LINK, BACK_LINK = "citation", "source__link", "source__back"


def _robust(source: Any) -> str:
    """The Robust Links attributes of a link to ``source`` (none without an archived copy)."""
    return "".join(f' {name}="{escape(value)}"' for name, value in source.robust_link.items())


def render_citation(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    token = tokens[idx]
    numbers = token.meta.get("numbers", {})
    links = token.meta.get("links", [])
    if any(source is None for _, source, _ in links):
        return escape(token.content)  # an error was reported: show what the author wrote
    out = []
    detached = env.get(DETACHED)
    for host, source, anchor in links:
        refs = "" if detached else f'id="{anchor}" '
        described = "" if detached else f'aria-describedby="source-{numbers[source.key]}" '
        out.append(
            f'<a class="{CITATION_LINK}" {refs}href="{escape(source.link)}" '
            f'{described}data-card="{escape(_card(source))}"{_robust(source)}>'
            f"{escape(host)}</a>"
        )
    return "(" + ", ".join(out) + ")"


def render_sources(self, tokens: Sequence[Token], idx: int, options, env) -> str:
    items = []
    for number, source, anchors in tokens[idx].meta["entries"]:
        parts = [f'<span class="source__outlet">{escape(source.outlet_name)}</span>']
        label = escape(source.title) if source.title else escape(source.url)
        parts.append(
            f'<a class="{SOURCE_LINK}" href="{escape(source.link)}"{_robust(source)}>'
            f"<cite>{label}</cite></a>"
        )
        if source.published:
            parts.append(
                f'<time datetime="{escape(source.published_iso)}">'
                f"{escape(source.published_text)}</time>"
            )
        line = ", ".join(parts) + "."
        if source.dead:
            since = (
                f'dead since <time datetime="{source.dead.isoformat()}">'
                f"{escape(source.dead_text or '')}</time>"
            )
            if source.archived:  # the title links the copy; the original is still named
                original = escape(source.url)
                line += f' <a class="source__original" href="{original}">Original</a> ({since}).'
            else:
                line += f" The page is {since}."
        elif source.archived:
            archived = escape(source.archived)
            line += (
                f' <a class="source__archived" href="{archived}"{_robust(source)}>'
                "Archived copy</a>."
            )
        if source.note:
            line += f' <span class="source__note">{escape(source.note)}</span>'
        if anchors:
            backs = " ".join(
                f'<a class="{BACK_LINK}" href="#{a}" aria-label="Back to citation {i}">↩'
                f"{'' if len(anchors) == 1 else i}</a>"
                for i, a in enumerate(anchors, 1)
            )
            line += f" {backs}"
        items.append(f'<li id="source-{number}" class="source">{line}</li>')
    return (
        '<section class="sources" aria-labelledby="sources-heading">\n'
        '<h2 id="sources-heading">Sources</h2>\n'
        '<ol class="sources__list">\n' + "\n".join(items) + "\n</ol>\n</section>\n"
    )
