"""``briefing init DIR``: a new site from the installed package.

It writes the settings (``pelicanconf.py``, ``publishconf.py``), a ``Makefile`` that runs
the ``pelican`` and ``briefing`` of the environment Briefing is installed in, a
``content/`` with one example story and an about page, ``.gitignore``, a README, and a
GitHub Pages workflow.  The theme is used from the package (``briefing.theme_path()``)
unless ``--copy-theme`` copies it into the site to be edited.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import uuid
from pathlib import Path

from ..core.urls import host_of
from .authoring import slugify

PELICANCONF = '''\
"""Development settings: `make html`, `make serve`, or plain `pelican content`.
Every Briefing setting is in Briefing's docs/settings.md."""

{theme_import}
AUTHOR = {author!r}
SITENAME = {title!r}
SITESUBTITLE = "The day's news in a few cited paragraphs"
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
ARTICLE_PATHS = ["stories"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
OUTPUT_PATH = "output"

TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y, %H:%M"

# Stories live at /YYYY/MM/DD/<slug>/.
ARTICLE_URL = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{date:%m}}/{{date:%d}}/{{slug}}/index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"
CATEGORY_URL = "section/{{slug}}/"
CATEGORY_SAVE_AS = "section/{{slug}}/index.html"
TAG_URL = "topic/{{slug}}/"
TAG_SAVE_AS = "topic/{{slug}}/index.html"
AUTHOR_URL = "author/{{slug}}/"
AUTHOR_SAVE_AS = "author/{{slug}}/index.html"
CATEGORIES_SAVE_AS = "sections/index.html"
TAGS_SAVE_AS = "topics/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
DIRECT_TEMPLATES = ["tags", "categories", "authors"]
DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {{
    "index": 7, "tag": None, "category": None, "author": None, "outlet": None, "corrections": None,
}}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)

THEME = {theme}
PLUGINS = ["briefing"]
# Builds render into a staging folder and replace output/ only when they succeed.
PELICAN_CLASS = "briefing.BriefingPelican"
JINJA_ENVIRONMENT = {{"autoescape": True, "trim_blocks": True, "lstrip_blocks": True}}
JINJA_ENVIRONMENT["undefined"] = __import__("jinja2").StrictUndefined

# Briefing writes the feeds; they need absolute URLs, so publishconf.py turns them on.
BRIEFING_FEEDS = False
BRIEFING_FEED_MAX_ITEMS = 50
# Feed entry ids are names in this namespace: made for this site, never change it.
BRIEFING_FEED_ID_NAMESPACE = {namespace!r}
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

LOAD_CONTENT_CACHE = False
# A story dated in the future is held back until its date has come.
WITH_FUTURE_DATES = False

ARCHIVES_URL = "archive/"
OUTLETS_URL = "sources/"
CORRECTIONS_URL = "corrections/"
SEARCH_URL = "search/"
CATEGORIES_URL = "sections/"
TAGS_URL = "topics/"
AUTHORS_URL = "authors/"
DRAFT_URL = "drafts/{{slug}}/"
DRAFT_SAVE_AS = "drafts/{{slug}}/index.html"
'''

PUBLISHCONF = '''\
"""Production settings: `make publish`."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

# Absolute URLs; override with BRIEFING_SITEURL=https://… make publish
SITEURL = os.environ.get("BRIEFING_SITEURL", {url!r})
RELATIVE_URLS = False

# Atom, RSS and JSON Feed for all stories, each section, topic and outlet, and a daily digest
BRIEFING_FEEDS = True
# The newest week's email editions, to read in a browser: /YYYY/MM/DD/email.html
BRIEFING_EMAIL_WEB_COPY = 7
# Drafts and stories not yet due are written nowhere.
BRIEFING_PRODUCTION = True
BRIEFING_PREVIEW_DRAFTS = False
'''

MAKEFILE = """\
# {title}: `make html` (preview build), `make serve`, `make publish` (the real site).
# BIN is the environment Briefing was installed in when this site was made; change it, or
# run `make publish BIN=/path/to/venv/bin`, to use another.
BIN ?= {bin}
PELICAN := $(BIN)/pelican
BRIEFING := $(BIN)/briefing
OUTPUT := output
BRIEFING_RSYNC_TARGET ?=

.PHONY: html publish serve check sources rsync_upload clean

html:
\t$(PELICAN) content -s pelicanconf.py -o $(OUTPUT)

publish:
\t$(PELICAN) content -s publishconf.py -o $(OUTPUT)
\t$(BRIEFING) ping -s publishconf.py

serve:
\t$(BRIEFING) serve --bind 127.0.0.1 --port 8000

check:
\t$(BRIEFING) check

sources:
\t$(BRIEFING) sources check

rsync_upload:
\t@test -n "$(BRIEFING_RSYNC_TARGET)" || {{ echo "set BRIEFING_RSYNC_TARGET" >&2; exit 2; }}
\t@test -d "$(OUTPUT)" || {{ echo "no $(OUTPUT)/: run make publish first" >&2; exit 2; }}
\trsync --recursive --links --times --omit-dir-times --delete --compress --stats \\
\t\t$(RSYNC_FLAGS) "$(OUTPUT)/" "$(BRIEFING_RSYNC_TARGET)"

