"""What Briefing relies on in Pelican beyond its plugin API, in one place.

Pelican's documented API is its signals, readers, generators and the ``PELICAN_CLASS``
setting.  Briefing goes further in a few places, each for a reason, and every one of them
is here: the functions below make each change to Pelican's objects (nothing else in the
package assigns into them), and ``INTERNALS`` lists every internal name Briefing reads,
overrides in a subclass, or mirrors, with the Pelican code it concerns and where Briefing
uses it.  ``missing()`` checks the list against the installed Pelican; a test calls it,
so a Pelican release that changes one of them fails a test with a message naming it,
not a build.  ``pyproject.toml`` pins Pelican to the range these were checked against.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Internal:
    #: the dotted name in Pelican (a module attribute, a class's attribute)
    name: str
    #: what Briefing does with it, and where
    use: str
    #: parameter names its signature must start with, or a text its source must hold
    params: tuple[str, ...] = ()
    source: str = ""


INTERNALS = (
    # reading
    Internal("pelican.readers.Readers.read_file",
             "wrapped on each generator's readers, so a failure to read a file is a located "
             "diagnostic and a story without a date is date-missing (site.reader.guard_reads, "
             "through wrap_read_file)",
             params=("self", "base_path", "path", "content_class", "fmt", "context")),
    Internal("pelican.generators.ArticlesGenerator.generate_context",
             "its log lines for a file it could not process and the order in which it asks "
             "get_cached_data, reads, then cache_data (site.plugin.quiet_reported; "
             "fast.articlecache)",
             source='"Could not process %s"'),
    Internal("pelican.contents.Content._has_valid_mandatory_properties",
             "its log line for a story without a date, left out for date-missing "
             "(site.plugin.quiet_reported)",
             source="could not find information about '%s'"),
    Internal("pelican.urlwrappers.URLWrapper.slug",
             "its warning for a name that makes no slug, left out for topic-invalid "
             "(site.plugin.quiet_reported)",
             source="Unable to generate valid slug for %s"),
    Internal("pelican.contents.Article.__init__",
             "its own check of future dates, by the wall clock, which Briefing turns off "
             "(core.clock.take_over_future_dates)",
             source='self.settings["WITH_FUTURE_DATES"]'),
    Internal("pelican.contents.Content._link_replacer",
             "how a {filename}/{static} link is found, mirrored to check links before a page "
             "is written (site.sitecheck._linked)",
             source="def _find_path"),
    Internal("pelican.contents.Content.relative_dir", "site.sitecheck._candidates"),
    Internal("pelican.contents.Content.get_relative_source_path",
             "site.sitecheck; remembered by fast.contents",
             params=("self", "source_path")),
    Internal("pelican.contents.Content.get_static_links",
             "which files a story links to (site.plugin._pages_read); skipped for a body "
             "without links by fast.contents",
             params=("self",)),
    Internal("pelican.contents.Content._update_content",
             "skipped for a body without links (fast.contents)",
             params=("self", "content", "siteurl")),
    Internal("pelican.contents.Content.url_format",
             "remembered once made (fast.contents)"),
    Internal("pelican.contents.Content.url", "remembered once made (fast.contents)"),
    Internal("pelican.contents.Content.save_as", "remembered once made (fast.contents)"),
    Internal("pelican.contents.Content._content",
             "a story's body, read without Pelican's link rewriting (site, fast.fingerprint)"),
    # lists and caches
    Internal("pelican.generators.process_translations",
             "replaced by a linear version with the same answers (fast.translations, through "
             "replace_process_translations)",
             params=("content_list", "translation_id")),
    Internal("pelican.utils.get_original_items", "fast.translations",
             params=("items", "with_str")),
    Internal("pelican.cache.FileStampDataCacher.get_cached_data",
             "replaced on the articles generator by the article cache (fast.articlecache, "
             "through hook_content_cache)",
             params=("self", "filename", "default")),
    Internal("pelican.cache.FileStampDataCacher.cache_data", "fast.articlecache",
             params=("self", "filename", "data")),
    Internal("pelican.cache.FileDataCacher.save_cache", "fast.articlecache", params=("self",)),
    # the build
    Internal("pelican.Pelican._get_writer",
             "overridden by BriefingPelican: pages are planned, then made (fast.pages), and a "
             "check stops there (build.builder)",
             params=("self",)),
    Internal("pelican.Pelican._get_generator_classes",
             "overridden by BriefingPelican to add the generator that makes the planned "
             "pages and keeps the context (build.builder)",
             params=("self",)),
    Internal("pelican.Pelican.run",
             "called by BriefingPelican; _get_writer is asked after "
             "all_generators_finalized (build.builder.check_stories)",
             source="signals.all_generators_finalized.send(generators)"),
    Internal("pelican.writers.Writer.write_file",
             "done again by fast.pages.PlanningWriter, with its overwrite rules; "
             "site.pagination.Writer calls it once a page with paginated={} (no "
             "pagination)",
             params=("self", "name", "template", "context", "relative_urls", "paginated",
                     "template_name", "override_output", "url")),
    Internal("pelican.writers.Writer._overridden_files", "fast.pages.PlanningWriter",
             source="self._overridden_files = set()"),
    Internal("pelican.paginator.Paginator", "site.pagination (StablePaginator), fast.fingerprint",
             source="self._num_pages = self._count = None"),
    Internal("pelican.paginator.Page._from_settings",
             "site.pagination: a page's address from PAGINATION_PATTERNS, done again with "
             "a stable page's own number",
             source="find the last matching pagination rule"),
    Internal("pelican.log.FatalLogger.fatal_lvl",
             "turned off while a build runs, which then fails at its end on warnings "
             "(build.builder, through warnings_not_fatal)"),
    Internal("pelican.main", "a build run by the pelican command exits at once when done "
             "(build.builder, through called_from)", source="pelican.run()"),
    Internal("pelican.autoreload", "a failed build under autoreload waits for changes "
             "(build.builder, through called_from)", source="pelican.run()"),
)  # fmt: skip


def missing() -> list[str]:
    """Each entry of ``INTERNALS`` the installed Pelican does not have as Briefing expects
    it, said in a line."""
    found = []
    for internal in INTERNALS:
        problem = _problem(internal)
        if problem:
            found.append(f"{internal.name}: {problem} (used for: {internal.use})")
    return found


def _problem(internal: Internal) -> str | None:
    parts = internal.name.split(".")
    obj: Any = None
    for i in range(len(parts), 0, -1):  # the longest importable module, then attributes
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        rest = parts[i:]
        break
    else:
        return "no such module"
    for name in rest:
        if name in getattr(obj, "__dict__", {}) or hasattr(obj, name):
            obj = inspect.getattr_static(obj, name) if inspect.isclass(obj) else getattr(obj, name)
            continue
        if inspect.isclass(obj) and name in _instance_attributes(obj):
            return None  # set in __init__: no more to check
        return f"Pelican has no {name}"
    function = obj.fget if isinstance(obj, property) else getattr(obj, "__func__", obj)
    if internal.params:
        try:
            names = tuple(inspect.signature(function).parameters)
        except (TypeError, ValueError):
            return "no signature to check"
        if names[: len(internal.params)] != internal.params:
            return f"its parameters are {names}, not {internal.params}"
    if internal.source:
        try:
            text = inspect.getsource(function)
        except (OSError, TypeError):
            return "no source to check"
        if internal.source not in text:
            return f"its code no longer holds {internal.source!r}"
    return None


def _instance_attributes(cls: type) -> set[str]:
    """Names ``cls.__init__`` (or a base's) assigns on ``self``."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            text = inspect.getsource(init)
        except (OSError, TypeError):
            continue
        names.update(
            line.split("self.", 1)[1].split("=", 1)[0].strip()
            for line in text.splitlines()
            if line.strip().startswith("self.") and "=" in line
        )
    return names


# --- the changes Briefing makes to Pelican's objects --------------------------------------


def wrap_read_file(readers: Any, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace ``Readers.read_file`` on one ``Readers`` object by ``wrap(read_file)``."""
    readers.read_file = wrap(readers.read_file)


def hook_content_cache(
    generator: Any, get: Callable[..., Any], put: Callable[..., Any], save: Callable[[], None]
) -> None:
    """Replace the generator's ``get_cached_data``, ``cache_data`` and ``save_cache``
    (``FileStampDataCacher``), which ``ArticlesGenerator.generate_context`` calls around
    each file it reads."""
    generator.get_cached_data = get
    generator.cache_data = put
    generator.save_cache = save


def replace_process_translations(replacement: Callable[..., Any] | None) -> None:
    """Make Pelican's generators use ``replacement`` for ``process_translations`` (None:
    Pelican's own again).  Nothing is changed when another plugin replaced it already."""
    from pelican import generators, utils

    ours = generators.process_translations is not utils.process_translations
    if replacement is None:
        if ours and getattr(generators.process_translations, "__module__", "").startswith(
            "briefing."
        ):
            generators.process_translations = utils.process_translations
    elif not ours:
        generators.process_translations = replacement


def swap_class(content: Any, cls: type) -> None:
    """Make ``content`` (a Pelican ``Content``) an instance of ``cls``, a subclass of its
    class that keeps its ``__name__`` (Pelican finds a content's settings by it)."""
    content.__class__ = cls


@contextlib.contextmanager
def warnings_not_fatal() -> Iterator[bool]:
    """Pelican's ``--fatal warnings`` (or ``errors``) raises from inside the call that
    logs, which ends a build in a traceback half-way: off for the block, which is told
    whether warnings were to be fatal."""
    from pelican.log import FatalLogger

    level = FatalLogger.fatal_lvl
    FatalLogger.fatal_lvl = logging.CRITICAL + 1
    try:
        yield level <= logging.WARNING
    finally:
        FatalLogger.fatal_lvl = level


def called_from(depth: int) -> str | None:
    """``"main"`` when the frame ``depth`` levels up is Pelican's ``main`` (the ``pelican``
    command), ``"autoreload"`` for Pelican's autoreload loop, else None."""
    frame = sys._getframe(depth + 1)
    if frame.f_globals.get("__name__") != "pelican":
        return None
    return frame.f_code.co_name if frame.f_code.co_name in ("main", "autoreload") else None
