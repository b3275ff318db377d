"""Owner commands sent to File Transfer Helper from the phone: #pause, #resume, #status (all or one contact)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from wxbot.core.contacts import ContactEntry, ContactRules

FOREVER = 10 * 365 * 86400  # a pause by command lasts until #resume

_VERBS = {
    "#pause": "pause", "#暂停": "pause",
    "#resume": "resume", "#恢复": "resume", "#继续": "resume",
    "#status": "status", "#状态": "status",
}

HELP = "可用命令 commands: #pause [联系人], #resume [联系人], #status [联系人]"


@dataclass(frozen=True)
class Command:
    verb: str  # pause | resume | status
    target: str  # contact name, or "" for everyone


def parse_command(text: str) -> Command | None:
    head, _, rest = text.strip().partition(" ")
    verb = _VERBS.get(head.lower())
    return Command(verb, rest.strip()) if verb else None


class BotControl(Protocol):
    """What a command may do to the running bot."""

    @property
    def paused(self) -> bool: ...

    def set_paused(self, paused: bool) -> None: ...

    def replies_today(self) -> int: ...


def run_command(cmd: Command, bot: BotControl, rules: ContactRules,
                find: Callable[[str], list[ContactEntry]], clock: Callable[[], float] = time.time) -> str:
    """Carry out one owner command and return the answer to send back to File Transfer Helper."""
    if not cmd.target:
        if cmd.verb == "pause":
            bot.set_paused(True)
            return "已暂停全部自动回复 (auto-reply paused for everyone)"
        if cmd.verb == "resume":
            bot.set_paused(False)
            return "已恢复自动回复 (auto-reply resumed)"
        state = "已暂停 paused" if bot.paused else "运行中 running"
        return f"状态 status: {state}；今日回复 replies today: {bot.replies_today()}"
    matches = find(cmd.target)
    if not matches:
        return f"找不到联系人「{cmd.target}」(no contact named {cmd.target})"
    if len(matches) > 1:
        return f"有 {len(matches)} 个联系人叫「{cmd.target}」，请用备注名区分 ({len(matches)} contacts share that name)"
    entry = matches[0]
    if cmd.verb == "pause":
        rules.set_paused_until(entry.contact_id, clock() + FOREVER)
        return f"已暂停对「{entry.name}」的自动回复 (paused)"
    if cmd.verb == "resume":
        rules.set_paused_until(entry.contact_id, None)
        return f"已恢复对「{entry.name}」的自动回复 (resumed)"
    on = rules.auto_reply(entry.contact_id, entry.kind)
    paused = rules.paused_until(entry.contact_id) > clock()
    return (f"「{entry.name}」：自动回复 {'开 on' if on else '关 off'}"
            f"{'，已暂停 paused' if paused else ''}")
