"""What each cache is keyed on, in one place: an entry is used only while every input it
was made from is the same.

* parsed stories (``prepass``, ``briefing-stories.<key>.pickle``): each file's bytes, and
  ``reader_key``: Briefing's code, markdown-it-py's and mdit-py-plugins' versions, the
  reader's options;
* Pelican's articles (``articlecache``, ``briefing-articles.<key>.pickle``): each file's stat
  signature and the clock's side of its date, and ``articles_key``: Briefing's code,
  Pelican's version, every setting;
* compiled templates (``templatecache``, ``briefing-templates/<key>/``): ``code``, the
  Jinja options, filters, tests and extensions;
* what each template file reads (``fingerprint.ReadsKept``,
  ``briefing-template-reads.pickle``): its source, Jinja's version and syntax options;
* related stories (``related``, ``briefing-related.pickle``): ``related_key``: each
  story's path, date, title, topics and outlets;
* pages (``pages``, ``briefing-pages.pickle``): ``site_digest``: Briefing's, Pelican's
  and the other plugins' code, the libraries that shape HTML, the theme, every setting;
  then what each page shows (``fingerprint.PageDigests``): its stories, whole or as
  cards, and the parts of the context its template reads;
* search bundles (``site.search``, ``briefing-search/``): the text Pagefind reads of
  each page, and Pagefind's version (``site.search.shard_key``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ..core import archive
from .fingerprint import Unstable, feed

#: Not settings: values a build keeps in its settings for itself (this build's staging
#: folder, its state), which would change every key every build, and what ``pelican``'s
#: command line adds to them (``DEBUG``, for its own logging), which ``briefing check``
#: does not, so that a check and a build of one settings file keep one cache.
_PER_BUILD = {"OUTPUT_PATH", "_briefing_build", "DEBUG"}


@functools.cache
def code_version() -> str:
    """Briefing's code (every module of the package) and the Markdown libraries'
    versions: changes whenever the reading code does."""
    digest = hashlib.sha256()
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # briefing/
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    digest.update(os.path.relpath(path, package).encode() + f.read())
    try:
        digest.update(version("markdown-it-py").encode() + version("mdit-py-plugins").encode())
    except PackageNotFoundError:  # pragma: no cover
        pass
    return digest.hexdigest()


def _files_digest(h: Any, folder: str) -> None:
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            h.update(os.path.relpath(path, folder).encode("utf-8", "surrogateescape") + b"\0")
            with open(path, "rb") as f:
                h.update(hashlib.blake2b(f.read(), digest_size=20).digest())


def code(settings: dict[str, Any]) -> str:
    """Briefing's code, the libraries that shape the HTML, and any other plugin's code."""
    h = hashlib.blake2b(digest_size=20)
    h.update(code_version().encode())
    for package in ("pelican", "jinja2", "markupsafe", "pygments", "beautifulsoup4"):
        try:
            h.update(f"{package}={version(package)};".encode())
        except PackageNotFoundError:  # pragma: no cover
            pass
    for plugin in settings.get("PLUGINS") or []:
        name = plugin if isinstance(plugin, str) else getattr(plugin, "__name__", repr(plugin))
        module = sys.modules.get(name) or sys.modules.get(f"pelican.plugins.{name}")
        path = getattr(module, "__file__", None)
        if name == "briefing" or name.startswith("briefing."):
            continue
        if not path:
            raise Unstable(f"plugin {name} has no source file")
        if os.path.basename(path) == "__init__.py":
            _files_digest(h, os.path.dirname(path))
        else:
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


def feed_settings(h: Any, settings: dict[str, Any]) -> None:
    """The settings into hash ``h``, but for what a build keeps in them for itself."""
    feed(h, {k: v for k, v in settings.items() if k not in _PER_BUILD}, exact=True)


def options_form(options: Any) -> str:
    """The reader's options, the same in every process (a set's order is not: string
    hashes differ from one run to the next)."""
    return repr(
        [
            (f.name, sorted(value) if isinstance(value, frozenset | set) else value)
            for f in dataclasses.fields(options)
            for value in [getattr(options, f.name)]
        ]
    )


def reader_key(options: Any) -> str:
    """What a parsed story depends on besides its file's bytes."""
    return hashlib.sha256((code_version() + options_form(options)).encode()).hexdigest()


def articles_key(settings: dict[str, Any]) -> str:
    """What a kept Pelican article depends on besides its file."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{code_version()};pelican={version('pelican')};".encode())
    feed_settings(h, settings)
    return h.hexdigest()


def related_key(stories: Sequence[Any], limit: int = 3) -> str:
    """A digest of everything ``link_related`` looks at, to reuse its answer across builds."""
    h = hashlib.blake2b(f"related {limit} {archive.RELATED_WINDOW};".encode(), digest_size=20)
    for story in sorted(stories, key=lambda s: s.source_path):
        features = sorted(archive.features(story))
        record = (story.source_path, story.date.timestamp(), story.title, features)
        h.update(repr(record).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def site_digest(settings: dict[str, Any], context: dict[str, Any]) -> str:
    """One digest for what every page may depend on: the code, the theme, the settings and
    the site's static files (see the module's docstring); the stories a page shows are
    in its own digest (``fingerprint.PageDigests``)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(code(settings).encode())
    theme = settings.get("THEME")
    if theme and os.path.isdir(theme):
        _files_digest(h, theme)
    feed_settings(h, settings)
    static = context.get("static_content") or {}
    feed(h, sorted((k, getattr(v, "url", None)) for k, v in static.items()))
    return h.hexdigest()
