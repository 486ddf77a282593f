"""The email edition of a day: golden files of the golden site's day, the HTML as mail
clients need it, the plain text made from the stories, headers no story can break, and a
size limit that keeps the unsubscribe link out of Gmail's clipping."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tools import need_vnu

from sitebuild import ROOT, env, make_project, story

GOLDEN = ROOT / "tests" / "golden_site"
EXPECTED = GOLDEN / "email"
DAY = "2026-11-25"
SITEURL = "https://golden.example.org"
BUDGET = "council-budget-vote-set-for-friday"
PORTAL = "city-publishes-its-open-data-portal"


def site(tmp_path: Path, settings: str = "", content: dict[str, str] | None = None) -> Path:
    project = make_project(tmp_path / "site", settings=settings, content=content)
    shutil.copy(ROOT / "publishconf.py", project / "publishconf.py")
    if content is None:
        shutil.rmtree(project / "content")
        shutil.copytree(GOLDEN / "content", project / "content")
    return project


def email_cmd(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing.cli", "email", *args],
        cwd=project,
        env={**env(), "BRIEFING_SITEURL": SITEURL},
        capture_output=True,
        text=True,
        timeout=300,
    )


def build_edition(project: Path, day: str = DAY, out: str = "edition") -> dict[str, bytes]:
    result = email_cmd(project, "build", day, "-s", "publishconf.py", "--out", out)
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_bytes() for p in sorted((project / out).iterdir())}


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> dict[str, bytes]:
    project = site(tmp_path_factory.mktemp("email"))
    return build_edition(project)


def parsed(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def test_the_golden_day_gives_the_golden_edition(golden, tmp_path):
    """Regenerate with ``make goldens`` after an intended change, and review the diff."""
    assert sorted(golden) == [f"{DAY}.eml", f"{DAY}.html", f"{DAY}.txt"]
    if os.environ.get("BRIEFING_UPDATE_GOLDENS"):
        shutil.rmtree(EXPECTED, ignore_errors=True)
        EXPECTED.mkdir(parents=True)
        for name, data in golden.items():
            (EXPECTED / name).write_bytes(data)
    for name, data in golden.items():
        expected = (EXPECTED / name).read_bytes()  # bytes: a message's lines end in CRLF
        assert data.decode() == expected.decode(), f"{name} differs from the golden"
    # the same day of the same site is the same message, Message-ID and all
    again = build_edition(site(tmp_path))
    assert again == golden


def test_the_message_parses_back_with_its_parts_and_headers(golden):
    msg = parsed(golden[f"{DAY}.eml"])
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p.get_content_charset() for p in parts] == ["utf-8", "utf-8"]
    text, html = (p.get_content().replace("\r\n", "\n") for p in parts)  # lines end in CRLF
    assert text.rstrip("\n") == golden[f"{DAY}.txt"].decode().rstrip("\n")
    assert html.rstrip("\n") == golden[f"{DAY}.html"].decode().rstrip("\n")
    assert msg["Subject"] == "The Briefing: Council budget vote set for Friday"
    assert msg["From"] == "The Briefing <briefing@golden.example.org>"
    assert msg["Date"] == "Wed, 25 Nov 2026 18:00:00 +0000"  # the day's last story
    assert re.fullmatch(r"<2026-11-25\.[0-9a-f]{16}@golden\.example\.org>", msg["Message-ID"])
    assert "List-Unsubscribe" not in msg  # none set


def test_the_html_is_what_mail_clients_need(golden, tmp_path):
    html = golden[f"{DAY}.html"].decode()
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find("script") and not soup.find("link")
    assert soup.find("meta", attrs={"name": "color-scheme"})["content"] == "light dark"
    # every style is inlined: only @media rules, which cannot be, stay in the head
    styles = [s.string for s in soup.find_all("style")]
    assert len(styles) == 1
    outside_media = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", styles[0])
    assert outside_media.strip() == "", outside_media
    for cls in ("frame", "story", "headline", "masthead", "footer"):
        for tag in soup.select(f".{cls}"):
            assert tag.get("style"), (cls, str(tag)[:120])
    assert soup.select_one(".frame")["style"].find("max-width: 600px") >= 0
    # absolute URLs only, and no tracking pixel or image of any kind
    for tag in soup.find_all(href=True):
        assert tag["href"].startswith("https://"), tag
    assert not soup.find_all(src=True)
    # nothing only the web page uses
    assert not soup.find_all(attrs={"data-card": True}) and not soup.select(".source__back")
    # each story: headline linking to its page, text with citations as links, sources
    headlines = [(a.get_text(), a["href"]) for a in soup.select(".headline a")]
    assert headlines == [
        ("Council budget vote set for Friday", f"{SITEURL}/2026/11/25/{BUDGET}/"),
        ("City publishes its open-data portal", f"{SITEURL}/2026/11/25/{PORTAL}/"),
    ]
    first = soup.select(".story")[0]
    assert [a.get_text() for a in first.select("a.citation")] == ["metrowire.example"]
    assert first.select_one(".sources li").get_text(" ", strip=True).startswith("metrowire.example")
    assert "2 stories · " in soup.select_one(".stats").get_text()
    footer = {a.get_text(): a["href"] for a in soup.select(".footer a")}
    assert footer["This briefing on the web"] == f"{SITEURL}/2026/11/25/"
    assert footer["Archive"] == f"{SITEURL}/archive/"
    assert footer["Daily feed"] == f"{SITEURL}/feeds/daily.atom.xml"
    # and it is valid HTML
    page = tmp_path / "edition.html"
    page.write_text(html)
    checked = subprocess.run(
        [*need_vnu(), "--errors-only", str(page)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_plain_text_is_made_from_the_stories(golden):
    text = golden[f"{DAY}.txt"].decode()
    assert "<" not in text.replace("<https", "")  # no HTML
    assert all(len(line) <= 72 for line in text.splitlines() if "https://" not in line)
    assert "1. COUNCIL BUDGET VOTE SET FOR FRIDAY\n" in text
    assert f"\n{SITEURL}/2026/11/25/{BUDGET}/\n" in text
    assert "on Friday [1]." in text  # a citation, as a number
    assert "\n[1] metrowire.example\n    https://metrowire.example/" in text
    assert "2 stories · " in text


def test_an_unsubscribe_link_and_one_click_headers_when_set(tmp_path):
    project = site(
        tmp_path,
        settings='BRIEFING_EMAIL_UNSUBSCRIBE_URL = "https://golden.example.org/leave?list=daily"\n'
        'BRIEFING_EMAIL_FROM = "Golden Desk <desk@golden.example.org>"\n'
        'BRIEFING_EMAIL_REPLY_TO = "letters@golden.example.org"\n'
        'BRIEFING_EMAIL_SUBJECT = "{date} · {headline}"',
    )
    files = build_edition(project)
    msg = parsed(files[f"{DAY}.eml"])
    assert msg["List-Unsubscribe"] == "<https://golden.example.org/leave?list=daily>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["From"] == "Golden Desk <desk@golden.example.org>"
    assert msg["Reply-To"] == "letters@golden.example.org"
    assert msg["Subject"] == "Wednesday 25 November 2026 · Council budget vote set for Friday"
    soup = BeautifulSoup(files[f"{DAY}.html"], "html.parser")
    leave = soup.find("a", string="Unsubscribe")
    assert leave["href"] == "https://golden.example.org/leave?list=daily"
    text = files[f"{DAY}.txt"].decode()
    assert "Unsubscribe: https://golden.example.org/leave?list=daily" in text


def test_a_headline_or_outlet_with_a_line_break_adds_no_header(tmp_path):
    hostile = "Budget passes\r\nBcc: everyone@evil.example\r\nX-Injected: yes"
    project = site(
        tmp_path,
        content={
            "stories/a.md": (
                f"---\ntitle: {json.dumps(hostile)}\ndate: 2026-11-27T07:30:00+00:00\n"
                "sources:\n  h:\n    url: https://herald.example/a\n"
                '    outlet: "Herald\\r\\nBcc: outlet@evil.example"\n---\nIt passed [@h].\n'
            )
        },
    )
    files = build_edition(project, "2026-11-27")
    raw = files["2026-11-27.eml"]
    msg = parsed(raw)
    subject = "The Briefing: Budget passes Bcc: everyone@evil.example X-Injected: yes"
    assert msg["Subject"].strip() == subject  # one header, however it is folded
    headers = [k.lower() for k in msg.keys()]
    assert "bcc" not in headers and "x-injected" not in headers
    head = raw.split(b"\r\n\r\n", 1)[0]  # the message's headers, before its body
    assert not re.search(rb"^(Bcc|X-Injected):", head, re.M)
    assert b"Herald Bcc: outlet@evil.example" in raw.replace(b"=\r\n", b"")  # in one line


def test_an_edition_over_the_size_limit_keeps_whole_stories_and_links_the_rest(tmp_path):
    paragraph = "The council debated the budget line by line. " * 40
    content = {
        f"stories/s{i}.md": story(
            f"Story number {i}", date=f"2026-11-27T{8 + i:02d}:00:00+00:00",
            body=(paragraph + "\n\n") * 3,
        )
        for i in range(8)
    }  # fmt: skip
    project = site(tmp_path, settings="BRIEFING_EMAIL_MAX_BYTES = 40_000", content=content)
    result = email_cmd(project, "build", "2026-11-27", "-s", "publishconf.py", "--out", "e")
    assert result.returncode == 0, result.stderr
    assert "warning: email-truncated" in result.stderr
    html = (project / "e" / "2026-11-27.html").read_bytes()
    assert len(html) <= 40_000
    soup = BeautifulSoup(html, "html.parser")
    kept = len(soup.select(".headline"))
    assert 1 <= kept < 8
    more = soup.select_one(".more a")
    assert more.get_text() == f"{8 - kept} more stories on the web"
    assert more["href"] == f"{SITEURL}/2026/11/27/"
    assert soup.select_one(".footer")  # the footer, with its links, is never cut
    text = (project / "e" / "2026-11-27.txt").read_text()
    assert f"{8 - kept} more stories on the web:" in text
    assert "8 stories · " in text


def test_bad_usage_is_named(tmp_path):
    project = site(tmp_path)
    no_siteurl = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "email", "build"],
        cwd=project, env=env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert no_siteurl.returncode == 2
    assert "absolute SITEURL" in no_siteurl.stderr and "publishconf.py" in no_siteurl.stderr
    no_day = email_cmd(project, "build", "2026-01-01", "-s", "publishconf.py")
    assert no_day.returncode == 2 and "no stories were published on 2026-01-01" in no_day.stderr
    not_a_day = email_cmd(project, "build", "yesterday", "-s", "publishconf.py")
    assert not_a_day.returncode == 2 and "not a day" in not_a_day.stderr


def test_publish_writes_the_newest_days_edition_beside_it_for_browsers(tmp_path):
    project = site(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py"],
        cwd=project, env={**env(), "BRIEFING_SITEURL": SITEURL},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    copy = project / "output" / "2026" / "11" / "25" / "email.html"
    soup = BeautifulSoup(copy.read_text(), "html.parser")
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert [a.get_text() for a in soup.select(".headline a")] == [
        "Council budget vote set for Friday",
        "City publishes its open-data portal",
    ]
    assert not soup.find("a", string="Read this edition in a browser")  # it is that copy
    assert "email.html" not in (project / "output" / "sitemap.xml").read_text()
    # the week before too; an older day's copy sends readers to the day
    older = project / "output" / "2026" / "11" / "23" / "email.html"
    assert BeautifulSoup(older.read_text(), "html.parser").select(".headline")
    settings = project / "publishconf.py"
    settings.write_text(settings.read_text() + "\nBRIEFING_EMAIL_WEB_COPY = 1\n")
    week = subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-s", "publishconf.py"],
        cwd=project, env={**env(), "BRIEFING_SITEURL": SITEURL},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert week.returncode == 0, week.stderr
    moved = BeautifulSoup(older.read_text(), "html.parser")
    assert moved.find("link", rel="canonical")["href"] == f"{SITEURL}/2026/11/23/"
    assert moved.find("meta", attrs={"http-equiv": "refresh"})["content"].endswith(
        f"url={SITEURL}/2026/11/23/"
    )
    # the mail links to it
    mail = BeautifulSoup(build_edition(project)[f"{DAY}.html"], "html.parser")
    view = mail.find("a", string="Read this edition in a browser")
    assert view["href"] == f"{SITEURL}/2026/11/25/email.html"
