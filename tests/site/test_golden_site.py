"""The golden mini-site: build tests/golden_site/content and compare output file by file.

After an intended change to the output, regenerate the goldens with::

    make goldens    # = BRIEFING_UPDATE_GOLDENS=1 pytest tests/site/test_golden_site.py

and review the diff under tests/golden_site/expected/ before committing it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sitebuild import ROOT, env, make_project

GOLDEN = ROOT / "tests" / "golden_site"
EXPECTED = GOLDEN / "expected"
#: Copied verbatim from theme/static; the file list is compared, not the bytes.
UNCOMPARED = ("theme/",)


def _files(folder: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath, name)
            rel = path.relative_to(folder).as_posix()
            out[rel] = b"" if rel.startswith(UNCOMPARED) else path.read_bytes()
    return out


def test_golden_site(tmp_path):
    """Published as ``make publish`` does (``publishconf.py``: absolute URLs, every feed),
    without the search index (Pagefind's files are tested on their own)."""
    project = make_project(tmp_path / "site", settings="BRIEFING_SEARCH = False")
    shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
    shutil.rmtree(project / "content")
    shutil.copytree(GOLDEN / "content", project / "content")
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py"],
        cwd=project,
        env={**env(), "BRIEFING_SITEURL": "https://golden.example.org"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    output = project / "output"
    if os.environ.get("BRIEFING_UPDATE_GOLDENS"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        shutil.copytree(output, EXPECTED, ignore=shutil.ignore_patterns("*.css"))
        for rel in _files(output):
            if rel.startswith(UNCOMPARED):
                (EXPECTED / rel).parent.mkdir(parents=True, exist_ok=True)
                (EXPECTED / rel).write_bytes(b"")
    actual, expected = _files(output), _files(EXPECTED)
    assert sorted(actual) == sorted(expected)
    for rel in sorted(expected):
        assert actual[rel].decode() == expected[rel].decode(), f"{rel} differs from the golden"
