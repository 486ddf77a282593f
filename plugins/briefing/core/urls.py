"""The one URL rule: what counts as a source URL, and how a host is normalised."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

_HOST_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})+")  # a host name in ASCII
# a label as an author writes it: letters and digits of any script (no ASCII capitals),
# hyphens inside
_TEXT_LABEL = r"[^\W_A-Z](?:(?:[^\W_A-Z]|-){0,61}[^\W_A-Z])?"
#: A host as written in a briefing-style citation: lowercase labels, at least one dot;
#: an internationalised name in its Unicode form (``bücher.de``) or in ASCII
#: (``xn--bcher-kva.de``).
HOST_PATTERN = rf"{_TEXT_LABEL}(?:\.{_TEXT_LABEL})+"


def normalize_host(host: str) -> str:
    """Lowercase, no trailing dot, no leading ``www.`` (ignored on both sides of a match),
    and an internationalised name in its Unicode form, as readers see it, whether it was
    written so or in ASCII (``xn--bcher-kva.de`` is ``bücher.de``)."""
    host = host.strip().lower().rstrip(".")
    if not host.isascii() or "xn--" in host:
        host = _unicode_host(host)
    return host[4:] if host.startswith("www.") and host.count(".") > 1 else host


@lru_cache(maxsize=4096)
def _unicode_host(host: str) -> str:
    """IDNA's mapping (case, compatibility forms) and its Unicode labels; a name IDNA
    cannot encode stays as written (and is no valid source host)."""
    try:
        return host.encode("idna").decode("idna")
    except UnicodeError:
        return host


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a source link, or None when it is an absolute http(s) URL."""
    if not (url.isascii() and url.isprintable() and " " not in url):  # else: nothing to see
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in url):
            return "it contains control or invisible characters"
        if any(ch.isspace() for ch in url):
            return "it contains whitespace"
    if url.startswith("//"):
        return "it has no scheme (scheme-relative '//host'); write https://…"
    try:
        parts = urlsplit(url)
        port = parts.port  # noqa: F841 - raises on a bad port
    except ValueError as exc:
        return f"it is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        if not parts.scheme:
            return "it is not absolute; write the full https://… address"
        return f"only http and https links are allowed, not '{parts.scheme}:'"
    if parts.username is not None or parts.password is not None:
        return "it contains credentials (user:password@)"
    if not _valid_host(parts.hostname or ""):
        return "it has no valid host name"
    if len((parts.hostname or "").encode("idna")) > MAX_SEGMENT_BYTES:
        return f"its host name is over {MAX_SEGMENT_BYTES} characters, too long for a page's URL"
    return None


def _valid_host(host: str) -> bool:
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    return _HOST.fullmatch(host.rstrip(".")) is not None


#: The longest URL path segment (a slug, a topic's or an outlet's) in bytes of UTF-8:
#: file systems take 255 for a name, and a URL is read, shared and typed by people.
MAX_SEGMENT_BYTES = 100
_SEGMENT = re.compile(r"[\w\-.~]+")  # most segments; combining marks are looked up


def _segment_char(ch: str) -> bool:
    """A letter or digit of any script, a combining mark (``e`` + U+0301), ``- _ . ~``."""
    return ch.isalnum() or ch in "-_.~" or unicodedata.category(ch).startswith("M")


def segment_problem(segment: str) -> str | None:
    """Why ``segment`` cannot be one part of a URL path on this site (a slug, a topic's
    or section's slug, an outlet's host), or None.  One part: no ``/`` or ``\\``, not
    ``.`` or ``..`` or a hidden name, no ``?`` ``#`` ``%`` ``:``, whitespace or invisible
    characters; letters and digits of any script and ``- _ . ~`` only, at most
    ``MAX_SEGMENT_BYTES``."""
    if not segment:
        return "is empty"
    if segment in (".", ".."):
        return f"is '{segment}', which names a folder, not a page of its own"
    if segment.startswith("."):
        return "starts with '.', which makes a hidden file"
    if not _SEGMENT.fullmatch(segment) and not all(map(_segment_char, segment)):
        bad = next(ch for ch in segment if not _segment_char(ch))
        shown = repr(bad) if bad.isprintable() and not bad.isspace() else f"U+{ord(bad):04X}"
        why = (
            "which would make it more than one part of the URL"
            if bad in "/\\"
            else "which a URL path cannot hold as it is"
        )
        return f"holds {shown}, {why}; use only letters, digits and - _ . ~"
    size = len(segment.encode("utf-8"))
    if size > MAX_SEGMENT_BYTES:
        return f"is {size} bytes long, over the {MAX_SEGMENT_BYTES} a URL part may have"
    return None


def shortened(segment: str) -> str:
    """``segment`` cut to at most ``MAX_SEGMENT_BYTES``, at a hyphen when there is one."""
    if len(segment.encode("utf-8")) <= MAX_SEGMENT_BYTES:
        return segment
    cut = segment.encode("utf-8")[:MAX_SEGMENT_BYTES].decode("utf-8", "ignore")
    head = cut.rsplit("-", 1)[0] if "-" in cut[1:] else cut
    return head.rstrip("-") or cut


def site_path_problem(path: str) -> str | None:
    """Why ``path`` cannot be an address on this site (an alias, ``2026/11/27/old-slug/``),
    or None."""
    if not path.isprintable() or any(ch.isspace() for ch in path):
        return "contains spaces or control characters"
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or path.startswith("//"):
        return "is not a path on this site; write it as 2026/11/27/old-slug/"
    if parts.query or parts.fragment:
        return "has a query or a fragment; write the path alone"
    trimmed = path.strip("/")
    if not trimmed:
        return "is the site's front page"
    if "\\" in path or any(part in ("", ".", "..") for part in trimmed.split("/")):
        return "has an empty, '.' or '..' part"
    return None


def site_path(path: str) -> str:
    """An address on this site as the site writes its own: no leading slash, a folder's
    with a trailing one (``2026/11/27/old-slug/``), a file's as given (``old.html``)."""
    path = path.lstrip("/")
    return path if path.endswith(("/", ".html", ".htm")) else path + "/"


def file_of(path: str) -> str:
    """The file that serves the address ``path`` (from ``site_path``)."""
    return path + "index.html" if path.endswith("/") else path


def host_of(url: str) -> str:
    """The normalised host of a URL that passed :func:`url_problem`."""
    return normalize_host(urlsplit(url).hostname or "")


@lru_cache(maxsize=1)
def _psl():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def public_suffix(host: str) -> str | None:
    """The public suffix ``host`` ends in (``co.uk``), or None: an unknown one counts."""
    return _psl().publicsuffix(host)


def has_public_suffix(host: str) -> bool:
    """True when ``host`` ends in a real public suffix (``.com``, ``.co.uk``), per the PSL."""
    return _psl().publicsuffix(host, accept_unknown=False) is not None
