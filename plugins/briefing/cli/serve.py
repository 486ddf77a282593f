"""Live preview: ``briefing serve`` (``make serve``).

Builds the site with Pelican in a fresh process (so changes to plugins count too), with
drafts and stories not yet due shown (``BRIEFING_PREVIEW_DRAFTS``; not with production
settings, ``BRIEFING_PRODUCTION``), serves ``output/`` on 127.0.0.1, and rebuilds
whenever content, theme, plugins or the settings change.  Diagnostics go to the
terminal; while the last build failed, every page the browser asks for shows that
build's diagnostics instead of a stale page.  Pages reload themselves after each build
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
from pathlib import Path

_DIAGNOSTIC = re.compile(r"^(.+?):(\d+):(\d+): (error|warning|info): ([a-z0-9-]+): (.*)$")
STATUS = "/__briefing/status"
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


class Preview:
    def __init__(
        self, *, settings: str, output: str, watch: list[str], drafts: bool = True
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

    def build(self) -> None:
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
        result = subprocess.run(cmd, capture_output=True, text=True)
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        lines = (result.stdout + result.stderr).splitlines()
        with self.lock:
            self.ok = result.returncode == 0
            self.diagnostics = [m.groups() for m in map(_DIAGNOSTIC.match, lines) if m]
            self.log = "\n".join(lines[-40:])
            self.generation += 1
        state = "built" if self.ok else "build FAILED (the browser shows why)"
        print(f"briefing serve: {state} in {time.monotonic() - started:.1f} s", flush=True)

    def watch_forever(self) -> None:
        from watchfiles import watch

        for changes in watch(
            *self.watch,
            debounce=300,
            step=100,
            watch_filter=lambda _c, path: not _ignored(path, self.output),
        ):
            names = ", ".join(sorted({os.path.relpath(p) for _, p in changes}))
            print(f"briefing serve: changed {names}; rebuilding", flush=True)
            self.build()

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
        if self.path.split("?")[0] == STATUS:
            with self.preview.lock:
                body = json.dumps(
                    {"generation": self.preview.generation, "ok": self.preview.ok}
                ).encode()
            return self._send(200, "application/json", body)
        is_page = self.path.split("?")[0].endswith(("/", ".html"))
        if is_page and not self.preview.ok:
            return self._send(500, "text/html; charset=utf-8", self.preview.error_page())
        if is_page:
            path = self.translate_path(self.path)
            if os.path.isdir(path):
                path = os.path.join(path, "index.html")
            try:
                with open(path, "rb") as f:
                    page = f.read()
            except OSError:
                return super().do_GET()
            page = page.replace(b"</body>", _RELOAD.encode() + b"</body>", 1)
            return self._send(200, "text/html; charset=utf-8", page)
        return super().do_GET()

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def serve(
    *, settings: str, output: str, bind: str, port: int, watch: list[str], drafts: bool = True
) -> int:
    preview = Preview(settings=settings, output=output, watch=watch, drafts=drafts)
    preview.build()
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
    return 0
