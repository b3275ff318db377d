"""Turns itchat's processed message dicts into the bot's normalized Message."""

from __future__ import annotations

from typing import Any

from wxbot.messages import ChatKind, ContactKind, Message, MsgKind
from wxbot.wechat.models import SPECIAL_NAMES, kind_of

_KINDS = {  # itchat's "Type" -> our kind; types not listed (phone-init 51, "Useless") are dropped
    "Text": MsgKind.TEXT, "Map": MsgKind.OTHER, "Picture": MsgKind.IMAGE, "Recording": MsgKind.VOICE,
    "Video": MsgKind.VIDEO, "Sharing": MsgKind.LINK, "Attachment": MsgKind.FILE, "Note": MsgKind.SYSTEM,
    "Card": MsgKind.OTHER, "Friends": MsgKind.OTHER,
}


def to_message(msg: dict[str, Any], own_user_name: str, public_names: set[str]) -> Message | None:
    kind = _KINDS.get(msg.get("Type", ""))
    if kind is None or "MsgId" not in msg:
        return None
    from_self = msg["FromUserName"] == own_user_name
    contact_id = msg["ToUserName"] if from_self else msg["FromUserName"]
    contact_kind = kind_of(contact_id, own_user_name, public_names)
    is_group = contact_kind is ContactKind.GROUP
    # Text-like kinds carry words; media kinds carry a download function in "Text", never passed on.
    text = msg["Text"] if isinstance(msg.get("Text"), str) and kind is not MsgKind.OTHER else ""
    user = msg.get("User") or {}
    display = user.get("RemarkName") or user.get("NickName") or SPECIAL_NAMES.get(contact_id, "")
    return Message(
        msg_id=str(msg["MsgId"]), contact_id=contact_id, display_name=display,
        chat=ChatKind.GROUP if is_group else ChatKind.PRIVATE, text=text,
        time=float(msg.get("CreateTime") or 0), kind=kind,
        sender_name=(msg.get("ActualNickName") or "") if is_group and kind is not MsgKind.SYSTEM else "",
        is_at=bool(msg.get("IsAt")) if is_group else False, from_self=from_self, contact_kind=contact_kind,
    )