clean:
\trm -rf $(OUTPUT) cache
"""

STORY = """\
---
title: Welcome to {title}
date: {date}
slug: welcome
id: urn:uuid:{story_id}
category: News
tags: [site]
summary: The first story of {title}, to show how a story cites its sources.
sources:
  pelican:
    url: https://getpelican.com/
    outlet: Pelican
    title: Pelican, a static site generator
  markdown: https://commonmark.org/
---
Each story is a Markdown file in `content/stories/`. Its sources are listed in the front
matter above, and the text cites them the way briefings do, by host (getpelican.com), or
by key [@markdown].

Write the next one with `briefing new "Headline"`, check it with `make check`, and build
the site with `make html`.
"""

ABOUT = """\
---
title: About
slug: about
---
*{title}* is a daily briefing: a few cited paragraphs on the day's news, every citation
linked to its source. It is built with Briefing.
"""

GITIGNORE = """\
output/
cache/
__pycache__/
.venv/
"""

README = """\
# {title}

A daily briefing built with Briefing (Pelican and the Briefing plugin).

    make html      # a preview build into output/
    make serve     # build, serve on http://127.0.0.1:8000, rebuild on every change
    make check     # check every story without building
    make publish   # the real site: absolute URLs ({url}), feeds, search
    make rsync_upload BRIEFING_RSYNC_TARGET=user@host:/var/www/site/

Stories are in `content/stories/` (`briefing new "Headline"` starts one), pages in
`content/pages/`. `.github/workflows/pages.yml` publishes to GitHub Pages: set the
repository variable `BRIEFING_PACKAGE` to what `pip install` should install Briefing from.
"""

WORKFLOW = """\
# Build with `make publish` and deploy to GitHub Pages, on each push to main and each
# morning. cache/ and output/ come back from the Actions cache: a day's build is incremental.
# Set the repository variable BRIEFING_PACKAGE to what pip installs Briefing from (a wheel's
# URL, or git+https://…/briefing@<tag>).
name: Publish to GitHub Pages

on:
  push:
    branches: [main]
  schedule:
    - cron: "30 5 * * *"
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "${{{{ vars.BRIEFING_PACKAGE }}}}"
      - name: Restore the last build's cache and site
        uses: actions/cache@v4
        with:
          path: |
            cache
            output
          key: site-${{{{ github.run_id }}}}
          restore-keys: site-
      - id: pages
        uses: actions/configure-pages@v5
      - name: Build
        env:
          BRIEFING_SITEURL: ${{{{ steps.pages.outputs.base_url }}}}
        run: make publish BIN="$(dirname "$(command -v pelican)")"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: output

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deployment.outputs.page_url }}}}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


class InitRefused(Exception):
    """The site cannot be made there; the message says why."""


def make_site(
    folder: Path,
    *,
    title: str,
    url: str,
    copy_theme: bool,
    now: dt.datetime | None = None,
    bin_dir: str | None = None,
) -> list[Path]:
    """Write a new site into ``folder`` (absent or empty) and return the files written."""
    from .. import theme_path

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InitRefused(f"{folder} is not empty; choose a new folder")
    if not url.startswith(("http://", "https://")) or not host_of(url):
        raise InitRefused(
            f"--url {url!r} is not an http(s) address such as https://news.example.org"
        )
    now = now or dt.datetime.now(dt.UTC).replace(microsecond=0)
    bin_dir = bin_dir or os.path.dirname(os.path.abspath(sys.executable))
    values = {
        "title": title,
        "author": f"The {title} desk" if not title.lower().startswith("the ") else f"{title} desk",
        "url": url.rstrip("/"),
        "namespace": str(uuid.uuid4()),
        "bin": bin_dir,
        "date": now.isoformat(),
        "story_id": uuid.uuid4(),
    }
    if copy_theme:
        values["theme_import"] = ""
        values["theme"] = '"theme"'
    else:
        values["theme_import"] = "from briefing import theme_path  # the installed theme\n"
        values["theme"] = "theme_path()"
    files = {
        "pelicanconf.py": PELICANCONF.format(**values),
        "publishconf.py": PUBLISHCONF.format(**values),
        "Makefile": MAKEFILE.format(**values),
        f"content/stories/{now:%Y-%m-%d}-welcome.md": STORY.format(**values),
        "content/pages/about.md": ABOUT.format(**values),
        ".gitignore": GITIGNORE,
        "README.md": README.format(**values),
        ".github/workflows/pages.yml": WORKFLOW.format(**values),
    }
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    (folder / "content" / "images").mkdir(exist_ok=True)
    if copy_theme:
        shutil.copytree(theme_path(), folder / "theme")
        written.append(folder / "theme")
    return written


__all__ = ["InitRefused", "make_site", "slugify"]
