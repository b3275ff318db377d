"""The WeChat transport: itchat-uos behind a small channel interface, plus the hot-reload session."""

from wxbot.wechat.channel import WeChatChannel
from wxbot.wechat.itchat_core import Timeouts
from wxbot.wechat.models import Account, Contact
from wxbot.wechat.session import SessionFile

__all__ = ["Account", "Contact", "SessionFile", "Timeouts", "WeChatChannel"]
