"""What templates get from Briefing: a story's HTML namespaced for a shared page, JSON-LD
that cannot leave its script block, and a story's card rendered once per build."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace

from briefing.core.sources import Source
from briefing.site import state
from briefing.site.templates import cached, json_script, namespaced, news_article


def test_namespaced_prefixes_ids_and_their_references_and_shifts_headings():
    html = (
        '<h2 id="what">What</h2><p><a class="citation" id="cite-1" href="https://x.org/" '
        'aria-describedby="source-1">x.org</a> <a href="#fn1">1</a> '
        '<a href="https://y.org/#frag">y</a></p><section aria-labelledby="sources-heading">'
        '<h2 id="sources-heading">Sources</h2></section><div data-id="keep"\nid="two\tthree">'
    )
    out = namespaced(html, "tunnel", 1)
    assert '<h3 id="tunnel--what">What</h3>' in out
    assert 'id="tunnel--cite-1"' in out and 'aria-describedby="tunnel--source-1"' in out
    assert 'href="#tunnel--fn1"' in out and 'href="https://y.org/#frag"' in out
    assert 'aria-labelledby="tunnel--sources-heading"' in out and "<h3 id=" in out
    # only whole attributes, on any whitespace; a list of ids is each prefixed
    assert '<div data-id="keep"\nid="tunnel--two tunnel--three">' in out


def test_json_ld_cannot_break_out_of_its_script_block():
    article = SimpleNamespace(
        title="</script><script>alert(1)</script> & <!--",
        url="2026/11/27/x/",
        date=dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC),
        authors=["Ana"],
        category="City",
        tags=["energy"],
        sources=[
            Source(key="a", url="https://ft.com/a", host="ft.com", outlet="FT </script>", title="T")
        ],
    )
    data = news_article(article, "https://news.example.org", "The Briefing")
    text = str(json_script(data))
    assert not re.search(r"</|<!--|<script", text, re.I)
    assert json.loads(text) == data
    assert data["datePublished"] == "2026-11-27T09:00:00+00:00"
    assert data["citation"][0]["url"] == "https://ft.com/a"


def test_a_story_card_is_rendered_once_per_build_and_heading_level():
    import jinja2

    class Story:  # compared by identity, as Pelican's articles are
        def __init__(self, title: str) -> None:
            self.title = title

    shown: list[str] = []
    settings: dict = {}
    env = jinja2.Environment(autoescape=True)
    env.globals.update(cached=cached, note=lambda s: shown.append(s) or s)
    card = env.from_string(
        '{% for s in items %}{% call cached("card", s, level, SITEURL) %}'
        "<h{{ level }}>{{ note(s.title) }}</h{{ level }}>{% endcall %}{% endfor %}"
    )
    a, b = Story("A & B"), Story("A & B")
    build = state.start(settings)
    assert card.render(items=[a, a], level=2, SITEURL="", **settings).count("A &amp; B") == 2
    assert len(shown) == 2  # a build that keeps no blocks renders each where it is shown
    shown.clear()
    build.blocks = {}  # as the speed layer does
    first = card.render(items=[a, b], level=2, SITEURL="", **settings)
    again = card.render(items=[b, a], level=2, SITEURL="", **settings)
    assert first == again == "<h2>A &amp; B</h2><h2>A &amp; B</h2>"
    assert len(shown) == 2  # each story once, not once per list
    assert card.render(items=[a], level=3, SITEURL="", **settings) == "<h3>A &amp; B</h3>"
    assert card.render(items=[a], level=3, SITEURL="../..", **settings) == "<h3>A &amp; B</h3>"
    assert len(shown) == 4  # another level, another SITEURL: rendered again
    state.start(settings).blocks = {}  # a new build
    card.render(items=[a], level=2, SITEURL="", **settings)
    assert len(shown) == 5
