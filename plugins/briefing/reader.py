"""Pelican reader for Markdown stories: the glue between Pelican and ``story.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pelican.readers import BaseReader
from pelican.utils import SafeDatetime

from . import diagnostics
from .diagnostics import Severity, StoryError
from .story import EXTENSIONS, Options, StoryReader


class BriefingReader(BaseReader):
    """``read(path) -> (html, metadata)`` on markdown-it-py with safe YAML front matter."""

    enabled = True
    file_extensions = list(EXTENSIONS)

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self._stories = StoryReader(Options.from_settings(settings))

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        story = self._stories.read_path(source_path)
        diagnostics.publish(story.diagnostics)
        if not story.ok:
            raise StoryError([d for d in story.diagnostics if d.severity is Severity.ERROR])
        metadata = {}
        for name, value in story.metadata.items():
            if isinstance(value, dt.datetime):
                metadata[name] = _safe_datetime(value)
            else:
                metadata[name] = self.process_metadata(name, value)
        if story.header is not None:  # where to point diagnostics found after reading
            metadata["briefing_positions"] = {
                key: story.header.where((key,)) for key in ("title", "id", "date")
            }
        return story.html or "", metadata


def _safe_datetime(value: dt.datetime) -> SafeDatetime:
    return SafeDatetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=value.tzinfo,
    )
