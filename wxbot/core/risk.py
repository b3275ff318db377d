"""Signals that WeChat's risk control is looking at the account: the bot stops and tells the owner."""

from __future__ import annotations

# synccheck retcodes that end a web session: 1100 logged out on the phone, 1101 kicked/another login,
# 1102 session invalid — reported right before restrictions (CoW #2486, ItChat-UOS #35).
RISK_RETCODES = {"1100", "1101", "1102"}

_WARNING_WORDS = ("违规", "异常", "限制", "封号", "封禁", "风险", "安全提醒", "外挂", "unusual", "restricted",
                  "violation", "suspended")


def is_risk_warning(text: str) -> bool:
    """A message from the `weixin` team account that reads like a security warning."""
    low = text.lower()
    return any(word in low for word in _WARNING_WORDS)
