"""Production settings: `make publish`."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

# Absolute URLs; override with BRIEFING_SITEURL=https://news.example.org make publish
SITEURL = os.environ.get("BRIEFING_SITEURL", "https://briefing.example.org")
RELATIVE_URLS = False

# Atom, RSS and JSON Feed for all stories, each section, topic and outlet, and a daily digest
BRIEFING_FEEDS = True
# The newest week's email editions, to read in a browser: /YYYY/MM/DD/email.html
BRIEFING_EMAIL_WEB_COPY = 7

# A production build: drafts and stories not yet due are written nowhere, and the build
# refuses BRIEFING_PREVIEW_DRAFTS (which pelicanconf.py may set for a local preview).
BRIEFING_PRODUCTION = True
BRIEFING_PREVIEW_DRAFTS = False
