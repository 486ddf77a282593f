"""Starting stories: ``briefing new`` (a skeleton) and ``briefing import`` (plain-text
briefings, as news apps share them, turned into stories with sources)."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..core.citations import HOST_GROUP  # one pattern for a citation group, parser and importer
from ..core.urls import has_public_suffix, normalize_host, public_suffix, shortened

#: Lines news apps append to a shared briefing (their promotion): the closing block from the
#: first of them on is dropped, and reported, when it follows the last cited paragraph.
FOOTER_PATTERNS = [
    re.compile(p, re.I)
    for p in (
        r"\bget (your own|the|a) .*\bbriefing",
        r"\bget your own\b",
        r"\bpersonali[sz]ed (news|briefings?|insights)\b",
        r"\btailored to your\b",
        r"\bbe the smartest\b",
        r"\bdownload (it )?on the app store\b",
        r"\bget it on google play\b",
        r"^\s*(shared|sent) (from|via|with)\b",
        r"^\s*sent from my\b",
        r"\b(apps\.apple\.com|play\.google\.com)\b",
        r"^\s*(download|install|try) .*\bapp\b",
        r"\bunsubscribe\b",
    )
]


def slugify(text: str) -> str:
    """A URL slug from a headline: ASCII, lowercase, hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"['\u2019]", "", text.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].strip("-") or "story"


def story_filename(date: dt.datetime, title: str) -> str:
    return f"{date:%Y-%m-%d}-{slugify(title)}.md"


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def birth_id(title: str, date: dt.datetime) -> str:
    """The feed id a story is born with: written into its front matter, it survives every
    later edit, rename, move and change of domain."""
    return (
        f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'briefing-story:{date.isoformat()}:{title}')}"
    )


