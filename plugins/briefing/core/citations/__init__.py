"""The citation plugin for markdown-it-py: a small package in the shape of mdit-py-plugins'
``footnote`` (``index.py`` holds the rules).  Imports nothing from Pelican."""

from .index import (
    BACK_LINK,
    BROKEN,
    CITATION_LINK,
    CITED,
    DETACHED,
    HOST_GROUP,
    KEYS_AS_TEXT,
    PROBLEMS,
    SOURCE_LINK,
    SOURCES,
    citations_plugin,
    render_citation,
    render_sources,
)

__all__ = [
    "BACK_LINK",
    "BROKEN",
    "CITATION_LINK",
    "CITED",
    "DETACHED",
    "HOST_GROUP",
    "KEYS_AS_TEXT",
    "PROBLEMS",
    "SOURCES",
    "SOURCE_LINK",
    "citations_plugin",
    "render_citation",
    "render_sources",
]
