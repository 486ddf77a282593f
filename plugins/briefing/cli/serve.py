"""Live preview: ``briefing serve`` (``make serve``).

Builds the site with Pelican in a fresh process, with drafts and stories not yet due
shown (``BRIEFING_PREVIEW_DRAFTS``; not with production settings, ``BRIEFING_PRODUCTION``),
and serves ``output/`` on 127.0.0.1.

When only content changes (a story or page added, edited or removed), the site kept in
memory by the warm preview (``build.warm``, a process of its own) reads and plans it
again, and the pages the browser asks for are rendered from that plan, as the build would
write them; a full build in a fresh process follows, to bring ``output/`` (the search
index, static files) up to date.  When settings, theme or plugin code change, or without
the speed layer (``BRIEFING_FAST = False``), only the full build is made (so changes to
plugins count too), and the warm preview starts again after it.

Diagnostics go to the terminal; while the site has errors, every page the browser asks
for shows them instead of a stale page.  Pages reload themselves when the site changes
(they ask the preview four times a second).
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import IO, Any

_DIAGNOSTIC = re.compile(r"^(.+?):(\d+):(\d+): (error|warning|info): ([a-z0-9-]+): (.*)$")
STATUS = "/__briefing/status"
GONE = object()  # ``Preview.page``: the warm preview's plan removed the file
_RELOAD = f"""<script>
(function () {{
  var seen = null;
  setInterval(function () {{
    fetch("{STATUS}").then(function (r) {{ return r.json(); }}).then(function (s) {{
      if (seen === null) seen = s.generation;
      else if (s.generation !== seen) location.reload();
    }}).catch(function () {{}});
  }}, 250);
}})();
</script>"""


class Warm:
    """The warm preview's process (``build.warm``): the site kept in memory."""

    def __init__(self, settings: str, drafts: bool) -> None:
        cmd = [sys.executable, "-m", "briefing.build.warm", settings]
        if drafts:
            cmd.append("BRIEFING_PREVIEW_DRAFTS=true")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.lock = threading.Lock()

    def ask(self, op: str, **request: Any) -> tuple[dict[str, Any], bytes] | None:
        """The answer to one request; None once the process is gone."""
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None
        with self.lock:
            try:
                stdin.write(json.dumps({"op": op, **request}).encode() + b"\n")
                stdin.flush()
                line = stdout.readline()
                if not line:
                    return None
                head = json.loads(line)
                body = _read_exactly(stdout, head["length"])
            except (OSError, ValueError):
                return None
        if "crashed" in head:
            print(f"briefing serve: the warm preview failed:\n{head['crashed']}", flush=True)
            return None
        return head, body

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


def _read_exactly(stream: IO[bytes], length: int) -> bytes:
    data = stream.read(length) if length else b""
    if len(data) != length:
        raise OSError("the warm preview's answer was cut short")
    return data


