"""The import contract (STYLE: arrows point down): each layer imports only the layers below it, only `ui` (and
the self-check's Qt probe) imports Qt, and no lower layer hides an upward import inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "wxbot"

# The shared vocabulary at the bottom: every layer may import it.
BASE = {"wxbot", "wxbot.errors", "wxbot.settings", "wxbot.logs", "wxbot.files", "wxbot.envsecrets", "wxbot.validation",
        "wxbot.messages", "wxbot.lifecycle", "wxbot.events", "wxbot.crashpoint", "wxbot.controls", "wxbot.passkey"}
# layer -> the layers (besides BASE and itself) it may import
ALLOWED = {
    "base": set(),
    "llm": set(),
    "store": set(),
    "wechat": set(),
    "sim": set(),
    "media": {"llm"},
    "kb": {"store", "llm"},
    "core": {"llm"},
    "views": {"core", "llm", "store"},
    "service": {"core", "llm", "store", "wechat", "kb", "views", "media"},
    "demoshop": {"kb"},
    "terminal": {"service", "views", "core", "llm", "store", "wechat", "sim", "kb", "demoshop", "media"},
    "selfcheck": {"service", "views", "core", "llm", "store", "wechat", "sim", "kb", "media"},
    "cli": {"service", "views", "core", "llm", "store", "wechat", "sim", "kb", "terminal", "selfcheck", "ui", "demoshop",
            "media"},
    "ui": {"service", "views", "core", "llm", "store", "wechat", "sim", "kb", "terminal", "selfcheck", "demoshop", "media"},
}
QT_ALLOWED = {"ui", "selfcheck"}  # the self-check probes Qt on purpose
STRICT = {"base", "llm", "store", "wechat", "sim", "kb", "media", "core", "views", "service", "demoshop"}  # no function-level wxbot imports


def layer_of(module: str) -> str:
    if module in BASE or module == "wxbot.__main__":
        return "base" if module != "wxbot.__main__" else "cli"
    part = module.split(".")[1]
    return part


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.module, child.lineno, in_function))
                found.extend((f"{child.module}.{alias.name}", child.lineno, in_function) for alias in child.names
                             if (PACKAGE.parent / child.module.replace(".", "/") / f"{alias.name}.py").exists())
            visit(child, nested)

    visit(tree, False)
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_contract_sees_every_layer() -> None:
    layers = {layer_of(module_name(p)) for p in SOURCES}
    assert {"base", "core", "llm", "store", "wechat", "sim", "service", "ui", "cli"} <= layers
    assert layers <= set(ALLOWED), f"a new top-level module needs a place in the contract: {layers - set(ALLOWED)}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_imports_point_down(path: Path) -> None:
    me = layer_of(module_name(path))
    bad = []
    for target, line, in_function in imports(path):
        top = target.split(".")[0]
        if top in ("PySide6", "shiboken6") and me not in QT_ALLOWED:
            bad.append(f"line {line}: {target} (Qt below ui)")
        if top != "wxbot" or target in BASE:
            continue
        other = layer_of(target)
        if other != me and other not in ALLOWED[me]:
            bad.append(f"line {line}: {target} ({me} may not import {other})")
        if in_function and me in STRICT and other != me:
            bad.append(f"line {line}: {target} imported inside a function (a lazy import hides a cycle)")
    assert not bad, f"{module_name(path)}: " + "; ".join(bad)


def test_core_is_free_of_store_and_wechat() -> None:
    """The issue's own words, spelled out: core talks to the store and WeChat only through Protocols."""
    core = [p for p in SOURCES if module_name(p).startswith("wxbot.core")]
    reached = {t for p in core for t, _, _ in imports(p)}
    assert not {t for t in reached if t.startswith(("wxbot.store", "wxbot.wechat", "wxbot.sim", "wxbot.service"))}
