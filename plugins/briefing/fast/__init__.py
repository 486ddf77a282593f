"""Everything that exists only for speed, installed in one place (``register``) and
switched off whole with ``BRIEFING_FAST = False``: the site is then the same, byte for
byte, only slower (a test builds both and compares).

What it does, each giving the plain version's answer sooner (``docs/architecture.md``):
stories parsed on every core and kept by content (``prepass``), Pelican's articles kept
between builds (``articlecache``), compiled templates kept (``templatecache``), related
stories kept (``related``), a story's URL remembered and topic lists that answer ``in``
from a set (``contents``), Pelican's ``process_translations`` in linear time
(``translations``), each card of a story rendered once per build (``state.blocks``), the
collector kept away from the build's long-lived objects (``heap``), and, in the build,
pages planned, taken over from the published site when unchanged and rendered on every
core (``pages``, ``fingerprint``), with the search index made beside them.  What each
cache is keyed on is in ``keys``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator

from ..core.settings import setting
from ..site import state
from . import articlecache, background, heap, related, templatecache, translations
from .contents import fast_membership, remember_urls
from .prepass import Prepass


def enabled(settings: dict[str, Any]) -> bool:
    """Whether the speed layer works for the build run with ``settings``."""
    return bool(setting(settings, "BRIEFING_FAST"))


def caching(settings: dict[str, Any]) -> bool:
    """Whether the speed layer keeps its caches in the cache folder (``BRIEFING_READ_CACHE``)."""
    return enabled(settings) and bool(setting(settings, "BRIEFING_READ_CACHE"))


@dataclass(eq=False)
class Fast:
    """The speed layer's objects for one build (kept in the build's state)."""

    settings: dict[str, Any]
    writes: Any = None  # the cache files written beside the build (``background.Writes``)
    prepass: Any = None  # every story read up front, once asked for
    skip: set[str] = field(default_factory=set)  # files the article cache has

    def story_of(self, reader: Any, path: str) -> Any:
        """The story at ``path`` as the prepass read it, if it did (it reads every story
        of the content folder on every core the first time a story is asked for)."""
        if self.prepass is None:
            self.prepass = Prepass(self.settings, reader, skip=self.skip, writes=self.writes)
        return self.prepass.take(path)

    def skip_in_prepass(self, paths: set[str]) -> None:
        self.skip = paths


def of(settings: dict[str, Any]) -> Fast | None:
    """The speed layer's objects for the build run with ``settings`` (made, and put in
    place of the plain ways, the first time they are asked for); None when it is off."""
    if not enabled(settings):
        return None
    build = state.of(settings)
    if build.fast is None:
        build.fast = Fast(settings, writes=background.Writes())
        build.story_of = build.fast.story_of
        build.blocks = {}  # each card of a story rendered once
        if caching(settings):
            build.link_related = related.kept(settings)
    return build.fast


def finish(settings: dict[str, Any]) -> None:
    """Wait for the cache files the build is writing beside itself."""
    found = state.of(settings).fast
    if found is not None and found.writes is not None:
        found.writes.finish()


def register() -> None:
    """Connect the speed layer's handlers (each does nothing when it is off)."""
    signals.initialized.connect(_initialized)
    signals.get_generators.connect(_run_begins)
    signals.article_generator_init.connect(_generator_made)
    signals.page_generator_init.connect(_generator_made)
    signals.content_object_init.connect(_content_made)
    signals.all_generators_finalized.connect(_context_made)
    signals.finalized.connect(_run_ends)


def _initialized(pelican: Any) -> None:
    settings = pelican.settings
    if not enabled(settings):
        translations.uninstall()
        return
    translations.install()
    # a template does not change during a build (each build makes new environments), so
    # Jinja need not look at its file's time again each time a page includes it
    settings["JINJA_ENVIRONMENT"] = {"auto_reload": False, **settings["JINJA_ENVIRONMENT"]}
    if caching(settings):
        templatecache.install(settings)


def _run_begins(pelican: Any) -> None:
    """As a run makes its generators: what a failed build in this process froze is
    released, and what the build starts from (modules, settings) lives until it ends."""
    heap.release()
    if enabled(pelican.settings):
        heap.keep()


def _generator_made(generator: Any) -> None:
    found = of(generator.settings)
    if found is None:
        return
    if isinstance(generator, ArticlesGenerator) and caching(generator.settings):
        articlecache.install(generator, found.writes, found.skip_in_prepass)


def _content_made(content: Any) -> None:
    if enabled(content.settings):
        remember_urls(content)


def _context_made(generators: Any) -> None:
    if generators and enabled(generators[0].settings):
        fast_membership(generators)
        heap.keep()  # the context is made: it lives until the build ends


def _run_ends(pelican: Any) -> None:
    """Pelican's own class is done; Briefing's releases the heap once its search index and
    swap are done too (released earlier, a full collection could walk it all again)."""
    if not getattr(pelican, "releases_heap_itself", False):
        heap.release()