class Preview:
    def __init__(
        self,
        *,
        settings: str,
        output: str,
        watch: list[str],
        drafts: bool = True,
        warm: bool = True,
    ) -> None:
        self.settings = settings
        self.drafts = drafts  # show drafts and stories not yet due (not with production settings)
        self.content = _content_path(settings)
        self.output = output
        self.watch = [p for p in watch if os.path.exists(p)]
        self.generation = 0
        self.ok = True
        self.diagnostics: list[tuple[str, ...]] = []
        self.log = ""
        self.lock = threading.Lock()
        self.keeps_warm = warm  # the speed layer is on: content changes are made in memory
        self.warm: Warm | None = None
        self.memory = False  # pages come from the warm preview: its plan is newer than output/
        self.gone: set[str] = set()  # files output/ has that the warm preview's plan has not
        self.updates = 0  # plans the warm preview made after a change
        self._wanted = threading.Condition()
        self.building = False  # a full build (and the warm preview's restart) is due or running
        self._build_due = False
        self._restart_due = False

    def start(self) -> None:
        """The first build, then the warm preview and the builds that follow changes."""
        self.build()
        threading.Thread(target=self._builds, daemon=True).start()
        if self.keeps_warm:
            threading.Thread(target=self._warm_up, daemon=True).start()

    def _warm_up(self) -> None:
        """Start the warm preview and have it plan the site (a save waits for that)."""
        warm = Warm(self.settings, self.drafts)
        with self.lock:
            self.warm = warm
        if warm.ask("plan") is None:
            self._lose_warm(warm)

    def _lose_warm(self, warm: Warm) -> None:
        with self.lock:
            if self.warm is warm:
                self.warm, self.memory = None, False
        warm.stop()

    def changed(self, paths: set[str]) -> None:
        """What a change does: content only, with the warm preview, is planned in memory
        (then a full build follows); anything else is a full build and a new warm preview."""
        content = os.path.abspath(self.content) + os.sep
        with self.lock:
            warm = self.warm
        if warm is not None and all(os.path.abspath(p).startswith(content) for p in paths):
            started = time.monotonic()
            answer = warm.ask("plan")
            if answer is not None:
                result, _ = answer
                with self.lock:
                    self._show(result["ok"], result["diagnostics"], result["summary"])
                    self.memory, self.updates = True, self.updates + 1
                    self.gone = (self.gone | set(result["gone"])) - {""}
                took = time.monotonic() - started
                state = "updated in memory" if result["ok"] else "FAILED (the browser shows why)"
                print(
                    f"briefing serve: {state} in {took:.1f} s ({result['pages']} pages planned)",
                    flush=True,
                )
                if result["ok"]:
                    self._want_build(restart=False)
                return
            self._lose_warm(warm)
        self._want_build(restart=self.keeps_warm)

    def _show(self, ok: bool, diagnostics: list[str], log: str) -> None:
        """What the browser shows from now on (the lock is held)."""
        self.ok = ok
        self.diagnostics = [m.groups() for m in map(_DIAGNOSTIC.match, diagnostics) if m]
        self.log = log
        self.generation += 1

    def _want_build(self, *, restart: bool) -> None:
        with self._wanted:
            self._build_due = self.building = True
            self._restart_due = self._restart_due or restart
            self._wanted.notify()

    def _builds(self) -> None:
        """Full builds, one at a time, as changes ask for them."""
        while True:
            with self._wanted:
                self.building = False
                while not self._build_due:
                    self._wanted.wait()
                restart, self._build_due, self._restart_due = self._restart_due, False, False
                self.building = True
            if restart:
                self.stop()
            # a build that only brings output/ up to the warm preview's plan yields the
            # cores to the next save's plan
            self.build(behind=not restart and self.memory)
            if restart:
                self._warm_up()

    def stop(self) -> None:
        """Stop the warm preview (pages come from ``output/`` until another starts)."""
        with self.lock:
            warm, self.warm, self.memory = self.warm, None, False
        if warm is not None:
            warm.stop()

    def page(self, name: str) -> bytes | object | None:
        """Output file ``name`` from the warm preview's plan; None to take it from
        ``output/`` (not planned, or no plan newer than it); ``GONE`` if the plan
        removed it."""
        with self.lock:
            warm = self.warm if self.memory else None
            gone = name in self.gone
        answer = warm.ask("page", name=name) if warm is not None else None
        if answer is None:
            return None
        if answer[0]["found"]:
            return answer[1]  # (a file removed, then added again, is found)
        return GONE if gone else None

    def build(self, behind: bool = False) -> None:
        """A full build in a fresh process (at a lower priority when ``behind``)."""
        started = time.monotonic()
        cmd = [
            sys.executable,
            "-m",
            "pelican",
            self.content,
            "-s",
            self.settings,
            "-o",
            self.output,
        ]
        if self.drafts:
            cmd += ["-e", "BRIEFING_PREVIEW_DRAFTS=true"]
        updates = self.updates
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if behind and hasattr(os, "setpriority"):
            try:  # set before it starts its page workers, which inherit it
                os.setpriority(os.PRIO_PROCESS, proc.pid, 10)
            except OSError:
                pass
        stdout, stderr = proc.communicate()
        sys.stdout.write(stdout)
        sys.stderr.write(stderr)
        lines = (stdout + stderr).splitlines()
        ok = proc.returncode == 0
        with self.lock:
            if self.updates == updates:  # no plan in memory is newer than this build
                # the same pages as the warm preview's, if it showed them: no reload
                if not self.memory or ok != self.ok:
                    self._show(ok, lines, "\n".join(lines[-40:]))
                self.memory, self.gone = False, set()
        state = "built" if ok else "build FAILED (the browser shows why)"
        print(f"briefing serve: {state} in {time.monotonic() - started:.1f} s", flush=True)

    def watch_forever(self) -> None:
        from watchfiles import watch

        for changes in watch(
            *self.watch,
            debounce=300,
            step=100,
            watch_filter=lambda _c, path: not _ignored(path, self.output),
        ):
            paths = {p for _, p in changes}
            names = ", ".join(sorted(os.path.relpath(p) for p in paths))
            print(f"briefing serve: changed {names}", flush=True)
            self.changed(paths)

    def error_page(self) -> bytes:
        with self.lock:
            rows = "".join(
                f"<li class='{sev}'><code>{html.escape(path)}:{line}:{col}</code> "
                f"<strong>{sev}</strong> <code>{html.escape(code)}</code> {html.escape(msg)}</li>"
                for path, line, col, sev, code, msg in self.diagnostics
            )
            log = html.escape(self.log)
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Build failed · Briefing preview</title><style>"
            "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
            "padding:0 1rem}li{margin:.4rem 0}.error strong{color:#b3261e}"
            ".warning strong{color:#8a5a00}pre{background:#f2f0ea;padding:1rem;overflow:auto}"
            "</style></head><body><h1>The last build failed</h1>"
            "<p>The site was not updated. Fix these and save; this page reloads by itself.</p>"
            f"<ul>{rows}</ul><h2>Build output</h2><pre>{log}</pre>{_RELOAD}</body></html>"
        ).encode()


