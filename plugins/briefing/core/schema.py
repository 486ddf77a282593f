"""A JSON Schema (draft 2020-12) of a story's front matter, for editors
(``briefing schema``; yaml-language-server reads it).

It says what the reader accepts (``metadata.py``, ``sources.py``): the types of the
known fields, both forms of ``sources``, and the fields of a source.  Fields it does not
know are allowed, as Pelican allows them (a theme may use them); a source's unknown field
is not (the reader warns, ``source-unknown-field``).  The descriptions are the author's
guide's (``docs/authoring.md``; a test keeps the two in step).
"""

from __future__ import annotations

from typing import Any

from .corrections import KINDS
from .metadata import STATUSES
from .sources import FIELDS, KEY_PATTERN

SCHEMA_ID = "https://briefing.invalid/schema/front-matter.json"

#: ISO 8601 / RFC 3339 as the reader takes it (``metadata.parse_date``): a day, or a day
#: and a time, with an optional offset.  YAML editors see unquoted dates as text.
DATE_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)?(Z|z|[+-]\d{2}(:?\d{2})?)?)?$"
)
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+"

#: What each field holds, as the author's guide says it (its table, without the code marks).
FIELD_DOCS = {
    "title": "the headline (required), text",
    "date": "when the story was published: ISO 8601 / RFC 3339, with a UTC offset: "
    "2026-11-27T07:30:00+00:00. Without an offset the site's TIMEZONE is used, with a "
    "date-naive warning. A story dated in the future is held back until then "
    "(story-scheduled)",
    "modified": "when it was last corrected, same format; feeds show it as updated. Without "
    "it, a story with corrections is modified at its newest entry",
    "category": "the section, such as City (one)",
    "tags": "topics: a YAML list [transport, energy], or text split on ; if present, else ,",
    "authors": "who wrote it, a list or text like tags / one name",
    "slug": "the last part of the URL: letters and digits of any script and - _ . ~, at "
    "most 100 bytes; by default made from the title, so a story without one moves when its "
    "headline changes (the build warns, url-moved). briefing new and briefing import write "
    "the slug of the first headline, so a corrected headline keeps the URL",
    "summary": "one or two sentences, Markdown; shown in lists and feeds. It may cite like "
    "the body, [@key] or (host). Without one, lists and feeds show the body's first 50 words "
    "(Pelican's SUMMARY_MAX_LENGTH), without its headings, footnotes or Sources list",
    "status": "published (default), draft (written nowhere: previewed by briefing serve, or "
    "under /drafts/ with BRIEFING_PREVIEW_DRAFTS = True), hidden (written, not listed), skip",
    "aliases": "earlier addresses of the story, paths on this site such as "
    '["2026/11/27/old-slug/"] (a list, or text split like tags): each becomes a page that '
    "sends readers on to the story, so links to an old address keep working",
    "position": "a whole number: the story's place in its day's briefing (lowest first; "
    "stories without it follow, by time)",
    "id": "pins the story's feed entry id (a URI such as tag:news.example.org,2026:tunnel, "
    "or any text). briefing new and briefing import write one (urn:uuid:…): keep it, and "
    "feed readers never show the story twice, whatever you edit, rename or move. Without "
    "one, the id comes from the file's path: renaming the file changes it, and the build "
    "warns (feed-id-changed)",
    "sources": "the story's sources, below",
    "corrections": "the corrections and updates made after publishing, a list of entries "
    "with date, text and kind: see Corrections and updates, below",
}
SOURCE_DOCS = {
    "url": "required: the page cited, an absolute http:// or https:// URL",
    "outlet": "who published it (CNBC); by default the host is shown",
    "title": "the cited page's headline",
    "published": "its date, ISO 8601",
    "archived": "the URL of an archived copy (briefing sources archive --write finds one); "
    "links to the source carry the Robust Links attributes",
    "dead": "the day the page was first seen gone (briefing sources archive --write writes "
    "it for a source briefing sources check found dead): readers are sent to the archived "
    "copy, and the original is shown as dead since then",
    "note": "a short note shown in the Sources list (paywalled)",
    "unverified": "true on a placeholder URL (as briefing import writes them): a warning "
    "until replaced",
}
PELICAN_DOCS = "Pelican's meanings: language, and overrides of the URL, output file and template"


