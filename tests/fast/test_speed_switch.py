"""The speed layer can be switched off whole (``BRIEFING_FAST = False``): the site is the
same, byte for byte, only slower.  Both ways, on the golden mini-site and on a generated
200-story site, published with feeds and the search index; and a rebuild after an edit
with the speed layer on (which takes pages over from the published site) agrees too."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from sitebuild import ROOT, env, make_project, snapshot

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate_bench  # noqa: E402


def publish(project, fast: bool) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py",
         "-e", f"BRIEFING_FAST={'true' if fast else 'false'}"],
        cwd=project,
        env={**env(), "BRIEFING_SITEURL": "https://news.example.org",
             "SOURCE_DATE_EPOCH": "1796000000"},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    if not fast:
        assert not (project / "cache").exists() or not any(
            p.name.startswith(("briefing-stories", "briefing-articles", "briefing-pages"))
            for p in (project / "cache").iterdir()
        ), "a build with the speed layer off kept the speed layer's caches"


@pytest.mark.parametrize("corpus", ["golden", "generated"])
def test_a_build_without_the_speed_layer_is_the_same_site(tmp_path, corpus):
    sites = {}
    for fast in (True, False):
        project = make_project(tmp_path / f"{corpus}-{fast}")
        shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
        shutil.rmtree(project / "content")
        if corpus == "golden":
            shutil.copytree(ROOT / "tests" / "golden_site" / "content", project / "content")
        else:
            generate_bench(project / "content" / "stories", 200, "briefing")
        publish(project, fast)
        sites[fast] = project
    with_speed, without = snapshot(sites[True] / "output"), snapshot(sites[False] / "output")
    assert len(with_speed) > 50
    assert sorted(with_speed) == sorted(without)
    assert [name for name in with_speed if with_speed[name] != without[name]] == []
    # an edit, built incrementally with the speed layer and afresh without it
    for project in sites.values():
        story = sorted((project / "content" / "stories").glob("*.md"))[1]
        story.write_text(story.read_text() + "\nA late paragraph, added in an edit.\n")
    publish(sites[True], True)
    shutil.rmtree(sites[False] / "output")
    publish(sites[False], False)
    with_speed, without = snapshot(sites[True] / "output"), snapshot(sites[False] / "output")
    assert [name for name in with_speed if with_speed.get(name) != without.get(name)] == []
    assert sorted(with_speed) == sorted(without)
