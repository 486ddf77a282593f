"""The Pelican plugin: ``register()`` connects the site's handlers to Pelican's signals.

In the order a build sends them:

* ``initialized``: the site's settings taken in hand (``take_settings``: the build's clock,
  the embargo) and the template helpers added;
* ``get_generators``: a new state for the run (``state``), and the archive generator;
* ``readers_init``, ``article_generator_init``, ``page_generator_init``: stories are read
  by ``BriefingReader``, and any failure to read a file is a located diagnostic;
* ``article_generator_finalized``, ``page_generator_finalized``: links run by earlier
  stories; files only unpublished stories link to are not copied;
* ``all_generators_finalized``: the site's checks (``sitecheck``), which stop the build
  before a page is written when the stories have errors;
* ``article_writer_finalized``: the alias pages (``redirects``).
"""

from __future__ import annotations

import ast
import logging
import os
import sys
from typing import Any

from pelican import signals

from ..core import clock
from ..core.crosscheck import StoryRef, links_cited_before
from ..core.diagnostics import Diagnostic, Severity, display_path
from ..core.errors import Failure
from ..core.settings import problems, setting
from ..core.story import EXTENSIONS
from . import redirects, sitecheck, state, templates
from .generator import BriefingGenerator
from .reader import BriefingReader, guard_reads


class PreviewRefused(Failure):
    """A production build was asked to show drafts."""


class SettingsInvalid(Failure):
    """A ``BRIEFING_*`` setting is misspelt or has a value it does not take."""


def register() -> None:
    signals.initialized.connect(_initialized)
    signals.get_generators.connect(_run_begins)
    signals.readers_init.connect(_use_story_reader)
    signals.article_generator_init.connect(_generator_made)
    signals.page_generator_init.connect(_generator_made)
    signals.article_generator_finalized.connect(_stories_read)
    signals.page_generator_finalized.connect(_pages_read)
    signals.all_generators_finalized.connect(sitecheck.check)
    signals.article_writer_finalized.connect(redirects.write_redirects)
    for name, quiet in (
        ("pelican", quiet_failures),
        ("pelican.generators", quiet_reported),
        ("pelican.contents", quiet_reported),
        ("pelican.urlwrappers", quiet_reported),
    ):
        if quiet not in logging.getLogger(name).filters:
            logging.getLogger(name).addFilter(quiet)


def _initialized(pelican: Any) -> None:
    settings = pelican.settings
    take_settings(settings)
    settings["JINJA_FILTERS"] = {**templates.JINJA_FILTERS, **settings["JINJA_FILTERS"]}
    settings["JINJA_GLOBALS"] = {**templates.JINJA_GLOBALS, **settings["JINJA_GLOBALS"]}


def take_settings(settings: dict[str, Any]) -> None:
    """What Briefing changes in the site's settings, and the combinations it refuses.

    The build's clock is the only one: Pelican's own check of future dates is turned off
    (``clock.take_over_future_dates``).  Embargo: a story not yet due or a draft is
    written nowhere, unless ``BRIEFING_PREVIEW_DRAFTS`` asks for it in a development
    build; a production build (``BRIEFING_PRODUCTION = True``, in ``publishconf.py``)
    refuses that."""
    check_settings(settings)
    clock.take_over_future_dates(settings)
    if setting(settings, "BRIEFING_PREVIEW_DRAFTS"):
        if setting(settings, "BRIEFING_PRODUCTION"):
            raise PreviewRefused(
                "BRIEFING_PREVIEW_DRAFTS = True in a production build (BRIEFING_PRODUCTION = "
                "True) would publish drafts and stories not yet due; set "
                "BRIEFING_PREVIEW_DRAFTS = False in the production settings (publishconf.py)"
            )
        return
    for name in _DRAFT_FILES:
        settings[name] = ""  # Pelican writes no file for an empty SAVE_AS


def check_settings(settings: dict[str, Any], files: list[str] | None = None) -> None:
    """Stop the build before it touches anything when a ``BRIEFING_*`` setting is not in
    the table (``core.settings``) or has a value of the wrong type: each is an error at
    the line of the settings file that sets it (``files``: where to look; by default the
    file the command names, ``pelicanconf.py`` and ``publishconf.py``)."""
    found = problems(settings)
    if not found:
        return
    files = files or _settings_files()
    items = []
    for name, code, message in found:
        path, line, col = _where_set(name, files)
        if line == 0:
            message += " (it is not set in the settings file: given with pelican -e?)"
        items.append(
            Diagnostic(display_path(path), max(line, 1), col, Severity.ERROR, code, message)
        )
    for d in sorted(items):
        print(d, file=sys.stderr)
    raise SettingsInvalid(f"the settings have {len(items)} error(s); nothing was built or changed")


