"""Pelican's contents and lists, made cheaper to ask: a story remembers its URL, and a
topic's list of stories answers ``in`` from a set.  Each gives Pelican's own answers."""

from __future__ import annotations

import functools
from typing import Any

from pelican import contents

from ..site import internals

_PELICAN_LINK_REGEX = "[{|](?P<what>.*?)[|}]"  # Pelican's INTRASITE_LINK_REGEX default


class _RememberedURL:
    """Pelican formats ``url`` and ``save_as`` afresh on every access, and a build asks for
    them tens of thousands of times; a story's URL cannot change once it is read, so
    remember them (the class is switched as each story is made, ``remember_urls``)."""

    @functools.cached_property
    def url_format(self) -> dict[str, Any]:
        return super().url_format  # type: ignore[misc]

    @functools.cached_property
    def url(self) -> str:
        return super().url  # type: ignore[misc]

    @functools.cached_property
    def save_as(self) -> str:
        return super().save_as  # type: ignore[misc]

    def get_relative_source_path(self, source_path: str | None = None) -> str | None:
        if source_path is not None:
            return super().get_relative_source_path(source_path)  # type: ignore[misc]
        own = self.__dict__.get("_relative_source_path")
        if own is None:
            own = self.__dict__["_relative_source_path"] = super().get_relative_source_path()  # type: ignore[misc]
        return own

    def _without_site_links(self, content: str) -> bool:
        """Whether ``content`` cannot hold one of Pelican's ``{filename}``-style links:
        none of the characters that open one (with Pelican's own link pattern)."""
        return (
            self.settings.get("INTRASITE_LINK_REGEX") == _PELICAN_LINK_REGEX  # type: ignore[attr-defined]
            and "{" not in content
            and "|" not in content
        )

    def get_static_links(self) -> set[str]:
        """Pelican searches every body for ``{static}`` links; a body without the
        characters that open one has none."""
        if self._without_site_links(self._content):  # type: ignore[attr-defined]
            return set()
        return super().get_static_links()  # type: ignore[misc]

    def _update_content(self, content: str, siteurl: str) -> str:
        """Pelican rewrites those links in each body as it is shown (once per process):
        a body without them is shown as it is."""
        if not content or self._without_site_links(content):
            return content
        return super()._update_content(content, siteurl)  # type: ignore[misc]


class RememberedArticle(_RememberedURL, contents.Article):
    pass


class RememberedPage(_RememberedURL, contents.Page):
    pass


# Pelican finds a content's settings by its class name (ARTICLE_SAVE_AS, PAGE_URL...);
# pickle finds the class by its qualified name, which stays.
RememberedArticle.__name__ = "Article"
RememberedPage.__name__ = "Page"


_NAMED = {contents.Article: RememberedArticle, contents.Page: RememberedPage}


@functools.cache
def _remembering(cls: type) -> type:
    if issubclass(cls, _RememberedURL):
        return cls
    named = _NAMED.get(cls)
    return named or type(cls.__name__, (_RememberedURL, cls), {"__module__": cls.__module__})


def remember_urls(content: Any) -> None:
    """``content_object_init``: stories and pages remember their URL (not static files)."""
    if isinstance(content, (contents.Article, contents.Page)):
        internals.swap_class(content, _remembering(type(content)))


def fast_membership(generators: Any) -> None:
    """``all_generators_finalized``: Pelican filters its date-ordered list of every story
    once per topic, section and author with ``story in that_list`` (quadratic); give it
    lists that answer ``in`` from a set."""
    from pelican.generators import ArticlesGenerator

    members: dict[int, _Members] = {}

    def swap(items: list[Any]) -> _Members:
        found = members.get(id(items))
        if found is None:
            found = members[id(items)] = _Members(items)
        return found

    for gen in generators:
        if not isinstance(gen, ArticlesGenerator):
            continue

        if isinstance(gen.tags, dict):
            for tag in gen.tags:
                gen.tags[tag] = swap(gen.tags[tag])
        for name in ("tags", "categories", "authors"):
            pairs = gen.context.get(name)
            if isinstance(pairs, list):
                pairs[:] = [(key, swap(items)) for key, items in pairs]
        for name in ("categories", "authors"):
            pairs = getattr(gen, name, None)
            if isinstance(pairs, list) and pairs is not gen.context.get(name):
                pairs[:] = [(key, swap(items)) for key, items in pairs]


class _Members(list):
    """A list whose ``in`` is a set lookup (by identity, as for Pelican's contents)."""

    def __init__(self, items: Any) -> None:
        super().__init__(items)
        self._ids = {id(item) for item in self}

    def __contains__(self, item: object) -> bool:
        return id(item) in self._ids
