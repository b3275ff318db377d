"""Text from outside (contact names, file names, messages, imported files) made harmless where it is stored,
printed or exported: a NUL or a terminal escape in a nickname must not recolour a terminal, move its cursor,
hide a line or reverse the text around it."""

from __future__ import annotations

import re

# C0 and C1 control characters and DEL, plus the bidirectional overrides that reorder what a reader sees
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # tab and \n kept
_JSON_UNESCAPED = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # json.dumps escapes C0 itself
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula
_IMPORT_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # whitespace (tab, line breaks, \v, \f) kept


def drop_controls(text: str) -> str:
    """Imported text without its control characters other than whitespace (a NUL, an escape, a bell)."""
    return _IMPORT_DROPPED.sub("", text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: str, *, lines: bool = False) -> str:
    """``text`` safe to print or export: every control character written as a visible escape (``\\x1b``);
    a tab and a line break stay when ``lines`` (a message's text), and are escaped too in a name."""
    return (_LINE_CONTROLS if lines else _CONTROLS).sub(_escape, text)


def json_escaped(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with DEL, C1 controls and bidi overrides written as
    ``\\u`` escapes as well: the same data, harmless when the file is printed."""
    return _JSON_UNESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def csv_cell(text: str) -> str:
    """A cell a spreadsheet opens as text: one starting with = + - @ (or a tab, a CR) gets a leading '."""
    return f"'{text}" if text.startswith(_FORMULA_LEADS) else text
