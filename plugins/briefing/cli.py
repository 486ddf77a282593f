"""The ``briefing`` command line.

    briefing check [PATH ...] [--strict] [--format text|json] [-s SETTINGS]

Exit codes: 0 no errors (warnings allowed unless --strict), 1 errors found, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence

from .crosscheck import StoryRef, links_cited_before
from .diagnostics import Report
from .story import EXTENSIONS, Options, StoryReader

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit code 2 is ours too
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"briefing: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="briefing", description="Tools for Briefing sites.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    check = sub.add_parser(
        "check",
        help="check stories without building the site",
        description="Check stories (front matter, dates, Markdown) without building the site. "
        "Exit status: 0 no errors, 1 errors (or warnings with --strict), 2 bad usage.",
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
    check.add_argument(
        "-s",
        "--settings",
        default=None,
        help="Pelican settings file (default: pelicanconf.py if present)",
    )
    return parser


def _settings(path: str | None) -> dict:
    if path is None and not os.path.exists("pelicanconf.py"):
        return {}
    from pelican.settings import read_settings

    return read_settings(path or "pelicanconf.py")


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


def check(args: argparse.Namespace) -> int:
    if args.settings is not None and not os.path.isfile(args.settings):
        print(f"briefing: error: no settings file {args.settings}", file=sys.stderr)
        return EXIT_USAGE
    settings = _settings(args.settings)
    paths = args.paths or [settings.get("PATH", "content")]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        print(f"briefing: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    reader = StoryReader(Options.from_settings(settings))
    report = Report()
    files = 0
    refs = []
    for path in _stories(paths):
        files += 1
        story = reader.read_path(path)
        report.extend(story.diagnostics)
        meta = story.metadata
        if story.ok and "date" in meta and meta.get("status") not in ("draft", "skip"):
            refs.append(StoryRef(story.path, meta["date"], meta["title"], meta.get("sources", [])))
    report.extend(links_cited_before(refs))
    items = report.sorted()
    failed = report.errors > 0 or (args.strict and report.warnings > 0)
    if args.format == "json":
        json.dump(
            {
                "files": files,
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
        for d in items:
            print(d)
        print(f"briefing: checked {files} files: {report.summary()}", file=sys.stderr)
    return EXIT_ERRORS if failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return check(args)
    return EXIT_USAGE  # pragma: no cover - argparse requires a command


if __name__ == "__main__":
    sys.exit(main())
