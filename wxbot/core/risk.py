"""Signals that WeChat's risk control is looking at the account: the bot stops and tells the owner; and the
notice every owner reads once before the first start."""

from __future__ import annotations

from wxbot.settings import Settings

_WARNING_WORDS = ("违规", "异常", "限制", "封号", "封禁", "风险", "安全提醒", "外挂", "unusual", "restricted",
                  "violation", "suspended")


def is_risk_warning(text: str) -> bool:
    """A message from the `weixin` team account that reads like a security warning."""
    low = text.lower()
    return any(word in low for word in _WARNING_WORDS)


def risk_notice(settings: Settings) -> list[str]:
    """The first-start notice, paragraph by paragraph (Chinese, then English), with the pacing in numbers."""
    s = settings
    return [
        "使用前请注意：wxbot 通过网页版微信协议自动回复消息。微信可能限制或封禁使用自动化工具的账号，建议使用小号而不是主账号。",
        f"默认节奏：同一联系人两次回复至少间隔 {s.min_seconds_between_replies:g} 秒；每分钟最多 "
        f"{s.max_replies_per_minute} 条；每天最多 {s.max_replies_per_day} 条。可以在“设置”中调整。",
        "Before you start: wxbot answers through the web WeChat protocol. WeChat may restrict or ban accounts that "
        "use automation; a secondary account is safer than your main one.",
        f"Default pacing: at least {s.min_seconds_between_replies:g} s between replies to one contact, at most "
        f"{s.max_replies_per_minute} replies a minute and {s.max_replies_per_day} a day. Change them in Settings.",
    ]
