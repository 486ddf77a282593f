"""How reader fixtures print a story: its metadata, diagnostics and HTML, as plain text."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from briefing.core.story import Story


def _value(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def dump_story(story: Story) -> str:
    lines = [f"{name}: {_value(value)}" for name, value in sorted(story.metadata.items())]
    lines += [f"! {d}" for d in story.diagnostics]
    lines.append("=== html")
    out = "\n".join(lines) + "\n"
    return out + (story.html or "")


def dump_diagnostics(story: Story) -> str:
    return "".join(f"{d}\n" for d in story.diagnostics)
