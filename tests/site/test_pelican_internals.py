"""What Briefing relies on in Pelican beyond its plugin API is listed and changed in one
module (``site/internals.py``), and the installed Pelican still has all of it."""

from __future__ import annotations

import re

from briefing.site import internals

from sitebuild import ROOT

PACKAGE = ROOT / "plugins" / "briefing"
# what changes Pelican's objects: assigning into a Pelican object or module, swapping a
# content's class, peeking at the caller's frame
CHANGES = re.compile(
    r"\.(read_file|get_cached_data|cache_data|save_cache|process_translations|fatal_lvl)\s*=[^=]"
    r"|__class__\s*=[^=]|sys\._getframe"
)


def test_the_installed_pelican_has_every_internal_briefing_relies_on():
    problems = internals.missing()
    assert problems == [], "Pelican changed what Briefing relies on:\n" + "\n".join(problems)


def test_a_pelican_without_one_of_them_is_named_with_what_briefing_uses_it_for():
    gone = internals.Internal("pelican.contents.Content.no_such_thing", "a use")
    moved = internals.Internal("pelican.Pelican.run", "another", source="no such line")
    assert internals._problem(gone) == "Pelican has no no_such_thing"
    assert internals._problem(moved) == "its code no longer holds 'no such line'"


def test_no_other_module_changes_pelicans_objects():
    for path in PACKAGE.rglob("*.py"):
        if path.name == "internals.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not CHANGES.search(line), f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
