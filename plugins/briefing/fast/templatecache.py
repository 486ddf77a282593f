"""Compiled templates kept between builds: Jinja's bytecode cache, on disk under the cache
folder and shared in memory by the build's generators (Pelican gives each its own Jinja
environment, so each would compile ``base.html`` again).

Jinja keys each template by its name, file and source; what else goes into the compiled
code (the environment's options, its extensions and their code, and the filters and tests
it may call on constants while compiling) goes into the folder's name, so a change there
starts afresh.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import sys
import types
from typing import Any

import jinja2

FOLDER = "briefing-templates"


class TemplateCode(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache, with the build's compiled templates kept in memory too."""

    def __init__(self, directory: str) -> None:
        os.makedirs(directory, exist_ok=True)
        super().__init__(directory)
        self._memory: dict[str, tuple[str, Any]] = {}  # key -> (source checksum, code)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        kept = self._memory.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]
            return
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged file (Jinja reads its checksum unguarded): compile
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._memory[bucket.key] = (bucket.checksum, bucket.code)
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a read-only cache folder: compiled again next build
            pass

    def get_bucket(self, environment: Any, name: str, filename: Any, source: str) -> Any:
        bucket = super().get_bucket(environment, name, filename, source)
        if bucket.code is not None:
            self._memory.setdefault(bucket.key, (bucket.checksum, bucket.code))
        return bucket

    def __repr__(self) -> str:  # stable, for the settings' digest
        return f"TemplateCode({self.directory!r})"


def _const_form(value: Any) -> bytes:
    """A code object's constant, the same in every process (a set's order is not: string
    hashes differ from one run to the next)."""
    if isinstance(value, types.CodeType):
        return b"c" + _code_form(value)
    if isinstance(value, frozenset):
        return b"f" + b",".join(sorted(_const_form(v) for v in value))
    if isinstance(value, tuple):
        return b"t" + b",".join(_const_form(v) for v in value)
    return b"r" + repr(value).encode()


def _code_form(code: types.CodeType) -> bytes:
    consts = [_const_form(c) for c in code.co_consts]
    return code.co_code + b"".join(b"%d:%s" % (len(c), c) for c in consts)


def _callable_form(value: Any) -> str:
    """A filter or test by name and, for Python functions, code (it may be run on
    constants while a template compiles)."""
    name = f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', repr(value))}"
    code = getattr(value, "__code__", None)
    if not isinstance(code, types.CodeType):
        return name
    return f"{name}:{hashlib.blake2b(_code_form(code), digest_size=12).hexdigest()}"


def _extension_form(extension: Any) -> str | None:
    """A Jinja extension by name and the source of its module (it reshapes templates as
    they compile), or None if that cannot be found."""
    if isinstance(extension, str):
        module_name, _, name = extension.rpartition(".")
    else:
        module_name, name = getattr(extension, "__module__", ""), repr(extension)
    module = sys.modules.get(module_name)
    if module is None:
        try:
            module = importlib.import_module(module_name)
        except Exception:
            return None
    path = getattr(module, "__file__", None)
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            return f"{module_name}.{name}:{hashlib.blake2b(f.read(), digest_size=12).hexdigest()}"
    except OSError:
        return None


def install(settings: dict[str, Any]) -> None:
    """Give the generators' Jinja environments a shared bytecode cache (unless the
    settings name one already)."""
    options = dict(settings.get("JINJA_ENVIRONMENT") or {})
    if "bytecode_cache" in options:
        return
    from . import fingerprint, keys

    shown = repr(sorted(options.items(), key=repr))
    if " at 0x" in shown:  # an option without a stable form: compile afresh each build
        return
    tables = [
        f"{table}:{name}={_callable_form(value)};"
        for table in ("JINJA_FILTERS", "JINJA_TESTS")
        for name, value in sorted((settings.get(table) or {}).items())
    ]
    if any(" at 0x" in form for form in tables):
        return
    extensions = [_extension_form(e) for e in options.get("extensions") or []]
    if None in extensions:
        return
    h = hashlib.blake2b(digest_size=12)
    try:
        h.update(keys.code(settings).encode())
    except fingerprint.Unstable:
        return
    h.update(shown.encode())
    h.update("".join(tables).encode())
    h.update(";".join(map(str, extensions)).encode())
    parent = os.path.join(settings.get("CACHE_PATH") or "cache", FOLDER)
    try:
        options["bytecode_cache"] = TemplateCode(os.path.join(parent, h.hexdigest()))
        for name in os.listdir(parent):  # the code of older templates, settings or plugins
            if name != h.hexdigest():
                shutil.rmtree(os.path.join(parent, name), ignore_errors=True)
    except OSError:
        return
    settings["JINJA_ENVIRONMENT"] = options
