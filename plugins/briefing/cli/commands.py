"""The ``briefing`` command line.

    briefing check [PATH ...] [--strict] [--format text|json] [-s SETTINGS]
    briefing new "Headline" [--topics a,b] [--section S] [--date D]
    briefing import FILE|- [--date D] [--output PATH]
    briefing serve [--port 8000] [--bind 127.0.0.1]
    briefing init DIR [--title T] [--url URL] [--copy-theme]
    briefing ping [-s publishconf.py]
    briefing schema [-o FILE]
    briefing sources check [PATH ...] [--max-age HOURS] [--format text|json]
    briefing sources archive [PATH ...] [--write] [--save] [--format text|json]

Exit codes: 0 success (``check``: no errors; warnings allowed unless --strict;
``sources check``: nothing dead), 1 the work failed (errors found, a dead source, a file
already exists, a build failed, an edit that could not be made), 2 bad usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..core.crosscheck import StoryRef, links_cited_before
from ..core.diagnostics import Diagnostic, Report, Severity, display_path
from ..core.errors import Failure
from ..core.settings import setting
from ..core.story import EXTENSIONS, Options, StoryReader

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit code 2 is ours too
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"briefing: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="briefing",
        description="Tools for Briefing sites. Builds go through `make html` / `pelican`.",
        epilog="Exit status: 0 success, 1 the work failed (errors found, file exists, "
        "build failed), 2 bad usage.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    settings = {
        "flags": ("-s", "--settings"),
        "default": None,
        "help": "Pelican settings file (default: pelicanconf.py if present)",
    }

    check = sub.add_parser(
        "check",
        help="check stories without building the site",
        description="Check stories (front matter, dates, sources, citations) without building "
        "the site. Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 bad usage.",
    )
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="story files or folders (default: the site's content folder)",
    )
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument(
        "--format",
        choices=["text", "json"],
        default="text",
        help="output format (json for editors and CI)",
    )
    check.add_argument(*settings["flags"], default=None, help=settings["help"])

    new = sub.add_parser(
        "new",
        help="start a story from a skeleton",
        description="Create content/stories/YYYY-MM-DD-<slug>.md with a front-matter skeleton. "
        "Never overwrites a file. Prints the path.",
    )
    new.add_argument("title", help="the headline")
    new.add_argument("--topics", default="", help="comma-separated topics")
    new.add_argument("--section", default=None, help="the section (Pelican's category)")
    new.add_argument(
        "--date",
        default=None,
        help="ISO 8601 date or date-time (default: now, in the site's TIMEZONE)",
    )
    new.add_argument(*settings["flags"], default=None, help=settings["help"])

    imp = sub.add_parser(
        "import",
        help="turn a plain-text briefing into a story",
        description="Turn a plain-text briefing (a headline line, paragraphs ending in citation "
        "groups such as (cnbc.com), maybe an app's footer) into a story with one source per "
        "cited source. Source URLs are placeholders marked unverified until you replace them.",
    )
    imp.add_argument("file", help="the text file, or - for standard input")
    imp.add_argument(
        "--date",
        default=None,
        help="ISO 8601 date or date-time (default: now, in the site's TIMEZONE)",
    )
    imp.add_argument(
        "-o",
        "--output",
        default=None,
        help="where to write the story (default: content/stories/<date>-<slug>.md;"
        " - for standard output)",
    )
    imp.add_argument(*settings["flags"], default=None, help=settings["help"])

    serve = sub.add_parser(
        "serve",
        help="live preview: build, serve, rebuild on change",
        description="Build the site, serve it on http://127.0.0.1:8000 and rebuild when content, "
        "theme, plugins or settings change. A failed build shows its diagnostics in the browser.",
    )
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--bind", default="127.0.0.1")
    serve.add_argument(*settings["flags"], default=None, help=settings["help"])

    init = sub.add_parser(
        "init",
        help="make a new site",
        description="Make a new Briefing site in DIR (which must be new or empty): settings, "
        "a Makefile, an example story and an about page, .gitignore, a README and a GitHub "
        "Pages workflow. Exit status: 0 made, 2 bad usage (DIR not empty, a bad --url).",
    )
    init.add_argument("dir", metavar="DIR", help="the new site's folder")
    init.add_argument("--title", default="The Briefing", help="the site's name")
    init.add_argument(
        "--url", default="https://briefing.example.org", help="its address, for make publish"
    )
    init.add_argument(
        "--copy-theme",
        action="store_true",
        help="copy the theme into the site to edit it (default: use the installed one)",
    )

    ping = sub.add_parser(
        "ping",
        help="tell the site's WebSub hub which feeds changed",
        description="Tell BRIEFING_WEBSUB_HUB which feeds changed since the last ping (make "
        "publish runs it). Nothing to do without a hub. A hub that cannot be reached is a "
        "warning: exit status 0; 2 on bad usage (no absolute SITEURL, no feeds).",
    )
    ping.add_argument(
        *settings["flags"], default="publishconf.py", help="settings (default: publishconf.py)"
    )

    schema = sub.add_parser(
        "schema",
        help="print a JSON Schema of the front matter, for editors",
        description="Print a JSON Schema (draft 2020-12) of a story's front matter: every "
        "field the reader accepts, both forms of sources, with the author's guide's "
        "descriptions. Save it for yaml-language-server (docs/authoring.md).",
    )
    schema.add_argument("-o", "--output", default=None, help="write it to this file")

    sources = sub.add_parser(
        "sources",
        help="check the stories' source links; find and write archived copies",
        description="Keep sources alive: check every source URL politely (results kept in "
        "BRIEFING_LINKS_DB), and find archived copies in the Wayback Machine. The build "
        "never touches the network: it reads archived: and dead: from the stories.",
    )
    what = sources.add_subparsers(dest="sources_command", required=True, parser_class=_Parser)
    scheck = what.add_parser(
        "check",
        help="check every source URL of the stories",
        description="Check every source URL (HEAD, then GET), at most BRIEFING_LINKS_PER_HOST "
        "requests at once to a host. A URL checked within --max-age hours is not fetched "
        "again. A page is dead once it was gone on two checks BRIEFING_LINK_DEAD_AFTER hours "
        "apart. Exit status: 0 nothing dead, 1 a source is dead (or a story has errors), "
        "2 bad usage.",
    )
    sarchive = what.add_parser(
        "archive",
        help="find archived copies of sources without one; --write them into the stories",
        description="Ask the Wayback Machine for a copy of every source without archived:, "
        "closest to the source's published date. With --save, ask Save Page Now to capture "
        "sources it has no copy of. With --write, add archived: (and dead: for a source "
        "found dead by `briefing sources check`) to the stories, changing nothing else. "
        "Exit status: 0 done, 1 an edit could not be made (or a story has errors), 2 bad usage.",
    )
    for cmd in (scheck, sarchive):
        cmd.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="story files or folders (default: the site's content folder)",
        )
        cmd.add_argument("--format", choices=["text", "json"], default="text")
        cmd.add_argument(*settings["flags"], default=None, help=settings["help"])
    scheck.add_argument(
        "--max-age",
        type=_hours,
        default=168.0,
        metavar="HOURS",
        help="fetch again only URLs last checked longer ago than this (default 168: a week)",
    )
    sarchive.add_argument("--write", action="store_true", help="write the copies into the stories")
    sarchive.add_argument(
        "--save", action="store_true", help="ask Save Page Now to capture sources with no copy"
    )
    correct = sub.add_parser(
        "correct",
        help="append a correction (or update) to a story, changing nothing else",
        description="Append an entry to the story's corrections: (making the list if it has "
        "none), changing nothing else in the file, and print it. The story must still read "
        "without errors afterwards. Exit status: 0 written, 1 refused (the reason is "
        "printed; the file is unchanged), 2 bad usage.",
    )
    correct.add_argument("path", metavar="PATH", help="the story file")
    correct.add_argument("text", help="what was wrong and what is right (one paragraph)")
    correct.add_argument(
        "--kind", choices=["correction", "update", "clarification"], default="correction"
    )
    correct.add_argument(
        "--date", default=None, help="when (ISO 8601 with time and offset; default: now)"
    )
    correct.add_argument(*settings["flags"], default=None, help=settings["help"])

    email = sub.add_parser(
        "email",
        help="build a day's email edition; send it through SMTP",
        description="The email edition of a day: the same stories, settings and theme as "
        "the site (docs/email.md).",
    )
    how = email.add_subparsers(dest="email_command", required=True, parser_class=_Parser)
    ebuild = how.add_parser(
        "build",
        help="write a day's edition as DAY.html, DAY.txt and DAY.eml",
        description="Write the edition of DAY (default: the newest day) as DAY.html (the "
        "email body, styles inlined), DAY.txt (the plain-text part) and DAY.eml (the whole "
        "message). Exit status: 0 done, 1 the stories have errors, 2 bad usage.",
    )
    ebuild.add_argument(
        "--out", default="email", metavar="DIR", help="where to write them (default: email/)"
    )
    esend = how.add_parser(
        "send",
        help="send a day's edition to each recipient once",
        description="Send the edition of DAY (default: the newest day) through "
        "BRIEFING_SMTP_HOST, one message to each recipient. Every delivery is recorded: an "
        "address that has had the day is skipped unless --again. Exit status: 0 all sent, "
        "1 a delivery failed (the others still went; run again to retry), 2 bad usage.",
    )
    esend.add_argument("--to", nargs="+", default=[], metavar="ADDRESS", help="recipients")
    esend.add_argument(
        "--list", default=None, metavar="FILE", help="a file of recipients, one a line"
    )
    esend.add_argument("--dry-run", action="store_true", help="print what would be sent")
    esend.add_argument("--again", action="store_true", help="send to those who had it too")
    for cmd in (ebuild, esend):
        cmd.add_argument("day", nargs="?", default=None, metavar="DAY", help="YYYY-MM-DD")
        cmd.add_argument(*settings["flags"], default=None, help=settings["help"])
    return parser


def _hours(value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of hours") from None
    if not hours >= 0 or hours == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of hours")
    return hours


class _BadSettings(Exception):
    """The settings file could not be read (the message says which and why)."""


def _settings(path: str | None) -> dict:
    if path is None and not os.path.exists("pelicanconf.py"):
        return {}
    from pelican.settings import read_settings

    path = path or "pelicanconf.py"
    try:
        return read_settings(path)
    except Exception as exc:  # the site's own Python: a mistake in it is not ours to show
        where = ""
        if isinstance(exc, SyntaxError) and exc.lineno:
            where = f":{exc.lineno}:{exc.offset or 1}"
        raise _BadSettings(f"cannot read the settings {path}{where}: {exc}") from None


def _stories(paths: Sequence[str]) -> Iterator[str]:
    suffixes = tuple("." + ext for ext in EXTENSIONS)
    for path in paths:
        if os.path.isdir(path):
            for dirpath, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if name.endswith(suffixes):
                        yield os.path.join(dirpath, name)
        else:
            yield path


_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}


def _colour(stream) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _show(d: Diagnostic, colour: bool) -> str:
    if not colour:
        return str(d)
    sev = f"{_COLOURS[d.severity]}{d.severity}\033[0m"
    return f"\033[1m{d.path}:{d.line}:{d.col}:\033[0m {sev}: {d.code}: {d.message}"


class _Progress:
    """A one-line progress count on a terminal, once the work has taken over two seconds."""

    def __init__(self, total: int) -> None:
        self.total, self.started, self.shown = total, time.monotonic(), False
        self.active = sys.stderr.isatty()

    def step(self, done: int) -> None:
        if self.active and time.monotonic() - self.started > 2 and done % 50 == 0:
            width = 30
            filled = width * done // max(self.total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total}")
            sys.stderr.flush()
            self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 60 + "\r")


def _site_and_stories(args: argparse.Namespace) -> tuple[dict, list[str]] | None:
    """The settings (``-s``) and the story files of ``args.paths`` (default: the content
    folder); None, with the reason printed, when either cannot be had (bad usage)."""
    if args.settings is not None and not os.path.isfile(args.settings):
        print(f"briefing: error: no settings file {args.settings}", file=sys.stderr)
        return None
    settings = _settings(args.settings)
    paths = args.paths or [settings.get("PATH", "content")]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        print(f"briefing: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return None
    return settings, list(_stories(paths))


def check(args: argparse.Namespace) -> int:
    found = _site_and_stories(args)
    if found is None:
        return EXIT_USAGE
    settings, files = found
    report = Report()
    outside = files
    if settings:
        try:
            read, in_site = _check_site(settings)
        except Failure as exc:
            print(f"briefing: error: {exc}", file=sys.stderr)
            return EXIT_ERRORS
        wanted = {os.path.abspath(f) for f in files}
        if args.paths:
            report.items = _concerning(read.items, wanted)
        else:  # the whole site, Pelican's own warnings and errors included
            report = read
        outside = [f for f in files if os.path.abspath(f) not in in_site]
    if outside:  # files the build does not read: checked one by one, and across each other
        report.extend(_check_files(outside, settings))
    items = report.sorted()
    failed = report.errors > 0 or report.logged_errors > 0 or (args.strict and report.warnings > 0)
    if args.format == "json":
        json.dump(
            {
                "files": len(files),
                "errors": report.errors,
                "warnings": report.warnings,
                "diagnostics": [d.as_dict() for d in items],
            },
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        print()
    else:
        colour = _colour(sys.stdout)
        for d in items:
            print(_show(d, colour))
        print(f"briefing: checked {len(files)} files: {report.summary()}", file=sys.stderr)
    return EXIT_ERRORS if failed else EXIT_OK


def _check_site(settings: dict) -> tuple[Report, set[str]]:
    """The build's own reading and checks of the site's stories, nothing written."""
    from ..build.builder import BriefingPelican

    return BriefingPelican(settings).check_stories()


def _concerning(items: list[Diagnostic], wanted: set[str]) -> list[Diagnostic]:
    """The diagnostics of the site to show for the files asked about (absolute paths):
    those about one of them, and errors elsewhere that name one (two stories at one URL
    are reported at the second)."""
    found, names = [], None
    for d in items:
        if os.path.abspath(d.path) in wanted:
            found.append(d)
        elif d.severity is Severity.ERROR:
            names = names or [display_path(f) for f in wanted]
            if any(name in d.message for name in names):
                found.append(d)
    return found


def _check_files(files: list[str], settings: dict) -> list[Diagnostic]:
    """Story files outside a site's content (or with no site): each read as the build
    would read a story, with the checks across stories that need no site."""
    from .. import fast
    from ..fast.background import Writes
    from ..fast.prepass import Prepass

    reader = StoryReader(Options.from_settings(settings))
    progress = _Progress(len(files))
    found: list[Diagnostic] = []
    refs = []
    writes = Writes()
    read = None
    if fast.enabled(settings):  # on every core; cached in the site's cache folder, if any
        cache = bool(settings) and setting(settings, "BRIEFING_READ_CACHE")
        options = {**settings, "BRIEFING_READ_CACHE": cache}
        read = Prepass(options, reader, files=files, writes=writes)
    for done, path in enumerate(files, 1):
        story = (read and read.take(path)) or reader.read_path(path)
        found.extend(story.diagnostics)
        meta = story.metadata
        if story.ok and "date" in meta and meta.get("status") not in ("draft", "skip"):
            refs.append(StoryRef(story.path, meta["date"], meta["title"], meta.get("sources", [])))
        progress.step(done)
    progress.close()
    writes.finish()  # the reader cache, if a forked process is writing it
    return found + links_cited_before(refs)


def _date(value: str | None, settings: dict) -> dt.datetime:
    """--date, or now; with the site's TIMEZONE when no offset is given."""
    from zoneinfo import ZoneInfo

    from ..core.metadata import parse_date

    tz = ZoneInfo(settings.get("TIMEZONE") or "UTC")
    if value is None:
        return dt.datetime.now(tz).replace(microsecond=0)
    date = parse_date(value)
    return date if date.tzinfo else date.replace(tzinfo=tz)


