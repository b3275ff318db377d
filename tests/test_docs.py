"""Docs true to the code, for what can be checked mechanically: every `wxbot` command, `WXBOT_*` variable,
setting, code name and file name that the README or docs/ mention exists (STYLE: a sentence the code does not
back is a bug)."""

from __future__ import annotations

import argparse
import re
from dataclasses import fields
from pathlib import Path

import pytest

from wxbot.cli import build_parser
from wxbot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "models" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _code(*dirs: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for d in dirs for p in (ROOT / d).rglob("*.py")
                     if p.name != "test_docs.py")


CODE = _code("wxbot", "tests", "scripts", "bench")  # names and variables: tests read some (WXBOT_TEST_CACHE)
PRODUCT = _code("wxbot", "scripts", "bench")  # file names: what the app, its build and benchmarks make
SETTINGS = {f.name for f in fields(Settings)}
# file kinds the app, its build and its tests make or read (a customer's 价目表.xlsx in an example is no claim)
OWN_FILES = re.compile(r"^[\w.-]+\.(?:json|bin|png|db|log|lock|spec|toml|py|qm|ts|txt|cfg|ini)$")
SPAN = re.compile(r"`([^`\n]+)`")
IDENT = re.compile(r"^([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?:\s*[=:(].*)?$")


def _spans() -> list[tuple[str, str]]:
    return [(doc.relative_to(ROOT).as_posix(), s) for doc in DOCS for s in SPAN.findall(doc.read_text("utf-8"))]


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), {})


def _command_exists(words: list[str]) -> bool:
    parser = build_parser()
    options = {o for a in parser._actions for o in a.option_strings}
    if words[0].startswith("-"):
        return words[0] in options
    commands = _subcommands(parser)
    if words[0] not in commands:
        return False
    nested = _subcommands(commands[words[0]])
    return not nested or len(words) < 2 or not re.fullmatch(r"[a-z]+", words[1]) or words[1] in nested


def test_every_wxbot_command_the_docs_show_exists():
    missing = []
    for doc, span in _spans():
        for m in re.finditer(r"(?:^|[\s;|&(])wxbot\s+((?:-{1,2}[a-z-]+|[a-z]+)(?:\s+[a-z]+)?)", span):
            if not _command_exists(m[1].split()):
                missing.append(f"{doc}: {span}")
    assert not missing


def test_every_wxbot_variable_the_docs_name_is_read_by_the_code():
    names = {n for doc in DOCS for n in re.findall(r"\bWXBOT_[A-Z0-9_]*[A-Z0-9]", doc.read_text("utf-8"))}
    missing = sorted(n for n in names
                     if n.removeprefix("WXBOT_").lower() not in SETTINGS and not re.search(rf"\b{n}\b", CODE))
    assert not missing


def test_every_setting_and_code_name_the_docs_mention_exists():
    missing = sorted({f"{doc}: {m[1]}" for doc, span in _spans() if (m := IDENT.match(span))
                      and m[1] not in SETTINGS and not re.search(rf"\b{m[1]}\b", CODE)})
    assert not missing


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_the_docs_name_exists_or_is_made_by_the_code(doc):
    text = doc.read_text("utf-8")
    words = re.findall(r"(?<![\w./-])[\w.-]+\.[a-z0-9]+(?![\w/-])", text)  # in prose and code blocks too
    missing = []
    for span in SPAN.findall(text) + words:
        path = span.strip().rstrip("/")
        if "/" in path and re.match(r"^(wxbot|tests|bench|scripts|docs|models)/[\w./*-]+$", path):
            if not list(ROOT.glob(path)):
                missing.append(path)
        elif OWN_FILES.match(path) and not (ROOT / path).exists() and not re.search(re.escape(path), PRODUCT):
            missing.append(path)
    assert not missing
