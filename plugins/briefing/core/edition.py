"""A day's email edition, the parts that need neither Pelican nor a template: each story's
plain text, made from its Markdown (not from its HTML), and the message itself.

The plain-text part of an edition is read in mail clients that show no HTML, and by
people who prefer it: a story's words wrapped at 72 columns, citations as numbers in
brackets (``[1]``, ``[1, 2]``), and its numbered sources with their addresses after it.
The message is ``multipart/alternative`` (text, then HTML) with headers that no value
from a story can break: a carriage return or line feed in a headline or an outlet is a
space by the time it reaches a header.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import hashlib
import re
import textwrap
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urljoin, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import citations

WIDTH = 72
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


# --- plain text ---------------------------------------------------------------------------


@dataclass
class _Block:
    text: str
    first: str = ""  # the prefix of its first line
    rest: str = ""  # of the others
    pre: bool = False  # preformatted: not wrapped
    tight: bool = False  # no blank line before it (a tight list's next item)


def story_text(
    md: MarkdownIt,
    body: str,
    sources: list[Any],
    *,
    base_url: str,
    resolve: Callable[[str], str | None] = lambda href: None,
    keys_as_text: bool = False,
) -> tuple[str, str]:
    """A story's body and its sources as plain text, ``(body, sources)``.  ``resolve``
    turns a link to a file of the site (``{filename}/…``) into its address;
    ``keys_as_text`` as the reader decided it (a story that declares no sources)."""
    env: dict[str, Any] = {citations.SOURCES: sources, citations.KEYS_AS_TEXT: keys_as_text}
    tokens = md.parse(body, env)
    listing: list[tuple[int, Any, list[str]]] = []
    blocks = _blocks(tokens, base_url, resolve, listing)
    return _layout(blocks), sources_text(listing)


def sources_text(entries: list[tuple[int, Any, list[str]]]) -> str:
    """The numbered sources: outlet, title and date, then the address (and the archived
    copy's), each on its own line so that no address is broken."""
    out = []
    for number, source, _ in entries:
        label = f"[{number}]"
        head = source.outlet_name
        if source.title:
            head += f": {source.title}"
        if source.published:
            head += f" ({source.published_text})"
        pad = " " * (len(label) + 1)
        wrapped = textwrap.fill(
            _one_line(head), WIDTH, initial_indent=label + " ", subsequent_indent=pad,
            break_long_words=False, break_on_hyphens=False,
        )  # fmt: skip
        lines = [wrapped, pad + source.url]
        if source.dead:
            lines.append(pad + f"(the page is gone since {source.dead_text})")
        if source.archived:
            lines.append(pad + "Archived copy: " + source.archived)
        out.append("\n".join(lines))
    return "\n".join(out)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _blocks(
    tokens: list[Token],
    base_url: str,
    resolve: Callable[[str], str | None],
    listing: list[tuple[int, Any, list[str]]],
) -> list[_Block]:
    blocks: list[_Block] = []
    quote = 0
    lists: list[list[Any]] = []  # [ordered, next number, bullet pending, an item shown]
    table: list[list[str]] | None = None
    heading = False
    note = ""  # a footnote's label, before its first paragraph
    for i, token in enumerate(tokens):
        kind = token.type
        if kind == "citation_sources":
            listing.extend(token.meta["entries"])
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1) or 1)
            lists.append([kind == "ordered_list_open", start, False, False])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            lists[-1][2] = True
        elif kind == "heading_open":
            heading = True
        elif kind == "footnote_block_open":
            blocks.append(_Block("* * *", *_prefix(quote, lists)))
        elif kind == "footnote_open":
            note = f"[^{token.meta.get('label') or token.meta['id'] + 1}] "
        elif kind == "table_open":
            table = []
        elif kind == "tr_open" and table is not None:
            table.append([])
        elif kind == "table_close" and table is not None:
            rows = [" | ".join(row) for row in table]
            blocks.append(_Block("\n".join(rows), *_prefix(quote, lists), pre=True))
            table = None
        elif kind == "inline":
            text = _inline(token.children or [], base_url, resolve)
            if table is not None:
                table[-1].append(text)
                continue
            first, rest = _prefix(quote, lists)
            # a tight list's items follow each other line by line, after a blank line
            tight = bool(lists) and tokens[i - 1].hidden and lists[-1][3]
            bullet = _bullet(lists)
            if lists:
                lists[-1][3] = True
            if bullet:  # in place of the item's own indentation
                first = first[: max(0, len(first) - (4 if lists[-1][0] else 2))] + bullet
            if note:
                text, note = note + text, ""
            blocks.append(_Block(text.upper() if heading else text, first, rest, tight=tight))
            heading = False
        elif kind in ("fence", "code_block"):
            first, rest = _prefix(quote, lists)
            code = token.content.rstrip("\n")
            blocks.append(_Block(code, first + "    ", rest + "    ", pre=True))
        elif kind == "hr":
            blocks.append(_Block("* * *", *_prefix(quote, lists)))
        elif kind == "html_block":
            blocks.append(_Block(token.content.strip(), *_prefix(quote, lists), pre=True))
    return blocks


