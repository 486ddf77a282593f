"""The ``briefing`` command: ``check``, ``new``, ``import``, ``serve``."""

from .commands import main

__all__ = ["main"]
