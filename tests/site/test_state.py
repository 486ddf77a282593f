"""One build's state lives in one object reached from its settings: two builds in one
process (as a program or Pelican's autoreload runs them) never see each other's."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from sitebuild import env, make_project, story

TWO_BUILDS = textwrap.dedent(
    """
    import os, sys
    from pelican.settings import read_settings
    from briefing.build.builder import BriefingPelican, BuildFailed
    from briefing.site import state

    results = []
    for folder in sys.argv[1:]:
        os.chdir(folder)
        settings = read_settings("pelicanconf.py")
        try:
            BriefingPelican(settings).run()
            results.append("ok")
        except BuildFailed as exc:
            results.append(str(exc))
        build = settings[state.KEY]
        topics = sorted(name for (_, name) in build.objects)
        print("built", folder.rsplit("/", 1)[-1], results[-1][:40], build.report.summary(), topics)
    """
)


def test_two_builds_in_one_process_keep_their_own_state(tmp_path):
    broken = make_project(  # two stories at one URL: the site's checks stop the build
        tmp_path / "broken",
        content={
            "stories/a.md": story("A", extra="tags: [harbour]\n"),
            "stories/a2.md": story("A", extra="tags: [harbour]\n"),
        },
        settings="BRIEFING_SEARCH = False",
    )
    clean = make_project(
        tmp_path / "clean",
        content={"stories/b.md": story("B", extra="tags: [weather]\n")},
        settings="BRIEFING_SEARCH = False",
    )
    result = subprocess.run(
        [sys.executable, "-c", TWO_BUILDS, str(broken), str(clean)],
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    first, second = [line for line in result.stdout.splitlines() if line.startswith("built ")]
    assert first.startswith("built broken build failed (1 error in 1 file")
    assert "'harbour'" in first and "'weather'" not in first
    # the second build reports nothing of the first, and has its own topics
    assert second.startswith("built clean ok 0 errors, 0 warnings")
    assert "'weather'" in second and "'harbour'" not in second
    assert os.path.isdir(clean / "output") and not os.path.exists(broken / "output")