def _prefix(quote: int, lists: list[list[Any]]) -> tuple[str, str]:
    indent = "".join(" " * (4 if entry[0] else 2) for entry in lists)
    lead = "> " * quote
    return lead + indent, lead + indent


def _bullet(lists: list[list[Any]]) -> str:
    """The marker of a list item's first paragraph (and the item no longer pending)."""
    if not lists or not lists[-1][2]:
        return ""
    ordered, number = lists[-1][0], lists[-1][1]
    lists[-1][2] = False
    if ordered:
        lists[-1][1] = number + 1
        return f"{number}.".ljust(3) + " "
    return "- "


def _inline(children: list[Token], base_url: str, resolve: Callable[[str], str | None]) -> str:
    out: list[str] = []
    links: list[tuple[str | None, int]] = []
    for token in children:
        kind = token.type
        if kind in ("text", "code_inline", "html_inline"):
            out.append(token.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
        elif kind == "citation":
            out.append(_citation(token))
        elif kind == "link_open":
            href = _address(str(token.attrs.get("href") or ""), base_url, resolve)
            links.append((href, len(out)))
        elif kind == "link_close" and links:
            href, start = links.pop()
            label = "".join(out[start:]).strip()
            if href and href not in (label, "mailto:" + label):
                out.append(f" <{href}>")
        elif kind == "image":
            alt = "".join(c.content for c in token.children or []) or "image"
            out.append(f"[{alt}]")
        elif kind == "footnote_ref":
            out.append(f"[^{token.meta.get('label') or token.meta['id'] + 1}]")
    return _one_line("".join(out))


def _citation(token: Token) -> str:
    links = token.meta.get("links", [])
    if not links or any(source is None for _, source, _ in links):
        return token.content  # as written (the build refuses a broken one)
    numbers = token.meta.get("numbers", {})
    return "[" + ", ".join(str(numbers[source.key]) for _, source, _ in links) + "]"


def _address(href: str, base_url: str, resolve: Callable[[str], str | None]) -> str | None:
    if href.startswith(("{", "|")):
        return resolve(href)
    if urlsplit(href).scheme in ("http", "https", "mailto"):
        return href
    return urljoin(base_url, href)


def _layout(blocks: list[_Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if block.pre:
            lines = block.text.split("\n")
            text = "\n".join(
                ((block.first if n == 0 else block.rest) + line).rstrip()
                for n, line in enumerate(lines)
            )
        else:
            text = textwrap.fill(
                block.text, WIDTH, initial_indent=block.first, subsequent_indent=block.rest,
                break_long_words=False, break_on_hyphens=False,
            )  # fmt: skip
        if out:
            out.append("\n" if block.tight else "\n\n")
        out.append(text.rstrip())
    return "".join(out)


def fill(text: str, indent: str = "") -> str:
    """One paragraph of the edition's own words, wrapped like the stories'."""
    return textwrap.fill(
        _one_line(text), WIDTH, initial_indent=indent, subsequent_indent=indent,
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip


# --- the message --------------------------------------------------------------------------


def header_text(value: Any) -> str:
    """A value for a mail header: control characters (a CR or LF above all, which would
    start a header of its own) and runs of white space become one space."""
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def message_id(siteurl: str, day: dt.date) -> str:
    """The edition's ``Message-ID``: the same whenever one day of one site is built, so
    that a message sent twice is known for the same one."""
    host = urlsplit(siteurl).hostname or "localhost"
    name = uuid.uuid5(uuid.NAMESPACE_URL, f"briefing-edition:{siteurl.rstrip('/')}/{day}")
    return f"<{day.isoformat()}.{name.hex[:16]}@{host}>"


@dataclass(frozen=True)
class Envelope:
    """The headers of an edition that are the same for every recipient."""

    subject: str
    sender: str
    date: dt.datetime
    message_id: str
    reply_to: str | None = None
    unsubscribe: str | None = None


def compose(envelope: Envelope, text: str, html: str, to: str | None = None) -> EmailMessage:
    """The edition as one ``multipart/alternative`` message (text first, HTML last, as
    RFC 2046 orders them), UTF-8 in quoted-printable, with a boundary made from the
    parts, so the same edition gives the same bytes."""
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["Subject"] = header_text(envelope.subject)
    msg["From"] = header_text(envelope.sender)
    if to:
        msg["To"] = header_text(to)
    if envelope.reply_to:
        msg["Reply-To"] = header_text(envelope.reply_to)
    msg["Date"] = email.utils.format_datetime(envelope.date)
    msg["Message-ID"] = header_text(envelope.message_id)
    if envelope.unsubscribe:
        msg["List-Unsubscribe"] = f"<{header_text(envelope.unsubscribe)}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["MIME-Version"] = "1.0"
    msg.set_content(text + "\n", subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    digest = hashlib.sha256((text + html).encode("utf-8")).hexdigest()[:32]
    msg.set_boundary(f"=_briefing_{digest}")
    return msg
