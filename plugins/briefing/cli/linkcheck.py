"""Asking the web about source links, politely: the engine of ``briefing sources``.

* at most ``per_host`` requests at once to one host and ``concurrency`` in all;
* HEAD first, GET when HEAD is answered with an error (some servers answer HEAD wrongly);
  a GET reads at most ``max_bytes`` of the body, then hangs up;
* redirects followed one by one (each hop waits for its own host's turn) and recorded,
  at most ``max_redirects``; a loop is named;
* a 429 or 503 with ``Retry-After`` holds the whole host back for that long (at most
  ``retry_cap`` seconds), then asks again, at most ``retries`` times;
* every request has one deadline (``timeout``) for connecting, the headers and the body
  read, so a server that trickles bytes cannot hold a slot for ever;
* an honest ``User-Agent`` naming Briefing, with a browser-like ``Accept``.

What the answers mean is decided in ``core/links.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import ssl
import time
import urllib.request
from collections.abc import Callable
from urllib.parse import quote, urljoin, urlsplit

import aiohttp
import yarl

from ..core import clock
from ..core.links import (
    HEAD_REFUSED,
    REDIRECTS,
    RETRY_LATER,
    UNREACHABLE,
    Check,
    Hop,
    NoAnswer,
    classify,
    retry_after,
)

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def user_agent(site_url: str = "") -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("briefing")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        ours = "dev"
    about = f"; +{site_url}" if site_url.startswith(("http://", "https://")) else ""
    return f"Briefing/{ours} (source link checker{about})"


class Fetcher:
    """One session of requests with the limits above.  Use as ``async with``."""

    def __init__(
        self,
        *,
        per_host: int = 2,
        concurrency: int = 32,
        timeout: float = 10.0,
        agent: str | None = None,
        max_redirects: int = 10,
        max_bytes: int = 64 * 1024,
        retries: int = 2,
        retry_cap: float = 60.0,
    ) -> None:
        self.per_host, self.timeout = max(1, per_host), timeout
        self.max_redirects, self.max_bytes = max_redirects, max_bytes
        self.retries, self.retry_cap = retries, retry_cap
        self.agent = agent or user_agent()
        self.concurrency = max(1, concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._not_before: dict[str, float] = {}
        self._proxies: dict[tuple[str, str], str | None] = {}
        self._all: asyncio.Semaphore | None = None
        self.session: aiohttp.ClientSession | None = None
        self.requests = 0

    async def __aenter__(self) -> Fetcher:
        self._all = asyncio.Semaphore(self.concurrency)
        self.session = aiohttp.ClientSession(
            # requests are limited by the semaphores; the connector only keeps
            # connections alive, so a host's next request finds its connection
            connector=aiohttp.TCPConnector(limit=0, limit_per_host=0),
            headers={"User-Agent": self.agent, "Accept": ACCEPT},
            timeout=aiohttp.ClientTimeout(total=None),  # one deadline of our own, below
            auto_decompress=False,  # only a bounded prefix is read, never inflated
            # HTTP(S)_PROXY and NO_PROXY are read once (``_proxy``): aiohttp's own
            # trust_env asks a thread about them on every request
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc) -> None:
        assert self.session is not None
        await self.session.close()

    # -- one request ------------------------------------------------------------------

    async def request(
        self,
        method: str,
        url: str,
        *,
        data: dict | None = None,
        headers: dict | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request within the limits: its status, lower-cased headers and at most
        ``max_bytes`` of its body.  Raises ``NoAnswer``."""
        assert self.session is not None and self._all is not None
        host = _host(url)
        gate = self._hosts.setdefault(host, asyncio.Semaphore(self.per_host))
        async with gate:
            wait = self._not_before.get(host, 0.0) - time.monotonic()
            if wait > 0:  # the host asked us to wait: everyone waits, holding its slots
                await asyncio.sleep(wait)
            async with self._all:
                self.requests += 1
                try:
                    async with asyncio.timeout(self.timeout):
                        return await self._send(method, url, data, headers)
                except TimeoutError:
                    raise NoAnswer(f"no answer within {self.timeout:g} s") from None
                except (aiohttp.ClientError, ValueError, OSError) as exc:
                    raise NoAnswer(_reason(exc)) from None

    async def _send(self, method, url, data, headers) -> tuple[int, dict[str, str], bytes]:
        assert self.session is not None
        async with self.session.request(
            method,
            yarl.URL(url, encoded=True),  # sent as the story has it, not re-quoted
            data=data,
            headers=headers,
            allow_redirects=False,
            proxy=self._proxy(url),
        ) as response:
            got = bytearray()
            # read to the end (at most max_bytes): a finished answer keeps its connection
            # for the host's next request; an unfinished one is dropped
            async for chunk in response.content.iter_chunked(16 * 1024):
                got += chunk
                if len(got) >= self.max_bytes:
                    del got[self.max_bytes :]
                    response.close()
                    break
            found = {k.lower(): v for k, v in response.headers.items()}
            return response.status, found, bytes(got)

    def _proxy(self, url: str) -> str | None:
        """The proxy the environment names for ``url``'s scheme and host, if any."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxies = urllib.request.getproxies_environment()
            chosen = proxies.get(parts.scheme)
            if chosen and urllib.request.proxy_bypass_environment(key[1], proxies):
                chosen = None
            self._proxies[key] = chosen
        return self._proxies[key]

    def hold(self, url: str, seconds: float) -> None:
        """Ask nothing more of ``url``'s host for ``seconds``."""
        host = _host(url)
        until = time.monotonic() + seconds
        self._not_before[host] = max(self._not_before.get(host, 0.0), until)

    async def ask(self, url: str) -> tuple[int, dict[str, str]]:
        """HEAD, then GET if HEAD is refused; a 429/503 with ``Retry-After`` waited for."""
        method, attempt = "HEAD", 0
        while True:
            status, headers, _ = await self.request(method, url)
            if status in RETRY_LATER and attempt < self.retries:
                wait = retry_after(headers.get("retry-after"), dt.datetime.now(dt.UTC))
                if wait is not None and wait <= self.retry_cap:
                    attempt += 1
                    self.hold(url, wait)
                    continue
            if method == "HEAD" and status in HEAD_REFUSED and status != 429:  # busy: no GET
                method = "GET"
                continue
            return status, headers

    # -- one URL, its redirects followed ---------------------------------------------------

    async def check(self, url: str, now: Callable[[], dt.datetime] = clock.now) -> Check:
        hops: list[Hop] = []
        seen = {url}
        current = url
        try:
            while True:
                status, headers = await self.ask(current)
                location = headers.get("location")
                if status in REDIRECTS and location:
                    # a server's Location is shown to editors and may be cited: anything
                    # outside a URL's characters (controls, spaces) is percent-encoded
                    target = quote(urljoin(current, location.strip()), safe=_URL_SAFE)
                    hops.append(Hop(current, status, target))
                    if urlsplit(target).scheme not in ("http", "https"):
                        return Check(
                            url,
                            now(),
                            UNREACHABLE,
                            status,
                            target,
                            f"redirected to a non-web address {target}",
                        )
                    if target in seen:
                        return Check(
                            url,
                            now(),
                            UNREACHABLE,
                            status,
                            target,
                            f"a redirect loop back to {target}",
                        )
                    if len(hops) > self.max_redirects:
                        return Check(
                            url,
                            now(),
                            UNREACHABLE,
                            status,
                            target,
                            f"more than {self.max_redirects} redirects",
                        )
                    seen.add(target)
                    current = target
                    continue
                hops.append(Hop(current, status))
                break
        except NoAnswer as exc:
            return Check(url, now(), UNREACHABLE, None, current if hops else None, _shown(exc))
        cls, final, detail = classify(url, hops, headers=headers)
        return Check(url, now(), cls, hops[-1].status, final, _shown(detail))


def _shown(text: object) -> str:
    """A reason fit for a terminal: what a server said may hold control characters."""
    return "".join(c if c.isprintable() else "?" for c in str(text))[:300]


def _host(url: str) -> str:
    parts = urlsplit(url)
    return (parts.netloc or "").lower()


def _reason(exc: BaseException) -> str:
    """An editor's words for a failed request."""
    causes: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(causes) < 10:
        causes.append(seen)
        seen = getattr(seen, "os_error", None) if seen is exc else None
        seen = seen or causes[-1].__cause__ or causes[-1].__context__
    if isinstance(exc, aiohttp.ClientSSLError) or any(isinstance(c, ssl.SSLError) for c in causes):
        inner = next((c for c in causes[1:] if isinstance(c, ssl.SSLError)), exc)
        return f"TLS failed: {getattr(inner, 'reason', None) or inner}"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "DNS: no such host"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server hung up without answering"
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.ClientPayloadError):
        return f"a broken answer: {exc}"
    if isinstance(exc, aiohttp.InvalidURL | ValueError):
        return f"not a web address: {exc}"
    return str(exc) or type(exc).__name__
