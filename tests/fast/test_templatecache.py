"""Compiled templates kept between builds (templatecache.py): a build that did not change
a template does not compile it again, and anything that changes the compiled code starts
a new cache."""

from __future__ import annotations

import jinja2
import pytest

from briefing.fast import templatecache


def settings_in(tmp_path, **extra):
    return {
        "CACHE_PATH": str(tmp_path / "cache"),
        "PLUGINS": [],
        "JINJA_ENVIRONMENT": {"trim_blocks": True, "extensions": []},
        "JINJA_FILTERS": {"shout": lambda s: s.upper() + "!"},
        **extra,
    }


def environment(settings, folder):
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)), **settings["JINJA_ENVIRONMENT"]
    )


def test_a_template_is_compiled_once_across_builds_and_again_when_it_changes(tmp_path, monkeypatch):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text("<p>{{ title }}</p>")
    first = settings_in(tmp_path)
    templatecache.install(first)
    assert environment(first, folder).get_template("page.html").render(title="A") == "<p>A</p>"

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    # the next build: new settings, new environments, the same folder
    second = settings_in(tmp_path)
    templatecache.install(second)
    with monkeypatch.context() as m:
        m.setattr(jinja2.Environment, "compile", no_compiling)
        for _ in range(2):  # each generator has its own environment
            page = environment(second, folder).get_template("page.html")
            assert page.render(title="B") == "<p>B</p>"
    (folder / "page.html").write_text("<h1>{{ title }}</h1>")
    third = settings_in(tmp_path)
    templatecache.install(third)
    assert environment(third, folder).get_template("page.html").render(title="C") == "<h1>C</h1>"


def cache_folder(settings):
    cache = settings["JINJA_ENVIRONMENT"].get("bytecode_cache")
    return None if cache is None else cache.directory


def test_the_cache_follows_the_options_and_filters_compiling_depends_on(tmp_path):
    base = settings_in(tmp_path)
    templatecache.install(base)
    same = settings_in(tmp_path)
    templatecache.install(same)
    assert cache_folder(base) == cache_folder(same) is not None
    # the settings digest (page reuse) sees the same value each build
    assert repr(base["JINJA_ENVIRONMENT"]) == repr(same["JINJA_ENVIRONMENT"])

    options = settings_in(tmp_path, JINJA_ENVIRONMENT={"trim_blocks": False, "extensions": []})
    templatecache.install(options)
    # a filter may run on constants as a template compiles: its code counts
    other_filter = settings_in(tmp_path, JINJA_FILTERS={"shout": lambda s: s.lower() + "!"})
    templatecache.install(other_filter)
    folders = {cache_folder(s) for s in (base, options, other_filter)}
    assert len(folders) == 3
    assert sorted(p.name for p in (tmp_path / "cache" / templatecache.FOLDER).iterdir()) == [
        cache_folder(other_filter).rsplit("/", 1)[-1]
    ]  # older folders removed


@pytest.mark.parametrize(
    "environment_options",
    [
        {"finalize": object()},  # no stable form: compiled afresh each build
        {"bytecode_cache": jinja2.FileSystemBytecodeCache("/nonexistent")},  # the user's own
    ],
)
def test_no_cache_where_it_could_not_be_trusted_or_one_is_set(tmp_path, environment_options):
    settings = settings_in(tmp_path, JINJA_ENVIRONMENT=dict(environment_options))
    templatecache.install(settings)
    assert settings["JINJA_ENVIRONMENT"] == environment_options


def test_an_extensions_code_is_part_of_the_cache(tmp_path, monkeypatch):
    """An extension reshapes templates as they compile: editing it starts a new cache."""
    module = tmp_path / "mod" / "briefing_test_ext.py"
    module.parent.mkdir()
    module.write_text("from jinja2.ext import Extension\n\nclass Shout(Extension):\n    pass\n")
    monkeypatch.syspath_prepend(str(module.parent))
    options = {"extensions": ["briefing_test_ext.Shout"]}
    before = settings_in(tmp_path, JINJA_ENVIRONMENT=dict(options))
    templatecache.install(before)
    module.write_text(module.read_text() + "\n# tags = {'shout'}\n")
    after = settings_in(tmp_path, JINJA_ENVIRONMENT=dict(options))
    templatecache.install(after)
    assert None not in (cache_folder(before), cache_folder(after))
    assert cache_folder(before) != cache_folder(after)
    # one that cannot be found gets no cache rather than a stale one
    lost = settings_in(tmp_path, JINJA_ENVIRONMENT={"extensions": ["no_such_module.Ext"]})
    templatecache.install(lost)
    assert cache_folder(lost) is None


FILTER_WITH_A_SET = """
import sys
sys.path.insert(0, {plugins!r})
from briefing.fast import templatecache

def label(value):
    return value if value in {{"alpha", "bravo", "charlie", "delta"}} else "other"

settings = {{"CACHE_PATH": {cache!r}, "PLUGINS": [], "JINJA_ENVIRONMENT": {{}},
             "JINJA_FILTERS": {{"label": label}}}}
templatecache.install(settings)
print(settings["JINJA_ENVIRONMENT"]["bytecode_cache"].directory)
"""


def test_the_cache_is_the_same_from_one_process_to_the_next(tmp_path):
    """A filter's constants include sets, whose order depends on the process's string
    hashes; the cache (and so the settings' digest, and page reuse) must not."""
    import os
    import subprocess
    import sys

    from sitebuild import ROOT

    script = FILTER_WITH_A_SET.format(plugins=str(ROOT / "plugins"), cache=str(tmp_path))
    folders = set()
    for seed in ("1", "2", "3", "4"):
        result = subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        folders.add(result.stdout.strip())
    assert len(folders) == 1


def test_what_a_template_reads_is_kept_between_builds_by_its_source(tmp_path, monkeypatch):
    """A page's key covers the names its template reads; working them out parses every
    template, so the answer is kept, and asked again only of a template whose source (or
    an included one's) changed.  A damaged record is parsed past, not trusted."""
    from briefing.fast import fingerprint

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "base.html").write_text("<h1>{{ SITENAME }}</h1>{% block body %}{% endblock %}")
    (folder / "page.html").write_text(
        '{% extends "base.html" %}{% block body %}{{ story }} {{ days | length }}{% endblock %}'
    )
    record = tmp_path / "reads.pickle"

    def reads(parse_allowed=True):
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)))
        kept = fingerprint.ReadsKept(str(record))
        if not parse_allowed:
            monkeypatch.setattr(env, "parse", lambda *a: pytest.fail("parsed again"))
        found = fingerprint.template_reads(env.get_template("page.html"), kept)
        kept.save()
        monkeypatch.undo()
        return found

    assert reads() == {"SITENAME", "story", "days"}
    assert reads(parse_allowed=False) == {"SITENAME", "story", "days"}
    (folder / "base.html").write_text(
        "<h1>{{ SITENAME }} {{ pages }}</h1>{% block body %}{% endblock %}"
    )
    assert reads() == {"SITENAME", "story", "days", "pages"}  # the edited file is read again
    import pickle

    record.write_bytes(pickle.dumps({key: "junk" for key in pickle.loads(record.read_bytes())}))
    assert reads() == {"SITENAME", "story", "days", "pages"}
