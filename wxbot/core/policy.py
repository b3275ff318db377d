"""Who gets a reply: never ourselves, public accounts, system notes or filehelper; groups only when
@-mentioned and not off; private contacts per their mode (off | draft | auto); paused contacts (human takeover) not at all."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from wxbot.core.contacts import ContactRules
from wxbot.messages import ContactKind, Message, MsgKind, ReplyMode
from wxbot.settings import Settings

FILEHELPER = "filehelper"

# WeChat puts U+2005 (four-per-em space) after every @mention; itchat relies on the same fact.
_MENTION = re.compile(r"@[^\s@\u2005]{1,40}(\u2005|$)")


@dataclass(frozen=True)
class Decision:
    answer: bool
    reason: str  # why not, or "ok" / "non_text" / "command" / "takeover"
    text: str = ""  # the question as the model should see it (mention stripped)
    mode: ReplyMode = ReplyMode.OFF  # an answer is sent (auto) or held for the owner (draft)


def strip_mentions(text: str, own_names: tuple[str, ...] = ()) -> str:
    """Remove @mentions (the bot's own names also when WeChat used a plain space after them)."""
    for name in own_names:
        if name:
            text = re.sub(re.escape("@" + name) + r"(\u2005| |$)", " ", text)
    return " ".join(_MENTION.sub(" ", text).split())


class ReplyPolicy:
    def __init__(self, settings: Settings, rules: ContactRules, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.rules = rules
        self.clock = clock

    def decide(self, msg: Message, own_names: tuple[str, ...] = ()) -> Decision:
        if msg.from_self:
            if msg.contact_id == FILEHELPER and msg.text.strip().startswith("#"):
                return Decision(False, "command", msg.text.strip())
            return Decision(False, "takeover")
        if msg.contact_kind is ContactKind.SELF:
            return Decision(False, "self")
        if msg.contact_id == FILEHELPER or msg.contact_kind is ContactKind.SPECIAL:
            return Decision(False, "special_account")
        if msg.contact_kind is ContactKind.PUBLIC:
            return Decision(False, "public_account")
        if msg.kind is MsgKind.SYSTEM:
            return Decision(False, "system_message")
        if msg.is_group and not msg.is_at:
            return Decision(False, "group_not_mentioned")
        kind = ContactKind.GROUP if msg.is_group else msg.contact_kind
        mode = self.rules.mode(msg.contact_id, kind)
        if mode is ReplyMode.OFF:
            return Decision(False, "auto_reply_off")
        if self.rules.paused_until(msg.contact_id) > self.clock():
            return Decision(False, "paused")
        if msg.kind is not MsgKind.TEXT:
            if self.settings.non_text_reply:
                return Decision(True, "non_text", "", mode)
            return Decision(False, "non_text")
        text = strip_mentions(msg.text, own_names) if msg.is_group else msg.text.strip()
        if not text:
            return Decision(False, "empty")
        return Decision(True, "ok", text, mode)

    def take_over(self, contact_id: str) -> float:
        """The owner wrote to this contact by hand: pause it for takeover_minutes. Returns the end time."""
        until = self.clock() + self.settings.takeover_minutes * 60
        if self.settings.takeover_minutes:
            self.rules.set_paused_until(contact_id, until)
        return until