def _settings_files() -> list[str]:
    """The settings file a ``pelican`` or ``briefing`` command names (``-s``), then the
    usual two."""
    named = []
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg in ("-s", "--settings") and i + 1 < len(argv):
            named.append(argv[i + 1])
        elif arg.startswith("--settings="):
            named.append(arg.split("=", 1)[1])
    return [*named, "pelicanconf.py", "publishconf.py"]


def _where_set(name: str, files: list[str]) -> tuple[str, int, int]:
    """The file, line and column where ``name`` is assigned, following ``from module
    import *`` (``publishconf.py`` imports ``pelicanconf.py``); (first file, 0, 1) if in
    none of them."""
    seen: set[str] = set()
    todo = [os.path.abspath(f) for f in files]
    while todo:
        path = todo.pop(0)
        if path in seen or not os.path.isfile(path):
            continue
        seen.add(path)
        try:
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read(), path)
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        last = None  # the last assignment is the one that counts
        for node in ast.walk(tree):
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                if last is None or node.lineno > last.lineno:
                    last = node
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if any(alias.name == "*" for alias in node.names):
                    module = os.path.join(os.path.dirname(path), *node.module.split("."))
                    todo.append(module + ".py")
        if last is not None:
            return path, last.lineno, last.col_offset + 1
    return (files[0] if files else "pelicanconf.py"), 0, 1


_DRAFT_FILES = (
    "DRAFT_SAVE_AS",
    "DRAFT_LANG_SAVE_AS",
    "DRAFT_PAGE_SAVE_AS",
    "DRAFT_PAGE_LANG_SAVE_AS",
)


def _run_begins(pelican: Any) -> type | None:
    """A run begins: a new state, unless the build's own class made one for this run; and
    the archive pages, which need their templates: on by default when the theme has
    ``day.html`` (``BRIEFING_ARCHIVE``)."""
    settings = pelican.settings
    if not state.of(settings).held:
        state.start(settings)
    enabled = setting(settings, "BRIEFING_ARCHIVE")
    if enabled is None:
        enabled = os.path.exists(os.path.join(settings["THEME"], "templates", "day.html"))
    return BriefingGenerator if enabled else None


def _use_story_reader(readers: Any) -> None:
    for ext in EXTENSIONS:
        readers.reader_classes[ext] = BriefingReader


def _generator_made(generator: Any) -> None:
    guard_reads(generator)
    # Pelican warns about every .md file when Python-Markdown is absent; we read them
    for ext in EXTENSIONS:
        generator.readers.disabled_readers.pop(ext, None)


def _stories_read(generator: Any) -> None:
    """A roundup must not run the same link twice (``source-cited-before``)."""
    stories = [
        StoryRef(display_path(a.source_path), a.date, a.title, getattr(a, "sources", ()))
        for a in [*generator.articles, *generator.translations]
    ]
    state.publish(generator.settings, links_cited_before(stories))


def _pages_read(generator: Any) -> None:
    """Pelican copies every file a ``{static}`` link names, of drafts too; a file only a
    story not written yet links to (a draft, or one not yet due) is copied once it is."""
    context = generator.context
    drafts = [*(context.get("drafts") or ()), *generator.draft_pages]
    unwritten = [c for d in drafts for c in (d, *d.translations) if not c.save_as]
    theirs = {link for c in unwritten for link in c.get_static_links()}
    if not theirs:
        return
    shown = [
        *(context.get("articles") or ()),
        *(context.get("hidden_articles") or ()),
        *generator.pages,
        *generator.hidden_pages,
    ]
    written = [c for s in shown for c in (s, *s.translations) if _may_link(c._content or "")]
    shared = {link for c in written for link in c.get_static_links()}
    context["static_links"] -= theirs - shared


def _may_link(body: str) -> bool:
    return "static" in body or "attach" in body


def quiet_reported(record: logging.LogRecord) -> bool:
    """Pelican's lines about a file it could not read, a story without a date, or a name
    that makes no slug say neither where nor why; each is a located diagnostic
    (``reader.guard_reads``, ``sitecheck``)."""
    return record.msg not in _REPORTED


_REPORTED = (
    "Could not process %s",
    "Skipping %s: could not find information about '%s'",
    'Unable to generate valid slug for %s "%s".',
)


def quiet_failures(record: logging.LogRecord) -> bool:
    """Pelican logs a failed run with a traceback; a failure of Briefing's needs only its
    reason."""
    if record.exc_info and isinstance(record.exc_info[1], Failure):
        record.exc_info = None
        record.exc_text = None
    return True
