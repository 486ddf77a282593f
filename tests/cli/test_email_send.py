"""``briefing email send`` against a real SMTP server in this process (aiosmtpd, on
127.0.0.1): one message to each recipient, every delivery recorded, a refusing or
vanishing server costing only its own recipients, and a second run sending only what is
missing, so each address gets the day exactly once."""

from __future__ import annotations

import email
import email.policy
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller  # a test dependency (make test installs it)
from aiosmtpd.smtp import AuthResult

from tools import need_openssl

from sitebuild import ROOT, env, make_project

GOLDEN = ROOT / "tests" / "golden_site" / "content"
DAY = "2026-11-25"


class Server:
    """An SMTP server that refuses ``refuse@`` with 550 and drops the connection at
    ``drop@``, until told to take everyone."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []
        self.times: list[float] = []
        self.strict = True
        self.sessions = 0
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        with self.lock:
            self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.strict and address.startswith("refuse@"):
            return "550 5.1.1 <refuse@readers.example>: no such mailbox"
        if self.strict and address.startswith("drop@"):
            server.transport.close()  # the connection is gone mid-transaction
            return "421 4.4.2 going away"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), envelope.original_content))
            self.times.append(time.monotonic())
        return "250 Message accepted"


@pytest.fixture
def smtp():
    handler = Server()
    with socket.socket() as probe:  # a free port (the controller checks it can connect)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def project(tmp_path: Path, port: int) -> Path:
    site = make_project(
        tmp_path / "site",
        settings=(
            f'BRIEFING_SMTP_HOST = "127.0.0.1"\nBRIEFING_SMTP_PORT = {port}\n'
            'BRIEFING_SMTP_TLS = "none"\nBRIEFING_SMTP_RATE = 50\n'
            'BRIEFING_EMAIL_FROM = "The Briefing <desk@golden.example.org>"'
        ),
    )
    shutil.copy(ROOT / "publishconf.py", site / "publishconf.py")
    shutil.rmtree(site / "content")
    shutil.copytree(GOLDEN, site / "content")
    return site


def send(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing.cli", "email", "send", DAY, "-s", "publishconf.py",
         *args],
        cwd=site, env={**env(), "BRIEFING_SITEURL": "https://golden.example.org"},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def deliveries(site: Path) -> list[tuple[str, str, str]]:
    db = sqlite3.connect(site / "cache" / "briefing.sqlite")
    rows = db.execute("SELECT address, status, detail FROM deliveries ORDER BY rowid").fetchall()
    db.close()
    return rows


READERS = ["ana@readers.example", "refuse@readers.example", "drop@readers.example",
           "bo@readers.example"]  # fmt: skip


def test_each_reader_gets_the_day_once_through_refusals_and_dropped_connections(tmp_path, smtp):
    server, port = smtp
    site = project(tmp_path, port)
    (site / "readers.txt").write_text(
        "# the morning list\nana@readers.example\nrefuse@readers.example\n\n"
        "drop@readers.example\nbo@readers.example\nANA@readers.example\n"
    )
    first = send(site, "--list", "readers.txt")
    assert first.returncode == 1, first.stderr  # a delivery failed; the others went
    got = sorted(to for tos, _ in server.received for to in tos)
    assert got == ["ana@readers.example", "bo@readers.example"]
    rows = deliveries(site)
    assert [(a, s) for a, s, _ in rows] == [
        ("ana@readers.example", "sent"),
        ("refuse@readers.example", "failed"),
        ("drop@readers.example", "failed"),
        ("bo@readers.example", "sent"),
    ]
    assert rows[1][2].startswith("550 5.1.1")
    assert "2 sent, 2 failed, 0 had it already" in first.stderr
    # each message is the edition, addressed to its one reader
    for tos, data in server.received:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        assert msg["To"] == tos[0]
        assert msg["Subject"] == "The Briefing: Council budget vote set for Friday"
        assert msg["From"] == "The Briefing <desk@golden.example.org>"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    ids = {email.message_from_bytes(d)["Message-ID"] for _, d in server.received}
    assert len(ids) == 1  # the same edition
    # the server mends its ways: the second run sends only what is missing
    server.strict = False
    before = len(server.received)
    dry = send(site, "--list", "readers.txt", "--dry-run")
    assert dry.returncode == 0
    assert "would send 2026-11-25 to refuse@readers.example" in dry.stderr
    assert "would send 2026-11-25 to drop@readers.example" in dry.stderr
    assert "ana@readers.example" not in dry.stderr.replace("had it already", "")
    assert len(server.received) == before  # a dry run sends nothing
    second = send(site, "--list", "readers.txt")
    assert second.returncode == 0, second.stderr
    new = sorted(to for tos, _ in server.received[before:] for to in tos)
    assert new == ["drop@readers.example", "refuse@readers.example"]
    assert "2 sent, 0 failed, 2 had it already" in second.stderr
    # a third run has nothing to do; --again sends anew
    third = send(site, "--list", "readers.txt")
    assert third.returncode == 0 and "0 sent, 0 failed, 4 had it already" in third.stderr
    assert len(server.received) == before + 2
    again = send(site, "--to", "ana@readers.example", "--again")
    assert again.returncode == 0 and len(server.received) == before + 3
    every = sorted(to for tos, _ in server.received for to in tos)
    assert every.count("ana@readers.example") == 2  # once, and once more when asked
    assert all(every.count(r) == 1 for r in READERS if not r.startswith("ana"))


def test_bad_recipients_and_an_unreachable_server(tmp_path, smtp):
    server, port = smtp
    site = project(tmp_path, port)
    bad = send(site, "--to", "not-an-address")
    assert bad.returncode == 2 and "not an email address: 'not-an-address'" in bad.stderr
    nobody = send(site)
    assert nobody.returncode == 2 and "give --to ADDRESS or --list FILE" in nobody.stderr
    (site / "list.txt").write_text("ana@readers.example\nno at sign\n")
    listed = send(site, "--list", "list.txt")
    assert listed.returncode == 2 and "list.txt:2:1: not an email address" in listed.stderr
    assert server.received == []
    # no server there: each delivery fails, is recorded, and is tried again next time
    closed = project(tmp_path / "closed", 1)
    gone = send(closed, "--to", "ana@readers.example")
    assert gone.returncode == 1
    assert deliveries(closed)[0][:2] == ("ana@readers.example", "failed")


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, made here, which the client is told to trust."""
    openssl = need_openssl()
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_a_secured_connection_and_a_login_from_the_environment(tmp_path, mode):
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler, logins = Server(), []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secured = {"tls_context": context, "require_starttls": True}
    if mode == "tls":
        # TLS from the first byte: aiosmtpd cannot tell, so it must not wait for STARTTLS
        secured = {"ssl_context": context, "server_hostname": "127.0.0.1",
                   "auth_require_tls": False}  # fmt: skip
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
        auth_required=True, **secured,
    )  # fmt: skip
    controller.start()
    try:
        site = project(tmp_path, port)
        with open(site / "publishconf.py", "a") as f:
            f.write(f'\nBRIEFING_SMTP_TLS = "{mode}"\n')
        result = subprocess.run(
            [sys.executable, "-m", "briefing.cli", "email", "send", DAY, "-s",
             "publishconf.py", "--to", "ana@readers.example"],
            cwd=site, capture_output=True, text=True, timeout=300,
            env={**env(), "BRIEFING_SITEURL": "https://golden.example.org",
                 "SSL_CERT_FILE": str(cert), "BRIEFING_SMTP_USER": "desk",
                 "BRIEFING_SMTP_PASSWORD": "s3cret"},
        )  # fmt: skip
    finally:
        controller.stop()
    assert result.returncode == 0, result.stderr
    assert [to for tos, _ in handler.received for to in tos] == ["ana@readers.example"]
    assert [(login, password) for _, login, password in logins] == [(b"desk", b"s3cret")]
    # the password is in no settings file and in nothing the command printed
    assert "s3cret" not in result.stdout + result.stderr


def test_deliveries_go_into_the_source_checks_database_when_the_site_has_one(tmp_path, smtp):
    server, port = smtp
    site = project(tmp_path, port)
    (site / "cache").mkdir()
    links = site / "cache" / "sources.sqlite"
    sqlite3.connect(links).execute("CREATE TABLE checks (url TEXT)").connection.commit()
    assert send(site, "--to", "ana@readers.example").returncode == 0
    db = sqlite3.connect(links)
    assert db.execute("SELECT address, status FROM deliveries").fetchall() == [
        ("ana@readers.example", "sent")
    ]
    assert not (site / "cache" / "briefing.sqlite").exists()


def test_sending_keeps_to_the_rate(tmp_path, smtp):
    server, port = smtp
    site = project(tmp_path, port)
    with open(site / "publishconf.py", "a") as f:
        f.write("\nBRIEFING_SMTP_RATE = 4\n")
    five = [f"reader{n}@readers.example" for n in range(5)]
    assert send(site, "--to", *five).returncode == 0
    assert len(server.times) == 5
    # a message starts a quarter second after the one before (the first also connects)
    assert server.times[-1] - server.times[1] >= 3 / 4 - 0.05
