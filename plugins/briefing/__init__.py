"""Briefing: a Pelican plugin and tools for cited daily news briefings.

``register()`` (Pelican calls it for ``PLUGINS = ["briefing"]``) connects the site's
handlers (``site.plugin``) and the speed layer's (``fast``, off with ``BRIEFING_FAST =
False``); ``BriefingPelican`` (named by ``PELICAN_CLASS``) makes builds crash-safe.  The
layers, and the way a story travels through them, are in ``docs/architecture.md``.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["register", "BriefingPelican", "theme_path"]


def theme_path() -> str:
    """Briefing's theme: inside the installed package (a wheel), or beside the package in
    a checkout (``theme/``, which the wheel carries as ``briefing/theme``)."""
    here = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(here, "theme")
    if os.path.isdir(os.path.join(installed, "templates")):
        return installed
    return os.path.join(os.path.dirname(os.path.dirname(here)), "theme")


def register() -> None:
    from . import fast
    from .site import plugin

    plugin.register()
    fast.register()


def __getattr__(name: str) -> Any:
    # PELICAN_CLASS = "briefing.BriefingPelican" is imported when Pelican starts, not
    # when the package is
    if name == "BriefingPelican":
        from .build.builder import BriefingPelican

        return BriefingPelican
    raise AttributeError(name)
