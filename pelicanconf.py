"""Development settings: `make html`, `make serve`, or plain `pelican content`."""

AUTHOR = "The Briefing desk"
SITENAME = "The Briefing"
SITESUBTITLE = "The day's news in a few cited paragraphs"
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
ARTICLE_PATHS = ["stories"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
OUTPUT_PATH = "output"

TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y, %H:%M"

# Stories live at /YYYY/MM/DD/<slug>/.
ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "section/{slug}/"
CATEGORY_SAVE_AS = "section/{slug}/index.html"
TAG_URL = "topic/{slug}/"
TAG_SAVE_AS = "topic/{slug}/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
CATEGORIES_SAVE_AS = "sections/index.html"
TAGS_SAVE_AS = "topics/index.html"
AUTHORS_SAVE_AS = "authors/index.html"
# The front page, day, month, year, archive, outlet, search and 404 pages, the sitemap and
# robots.txt come from the Briefing plugin's archive generator; Pelican writes the rest.
DIRECT_TEMPLATES = ["tags", "categories", "authors"]
DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {
    "index": 7,
    "tag": None,
    "category": None,
    "author": None,
    "outlet": None,
    "corrections": None,
}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["briefing"]
# Builds render into a staging folder and replace output/ only when they succeed.
PELICAN_CLASS = "briefing.BriefingPelican"
# Templates escape every value unless it is marked safe (story HTML is).
JINJA_ENVIRONMENT = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True}

# Briefing writes the feeds (Atom, RSS, JSON Feed; see the README), so Pelican's are off.
# They need absolute URLs: publishconf.py turns them on.
BRIEFING_FEEDS = False
BRIEFING_FEED_MAX_ITEMS = 50
# Feed entry ids are names in this namespace: set once per site, never change it.
BRIEFING_FEED_ID_NAMESPACE = "6f1c2a1e-7c53-4d0e-9a55-3b3c3f0e2b71"
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

LOAD_CONTENT_CACHE = False
# A story dated in the future is held back (built as a draft) until its date has come.
WITH_FUTURE_DATES = False
# A template that uses an undefined variable fails the build, naming the template and line.
JINJA_ENVIRONMENT["undefined"] = __import__("jinja2").StrictUndefined

# Index URLs the theme links to (one place for each).
ARCHIVES_URL = "archive/"
OUTLETS_URL = "sources/"
CORRECTIONS_URL = "corrections/"
SEARCH_URL = "search/"
CATEGORIES_URL = "sections/"
TAGS_URL = "topics/"
AUTHORS_URL = "authors/"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
