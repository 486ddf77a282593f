"""A fake web on loopback for the source checker: one asyncio HTTP/1.1 server listening
on several 127.0.0.x addresses at one port, so each address is a "host" of its own (any
127/8 address binds on Linux), with the answers the real web gives.

Every path is a case (``CASES``); a test may add its own (``web.route(path, fn)``).  The
server counts requests and, per host (the ``Host`` header), the most requests it was
answering at once, so a test can assert the checker's per-host limit.

It also plays the Internet Archive: ``/wayback/available`` (the availability API's JSON),
``/save`` and ``/save/status/<job>`` (Save Page Now 2), and ``/web/<timestamp>/<url>``
(the copies), each able to answer 429 or an empty answer first.

Run it alone (for the benchmark) with ``python tests/fakeweb.py --hosts 50 --latency 0.02``:
it prints its port and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    host: str
    headers: dict[str, str]
    body: bytes
    target: str  # as sent: path and query


@dataclass
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0  # before answering
    endless: bool = False  # a body that never ends (chunked, forever)


_REASONS = {
    200: "OK",
    202: "Accepted",
    301: "Moved Permanently",
    302: "Found",
    308: "Permanent Redirect",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def page(text: str = "a page") -> Response:
    return Response(200, {"Content-Type": "text/html"}, f"<title>{text}</title>".encode())


def redirect(status: int, to: str) -> Response:
    return Response(status, {"Location": to})


class FakeWeb:
    """The server, on a thread of its own.  ``with FakeWeb(hosts=4) as web: web.url(2, "/ok")``."""

    def __init__(self, hosts: int = 4, latency: float = 0.0) -> None:
        self.addresses = [f"127.0.0.{i}" for i in range(1, hosts + 1)]
        self.latency = latency
        self.routes: dict[str, object] = dict(CASES)
        self.requests: list[tuple[str, str, str]] = []  # (host, method, target)
        self.log: list[tuple[float, Request]] = []  # when each request came, and it
        self.open_all = 0
        self.most_open_all = 0
        self.open_now: collections.Counter = collections.Counter()
        self.most_open: collections.Counter = collections.Counter()
        self.hits: collections.Counter = collections.Counter()  # (host, path) -> requests
        self.connections = 0
        self.saves: list[str] = []  # URLs Save Page Now was asked to capture
        self.archive = {"available": {}, "unavailable_first": 0, "busy_first": 0}
        self.lock = threading.Lock()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._server: asyncio.Server | None = None

    # -- addresses -----------------------------------------------------------------------

    def url(self, host: int, path: str) -> str:
        return f"http://127.0.0.{host}:{self.port}{path}"

    def route(self, path: str, handler) -> None:
        self.routes[path] = handler

    def max_open(self, host: int) -> int:
        return self.most_open[f"127.0.0.{host}:{self.port}"]

    # -- running ------------------------------------------------------------------------

    def __enter__(self) -> FakeWeb:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self.port = _free_port()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the fake web did not start")

    def stop(self) -> None:
        if self._loop is not None and self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._shut(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _shut(self) -> None:
        assert self._server is not None
        self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(
            asyncio.start_server(self._serve, host=self.addresses, port=self.port, backlog=512)
        )
        self._started.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    request = await _read_request(reader)
                except ConnectionError:
                    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    break
                if request is None:
                    break
                keep = await self._answer(request, writer)
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - the client went away
                pass

    async def _answer(self, request: Request, writer: asyncio.StreamWriter) -> bool:
        host = request.host
        with self.lock:
            self.requests.append((host, request.method, request.target))
            self.log.append((time.monotonic(), request))
            self.open_all += 1
            self.most_open_all = max(self.most_open_all, self.open_all)
            self.hits[(host, request.path)] += 1
            self.open_now[host] += 1
            self.most_open[host] = max(self.most_open[host], self.open_now[host])
        try:
            handler = self._handler(request.path)
            response = handler(self, request) if handler else Response(404, body=b"no such page")
            delay = self.latency + response.delay
            if delay:
                await asyncio.sleep(delay)
            head = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Status')}"]
            headers = {"Server": "fakeweb", **response.headers}
            if response.endless:
                headers["Transfer-Encoding"] = "chunked"
            else:
                headers["Content-Length"] = str(len(response.body))
            head += [f"{k}: {v}" for k, v in headers.items()]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            if response.endless:
                chunk = b"x" * 8192
                while True:  # until the client hangs up
                    writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    await writer.drain()
                    await asyncio.sleep(0.001)
            if request.method != "HEAD":
                writer.write(response.body)
            await writer.drain()
            return True
        finally:
            with self.lock:
                self.open_now[host] -= 1
                self.open_all -= 1

    def _handler(self, path: str):
        if path in self.routes:
            return self.routes[path]
        for prefix, handler in self.routes.items():
            if prefix.endswith("*") and path.startswith(prefix[:-1]):
                return handler
        return None


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        first = await reader.readexactly(1)
        if first == b"\x16":  # a TLS handshake, to a server that speaks plain HTTP
            raise ConnectionError("TLS to a plain server")
        head = first + await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    body = b""
    if int(headers.get("content-length", "0") or 0):
        body = await reader.readexactly(int(headers["content-length"]))
    parts = urlsplit(target)
    return Request(
        method, parts.path, parse_qs(parts.query), headers.get("host", ""), headers, body, target
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the cases ---------------------------------------------------------------------------


def _busy_then_ok(web: FakeWeb, req: Request) -> Response:
    """429 with Retry-After: 1 on the first request, then the page."""
    if web.hits[(req.host, req.path)] == 1:
        return Response(429, {"Retry-After": "1"})
    return page()


def _always_busy(web: FakeWeb, req: Request) -> Response:
    return Response(429, {"Retry-After": "1"})


def _no_head(web: FakeWeb, req: Request) -> Response:
    return Response(405, {"Allow": "GET"}) if req.method == "HEAD" else page()


def _endless(web: FakeWeb, req: Request) -> Response:
    if req.method == "HEAD":
        return Response(405)
    return Response(200, {"Content-Type": "text/html"}, endless=True)


def _deep(web: FakeWeb, req: Request) -> Response:
    n = int(req.path.rsplit("/", 1)[1] or 0)
    return redirect(302, f"/deep/{n + 1}")


def _available(web: FakeWeb, req: Request) -> Response:
    """The Wayback Machine's availability API, in its JSON shape."""
    url = req.query.get("url", [""])[0]
    state = web.archive
    if state["busy_first"] > 0:
        state["busy_first"] -= 1
        return Response(429, {"Retry-After": "1"})
    if state["unavailable_first"] > 0:  # the API's known flakiness: an empty answer
        state["unavailable_first"] -= 1
        return _json({"url": url, "archived_snapshots": {}})
    snap = state["available"].get(url)
    if snap is None:
        return _json({"url": url, "archived_snapshots": {}})
    stamp, status = snap
    return _json(
        {
            "url": url,
            "archived_snapshots": {
                "closest": {
                    "status": str(status),
                    "available": True,
                    "url": f"http://{req.host}/web/{stamp}/{url}",
                    "timestamp": stamp,
                }
            },
            **({"timestamp": req.query["timestamp"][0]} if "timestamp" in req.query else {}),
        }
    )


