"""Writing a file whose text a function makes, through whatever writer Pelican hands out."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any


def write_text(writer: Any, name: str, make: Callable[[], str], depends: Any) -> None:
    """A file whose text ``make()`` returns: planned by a writer that plans its files
    (``depends`` is what decides whether it changed; ``fast.pages``), written at once by
    Pelican's own."""
    plan = getattr(writer, "write_text", None)
    if plan is not None:
        plan(name, make, depends)
        return
    path = os.path.join(writer.output_path, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(make())
