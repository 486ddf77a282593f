"""Lists cut into pages, for Pelican's writer and the speed layer's alike.

With ``BRIEFING_STABLE_PAGES`` (the default) a list is paginated from its oldest end
(``core.pagination``): ``/page/N/`` always holds the same stories and a new story
changes the front page only.  A page's ``number`` is its place from the oldest (the
front page has the highest); ``previous`` is the newer page, as in Pelican.  On an older
page, each paginated list (``articles``, ``dates``, ``days``…) is that page's own items,
and the values a generator names in ``stable_older`` replace theirs: so nothing an older
page is given changes when news arrives, and the speed layer, which keys a page by what
it is given, leaves it alone.  Without the setting, Pelican's own pagination.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from pelican.paginator import Page, Paginator
from pelican.writers import Writer as PelicanWriter

from ..core.pagination import Slice, stable_slices
from ..core.settings import setting

#: the write_file argument in which a generator gives the values an older page shows
#: instead of the whole list's owner (an outlet's heading instead of the outlet)
OLDER = "stable_older"


class StablePaginator(Paginator):
    """Pelican's paginator, with pages cut from the oldest end (``stable_slices``)."""

    def __init__(self, name: str, url: str, object_list: Any, settings: Any, per_page: Any = None):
        super().__init__(name, url, object_list, settings, per_page)
        self.slices = stable_slices(len(object_list), int(per_page or 0))
        self._num_pages = len(self.slices)

    def page(self, number: int) -> StablePage:
        """The page numbered ``number`` (1: the oldest)."""
        cut = self.slices[len(self.slices) - number]
        return StablePage(
            self.name,
            self.url,
            self.object_list[cut.start : cut.stop],
            number,
            self,
            self.settings,
            cut,
        )


class StablePage(Page):
    """A page of a ``StablePaginator``: ``number`` counts from the oldest page, ``front``
    says whether it is the first page (the newest)."""

    def __init__(self, name, url, object_list, number, paginator, settings, cut: Slice):  # noqa: ANN001
        super().__init__(name, url, object_list, number, paginator, settings)
        self.front = cut.front
        self._cut = cut

    def __repr__(self) -> str:
        return f"<StablePage {self.number}{' (front)' if self.front else ''}>"

    # "previous" is the newer page (shown before it), "next" the older one
    def has_next(self) -> bool:
        return self.number > 1

    def has_previous(self) -> bool:
        return not self.front

    def next_page_number(self) -> int:
        return self.number - 1

    def previous_page_number(self) -> int:
        return self.number + 1

    def start_index(self) -> int:
        return self._cut.start + 1 if self._cut.stop > self._cut.start else 0

    def end_index(self) -> int:
        return self._cut.stop

    def _from_settings(self, key: str) -> Any:
        """Pelican's pattern for the front page (its first), or for an older page (as for
        a page numbered 2 and up), filled in with this page's own number."""
        return _format(self, key, 1 if self.front else max(2, self.number))

    url = property(functools.partial(_from_settings, key="URL"))
    save_as = property(functools.partial(_from_settings, key="SAVE_AS"))


def _format(page: StablePage, key: str, place: int) -> str:
    """Pelican's ``_from_settings`` with the rule of page ``place`` and ``{number}`` the
    page's own."""
    rule = None
    for pattern in page.settings["PAGINATION_PATTERNS"]:
        if pattern.min_page == -1:
            if not page.has_next():
                rule = pattern
                break
        elif pattern.min_page <= place:
            rule = pattern
    if rule is None:
        return ""
    value = getattr(rule, key)
    if not isinstance(value, str):
        return value
    found = value.format(
        save_as=page.full_name,
        url=page.base_url,
        name=page.name,
        base_name=page.base_name,
        extension=page.extension,
        number=page.number,
    )
    return found[1:] if found.startswith("/") else found


def pages(
    name: str,
    url: str | None,
    paginated: dict[str, Any],
    settings: dict[str, Any],
    per_page: int,
    kwargs: dict[str, Any],
) -> Iterator[tuple[Page, dict[str, Any]]]:
    """Each page of ``paginated`` (lists of the same length) with the arguments its
    template gets: ``kwargs`` and, for each list ``key``, ``key_paginator``,
    ``key_page``, ``key_previous_page`` (newer), ``key_next_page`` (older)."""
    older = kwargs.pop(OLDER, None) or {}
    stable = setting(settings, "BRIEFING_STABLE_PAGES")
    kind = StablePaginator if stable else Paginator
    paginators = {key: kind(name, url, val, settings, per_page) for key, val in paginated.items()}
    made: dict[tuple[str, int], Page] = {}

    def page_of(key: str, number: int) -> Page:  # each page once, not thrice
        found = made.get((key, number))
        if found is None:
            found = made[key, number] = paginators[key].page(number)
        return found

    first = next(iter(paginators.values()))
    numbers = range(1, first.num_pages + 1)
    for number in reversed(numbers) if stable else numbers:
        given = kwargs.copy()
        shown = None
        for key, paginator in paginators.items():
            page = page_of(key, number)
            shown = shown or page
            if stable:
                newer = page_of(key, number + 1) if page.has_previous() else None
                older_page = page_of(key, number - 1) if page.has_next() else None
            else:
                newer = page_of(key, number - 1) if number > 1 else None
                older_page = page_of(key, number + 1) if number < paginator.num_pages else None
            given[f"{key}_paginator"] = paginator
            given[f"{key}_page"] = page
            given[f"{key}_previous_page"] = newer
            given[f"{key}_next_page"] = older_page
            if stable and not page.front:
                given[key] = page.object_list
        if stable and not shown.front:
            given.update(older)
        yield shown, given


def files(
    name: str,
    url: str | None,
    paginated: dict[str, Any] | None,
    template_name: str | None,
    settings: dict[str, Any],
    kwargs: dict[str, Any],
) -> Iterator[tuple[str, str | None, dict[str, Any]]]:
    """The files one ``write_file`` call makes, as Pelican decides: ``(name, url, template
    arguments)`` for each page of a paginated template's lists (``pages``), else the one
    file ``name``."""
    if paginated is None:
        paginated = {k: v for k, v in kwargs.items() if k in {"articles", "dates"}}
    if not (paginated and template_name in settings["PAGINATED_TEMPLATES"]):
        kwargs.pop(OLDER, None)
        yield name, url, kwargs
        return
    per_page = settings["PAGINATED_TEMPLATES"][template_name] or settings["DEFAULT_PAGINATION"]
    for page, given in pages(name, url, paginated, settings, per_page, kwargs):
        yield page.save_as, page.url, given


class Writer(PelicanWriter):
    """Pelican's writer, paginating lists with ``pages`` (stable, by default)."""

    def write_file(  # noqa: PLR0913
        self,
        name: Any,
        template: Any,
        context: dict[str, Any],
        relative_urls: bool = False,
        paginated: dict[str, Any] | None = None,
        template_name: str | None = None,
        override_output: bool = False,
        url: str | None = None,
        **kwargs: Any,
    ) -> None:
        if not name:
            return
        for path, address, given in files(
            name, url, paginated, template_name, self.settings, kwargs
        ):
            # paginated={}: Pelican writes this one file as it is
            super().write_file(
                path, template, context, relative_urls, {}, None, override_output, address,
                **given,
            )  # fmt: skip