def birth_slug(title: str, settings: dict[str, Any]) -> str | None:
    """The slug a story is born with, as the build would make it from the headline (the
    site's slug settings, Pelican's defaults where it has none).  Written into the front
    matter, it keeps the story's URL when the headline is corrected, as a newsroom's CMS
    freezes it at first publication; None when the site takes slugs from file names
    (``SLUGIFY_SOURCE = "basename"``), which no headline edit changes."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify as pelican_slugify

    def setting(name: str) -> Any:
        return settings.get(name, DEFAULT_CONFIG[name])

    if setting("SLUGIFY_SOURCE") != "title":
        return None
    slug = pelican_slugify(
        title,
        regex_subs=setting("SLUG_REGEX_SUBSTITUTIONS"),
        preserve_case=setting("SLUGIFY_PRESERVE_CASE"),
        use_unicode=setting("SLUGIFY_USE_UNICODE"),
    )
    return shortened(slug) or None  # a long headline's slug is cut, as the build asks


def _birth_lines(title: str, date: dt.datetime, settings: dict[str, Any]) -> list[str]:
    """Title, date and what keeps the story's addresses through later edits: its feed id
    and its slug."""
    lines = [f"title: {_yaml_text(title)}", f"date: {date.isoformat()}"]
    slug = birth_slug(title, settings)
    if slug:
        lines.append(f"slug: {_yaml_text(slug)}")
    return [*lines, f"id: {birth_id(title, date)}"]


def new_story(
    title: str,
    *,
    date: dt.datetime,
    section: str | None = None,
    topics: list[str] | None = None,
    settings: dict[str, Any] | None = None,
) -> str:
    """The front-matter skeleton of a new story, with one example source to replace."""
    lines = ["---", *_birth_lines(title, date, settings or {})]
    if section:
        lines.append(f"category: {_yaml_text(section)}")
    if topics:
        lines.append("tags: [" + ", ".join(_yaml_text(t) for t in topics) + "]")
    lines += [
        'summary: "One sentence saying what happened."',
        "sources:",
        "  example:",
        "    url: https://www.example.com/news/the-article-you-cite",
        '    outlet: "Example News"',
        '    title: "The headline of the article you cite"',
        f"    published: {date.date().isoformat()}",
        "    unverified: true",
        "---",
        "What happened, in a sentence or two, and who says so (example.com).",
        "",
    ]
    return "\n".join(lines)


@dataclass
class Imported:
    title: str
    text: str  # the story file
    sources: list[tuple[str, str]] = field(default_factory=list)  # (key, host)
    groups: int = 0
    rewritten: int = 0
    footer: list[str] = field(default_factory=list)


def _key_base(host: str) -> str:
    suffix = public_suffix(host) or ""
    name = host[: -len(suffix) - 1] if suffix and host.endswith("." + suffix) else host
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()  # bücher: bucher
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or "source"


def _is_citation(m: re.Match[str]) -> bool:
    """As the citation parser decides for hosts it does not know: on a real public suffix."""
    hosts = (normalize_host(i.partition("@")[0]) for i in re.split(r"\s*,\s*", m.group(1)))
    return all(has_public_suffix(h) for h in hosts)


def _without_promotion(lines: list[str]) -> tuple[list[str], list[str]]:
    """The text without the app's closing block, and the block's lines.

    The block is what follows the last cited line, from the first line of promotion on
    (a store badge, "Shared from …", "Get your own …"): an app's blurb between two such
    lines goes with them, while an uncited closing paragraph before them stays."""
    cited = [i for i, line in enumerate(lines) if any(map(_is_citation, HOST_GROUP.finditer(line)))]
    start = cited[-1] + 1 if cited else 0
    for i in range(start, len(lines)):
        if any(p.search(lines[i]) for p in FOOTER_PATTERNS):
            return lines[:i], [line.strip() for line in lines[i:] if line.strip()]
    return lines, []


def import_briefing(
    text: str, *, date: dt.datetime, settings: dict[str, Any] | None = None
) -> Imported:
    """A plain-text briefing → a story: headline, body with its citation groups, sources."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        raise ValueError("the text is empty: expected a headline line and paragraphs")
    title = lines.pop(0).strip().lstrip("#").strip()
    lines, footer = _without_promotion(lines)
    body = "\n".join(lines).strip("\n")

    groups = [m for m in HOST_GROUP.finditer(body) if _is_citation(m)]
    spelled: dict[str, str] = {}  # host → first spelling, for the placeholder URL
    needed: dict[str, int] = {}
    for m in groups:
        counts: dict[str, int] = {}
        for item in re.split(r"\s*,\s*", m.group(1)):
            written = item.partition("@")[0]
            host = normalize_host(written)
            spelled.setdefault(host, written)
            counts[host] = counts.get(host, 0) + 1
        for host, n in counts.items():
            needed[host] = max(needed.get(host, 0), n)

    keys: dict[str, list[str]] = {}
    taken: set[str] = set()
    for host in spelled:  # in order of first citation
        base = _key_base(host)
        for i in range(needed[host]):
            key = base if i == 0 else f"{base}-{i + 1}"
            while key in taken:
                key += "-x"
            taken.add(key)
            keys.setdefault(host, []).append(key)

    rewritten = 0

    def rewrite(m: re.Match[str]) -> str:
        nonlocal rewritten
        if not _is_citation(m):
            return m.group(0)
        items = re.split(r"(\s*,\s*)", m.group(1))
        hosts = [normalize_host(items[i].partition("@")[0]) for i in range(0, len(items), 2)]
        seen: dict[str, int] = {}
        for j, i in enumerate(range(0, len(items), 2)):
            host, written = hosts[j], items[i]
            n = seen.get(host, 0)
            seen[host] = n + 1
            if "@" not in written and hosts.count(host) < len(keys[host]):
                items[i] = f"{written}@{keys[host][n]}"  # say which; readers still see the host
                rewritten += 1
        inner = "".join(items)
        return m.group(0).replace(m.group(1), inner, 1)

    body = HOST_GROUP.sub(rewrite, body)
    front = ["---", *_birth_lines(title, date, settings or {}), "sources:"]
    sources = []
    for host, host_keys in keys.items():
        for key in host_keys:
            front += [
                f"  {key}:",
                f"    url: https://{spelled[host]}/",
                f"    outlet: {_yaml_text(host)}",
                "    unverified: true",
            ]
            sources.append((key, host))
    if not sources:
        front.pop()
    story = "\n".join([*front, "---", body, ""])
    return Imported(title, story, sources, len(groups), rewritten, footer)