def _content_path(settings: str) -> str:
    from pelican.settings import read_settings

    return read_settings(settings).get("PATH", "content")


def _ignored(path: str, output: str) -> bool:
    parts = Path(path).parts
    name = os.path.basename(os.path.abspath(output))
    return (
        "__pycache__" in parts
        or any(p.startswith(f".{name}.") for p in parts)
        or path.endswith((".pyc", "~", ".swp"))
        or os.path.abspath(path).startswith(os.path.abspath(output) + os.sep)
    )


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server interface
        route = urllib.parse.unquote(self.path.split("?")[0].split("#")[0])
        if route == STATUS:
            with self.preview.lock:
                body = json.dumps(
                    {
                        "generation": self.preview.generation,
                        "ok": self.preview.ok,
                        "memory": self.preview.memory,
                        "building": self.preview.building,
                    }
                ).encode()
            return self._send(200, "application/json", body)
        is_page = route.endswith(("/", ".html"))
        if is_page and not self.preview.ok:
            return self._send(500, "text/html; charset=utf-8", self.preview.error_page())
        name = route.lstrip("/")
        if not name or name.endswith("/"):
            name += "index.html"
        data = self.preview.page(name)
        if data is GONE:  # removed since output/ was built
            return self.send_error(404)
        if data is None and is_page:
            path = self.translate_path(self.path)
            if os.path.isdir(path):
                path = os.path.join(path, "index.html")
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                return super().do_GET()
            source = "output"
        elif data is None:
            return super().do_GET()
        else:
            source = "memory"
        ctype = "text/html; charset=utf-8" if is_page else self.guess_type(name)
        if ctype.startswith("text/html"):
            data = data.replace(b"</body>", _RELOAD.encode() + b"</body>", 1)
        return self._send(200, ctype, data, source)

    def _send(self, status: int, ctype: str, body: bytes, source: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if source:  # where the preview took the file from: the warm preview or output/
            self.send_header("X-Briefing-Preview", source)
        self.end_headers()
        self.wfile.write(body)


def serve(
    *,
    settings: str,
    output: str,
    bind: str,
    port: int,
    watch: list[str],
    drafts: bool = True,
    warm: bool = True,
) -> int:
    preview = Preview(settings=settings, output=output, watch=watch, drafts=drafts, warm=warm)
    preview.start()
    handler = type("Handler", (_Handler,), {"preview": preview})
    # the folder by name, not an open handle: a build swaps a new output/ in
    httpd = http.server.ThreadingHTTPServer(
        (bind, port), functools.partial(handler, directory=output)
    )
    print(f"briefing serve: http://{bind}:{httpd.server_address[1]}/ (Ctrl-C to stop)", flush=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        preview.watch_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.shutdown()
        preview.stop()
    return 0
