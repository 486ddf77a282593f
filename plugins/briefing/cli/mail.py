"""``briefing email``: build a day's edition, and send it through SMTP once and only once.

Every delivery is recorded in SQLite (``deliveries``, in the source checks' database if
the site has one, else ``cache/briefing.sqlite``) as it happens: a day is not sent to an
address that already has it (unless ``--again``), so a run stopped half way, or one that
met a refusing or vanishing server, is finished by running it again.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import smtplib
import sqlite3
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.settings import setting
from ..site.email import Edition

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    day TEXT NOT NULL,            -- the edition's day, YYYY-MM-DD
    address TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sent TEXT NOT NULL,           -- when it was tried, UTC
    status TEXT NOT NULL,         -- 'sent' or 'failed'
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS deliveries_by_day ON deliveries (day, address);
"""


class SendRefused(Exception):
    """Nothing can be sent (the message says why): bad usage, exit status 2."""


def database_path(settings: dict[str, Any]) -> str:
    """The source checks' database if the site has one, else ``cache/briefing.sqlite``."""
    links = str(setting(settings, "BRIEFING_LINKS_DB"))
    if os.path.exists(links):
        return links
    return os.path.join(str(settings.get("CACHE_PATH") or "cache"), "briefing.sqlite")


class Deliveries:
    def __init__(self, path: str) -> None:
        try:
            if os.path.dirname(path):
                os.makedirs(os.path.dirname(path), exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30)
            self.db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            raise SendRefused(f"cannot use the delivery database {path}: {exc}") from None
        self.path = path

    def sent(self, day: dt.date) -> set[str]:
        rows = self.db.execute(
            "SELECT address FROM deliveries WHERE day = ? AND status = 'sent'", (day.isoformat(),)
        )
        return {address.lower() for (address,) in rows}

    def record(self, day: dt.date, address: str, message_id: str, status: str, detail: str) -> None:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.db.execute(
            "INSERT INTO deliveries (day, address, message_id, sent, status, detail) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (day.isoformat(), address, message_id, now, status, detail),
        )
        self.db.commit()  # at once: a run that dies next still knows this one went

    def close(self) -> None:
        self.db.close()


def recipients(to: Iterable[str], list_file: str | None) -> list[str]:
    """The addresses asked for, each once, in order; a bad one refuses the whole send."""
    given = list(to)
    if list_file:
        try:
            lines = Path(list_file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise SendRefused(f"cannot read the list {list_file}: {exc.strerror}") from None
        for n, line in enumerate(lines, 1):
            line = line.split("#", 1)[0].strip()
            if line:
                given.append(line)
                if not _address(line):
                    raise SendRefused(f"{list_file}:{n}:1: not an email address: {line!r}")
    found: dict[str, str] = {}
    for value in given:
        address = _address(value)
        if not address:
            raise SendRefused(f"not an email address: {value!r}")
        found.setdefault(address.lower(), address)
    if not found:
        raise SendRefused("no one to send to: give --to ADDRESS or --list FILE")
    return list(found.values())


def _address(value: str) -> str | None:
    if any(c in value for c in "\r\n\0"):
        return None
    _, address = email.utils.parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address:
        return None
    return address


@dataclass
class SendResult:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # had it already


def send(
    edition: Edition,
    addresses: list[str],
    settings: dict[str, Any],
    *,
    again: bool = False,
    dry_run: bool = False,
    say: Callable[[str], None] = print,
) -> SendResult:
    """Send ``edition`` to each address that has not had it; record every attempt."""
    store = Deliveries(database_path(settings))
    result = SendResult()
    day = edition.day.date
    try:
        had = set() if again else store.sent(day)
        todo = [a for a in addresses if a.lower() not in had]
        result.skipped = [a for a in addresses if a.lower() in had]
        if dry_run:
            for address in todo:
                say(f"would send {day} to {address}")
            return result
        mode = str(setting(settings, "BRIEFING_SMTP_TLS"))
        _, sender = email.utils.parseaddr(edition.envelope.sender)
        rate = float(setting(settings, "BRIEFING_SMTP_RATE"))
        gap = 1.0 / rate if rate > 0 else 0.0
        connection: smtplib.SMTP | None = None
        last = 0.0
        try:
            for address in todo:
                wait = last + gap - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                last = time.monotonic()
                message = edition.message(to=address)
                try:
                    if connection is None:
                        connection = _connect(settings, mode)
                    connection.send_message(message, from_addr=sender, to_addrs=[address])
                except smtplib.SMTPRecipientsRefused as exc:
                    code, text = next(iter(exc.recipients.values()))
                    detail = f"{code} {_text(text)}"
                except smtplib.SMTPResponseException as exc:
                    detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"
                    connection = _reset(connection)
                except (smtplib.SMTPException, OSError) as exc:
                    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                    connection = _drop(connection)
                else:
                    store.record(day, address, edition.envelope.message_id, "sent", "")
                    result.sent.append(address)
                    say(f"sent {day} to {address}")
                    continue
                store.record(day, address, edition.envelope.message_id, "failed", detail)
                result.failed.append((address, detail))
                say(f"failed {day} to {address}: {detail}")
        finally:
            _drop(connection)
    finally:
        store.close()
    return result


def _connect(settings: dict[str, Any], mode: str) -> smtplib.SMTP:
    host = str(setting(settings, "BRIEFING_SMTP_HOST"))
    port = setting(settings, "BRIEFING_SMTP_PORT") or {"tls": 465, "starttls": 587}.get(mode, 25)
    context = ssl.create_default_context()
    if mode == "tls":
        connection: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=30, context=context)
    else:
        connection = smtplib.SMTP(host, port, timeout=30)
        if mode == "starttls":
            connection.starttls(context=context)
    user = os.environ.get("BRIEFING_SMTP_USER")
    if user:
        connection.login(user, os.environ.get("BRIEFING_SMTP_PASSWORD", ""))
    return connection


def _reset(connection: smtplib.SMTP | None) -> smtplib.SMTP | None:
    """After a refused message the session goes on, from a clean transaction."""
    if connection is None:
        return None
    try:
        connection.rset()
        return connection
    except (smtplib.SMTPException, OSError):
        return _drop(connection)


def _drop(connection: smtplib.SMTP | None) -> None:
    if connection is not None:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
    return None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
