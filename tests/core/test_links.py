"""What a source link's answers mean (core/links.py): classes, the two-sightings rule,
and when a URL is asked again."""

from __future__ import annotations

import datetime as dt

import pytest

from briefing.core.links import Check, Hop, classify, dead_since, due, retry_after, verdict

U = "https://news.example/2026/11/story"
T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
DAY = dt.timedelta(hours=24)
WEEK = dt.timedelta(hours=168)


@pytest.mark.parametrize(
    ("hops", "headers", "expected"),
    [
        ([Hop(U, 200)], {}, "ok"),
        ([Hop(U, 204)], {}, "ok"),
        ([Hop(U, 404)], {}, "gone"),
        ([Hop(U, 410)], {}, "gone"),
        ([Hop(U, 301, U + "-new"), Hop(U + "-new", 200)], {}, "moved"),
        ([Hop(U, 308, U + "-new"), Hop(U + "-new", 200)], {}, "moved"),
        ([Hop(U, 302, U + "-new"), Hop(U + "-new", 200)], {}, "ok"),  # temporary
        # the same page by another spelling: not worth an editor's time
        ([Hop(U, 301, U.replace("https://", "https://www.") + "/"), Hop(U, 200)], {}, "ok"),
        ([Hop(U, 301, "https://news.example/"), Hop("https://news.example/", 200)], {}, "gone"),
        (
            [
                Hop(U, 302, "https://news.example/404.html"),
                Hop("https://news.example/404.html", 200),
            ],
            {},
            "gone",
        ),
        (
            [
                Hop(U, 301, "https://news.example/page-not-found"),
                Hop("https://news.example/page-not-found", 200),
            ],
            {},
            "gone",
        ),
        (
            [
                Hop(U, 302, "https://news.example/?error=404"),
                Hop("https://news.example/?error=404", 200),
            ],
            {},
            "gone",
        ),
        ([Hop(U, 401)], {}, "blocked"),
        ([Hop(U, 403)], {}, "blocked"),
        ([Hop(U, 429)], {}, "blocked"),
        ([Hop(U, 451)], {}, "blocked"),
        ([Hop(U, 999)], {}, "blocked"),  # LinkedIn's
        ([Hop(U, 400)], {}, "blocked"),  # refused, for a reason that is not "gone"
        ([Hop(U, 503)], {"cf-mitigated": "challenge"}, "blocked"),  # a bot wall
        ([Hop(U, 503)], {}, "unreachable"),
        ([Hop(U, 500)], {}, "unreachable"),
        ([Hop(U, 301)], {}, "unreachable"),  # a redirect to nowhere
    ],
)
def test_classes(hops, headers, expected):
    assert classify(U, hops, headers=headers)[0] == expected


def test_a_front_page_is_not_a_soft_404_of_itself():
    home = "https://news.example/"
    assert classify(home, [Hop(home, 301, home + "en/"), Hop(home + "en/", 200)])[0] == "moved"
    assert classify(home, [Hop(home, 302, "https://news.example"), Hop(home, 200)])[0] == "ok"


def c(cls, at, status=None):
    return Check(U, T0 + at, cls, status)


def test_dead_after_two_gone_checks_a_day_apart():
    assert dead_since([c("gone", 0 * H)], DAY) is None
    assert dead_since([c("gone", 0 * H), c("gone", 23 * H)], DAY) is None
    assert dead_since([c("gone", 0 * H), c("gone", 24 * H)], DAY) == T0
    # blocked and unreachable in between settle nothing
    run = [c("gone", 0 * H), c("unreachable", 10 * H), c("blocked", 20 * H), c("gone", 30 * H)]
    assert dead_since(run, DAY) == T0
    # an ok in between starts the run again
    assert dead_since([c("gone", 0 * H), c("ok", 10 * H), c("gone", 30 * H)], DAY) is None
    # a page that came back is not dead, however long it was gone before
    assert dead_since([c("gone", 0 * H), c("gone", 48 * H), c("ok", 50 * H)], DAY) is None
    # the newest check unreachable: still dead by the settled ones
    assert dead_since([c("gone", 0 * H), c("gone", 30 * H), c("unreachable", 40 * H)], DAY)


def test_when_a_url_is_asked_again():
    now = T0 + 2 * H
    assert due([], now, WEEK, DAY)
    assert not due([c("ok", 0 * H)], now, WEEK, DAY)
    assert due([c("ok", 0 * H)], T0 + WEEK, WEEK, DAY)  # older than --max-age
    assert due([c("ok", 0 * H)], now, 0 * H, DAY)  # --max-age 0: everything
    assert due([c("blocked", 0 * H)], now, WEEK, DAY)  # never settled
    assert due([c("unreachable", 0 * H)], now, WEEK, DAY)
    assert not due([c("gone", 0 * H)], now, WEEK, DAY)  # the second sighting waits a day
    assert due([c("gone", 0 * H)], T0 + DAY, WEEK, DAY)
    dead = [c("gone", 0 * H), c("gone", DAY)]
    assert not due(dead, T0 + DAY + H, WEEK, DAY)  # dead and recent: stands
    assert due([c("ok", 0 * H)], T0 - H, WEEK, DAY)  # checked "in the future": clock moved


def test_verdicts():
    assert verdict([], DAY) == "unchecked"
    assert verdict([c("gone", 0 * H)], DAY) == "gone"
    assert verdict([c("gone", 0 * H), c("gone", DAY)], DAY) == "dead"
    assert verdict([c("gone", 0 * H), c("gone", DAY), c("blocked", 2 * DAY)], DAY) == "dead"
    assert verdict([c("moved", 0 * H)], DAY) == "moved"


def test_retry_after_in_seconds_or_as_a_date():
    assert retry_after("120", T0) == 120
    assert retry_after("Tue, 01 Dec 2026 00:00:30 GMT", T0) == 30
    assert retry_after("Mon, 30 Nov 2026 00:00:00 GMT", T0) == 0  # already past
    assert retry_after("soon", T0) is None
    assert retry_after(None, T0) is None
