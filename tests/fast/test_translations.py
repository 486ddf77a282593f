"""Pelican's translation grouping, done in linear time (translations.py): the same
originals, translations, per-item ``translations`` and warnings as Pelican's own."""

from __future__ import annotations

import logging

import pytest
from pelican import utils

from briefing.fast import translations


class Item:  # compares by identity, as Pelican's contents do
    def __init__(self, slug, lang="en", default=True, translation=None, path=""):
        self.slug, self.lang, self.in_default_lang = slug, lang, default
        self.source_path = path or f"{slug}-{lang}.md"
        self.metadata = {} if translation is None else {"translation": translation}
        self.title = slug.upper()

    def __repr__(self):
        return self.source_path


def corpus(run=""):
    items = [
        Item("alpha"),
        Item("bravo"),
        Item("bravo", "fr", False),  # a translation of bravo
        Item("charlie", path="charlie-1.md"),
        Item("charlie", path="charlie-2.md"),  # two originals: a warning
        Item("delta", "de", False, translation="true"),
        Item("delta", "fr", False, translation="true"),  # all translations: a warning
        Item("echo", "fr", False),  # no original in the default language
        *(Item(f"story-{i:04d}") for i in range(300)),
    ]
    for item in items:
        item.source_path = run + item.source_path
    return items


def outcome(fn, translation_id, caplog):
    # Pelican logs a repeated warning once: each run names its own files, taken out below
    run = f"{fn.__module__}/"
    caplog.clear()
    items = corpus(run)
    with caplog.at_level(logging.WARNING):
        index, found = fn(items, translation_id)

    def name(x):
        return repr(x).replace(run, "")

    return (
        [name(x) for x in index],
        [name(x) for x in found],
        {name(x): sorted(map(name, getattr(x, "translations", []))) for x in items},
        [r.getMessage().replace(run, "") for r in caplog.records],
    )


@pytest.mark.parametrize("translation_id", ["slug", ("slug", "title"), None, ""])
def test_the_same_as_pelicans_own(translation_id, caplog):
    ours = outcome(translations.process_translations, translation_id, caplog)
    pelicans = outcome(utils.process_translations, translation_id, caplog)
    assert ours == pelicans
    if translation_id == "slug":
        assert ours[1] == ["bravo-fr.md"]
        assert len(ours[3]) == 4  # charlie: two originals in one language; delta: no original


def test_a_bad_translation_id_raises_pelicans_error():
    with pytest.raises(AttributeError, match="as 'translation_id'"):
        translations.process_translations(corpus(), "no_such_attribute")


def test_pelicans_generators_use_it_in_a_build_with_the_speed_layer_and_not_without():
    from pelican import generators
    from pelican.settings import DEFAULT_CONFIG

    from briefing import fast

    class Built:  # what Pelican sends with ``initialized``
        settings = {**DEFAULT_CONFIG, "JINJA_ENVIRONMENT": {}}

    fast._initialized(Built)
    assert generators.process_translations is translations.process_translations
    Built.settings["BRIEFING_FAST"] = False
    fast._initialized(Built)
    assert generators.process_translations is not translations.process_translations
    assert generators.process_translations.__module__ == "pelican.utils"
