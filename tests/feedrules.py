"""The W3C feed validator's rules for plain text that reads as HTML, run on a feed file.

The validator (https://validator.w3.org/feed/, source github.com/w3c/feedvalidator) is
not packaged for any registry this project installs from, so its three rules about text
are restated here, from its ``validators.nonhtml``, ``content.textConstruct`` and
``link.link``, on the same inputs it uses: each element's decoded text, with its first
and last line, and which raw lines of the file hold a hexadecimal character reference
("&#x"), which is how the validator recognises text written as the RSS Best Practices
Profile asks.

- ``ContainsHTML`` "title should not contain HTML" (and "link should not contain HTML" for
  an Atom link's ``title`` attribute): the text holds an end tag of an HTML element, or a
  character reference to something else than a letter-named unknown entity on lines that
  hold no hexadecimal reference.
- ``ContainsUndeclaredHTML``: the same in an Atom text construct of ``type="text"``.
- ``CharacterData`` 'Encode "&" and "<" in plain text using hexadecimal character
  references': RSS 2.0 text holding ``&#``, ``</`` or ``<a`` on lines without one.
"""

from __future__ import annotations

import html.entities
import re
import xml.sax
import xml.sax.handler
from dataclasses import dataclass
from pathlib import Path

ATOM = "http://www.w3.org/2005/Atom"
# HTML element names (WHATWG HTML, with the obsolete ones readers still know)
HTML_TAGS = frozenset(
    """a abbr acronym address applet area article aside audio b base basefont bdi bdo big
    blockquote body br button canvas caption center cite code col colgroup command data
    datalist dd del details dfn dialog dir div dl dt em embed fieldset figcaption figure
    font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe
    img input ins kbd label legend li link main map mark menu meta meter nav noframes
    noscript object ol optgroup option output p param picture pre progress q rp rt ruby
    s samp script section select slot small source span strike strong style sub summary
    sup table tbody td template textarea tfoot th thead time title tr track tt u ul var
    video wbr xmp plaintext listing""".split()
)
_END_TAG = re.compile(r"</(\w+)>")
_REFERENCE = re.compile(r"&(#?\w+)")
_RSS_MARKUP = re.compile(r"&#[x0-9]|<[/a-zA-Z]")

MESSAGES = {
    "ContainsHTML": "{element} should not contain HTML",
    "ContainsUndeclaredHTML": (
        "{element} should not contain HTML unless declared in the type attribute"
    ),
    "CharacterData": 'Encode "&" and "<" in plain text using hexadecimal character references',
}


@dataclass(frozen=True)
class Finding:
    rule: str
    element: str
    line: int
    text: str

    def __str__(self) -> str:
        message = MESSAGES[self.rule].format(element=self.element)
        return f"line {self.line}: {message}: {self.text!r}"


def text_rule(text: str, lines: list[bool], first: int, last: int, *, rss2: bool) -> str | None:
    """Which rule, if any, a plain-text value breaks (the validator's ``nonhtml``)."""
    hex_nearby = any(lines[first - 1 : last])
    if any(t.lower() in HTML_TAGS for t in _END_TAG.findall(text)):
        return "ContainsHTML"
    refs = _REFERENCE.findall(text)
    if refs:
        for ref in refs:
            known = ref in html.entities.name2codepoint or ref == "apos" or not ref.isalpha()
            if known and not hex_nearby:
                return "ContainsHTML"
        return None
    if rss2 and _RSS_MARKUP.search(text) and not hex_nearby:
        return "CharacterData"
    return None


# the plain-text fields each format has, by (parent, element) local names
_RSS_TEXT = {("channel", "title"), ("channel", "description"), ("item", "title"),
             ("item", "category"), ("channel", "category")}  # fmt: skip
_ATOM_CONSTRUCTS = {"title", "subtitle", "summary", "rights", "content"}


class _Handler(xml.sax.handler.ContentHandler):
    def __init__(self, lines: list[bool]) -> None:
        super().__init__()
        self.lines = lines
        self.stack: list[tuple[str, str, dict, int, list[str]]] = []
        self.findings: list[Finding] = []
        self.rss2 = False

    def startElementNS(self, name, qname, attrs):  # noqa: N802 (SAX's names)
        ns, local = name
        line = self._locator.getLineNumber()
        if local == "rss" and not ns:
            self.rss2 = str(attrs.get((None, "version"), "")).startswith("2.")
        values = {k[1]: v for k, v in attrs.items() if k[0] is None}
        if ns == ATOM and local == "link" and "title" in values:
            rule = text_rule(values["title"], self.lines, line, line, rss2=False)
            if rule:
                self.findings.append(Finding(rule, "link", line, values["title"]))
        self.stack.append((ns or "", local, values, line, []))

    def characters(self, content):
        if self.stack:
            self.stack[-1][4].append(content)

    def endElementNS(self, name, qname):  # noqa: N802
        ns, local, attrs, first, parts = self.stack.pop()
        last = self._locator.getLineNumber()
        parent = self.stack[-1][1] if self.stack else ""
        text = "".join(parts)
        rule = None
        if not ns and (parent, local) in _RSS_TEXT:
            rule = text_rule(text, self.lines, first, last, rss2=self.rss2)
        elif ns == ATOM and local in _ATOM_CONSTRUCTS and parent in ("feed", "entry", "source"):
            if attrs.get("type", "text") == "text":
                rule = text_rule(text, self.lines, first, last, rss2=False)
                rule = rule and "ContainsUndeclaredHTML"
        elif ns == ATOM and local == "name" and parent in ("author", "contributor"):
            rule = text_rule(text, self.lines, first, last, rss2=False)
        if rule:
            self.findings.append(Finding(rule, local, first, text))


def check(path: Path) -> list[Finding]:
    """Every finding of the three rules in one RSS 2.0 or Atom file."""
    raw = path.read_text(encoding="utf-8")
    handler = _Handler(["&#x" in line for line in raw.split("\n")])
    parser = xml.sax.make_parser()
    parser.setFeature(xml.sax.handler.feature_namespaces, True)
    parser.setFeature(xml.sax.handler.feature_external_ges, False)
    parser.setContentHandler(handler)
    parser.parse(str(path))
    return handler.findings
