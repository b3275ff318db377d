"""Owner commands sent to File Transfer Helper from the phone: #pause, #resume, #status (all or one contact)
a contact's reply mode (#on = auto, #draft = the owner approves each reply, #off), and the words of the draft
commands (#ok N, #no N, #edit N text, #faq N, #note N) that the draft desk carries out."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from wxbot.core.contacts import ContactEntry, ContactRules
from wxbot.messages import ContactKind, ReplyMode, StrState

FOREVER = 10 * 365 * 86400  # a pause by command lasts until #resume


class Verb(StrState):
    PAUSE = "pause"
    RESUME = "resume"
    STATUS = "status"
    AUTO = "auto"  # #on NAME
    OFF = "off"
    DRAFT = "draft"
    OK = "ok"  # send draft N as written
    NO = "no"  # reject draft N
    EDIT = "edit"  # send draft N with the owner's text instead
    KEEP_FAQ = "keep_faq"  # keep sent draft N's answer as an FAQ rule
    KEEP_NOTE = "keep_note"  # … or as a knowledge-base note
    DONE = "done"  # #done NAME: the owner dealt with a contact waiting for them (handoff)


_VERBS = {
    "#pause": Verb.PAUSE, "#暂停": Verb.PAUSE,
    "#resume": Verb.RESUME, "#恢复": Verb.RESUME, "#继续": Verb.RESUME,
    "#status": Verb.STATUS, "#状态": Verb.STATUS,
    "#on": Verb.AUTO, "#开": Verb.AUTO, "#开启": Verb.AUTO, "#自动": Verb.AUTO,
    "#off": Verb.OFF, "#关": Verb.OFF, "#关闭": Verb.OFF,
    "#draft": Verb.DRAFT, "#草稿": Verb.DRAFT,
    "#ok": Verb.OK, "#发": Verb.OK, "#发送": Verb.OK, "#同意": Verb.OK,
    "#no": Verb.NO, "#不": Verb.NO, "#放弃": Verb.NO, "#拒绝": Verb.NO,
    "#edit": Verb.EDIT, "#改": Verb.EDIT, "#修改": Verb.EDIT,
    "#faq": Verb.KEEP_FAQ, "#问答": Verb.KEEP_FAQ,
    "#note": Verb.KEEP_NOTE, "#笔记": Verb.KEEP_NOTE,
    "#done": Verb.DONE, "#处理完": Verb.DONE, "#完成": Verb.DONE,
}
MODE_VERBS = {Verb.AUTO: ReplyMode.AUTO, Verb.OFF: ReplyMode.OFF, Verb.DRAFT: ReplyMode.DRAFT}
DRAFT_VERBS = (Verb.OK, Verb.NO, Verb.EDIT, Verb.KEEP_FAQ, Verb.KEEP_NOTE)  # carried out by the draft desk
SLOW_VERBS = (Verb.KEEP_FAQ, Verb.KEEP_NOTE)  # knowledge-base or settings work: off the dispatcher
MODE_WORDS = {ReplyMode.OFF: "关 off", ReplyMode.DRAFT: "草稿 draft", ReplyMode.AUTO: "自动 auto"}

HELP = ("可用命令 commands: #pause [联系人], #resume [联系人], #status [联系人], "
        "#on 联系人 (自动回复 auto), #draft 联系人 (草稿 drafts), #off 联系人 (关 off); "
        "草稿 drafts: #ok 编号, #no 编号, #edit 编号 新内容; 等你处理 waiting: #done 联系人")


@dataclass(frozen=True)
class Command:
    verb: Verb
    target: str  # contact name, or "" for everyone; for draft verbs the number (and #edit's new text)


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


def pick_contact(name: str, find: Callable[[str], list[ContactEntry]]) -> ContactEntry | str:
    """The one contact called ``name``, or the sentence saying why there is none."""
    matches = find(name)
    if not matches:
        return f"找不到联系人「{name}」(no contact named {name})"
    if len(matches) > 1:
        return f"有 {len(matches)} 个联系人叫「{name}」，请用备注名区分 ({len(matches)} contacts share that name)"
    return matches[0]


def set_mode_by_name(name: str, mode: ReplyMode, rules: ContactRules,
                     find: Callable[[str], list[ContactEntry]]) -> str:
    """Switch one contact or group to ``mode``; the answer says what happened (or why nothing did)."""
    entry = pick_contact(name, find)
    if isinstance(entry, str):
        return entry
    rules.set_mode(entry.contact_id, mode)
    note = "（群里只回复 @我 的消息 groups: only @-mentions）" if entry.kind is ContactKind.GROUP and mode is not ReplyMode.OFF else ""
    return f"「{entry.name}」：{MODE_WORDS[mode]}{note}"


def run_command(cmd: Command, bot: BotControl, rules: ContactRules,
                find: Callable[[str], list[ContactEntry]], clock: Callable[[], float] = time.time) -> str:
    """Carry out one owner command and return the answer to send back to File Transfer Helper."""
    if cmd.verb in MODE_VERBS:
        return set_mode_by_name(cmd.target, MODE_VERBS[cmd.verb], rules, find) if cmd.target else HELP
    if not cmd.target:
        if cmd.verb is Verb.PAUSE:
            bot.set_paused(True)
            return "已暂停全部自动回复 (auto-reply paused for everyone)"
        if cmd.verb is Verb.RESUME:
            bot.set_paused(False)
            return "已恢复自动回复 (auto-reply resumed)"
        state = "已暂停 paused" if bot.paused else "运行中 running"
        return f"状态 status: {state}；今日回复 replies today: {bot.replies_today()}"
    entry = pick_contact(cmd.target, find)
    if isinstance(entry, str):
        return entry
    if cmd.verb is Verb.PAUSE:
        rules.set_paused_until(entry.contact_id, clock() + FOREVER)
        return f"已暂停对「{entry.name}」的自动回复 (paused)"
    if cmd.verb is Verb.RESUME:
        rules.set_paused_until(entry.contact_id, None)
        return f"已恢复对「{entry.name}」的自动回复 (resumed)"
    mode = rules.mode(entry.contact_id, entry.kind)
    paused = rules.paused_until(entry.contact_id) > clock()
    return f"「{entry.name}」：{MODE_WORDS[mode]}{'，已暂停 paused' if paused else ''}"
