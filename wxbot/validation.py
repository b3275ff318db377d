"""Checks that keep a setting within what the bot can do: finite numbers, bounded text, settings JSON of
sane size and depth, server addresses an HTTP client can use, and FAQ regular expressions that can't pin the CPU
(the ``regex`` engine's timeout)."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from typing import Any, NoReturn
from urllib.parse import urlsplit

import regex

from wxbot.errors import ConfigError

FAQ_MATCH_KINDS = ("examples", "exact", "contains", "regex")
FAQ_REGEX_TIMEOUT = 0.2  # seconds one FAQ regex may search one message, at save time and at run time
JSON_MAX_BYTES = 2_000_000  # a settings file or JSON value; the owner's real ones are a few KB
JSON_MAX_DEPTH = 16  # the deepest real setting is 4 (faq_rules: a list of objects of lists of strings)
FAQ_MAX_RULES = 1000
FAQ_MAX_PATTERN_CHARS = 500
FAQ_MAX_EXAMPLES = 50  # example questions one rule may hold
FAQ_MAX_ANSWER_CHARS = 5000
_PROBE_REPEAT = 40  # a probe string's length: catastrophic backtracking doubles its work with each character


def bad(key: str, value: Any, zh_need: str, en_need: str) -> NoReturn:
    shown = repr(value)
    shown = shown if len(shown) <= 80 else f"{shown[:60]}…({len(shown)} chars)"
    raise ConfigError(f"设置项 {key} 的值 {shown} 无效，应为{zh_need}",
                      f"setting {key} has invalid value {shown}; expected {en_need}")


def check_value(f: dataclasses.Field, value: Any) -> Any:
    """One setting against its type, bounds (numbers finite), choices and maximum length; returns it."""
    kind: Any = {"str": str, "int": int, "float": float, "bool": bool, "list": list}[str(f.type)]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
        bad(f.name, value, f"{f.type} 类型", f"a value of type {f.type}")
    if kind is float and not math.isfinite(value):
        bad(f.name, value, "有限的数（不能是 NaN 或无穷大）", "a finite number (not NaN or infinity)")
    meta = f.metadata
    if meta["min"] is not None and value < meta["min"]:
        bad(f.name, value, f"不小于 {meta['min']} 的数", f"a number >= {meta['min']}")
    if meta["max"] is not None and value > meta["max"]:
        bad(f.name, value, f"不大于 {meta['max']} 的数", f"a number <= {meta['max']}")
    if meta["max_len"] is not None and len(value) > meta["max_len"]:
        bad(f.name, value, f"不超过 {meta['max_len']} 个字符（项）", f"at most {meta['max_len']} characters (items)")
    if meta["choices"] and value not in meta["choices"]:
        bad(f.name, value, "、".join(meta["choices"]) + " 之一", "one of " + ", ".join(meta["choices"]))
    return value


_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f]")  # whitespace and control characters (a pasted newline)


def check_url(key: str, value: str) -> str:
    """A server's base address: http(s), a host (an IPv6 one in whole brackets), a valid port, no spaces or control
    characters, no query or fragment (the app appends paths to it). Returns it; ConfigError in words if not."""
    need_zh = "以 http:// 或 https:// 开头、不含空格和换行的服务器地址，例如 http://127.0.0.1:8080/v1"
    need_en = "a server address starting with http:// or https://, without spaces or line breaks, e.g. " \
              "http://127.0.0.1:8080/v1"
    if _URL_UNSAFE.search(value) or not re.match(r"^https?://", value, re.IGNORECASE):
        bad(key, value, need_zh, need_en)
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a port that is not a number in 0..65535
    except ValueError as exc:
        bad(key, value, f"{need_zh}（{exc}）", f"{need_en} ({exc})")
    if not parts.hostname or parts.query or parts.fragment or "?" in value or "#" in value or port == 0:
        bad(key, value, need_zh, need_en)
    return value


def check_faq_rule(i: int, rule: Any) -> None:
    key = f"faq_rules[{i}]"
    if not isinstance(rule, dict) or not isinstance(rule.get("answer"), str):
        bad(key, rule, "含 answer 文本的规则", "a rule with a text 'answer'")
    if rule.get("match", "contains") not in FAQ_MATCH_KINDS:
        bad(f"{key}.match", rule.get("match"), "examples、exact、contains、regex 之一",
            "one of examples, exact, contains, regex")
    if rule.get("match") == "examples":
        examples = rule.get("examples")
        if not isinstance(examples, list) or not examples or not all(isinstance(e, str) and e.strip()
                                                                      for e in examples):
            bad(f"{key}.examples", examples, "至少一个客户问法的列表", "a list of at least one example question")
        if len(examples) > FAQ_MAX_EXAMPLES or any(len(e) > FAQ_MAX_PATTERN_CHARS for e in examples):
            bad(f"{key}.examples", examples, f"最多 {FAQ_MAX_EXAMPLES} 个问法，每个不超过 {FAQ_MAX_PATTERN_CHARS} 个字符",
                f"at most {FAQ_MAX_EXAMPLES} examples of at most {FAQ_MAX_PATTERN_CHARS} characters")
    elif not isinstance(rule.get("pattern"), str) or not rule["pattern"]:
        bad(key, rule, "含 pattern 和 answer 文本的规则", "a rule with text 'pattern' and 'answer'")
    elif len(rule["pattern"]) > FAQ_MAX_PATTERN_CHARS:
        bad(f"{key}.pattern", rule["pattern"], f"不超过 {FAQ_MAX_PATTERN_CHARS} 个字符",
            f"at most {FAQ_MAX_PATTERN_CHARS} characters")
    if len(rule["answer"]) > FAQ_MAX_ANSWER_CHARS:
        bad(f"{key}.answer", rule["answer"], f"不超过 {FAQ_MAX_ANSWER_CHARS} 个字符",
            f"at most {FAQ_MAX_ANSWER_CHARS} characters")
    if rule.get("match") == "regex":
        try:
            compiled = regex.compile(rule["pattern"])
        except regex.error as exc:
            bad(f"{key}.pattern", rule["pattern"], f"合法的正则表达式（{exc}）", f"a valid regular expression ({exc})")
        if backtracks(compiled):
            bad(f"{key}.pattern", rule["pattern"], "不会灾难性回溯的正则表达式（例如不要写 (a|aa)+$ 这样的嵌套重复）",
                "a regular expression without catastrophic backtracking (no nested repeats like (a|aa)+$)")


def backtracks(compiled: regex.Pattern) -> bool:
    """True when a short hostile message makes the pattern search past the timeout: runs of the pattern's
    own characters (and a few common ones) followed by a character that breaks the match."""
    seeds = {ch for ch in compiled.pattern if ch.isalnum()} | {"a", "0", " ", "中"}
    for seed in sorted(seeds)[:24]:
        for tail in ("!", "\n", ""):
            try:
                compiled.search(seed * _PROBE_REPEAT + tail, timeout=FAQ_REGEX_TIMEOUT)
            except TimeoutError:
                return True
    return False


def parse_json(text: str, where: str) -> Any:
    """JSON from a settings file or a WXBOT_* value, refused readably when too big or too deeply nested."""
    if len(text) > JSON_MAX_BYTES:
        raise ConfigError(f"{where} 太大（{len(text)} 字符，最多 {JSON_MAX_BYTES}）",
                          f"{where} is too large ({len(text)} characters; at most {JSON_MAX_BYTES})")
    try:
        value = json.loads(text)
    except RecursionError:
        value = None
        depth = JSON_MAX_DEPTH + 1
    except ValueError as exc:
        raise ConfigError(f"{where} 无法解析：{exc}", f"{where} does not parse: {exc}") from exc
    else:
        depth = _depth(value)
    if depth > JSON_MAX_DEPTH:
        raise ConfigError(f"{where} 嵌套太深（最多 {JSON_MAX_DEPTH} 层）",
                          f"{where} is nested too deeply (at most {JSON_MAX_DEPTH} levels)")
    return value


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest
