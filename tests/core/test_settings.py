"""One settings table: every ``BRIEFING_*`` setting has its default, kind and meaning in
``core/settings.py``, the code reads no other, ``docs/settings.md`` lists exactly them, and a
build stops at the line of a misspelt setting or a value of the wrong kind."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from briefing.core.settings import ENVIRONMENT, SETTINGS, problems

from sitebuild import ROOT, briefing, build, make_project, snapshot, story

DOC = (ROOT / "docs" / "settings.md").read_text()
ROW = re.compile(r"^\| `(BRIEFING_[A-Z_]+)` \| `([^`]*)`[^|]* \| ([^|]+) \| ([^|]+) \|$", re.M)


def test_the_document_lists_every_setting_with_its_default_and_kind_and_no_other():
    rows = {name: (default, kind.strip()) for name, default, kind, _ in ROW.findall(DOC)}
    assert sorted(rows) == sorted(SETTINGS)
    for name, setting in SETTINGS.items():
        assert rows[name] == (repr(setting.default), setting.expects), name


def test_the_code_reads_no_setting_that_is_not_in_the_table():
    read = set()
    for path in (ROOT / "plugins" / "briefing").rglob("*.py"):
        read |= set(re.findall(r'"(BRIEFING_[A-Z_]+)"', path.read_text()))
    known = set(SETTINGS) | set(ENVIRONMENT)  # the environment's are never settings
    assert read <= known, sorted(read - known)
    assert not set(ENVIRONMENT) & set(SETTINGS)


def test_the_document_lists_what_is_read_from_the_environment():
    section = DOC[DOC.index("## The environment") :]
    for name in ENVIRONMENT:
        assert f"| `{name}` |" in section, name


def test_misspelt_names_and_wrong_kinds_are_named_with_what_was_meant():
    found = problems(
        {
            "BRIEFING_FEED_MAX_ITEM": 20,
            "BRIEFING_FEEDS": "yes",
            "BRIEFING_FEED_MAX_ITEMS": 0,
            "BRIEFING_JOBS": None,
            "BRIEFING_LOCK_TIMEOUT": 2.5,
            "BRIEFING_FEED_ID_NAMESPACE": "not-a-uuid",
            "BRIEFING_SOMETHING_ELSE": 1,
            "_BRIEFING_INTERNAL": object(),  # not a setting: a build's own value
            "SITENAME": 3,  # Pelican's, not checked here
        }
    )
    assert [(name, code) for name, code, _ in found] == [
        ("BRIEFING_FEEDS", "setting-type"),
        ("BRIEFING_FEED_ID_NAMESPACE", "setting-type"),
        ("BRIEFING_FEED_MAX_ITEM", "setting-unknown"),
        ("BRIEFING_FEED_MAX_ITEMS", "setting-type"),
        ("BRIEFING_SOMETHING_ELSE", "setting-unknown"),
    ]
    messages = {name: message for name, _, message in found}
    assert "did you mean BRIEFING_FEED_MAX_ITEMS?" in messages["BRIEFING_FEED_MAX_ITEM"]
    assert "did you mean" not in messages["BRIEFING_SOMETHING_ELSE"]
    assert messages["BRIEFING_FEEDS"] == "BRIEFING_FEEDS must be True or False, not 'yes'"
    assert "a whole number of at least 1, not 0" in messages["BRIEFING_FEED_MAX_ITEMS"]


def test_a_build_stops_at_the_line_of_a_misspelt_setting_before_touching_output(tmp_path):
    project = make_project(tmp_path / "site", content={"stories/a.md": story("A")})
    shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
    assert build(project).returncode == 0
    before = snapshot(project / "output")
    conf = project / "pelicanconf.py"
    conf.write_text(conf.read_text() + "\nBRIEFING_FEED_MAX_ITEM = 20\n")
    line = conf.read_text().count("\n")
    for result in (build(project), briefing(project, "check")):
        shown = result.stdout + result.stderr
        assert result.returncode == 1, shown
        assert (
            f"pelicanconf.py:{line}:1: error: setting-unknown: BRIEFING_FEED_MAX_ITEM is not a "
            "Briefing setting, so it would be ignored; did you mean BRIEFING_FEED_MAX_ITEMS?"
        ) in shown
        assert "Traceback" not in shown
    assert snapshot(project / "output") == before
    # set in pelicanconf.py, read through publishconf.py: still found where it is set
    published = Path(project / "publishconf.py")
    result = build(project, "-s", str(published))
    assert f"pelicanconf.py:{line}:1: error: setting-unknown" in result.stderr