def _date_or_none(value: str | None, settings: dict) -> dt.datetime | None:
    """``--date`` for new and import; None (and a message) when it is not a date."""
    try:
        return _date(value, settings)
    except ValueError as exc:
        print(f"briefing: error: --date: {exc}", file=sys.stderr)
        return None


def _stories_dir(settings: dict) -> Path:
    content = Path(settings.get("PATH", "content"))
    paths = settings.get("ARTICLE_PATHS") or [""]
    return content / paths[0]


def _write_new(path: Path, text: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        print(f"briefing: error: {path} already exists; not overwriting it", file=sys.stderr)
        return EXIT_ERRORS
    print(display_path(os.path.abspath(path)))
    return EXIT_OK


def new(args: argparse.Namespace) -> int:
    from .authoring import new_story, story_filename

    settings = _settings(args.settings)
    date = _date_or_none(args.date, settings)
    if date is None:
        return EXIT_USAGE
    topics = [t.strip() for t in args.topics.split(",") if t.strip()]
    text = new_story(args.title, date=date, section=args.section, topics=topics, settings=settings)
    return _write_new(_stories_dir(settings) / story_filename(date, args.title), text)


def import_(args: argparse.Namespace) -> int:
    from .authoring import import_briefing, story_filename

    settings = _settings(args.settings)
    date = _date_or_none(args.date, settings)
    if date is None:
        return EXIT_USAGE
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"briefing: error: cannot read {args.file}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = import_briefing(text, date=date, settings=settings)
    except ValueError as exc:
        print(f"briefing: error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    for line in result.footer:
        print(f"briefing: dropped the app's footer line: {line}", file=sys.stderr)
    print(
        f"briefing: {result.groups} citation groups, {len(result.sources)} sources (placeholder "
        f"URLs, marked unverified), {result.rewritten} citations given a key to stay unambiguous",
        file=sys.stderr,
    )
    if args.output == "-":
        sys.stdout.write(result.text)
        return EXIT_OK
    target = (
        Path(args.output)
        if args.output
        else (_stories_dir(settings) / story_filename(date, result.title))
    )
    return _write_new(target, result.text)


def serve_(args: argparse.Namespace) -> int:
    from .serve import serve

    settings_file = args.settings or "pelicanconf.py"
    if not os.path.isfile(settings_file):
        print(f"briefing: error: no settings file {settings_file}", file=sys.stderr)
        return EXIT_USAGE
    settings = _settings(settings_file)
    watch = [
        settings.get("PATH", "content"),
        settings.get("THEME", "theme"),
        settings_file,
        *settings.get("PLUGIN_PATHS", []),
    ]
    return serve(
        settings=settings_file,
        output=settings.get("OUTPUT_PATH", "output"),
        bind=args.bind,
        port=args.port,
        watch=watch,
        drafts=not setting(settings, "BRIEFING_PRODUCTION"),
        warm=bool(setting(settings, "BRIEFING_FAST")),
    )


def sources_(args: argparse.Namespace) -> int:
    from . import sources

    found = _site_and_stories(args)
    if found is None:
        return EXIT_USAGE
    settings, files = found
    try:
        if args.sources_command == "check":
            return _sources_check(sources, files, settings, args)
        return _sources_archive(sources, files, settings, args)
    except sources.StoreError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_ERRORS


def _sources_check(sources, files: list[str], settings: dict, args: argparse.Namespace) -> int:
    result = sources.check(files, settings, max_age=args.max_age)
    if args.format == "json":
        json.dump(sources.as_json(result), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        colour = _colour(sys.stdout)
        for d in sorted(result.errors + result.diagnostics, key=lambda d: (d.path, d.line)):
            print(_show(d, colour))
        print(f"briefing: checked {sources.summary(result)}", file=sys.stderr)
    return EXIT_ERRORS if result.dead or result.errors else EXIT_OK


def _sources_archive(sources, files: list[str], settings: dict, args: argparse.Namespace) -> int:
    quiet = args.format == "json"
    result = sources.archive(
        files,
        settings,
        write=args.write,
        save=args.save,
        say=(lambda line: None) if quiet else print,
    )
    if quiet:
        json.dump(
            {
                "edits": [
                    {"path": e.cited.path, "key": e.cited.source.key, "add": dict(e.fields)}
                    for e in result.edits
                ],
                "written": result.written,
                "refused": result.refused,
                "without_copy": [
                    {
                        "path": c.path,
                        "key": c.source.key,
                        "url": c.source.url,
                        "outcome": lookup.outcome,
                        "detail": lookup.detail,
                    }
                    for c, lookup in result.missing
                ],
                "diagnostics": [d.as_dict() for d in result.errors],
            },
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        print()
    else:
        colour = _colour(sys.stdout)
        for d in result.errors:
            print(_show(d, colour))
        if not args.write:
            for e in result.edits:
                print(e.line())
        for c, lookup in result.missing:
            why = lookup.detail or "no copy"
            print(
                f"{c.path}:{c.source.line}:{c.source.col}: source '{c.source.key}' "
                f"({c.source.url}): no archived copy yet: {why}",
                file=sys.stderr,
            )
        for line in result.refused:
            print(f"briefing: {line}", file=sys.stderr)
        done = (
            f"wrote {len(result.written)} stories"
            if args.write
            else "would write them with --write"
        )
        print(
            f"briefing: {len(result.edits)} sources to mend ({done}); "
            f"{len(result.missing)} still without an archived copy",
            file=sys.stderr,
        )
    return EXIT_ERRORS if result.refused or result.errors else EXIT_OK


def init_(args: argparse.Namespace) -> int:
    from .newsite import InitRefused, make_site

    folder = Path(args.dir)
    try:
        written = make_site(folder, title=args.title, url=args.url, copy_theme=args.copy_theme)
    except InitRefused as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(display_path(os.path.abspath(path)))
    print(
        f"briefing: made {display_path(os.path.abspath(folder))}: cd there and run make html",
        file=sys.stderr,
    )
    return EXIT_OK


def ping_(args: argparse.Namespace) -> int:
    from .ping import PingRefused, ping

    if not os.path.isfile(args.settings):
        print(f"briefing: error: no settings file {args.settings}", file=sys.stderr)
        return EXIT_USAGE
    settings = _settings(args.settings)
    try:
        result = ping(settings, say=lambda line: print(line, file=sys.stderr))
    except PingRefused as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if result.hub is None:
        print("briefing: no BRIEFING_WEBSUB_HUB set: no hub to tell", file=sys.stderr)
        return EXIT_OK
    for url in result.told:
        print(url)
    print(
        f"briefing: told {result.hub} of {len(result.told)} changed feeds "
        f"({result.unchanged} unchanged, {len(result.failed)} not taken: asked again next time)",
        file=sys.stderr,
    )
    return EXIT_OK


def schema_(args: argparse.Namespace) -> int:
    from ..core.schema import front_matter_schema

    text = json.dumps(front_matter_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def correct_(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from ..core import clock
    from ..core.correctionedit import append_correction
    from ..core.metadata import DateError, parse_date
    from ..core.sourceedit import EditRefused
    from ..files.replace import replace_file

    if args.settings is not None and not os.path.isfile(args.settings):
        print(f"briefing: error: no settings file {args.settings}", file=sys.stderr)
        return EXIT_USAGE
    if not os.path.isfile(args.path):
        print(f"briefing: error: no such story: {args.path}", file=sys.stderr)
        return EXIT_USAGE
    settings = _settings(args.settings)
    text = " ".join(args.text.split())
    if not text:
        print("briefing: error: the correction's text is empty", file=sys.stderr)
        return EXIT_USAGE
    now = clock.now()
    if args.date is None:
        zone = ZoneInfo(settings.get("TIMEZONE") or "UTC")
        when = now.astimezone(zone).replace(microsecond=0)
    else:
        try:
            when = parse_date(args.date)
        except DateError as exc:
            print(f"briefing: error: --date: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if when.tzinfo is None or len(args.date.strip()) <= 10:
            print(
                "briefing: error: --date needs a time and a UTC offset, such as "
                f"{when:%Y-%m-%d}T09:15:00+00:00",
                file=sys.stderr,
            )
            return EXIT_USAGE
        if when > now:
            print(
                f"briefing: error: --date {when.isoformat()} is after now "
                f"({now.isoformat(timespec='seconds')})",
                file=sys.stderr,
            )
            return EXIT_USAGE
    entry = {"date": when.isoformat(), "text": text}
    if args.kind != "correction":
        entry["kind"] = args.kind
    reader = StoryReader(Options.from_settings(settings))
    data = reader.bytes_of(args.path)
    shown = display_path(os.path.abspath(args.path))
    try:
        new_data, added = append_correction(data, entry)
    except EditRefused as exc:
        print(f"briefing: error: {shown}: {exc}; the file is unchanged", file=sys.stderr)
        return EXIT_ERRORS
    before = {(d.code, d.message) for d in reader.read_bytes(data, shown).diagnostics}
    after = reader.read_bytes(new_data, shown).diagnostics
    new_errors = [
        d for d in after if d.severity is Severity.ERROR and (d.code, d.message) not in before
    ]
    if new_errors:
        colour = _colour(sys.stderr)
        for d in new_errors:
            print(_show(d, colour), file=sys.stderr)
        print(f"briefing: error: {shown}: not written; the file is unchanged", file=sys.stderr)
        return EXIT_ERRORS
    replace_file(args.path, new_data)
    for line in added:
        print(line)
    print(f"briefing: added a{'n' if args.kind == 'update' else ''} {args.kind} to {shown}",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


def email_(args: argparse.Namespace) -> int:
    from ..build.builder import BriefingPelican
    from ..site import email as site_email
    from . import mail

    if args.settings is not None and not os.path.isfile(args.settings):
        print(f"briefing: error: no settings file {args.settings}", file=sys.stderr)
        return EXIT_USAGE
    settings = _settings(args.settings or "pelicanconf.py")
    try:
        site_email.siteurl_of(settings)
        addresses = []
        if args.email_command == "send":
            addresses = mail.recipients(args.to, args.list)
    except (site_email.EmailError, mail.SendRefused) as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    builder = BriefingPelican(settings)
    try:
        report, context = builder.read_site()
    except Failure as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    if report.errors or report.logged_errors:
        colour = _colour(sys.stderr)
        for d in report.sorted():
            print(_show(d, colour), file=sys.stderr)
        print(f"briefing: the stories have errors: {report.summary()}", file=sys.stderr)
        return EXIT_ERRORS
    try:
        day = site_email.day_of(context.get("days") or [], args.day)
        edition = site_email.make(day, context, builder.settings, builder.template_environment())
    except site_email.EmailError as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if edition.left_out:
        print(
            f"briefing: warning: email-truncated: the edition of {day.date} would be over "
            f"BRIEFING_EMAIL_MAX_BYTES; {edition.left_out} stories are left to the web",
            file=sys.stderr,
        )
    if args.email_command == "build":
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        name = day.date.isoformat()
        written = {
            f"{name}.html": edition.html.encode("utf-8"),
            f"{name}.txt": (edition.text + "\n").encode("utf-8"),
            f"{name}.eml": edition.message().as_bytes(),
        }
        for filename, data in written.items():
            (out / filename).write_bytes(data)
            print(display_path(os.path.abspath(out / filename)))
        print(f"briefing: the edition of {day.date}: {edition.envelope.subject}", file=sys.stderr)
        return EXIT_OK
    result = mail.send(
        edition,
        addresses,
        settings,
        again=args.again,
        dry_run=args.dry_run,
        say=lambda line: print(line, file=sys.stderr),
    )
    print(
        f"briefing: {day.date}: {len(result.sent)} sent, {len(result.failed)} failed, "
        f"{len(result.skipped)} had it already",
        file=sys.stderr,
    )
    return EXIT_ERRORS if result.failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {
        "init": init_,
        "ping": ping_,
        "schema": schema_,
        "check": check,
        "new": new,
        "import": import_,
        "serve": serve_,
        "sources": sources_,
        "email": email_,
        "correct": correct_,
    }
    try:
        return commands[args.command](args)
    except _BadSettings as exc:
        print(f"briefing: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
