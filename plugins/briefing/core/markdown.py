"""The Markdown dialect of a story: markdown-it-py configured for news copy.

CommonMark plus tables, strikethrough, footnotes, heading ids and Pygments code
highlighting.  No linkify (quadratic, and it would link ``(cnbc.com)``).  Raw HTML is
escaped unless the site opts in, links take only safe schemes, Pelican's
``{filename}``/``{static}`` placeholders survive, and content nested past the parser's
limit is reported instead of silently dropped.  Imports nothing from Pelican.
"""

from __future__ import annotations

import html
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.rules_core import StateCore
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.anchors.index import slugify
from mdit_py_plugins.footnote import footnote_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .citations import citations_plugin
from .settings import SETTINGS

#: Link schemes a story may use; anything else stays plain text.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
# Pelican's intra-site link placeholders, e.g. {filename}/a.md, {static}/img.png, |filename|x.
_PLACEHOLDER = re.compile(r"^(\{\w+\}|\|\w+\|)")

_FORMATTER = HtmlFormatter(nowrap=True)

DEFAULT_MAX_NESTING = SETTINGS["BRIEFING_MAX_NESTING"].default


def normalize_link(url: str) -> str:
    """markdown-it's normalisation, leaving Pelican's placeholder prefix unencoded."""
    m = _PLACEHOLDER.match(url)
    if m:
        return m.group(1) + normalizeLink(url[m.end() :])
    return normalizeLink(url)


def validate_link(url: str) -> bool:
    """Allow http(s), mailto, Pelican placeholders and site-relative or fragment links."""
    if _PLACEHOLDER.match(url):
        return True
    m = _SCHEME.match(url)
    if m:
        return m.group(1).lower() in SAFE_SCHEMES
    # scheme-relative (//host) and /\host leave the site
    return not url.startswith(("//", "/\\", "\\"))


def highlight_code(code: str, lang: str, _attrs: str) -> str:
    """Pygments highlighting for fenced code with a known language, else markdown-it's default."""
    if not lang:
        return ""
    try:
        lexer = get_lexer_by_name(lang)
    except ClassNotFound:
        return ""
    body = pygments_highlight(code, lexer, _FORMATTER)
    cls = html.escape(lang, quote=True)
    return f'<pre class="highlight" tabindex="0"><code class="language-{cls}">{body}</code></pre>'


def heading_id(text: str) -> str:
    """GitHub-style heading ids; a heading ending in a citation gets no trailing hyphen."""
    return slugify(text.strip()).strip("-") or "section"


def _nesting_guard(state: StateCore) -> None:
    """markdown-it drops whatever lies deeper than maxNesting: say where instead."""
    limit = state.md.options["maxNesting"]
    for token in state.tokens:
        if token.nesting == 1 and token.level + 1 >= limit:
            line = (token.map[0] + 1) if token.map else 1
            state.env.setdefault("briefing_problems", []).append(
                (
                    line,
                    1,
                    "nesting-too-deep",
                    "block quotes or lists are nested too deeply here, past the parser's "
                    f"limit of {limit} levels (BRIEFING_MAX_NESTING); what lies deeper "
                    "would be dropped",
                )
            )
            return


#: ``env`` key: each ``{filename}``/``{static}``/``{attach}`` link of the text, as
#: ``(href, line, col)`` (1-based, in the text rendered): the site checks that its file
#: exists before Pelican would leave the ``href`` as written.
SITE_LINKS = "briefing_site_links"
FILE_PLACEHOLDER = re.compile(r"^(?:\{(filename|static|attach)\}|\|(filename|static|attach)\|)")
_WRITTEN_PLACEHOLDER = re.compile(r"\{(?:filename|static|attach)\}|\|(?:filename|static|attach)\|")


def _site_links(state: StateCore) -> None:
    """Note where each link to a file of the site is written (see ``SITE_LINKS``)."""
    if "{" not in state.src and "|" not in state.src:
        return
    lines: list[str] | None = None
    found = []
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        hrefs = [
            str(child.attrs.get("href") or child.attrs.get("src") or "")
            for child in token.children
            if child.type in ("link_open", "image")
        ]
        hrefs = [h for h in hrefs if FILE_PLACEHOLDER.match(h)]
        if not hrefs:
            continue
        if lines is None:
            lines = state.src.split("\n")
        first = token.map[0] if token.map else 0
        last = token.map[1] if token.map else first + 1
        written = [
            (n + 1, m.start() + 1)
            for n in range(first, min(last, len(lines)))
            for m in _WRITTEN_PLACEHOLDER.finditer(lines[n])
        ]
        for i, href in enumerate(hrefs):
            found.append((href, *(written[i] if i < len(written) else (first + 1, 1))))
    if found:
        state.env[SITE_LINKS] = found


def make_markdown(
    *, allow_html: bool = False, max_nesting: int = DEFAULT_MAX_NESTING
) -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {
            "html": allow_html,
            "linkify": False,
            "typographer": False,
            "highlight": highlight_code,
            "maxNesting": max_nesting,
        },
    )
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=heading_id)
    md.use(citations_plugin)
    md.normalizeLink = normalize_link  # type: ignore[method-assign]
    md.validateLink = validate_link  # type: ignore[method-assign]
    md.core.ruler.after("block", "briefing_nesting_guard", _nesting_guard)
    md.core.ruler.push("briefing_site_links", _site_links)
    for rule in ("fence", "code_block"):
        md.add_render_rule(rule, _focusable_pre(md.renderer.rules[rule]))
    return md


def _focusable_pre(render):
    """Code scrolls sideways, so keyboard users must be able to focus it (WCAG 2.1.1)."""

    def rule(self, tokens, idx, options, env):
        out = render(tokens, idx, options, env)
        return out.replace("<pre>", '<pre tabindex="0">', 1) if out.startswith("<pre>") else out

    return rule


def render(md: MarkdownIt, text: str, env: dict[str, Any] | None = None) -> str:
    return md.render(text, env if env is not None else {})
