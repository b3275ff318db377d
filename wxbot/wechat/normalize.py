"""Turns itchat's processed message dicts into the bot's normalized Message, one at a time: a message that
can't be understood is skipped by id (never retried, never stopping the rest of its batch)."""

from __future__ import annotations

import math
import re
from typing import Any

from loguru import logger

from wxbot.messages import MEDIA_KINDS, ChatKind, ContactKind, Message, MsgKind
from wxbot.wechat.models import SPECIAL_NAMES, kind_of, text_of

_KINDS = {  # itchat's "Type" -> our kind
    "Text": MsgKind.TEXT, "Map": MsgKind.OTHER, "Picture": MsgKind.IMAGE, "Recording": MsgKind.VOICE,
    "Video": MsgKind.VIDEO, "Sharing": MsgKind.LINK, "Attachment": MsgKind.FILE, "Note": MsgKind.SYSTEM,
    "Card": MsgKind.OTHER, "Friends": MsgKind.OTHER,
}
# MsgTypes itchat marks "Useless"/"System" on purpose (VoIP notices, phone init 51, system notices): dropped quietly.
_IGNORED_TYPES = {40, 50, 51, 52, 53, 9999}
# Far more than a person can type into one WeChat message; bounds memory and the store against a hostile sync.
MAX_TEXT_CHARS = 65_536
# A login's UserNames: "@" + hex for people and public accounts, "@@" + hex for groups (fixed words for specials).
_USER_NAME = re.compile(r"@@?[0-9A-Za-z]+")


class Unreadable(ValueError):
    """A raw message the bot cannot understand (missing or wrongly typed fields, no real sender)."""


def to_message(msg: dict[str, Any], own_user_name: str, public_names: set[str]) -> Message | None:
    """The normalized message; None for kinds the bot ignores; raises Unreadable for garbage."""
    kind = _KINDS.get(msg.get("Type")) if isinstance(msg.get("Type"), str) else None
    if kind is None:
        if msg.get("MsgType") in _IGNORED_TYPES:
            return None
        raise Unreadable("unknown type")
    msg_id = msg.get("MsgId")
    if isinstance(msg_id, bool) or not isinstance(msg_id, (str, int)) or not str(msg_id).strip():
        raise Unreadable("no message id")
    from_self = msg.get("FromUserName") == own_user_name
    contact_id = msg.get("ToUserName") if from_self else msg.get("FromUserName")
    if not is_user_name(contact_id, own_user_name):
        raise Unreadable("from nobody")  # never answered, never a contact
    contact_kind = kind_of(contact_id, own_user_name, public_names)
    is_group = contact_kind is ContactKind.GROUP
    # Text-like kinds carry words; voice and pictures carry itchat's download function in "Text", passed on
    # (the channel bounds it) so the bot can read them off the receive thread.
    raw_text = msg.get("Text")
    media = raw_text if kind in MEDIA_KINDS and callable(raw_text) else None
    text = _text(raw_text) if kind is not MsgKind.OTHER and media is None else ""
    user = msg.get("User") if isinstance(msg.get("User"), dict) else {}
    display = _text(user.get("RemarkName")) or _text(user.get("NickName")) or SPECIAL_NAMES.get(contact_id, "")
    return Message(
        msg_id=str(msg_id), contact_id=contact_id, display_name=display,
        chat=ChatKind.GROUP if is_group else ChatKind.PRIVATE, text=text,
        time=_seconds(msg.get("CreateTime")), kind=kind,
        sender_name=_text(msg.get("ActualNickName")) if is_group and kind is not MsgKind.SYSTEM else "",
        is_at=msg.get("IsAt") is True if is_group else False, from_self=from_self, contact_kind=contact_kind,
        media=media,
    )


def is_user_name(name: object, own_user_name: str) -> bool:
    """A real sender or chat of this login: its own name, a special account or an @-name."""
    return isinstance(name, str) and (name == own_user_name or name in SPECIAL_NAMES
                                      or _USER_NAME.fullmatch(name) is not None)


def skip_unreadable(raw: object, exc: BaseException) -> None:
    """Log (by id, never by content) a raw message that is skipped because it can't be understood."""
    ids = [raw.get(key) for key in ("MsgId", "NewMsgId")] if isinstance(raw, dict) else []
    usable = [str(i)[:32] for i in ids if isinstance(i, (str, int)) and not isinstance(i, bool) and str(i).strip()]
    shown = usable[0] if usable else "(no id)"
    logger.warning("unreadable message {} skipped ({}: {})", shown, type(exc).__name__,
                   exc if isinstance(exc, Unreadable) else "malformed fields")


def _text(value: object) -> str:
    """Text as stored and answered: lone surrogates (a cut emoji) become U+FFFD, the length is bounded."""
    return text_of(value)[:MAX_TEXT_CHARS]


def _seconds(value: object) -> float:
    """CreateTime as epoch seconds; a missing one reads as 0 (so the message counts as old, stored, not answered)."""
    if value is None or value == "":
        return 0.0
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError) as exc:
        raise Unreadable("bad CreateTime") from exc
    if not math.isfinite(seconds):
        raise Unreadable("bad CreateTime")
    return seconds
