"""The search index made in a forked process, beside the rest of the build."""

from __future__ import annotations

from typing import Any

from ..site import search
from ..site.search import SearchFailed
from . import background


class Indexing:
    """``build`` in a forked process (``background.Forked``), so the index is made on
    another core while the build goes on (planning and rendering the other pages, linking
    unchanged ones); ``wait()`` returns its result or raises its failure, ``cancel()``
    kills the indexer and waits for it (call it before removing ``site``)."""

    def __init__(self, *args: Any) -> None:
        self._work = background.Forked(search.build, *args)
        self.pid = self._work.pid

    def wait(self) -> tuple[dict[str, Any], int]:
        try:
            return self._work.result()
        except SearchFailed:
            raise
        except background.Died as exc:
            raise SearchFailed(f"the search indexer stopped ({exc})") from None
        except Exception as exc:
            raise search.failure(exc) from None

    def cancel(self) -> None:
        self._work.cancel()
