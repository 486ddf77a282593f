"""`briefing init`: a new site made from an installed wheel, in a fresh virtual environment,
builds its pages, feeds and search index without reaching this repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sitebuild import ROOT, env, snapshot


def run(cmd, cwd, **kwargs):
    e = {k: v for k, v in env().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    e["PATH"] = os.pathsep.join(
        p for p in e["PATH"].split(os.pathsep) if not p.startswith(str(ROOT))
    )
    return subprocess.run(cmd, cwd=cwd, env=e, capture_output=True, text=True, **kwargs)


def test_a_site_made_from_the_wheel_builds_and_publishes(tmp_path):
    wheels = tmp_path / "dist"
    made = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                str(ROOT)], tmp_path, timeout=600)  # fmt: skip
    assert made.returncode == 0, made.stderr
    wheel = next(wheels.glob("briefing-*.whl"))
    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)], tmp_path).returncode == 0
    installed = run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                    tmp_path, timeout=1200)  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    where = run([str(venv / "bin" / "python"), "-c",
                 "import briefing; print(briefing.__file__); print(briefing.theme_path())"],
                tmp_path).stdout.split()  # fmt: skip
    assert all(p.startswith(str(venv)) for p in where), where  # the wheel's, not the checkout's

    briefing = str(venv / "bin" / "briefing")
    site = tmp_path / "harbour"
    result = run([briefing, "init", str(site), "--title", "Harbour Daily",
                  "--url", "https://harbour.example.org"], tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    for name in ("pelicanconf.py", "publishconf.py", "Makefile", ".gitignore", "README.md",
                 ".github/workflows/pages.yml", "content/pages/about.md"):  # fmt: skip
        assert (site / name).is_file(), name
    assert not (site / "theme").exists()  # the installed theme is used
    assert f"BIN ?= {venv / 'bin'}" in (site / "Makefile").read_text()
    for path in site.rglob("*"):
        if path.is_file():
            assert str(ROOT) not in path.read_text(errors="replace"), path

    html = run(["make", "html"], site, timeout=600)
    assert html.returncode == 0, html.stdout + html.stderr
    assert "warning" not in (html.stdout + html.stderr).lower()
    story = next((site / "output").glob("*/*/*/welcome/index.html"))
    assert 'class="citation"' in story.read_text()
    publish = run(["make", "publish"], site, timeout=600)
    assert publish.returncode == 0, publish.stdout + publish.stderr
    out = site / "output"
    feed = json.loads((out / "feeds" / "all.json").read_text())
    assert feed["items"][0]["url"].startswith("https://harbour.example.org/")
    assert (out / "feeds" / "all.atom.xml").exists() and (out / "feeds" / "all.rss.xml").exists()
    assert (out / "pagefind" / "pagefind.js").exists() or list(out.glob("pagefind/**/*.js"))
    assert (out / "about" / "index.html").exists()
    assert "Harbour Daily" in (out / "index.html").read_text()

    checked = run([briefing, "check"], site)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_init_refuses_a_folder_that_is_not_empty_and_writes_nothing(tmp_path):
    site = tmp_path / "busy"
    site.mkdir()
    (site / "notes.txt").write_text("mine\n")
    before = snapshot(site)
    result = run([sys.executable, "-m", "briefing.cli", "init", str(site)], tmp_path)
    assert result.returncode == 2
    assert "is not empty" in result.stderr
    assert snapshot(site) == before


def test_copy_theme_puts_the_theme_in_the_site_to_edit(tmp_path):
    site = tmp_path / "site"
    result = run([sys.executable, "-m", "briefing.cli", "init", str(site), "--copy-theme"],
                 tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (site / "theme" / "templates" / "base.html").exists()
    assert 'THEME = "theme"' in (site / "pelicanconf.py").read_text()
    assert Path(site / "theme" / "static").is_dir()


def test_a_new_sites_settings_are_this_repositorys_but_for_its_own(tmp_path):
    """The settings `briefing init` writes and this repository's pelicanconf.py say the same
    of every setting but the site's own (name, author, theme, plugin path, feed namespace,
    time zone): a change to one that the other lacks fails here."""
    import runpy

    site = tmp_path / "site"
    assert run([sys.executable, "-m", "briefing.cli", "init", str(site)], tmp_path).returncode == 0
    own = {"SITENAME", "AUTHOR", "THEME", "PLUGIN_PATHS", "BRIEFING_FEED_ID_NAMESPACE", "TIMEZONE"}

    def settings(path: Path) -> dict:
        values = runpy.run_path(str(path))
        return {k: v for k, v in values.items() if k.isupper() and k not in own}

    assert settings(site / "pelicanconf.py") == settings(ROOT / "pelicanconf.py")
