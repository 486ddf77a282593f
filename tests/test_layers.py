"""The house: a folder per layer with imports pointing one way (the import-linter
contract in ``pyproject.toml``), no import cycle, and no module using another's private
names."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sitebuild import ROOT

PACKAGE = ROOT / "plugins" / "briefing"
LAYERS = ["cli", "build", "fast", "site", "core", "files"]  # highest first


def test_the_import_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        lint = shutil.which("lint-imports")
    if not lint:
        pytest.fail("lint-imports is missing: pip install -e '.[test]'")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def _imports() -> dict[str, set[str]]:
    """Each module of the package and the package's modules it imports (lazily too)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        base = parts if path.name == "__init__.py" else parts[:-1]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                anchor = base[: len(base) - (node.level - 1)]
                module = ".".join(anchor + ([node.module] if node.module else []))
                targets.add(module)
                targets.update(f"{module}.{a.name}" for a in node.names)
        found[name] = targets
    return {name: {t for t in targets if t in found} for name, targets in found.items()}


def test_every_module_sits_in_a_layer_and_no_import_goes_round_in_a_cycle():
    graph = _imports()
    assert {name.split(".")[1] for name in graph if name.count(".")} <= set(LAYERS)
    visiting, done = [], set()

    def visit(name):
        if name in done:
            return
        assert name not in visiting, " -> ".join([*visiting[visiting.index(name) :], name])
        visiting.append(name)
        for target in graph[name]:
            if target != name and not name.startswith(target + "."):  # a module's package
                visit(target)
        visiting.pop()
        done.add(name)

    for name in graph:
        visit(name)


def test_no_module_uses_another_modules_private_names():
    import ast

    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:  # one of the package's
                for alias in node.names:
                    if alias.name.startswith("_"):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {alias.name}")
                    imported.add(alias.asname or alias.name)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in imported
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert found == []


def test_the_wheel_lists_every_package_of_the_plugin():
    """pyproject.toml names the packages (the theme is mapped in beside them): a new layer
    or sub-package left off the list would be missing from an installed Briefing."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(PACKAGE.parent).parts)
        for p in PACKAGE.rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert listed == found | {"briefing.theme"}