def _save(web: FakeWeb, req: Request) -> Response:
    """Save Page Now 2: POST url=…, answered with a job id."""
    if req.method != "POST":
        return Response(405)
    url = parse_qs(req.body.decode())["url"][0]
    web.saves.append(url)
    return _json({"url": url, "job_id": f"spn2-{len(web.saves)}"})


def _save_status(web: FakeWeb, req: Request) -> Response:
    job = req.path.rsplit("/", 1)[1]
    n = int(job.split("-")[1])
    url = web.saves[n - 1]
    if web.hits[(req.host, req.path)] < 2:
        return _json({"status": "pending", "job_id": job})
    stamp = "20261207120000"
    web.archive["available"][url] = (stamp, 200)  # now it has a copy
    return _json(
        {
            "status": "success",
            "job_id": job,
            "original_url": url,
            "timestamp": stamp,
            "duration_sec": 1.2,
        }
    )


def _copy(web: FakeWeb, req: Request) -> Response:
    """An archived copy, when the archive has one of that URL."""
    rest = req.target.split("/web/", 1)[1]
    stamp, _, url = rest.partition("/")
    url = unquote(url)
    known = web.archive["available"].get(url)
    return page(f"copy of {url}") if known else Response(404)


def _json(data) -> Response:
    return Response(200, {"Content-Type": "application/json"}, json.dumps(data).encode())


CASES = {
    "/": lambda web, req: page("front page"),
    "/ok": lambda web, req: page(),
    "/ok2": lambda web, req: page(),
    "/news/*": lambda web, req: page(),  # any number of pages that answer
    "/chain": lambda web, req: redirect(301, "/chain-2"),
    "/chain-2": lambda web, req: redirect(301, "/new-home"),
    "/new-home": lambda web, req: page("the new home"),
    "/temporary": lambda web, req: redirect(302, "/ok"),
    "/missing": lambda web, req: Response(404),
    "/removed": lambda web, req: Response(410),
    "/soft": lambda web, req: redirect(302, "/"),
    "/soft-named": lambda web, req: redirect(301, "/errors/not-found"),
    "/errors/not-found": lambda web, req: page("not found"),
    "/walled": lambda web, req: Response(403, body=b"Just a moment..."),
    "/challenge": lambda web, req: Response(503, {"cf-mitigated": "challenge"}),
    "/busy": _busy_then_ok,
    "/always-busy": _always_busy,
    "/no-head": _no_head,
    "/hang": lambda web, req: Response(200, delay=30),
    "/endless": _endless,
    "/loop-a": lambda web, req: redirect(302, "/loop-b"),
    "/loop-b": lambda web, req: redirect(302, "/loop-a"),
    "/deep/*": _deep,
    "/broken": lambda web, req: Response(500),
    "/wayback/available": _available,
    "/save": _save,
    "/save/status/*": _save_status,
    "/web/*": _copy,
}


def main() -> None:  # pragma: no cover - the benchmark's server
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--latency", type=float, default=0.02)
    args = ap.parse_args()
    web = FakeWeb(hosts=args.hosts + 1, latency=args.latency)
    web.start()
    print(web.port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        web.stop()


if __name__ == "__main__":
    main()
    sys.exit(0)