def front_matter_schema() -> dict[str, Any]:
    string = {"type": "string"}
    text = {"type": ["string", "null"]}  # an empty field is as good as none
    # a list's numbers and booleans are kept as written (tags: [2024, true])
    item = {"type": ["string", "number", "boolean"]}
    listed = {"oneOf": [{"type": "array", "items": item}, text]}
    date = {"type": "string", "pattern": DATE_PATTERN}
    url = {"type": "string", "pattern": URL_PATTERN}
    maybe = {  # a source's field may be left empty
        "url": url,
        "date": {"type": ["string", "null"], "pattern": DATE_PATTERN},
        "url_or_null": {"type": ["string", "null"], "pattern": URL_PATTERN},
    }
    source_fields: dict[str, Any] = {
        "url": url,
        "outlet": text,
        "title": text,
        "published": maybe["date"],
        "archived": maybe["url_or_null"],
        "dead": maybe["date"],
        "note": text,
        "unverified": {"type": ["boolean", "null"]},
    }
    assert set(source_fields) == set(FIELDS), "a source field the schema does not know"
    source_props = {
        name: {**kind, "description": SOURCE_DOCS[name]} for name, kind in source_fields.items()
    }
    source = {
        "type": "object",
        "properties": source_props,
        "required": ["url"],
        "additionalProperties": False,
    }
    listed_source = {
        "type": "object",
        "properties": {"id": {"type": "string", "pattern": f"^{KEY_PATTERN}$"}, **source_props},
        "required": ["id", "url"],
        "additionalProperties": False,
    }
    fields: dict[str, Any] = {
        "title": string,
        "date": date,
        "modified": date,
        "category": text,
        "tags": listed,
        "authors": listed,
        "author": text,
        "slug": text,
        "summary": text,
        "status": {"enum": [*sorted(STATUSES), None]},
        "aliases": listed,
        "position": {"type": ["integer", "null"]},
        "id": text,
        "lang": text,
        "url": text,
        "save_as": text,
        "template": text,
        "corrections": {
            "type": ["array", "null"],
            "items": {
                "type": "object",
                "properties": {
                    "date": {**date, "description": "when: ISO 8601 with a time and an offset"},
                    "text": {
                        "type": "string",
                        "minLength": 1,
                        "description": "one paragraph of Markdown; it may cite",
                    },
                    "kind": {
                        "enum": list(KINDS),
                        "description": "correction (default), update or clarification",
                    },
                },
                "required": ["date", "text"],
                "additionalProperties": False,
            },
        },
        "sources": {
            "oneOf": [
                {
                    "type": "object",
                    "description": "key: source, or key: URL for short",
                    "propertyNames": {"pattern": f"^{KEY_PATTERN}$"},
                    "additionalProperties": {"oneOf": [url, source]},
                },
                {
                    "type": "array",
                    "description": "a list of sources, each with an id",
                    "items": listed_source,
                },
                {"type": "null"},
            ]
        },
    }
    docs = {**FIELD_DOCS, "author": FIELD_DOCS["authors"]}
    docs.update({name: PELICAN_DOCS for name in ("lang", "url", "save_as", "template")})
    properties = {name: {**kind, "description": docs[name]} for name, kind in fields.items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "A Briefing story's front matter",
        "description": "The YAML between the --- lines at the top of a story "
        "(docs/authoring.md). Other keys are kept, as Pelican keeps them.",
        "type": "object",
        "properties": properties,
        # keys are case-insensitive, as Pelican's are: Title: is title
        "patternProperties": {_any_case(name): kind for name, kind in properties.items()},
        # a title, however its key is written
        "not": {"propertyNames": {"not": {"pattern": _any_case("title")}}},
        "additionalProperties": True,
    }


def _any_case(name: str) -> str:
    """A pattern for ``name`` in any mix of cases (JSON Schema patterns have no flags)."""
    return "^" + "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in name) + "$"
