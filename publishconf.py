"""Production settings: `make publish`."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

# Absolute URLs; override with BRIEFING_SITEURL=https://news.example.org make publish
SITEURL = os.environ.get("BRIEFING_SITEURL", "https://briefing.example.org")
RELATIVE_URLS = False

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/section/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/topic/{slug}.atom.xml"
