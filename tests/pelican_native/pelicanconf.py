# An existing Pelican site (a weekly link roundup) that adds only the Briefing plugin.
AUTHOR = "Roundup Editors"
SITENAME = "This Week in the Harbour"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "en"
STATIC_PATHS = ["images"]
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
RELATIVE_URLS = True

PLUGINS = ["briefing"]
