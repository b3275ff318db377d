"""The owner's desk of drafts: replies made exactly like automatic ones that wait until the owner sends,
edits or rejects them — in the window or from the phone (#ok N, #no N, #edit N text) — and that go stale
correctly (a newer message merges into a new draft, the owner writing by hand discards, old ones expire).

Approving is one atomic change in the store, so two approvals of one draft send it once; the send itself
goes through the bot's pacing and exactly-once path (``send``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from loguru import logger

from wxbot.core.commands import Command, Verb
from wxbot.core.draftnotice import DraftNote, NoticeBatcher
from wxbot.core.mediatext import owner_note
from wxbot.core.textsplit import split_reply
from wxbot.errors import WxbotError
from wxbot.events import DraftDecided, DraftsChanged, Notice, NoticeLevel
from wxbot.messages import Actor, Draft, DraftState, DraftWhy, Message, OpKind, Reply, StrState
from wxbot.settings import Settings

_WHY_NOT = {
    DraftState.SENDING: ("正在发送", "is being sent"), DraftState.SENT: ("已发送", "was sent"),
    DraftState.REJECTED: ("已放弃", "was rejected"), DraftState.DISCARDED: ("你已亲自回复，已作废", "is void: you replied by hand"),
    DraftState.EXPIRED: ("已过期", "expired"), DraftState.FAILED: ("发送失败", "failed to send"),
}


MAX_NUMBER_DIGITS = 12  # a draft number longer than this names no draft


class Keep(StrState):
    """Where a corrected answer is kept so the same question is answered right next time."""

    FAQ = "faq"
    NOTE = "note"


class DraftStore(Protocol):
    def draft_add(self, reply: Reply, *, replaces: int | None = None, at: float | None = None,
                  why: str = "") -> Draft | None: ...

    def draft_get(self, draft_id: int) -> Draft | None: ...

    def drafts_pending(self) -> list[Draft]: ...

    def drafts_pending_count(self) -> int: ...

    def draft_pending_for(self, contact_id: str) -> Draft | None: ...

    def draft_messages(self, draft: Draft) -> list[Message]: ...

    def draft_claim(self, draft_id: int, text: str | None = None) -> Draft | None: ...

    def draft_close(self, draft_id: int, state: DraftState, reason: str = "",
                    from_states: Sequence[DraftState] = (DraftState.PENDING,)) -> Draft | None: ...

    def drafts_recover(self) -> list[int]: ...


class DraftDesk:
    """``send(draft)`` queues an approved draft on the bot's send path; ``regenerate(draft)`` queues a new
    draft for its messages; ``notify(text)`` writes to File Transfer Helper; ``keep(kind, question, answer)``
    (set by whoever owns FAQ rules and notes) stores a correction."""

    def __init__(self, settings: Settings, store: DraftStore, *, send: Callable[[Draft], None],
                 regenerate: Callable[[Draft], None], notify: Callable[[str], object],
                 name_of: Callable[[str], str], on_event: Callable[[object], None],
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.store = store
        self.send = send
        self.regenerate_for = regenerate
        self.notify = notify
        self.name_of = name_of
        self.on_event = on_event
        self.clock = clock
        self.keep: Callable[[Keep, str, str], None] | None = None
        self.notices = NoticeBatcher(lambda: self.settings.draft_notice_seconds, notify, self._pending)
        self._expiry: threading.Timer | None = None
        self._lock = threading.Lock()
        self._interrupted = ""  # the line telling the phone which approved drafts a restart failed

    # ------------------------------------------------------------------ the bot's side
    def recover(self) -> None:
        """At start-up: drafts caught mid-send are failed (never resent: they may have reached WeChat) and the
        owner, who was told they were being sent, is told which (the window now, the phone once logged in);
        pending ones wait on, or expire."""
        failed = self.store.drafts_recover()
        if failed:
            numbers = "、".join(f"#{n}" for n in failed)
            self._interrupted = (f"草稿 {numbers} 发送时 wxbot 被关闭或崩溃，可能没有发出，不会自动重发，请查看对话后手动补发 "
                                 f"(drafts {numbers} were interrupted while sending: they may not have been sent and "
                                 "are not sent again; check the chat and send by hand)")
            self.on_event(Notice(NoticeLevel.WARNING, self._interrupted))
            self._changed()
        self.expire_due()

    def tell_interrupted(self) -> None:
        """Logged in: the phone gets the line about drafts a restart failed, once."""
        text, self._interrupted = self._interrupted, ""
        if text:
            self.notify(text)

    def carried(self, contact_id: str) -> tuple[int | None, list[Message]]:
        """The contact's pending draft and the messages it answers: a new message merges into a new draft."""
        draft = self.store.draft_pending_for(contact_id)
        return (draft.id, self.store.draft_messages(draft)) if draft else (None, [])

    def hold(self, reply: Reply, replaces: int | None = None, why: DraftWhy = DraftWhy.REVIEW) -> Draft | None:
        """Keep a reply as a draft for the owner (replacing an older one of the same contact) and tell them why."""
        draft = self.add(reply, replaces, why)
        if draft is not None:
            self.announce(draft)
        return draft

    def add(self, reply: Reply, replaces: int | None = None, why: DraftWhy = DraftWhy.REVIEW) -> Draft | None:
        """Store a reply as a draft, telling nobody yet. None: nothing held, because its messages were answered
        meanwhile, or the draft it was to replace was approved or rejected first (the reply answers that
        draft's questions again)."""
        return self.store.draft_add(reply, replaces=replaces, at=self.clock(), why=why)

    def announce(self, draft: Draft) -> None:
        """Tell the window and the phone about a new draft."""
        name = self.name_of(draft.contact_id)
        # what a voice message or picture said is read before the window hears of the draft, so its notice is
        # queued right after (as fast as before)
        note = DraftNote(draft.id, name, draft.text, owner_note(self.store.draft_messages(draft)),
                         DraftWhy.of(draft.reason))
        self._changed(new=draft.id, contact=name)
        if self.settings.draft_notices:
            self.notices.add(note)
        self._arm_expiry()

    def discard_for(self, contact_id: str) -> None:
        """The owner wrote to the contact by hand: their pending draft is void."""
        draft = self.store.draft_pending_for(contact_id)
        if draft and self.store.draft_close(draft.id, DraftState.DISCARDED, "takeover"):
            logger.info("draft {} discarded: the owner took over {}", draft.id, contact_id)
            self._changed()

    def finished(self, draft: Draft, state: DraftState, reason: str = "") -> None:
        """The send path reports the outcome of an approved draft: sent, or failed (with why)."""
        self.store.draft_close(draft.id, state, reason, (DraftState.SENDING,))
        self._changed()

    # ------------------------------------------------------------------ the owner's side (window and phone)
    def pending(self) -> list[Draft]:
        return self.store.drafts_pending()

    def approve(self, draft_id: int, text: str | None = None, by: Actor = Actor.WINDOW) -> str:
        """Send draft N as it is, or with the owner's ``text`` instead. The answer says what happened."""
        if text is not None and not text.strip():
            return "修改后的内容是空的，没有发送 (the edited text is empty: nothing sent)"
        if text is not None and (parts := self._parts(text.strip())) > self.settings.max_reply_parts:
            return (f"修改后的内容太长：要分成 {parts} 条微信消息，最多 {self.settings.max_reply_parts} 条，没有发送，请缩短后再发 "
                    f"(the edited text would take {parts} WeChat messages, more than max_reply_parts = "
                    f"{self.settings.max_reply_parts}: nothing sent)")
        before = self.store.draft_get(draft_id)
        edited = text is not None and before is not None and text.strip() != before.text
        draft = self.store.draft_claim(draft_id, text.strip() if edited and text is not None else None)
        if draft is None:
            return self._why_not(draft_id)
        self.send(draft)
        self._changed()
        self._decided(OpKind.DRAFT_EDITED if edited else OpKind.DRAFT_APPROVED, by, draft)
        name = self.name_of(draft.contact_id)
        zh, en = f"草稿 #{draft_id} 正在发送给「{name}」", f"draft #{draft_id} is being sent to {name}"
        if edited:
            zh += f"。要记住这个答案吗？回复 #faq {draft_id} 存为常见问题，#note {draft_id} 存为知识库笔记"
            en += f". Keep this answer? #faq {draft_id} keeps it as an FAQ rule, #note {draft_id} as a note"
        return f"{zh} ({en})"

    def reject(self, draft_id: int, by: Actor = Actor.WINDOW) -> str:
        draft = self.store.draft_close(draft_id, DraftState.REJECTED, "draft_rejected")
        if draft is None:
            return self._why_not(draft_id)
        self._changed()
        self._decided(OpKind.DRAFT_REJECTED, by, draft)
        return f"草稿 #{draft_id} 已放弃，不会发送 (draft #{draft_id} rejected: nothing was sent)"

    def regenerate(self, draft_id: int) -> str:
        draft = self.store.draft_get(draft_id)
        if draft is None or draft.state is not DraftState.PENDING:
            return self._why_not(draft_id)
        self.regenerate_for(draft)
        return f"正在重写草稿 #{draft_id} (writing draft #{draft_id} again)"

    def keep_correction(self, draft_id: int, kind: Keep) -> str:
        """Keep an approved draft's answer (the owner's corrected words) as an FAQ rule or a knowledge-base note."""
        draft = self.store.draft_get(draft_id)
        if draft is None or draft.state not in (DraftState.SENDING, DraftState.SENT):
            return f"草稿 #{draft_id} 还没有发送，不能保存 (draft #{draft_id} is not sent yet: only a sent draft can be kept)"
        question = "\n".join(m.text.strip() for m in self.store.draft_messages(draft) if m.text.strip())
        if self.keep is None or not question:
            return "现在不能保存 (nothing to keep it in now)"
        try:
            self.keep(kind, question, draft.text)
        except WxbotError as err:
            return str(err)
        where, where_en = ("常见问题", "an FAQ rule") if kind is Keep.FAQ else ("知识库笔记", "a knowledge-base note")
        return f"已保存为{where}：下次同样的问题会这样回答 (kept as {where_en}: the same question gets this answer)"

    def command(self, cmd: Command) -> str:
        """#ok N, #no N, #edit N text, #faq N, #note N from File Transfer Helper."""
        number, _, rest = cmd.target.partition(" ")
        number = number.lstrip("#")
        if not (number.isascii() and number.isdigit()):  # "²" is a digit to str.isdigit, not to int()
            return "请写上草稿编号，例如 #ok 12 (give the draft's number, e.g. #ok 12)"
        if len(number) > MAX_NUMBER_DIGITS:  # no such draft, and more than SQLite's integers hold
            return f"没有草稿 #{number} (no draft #{number})"
        draft_id = int(number)
        if cmd.verb is Verb.OK:
            return self.approve(draft_id, by=Actor.PHONE)
        if cmd.verb is Verb.NO:
            return self.reject(draft_id, by=Actor.PHONE)
        if cmd.verb is Verb.EDIT:
            if not rest.strip():
                return f"请在编号后写上新内容，例如 #edit {draft_id} 新内容 (write the new text after the number)"
            return self.approve(draft_id, rest, by=Actor.PHONE)
        return self.keep_correction(draft_id, Keep.FAQ if cmd.verb is Verb.KEEP_FAQ else Keep.NOTE)

    def _decided(self, kind: OpKind, by: Actor, draft: Draft) -> None:
        self.on_event(DraftDecided(kind, by, draft.id, self.name_of(draft.contact_id)))

    # ------------------------------------------------------------------ expiry
    def expire_due(self) -> int:
        """Drafts older than ``draft_expire_minutes`` expire; their messages are marked missed."""
        minutes = self.settings.draft_expire_minutes
        expired = 0
        if minutes:
            cutoff = self.clock() - minutes * 60
            for draft in self.store.drafts_pending():
                if draft.created_at <= cutoff and self.store.draft_close(draft.id, DraftState.EXPIRED, "draft_expired"):
                    expired += 1
        if expired:
            logger.info("{} drafts expired", expired)
            self._changed()
        self._arm_expiry()
        return expired

    def _arm_expiry(self) -> None:
        minutes = self.settings.draft_expire_minutes
        oldest = self.store.drafts_pending()[:1] if minutes else []
        with self._lock:
            if self._expiry is not None:
                self._expiry.cancel()
                self._expiry = None
            if oldest:
                wait = max(0.0, oldest[0].created_at + minutes * 60 - self.clock()) + 0.5
                self._expiry = threading.Timer(wait, self.expire_due)
                self._expiry.daemon = True
                self._expiry.start()

    def close(self) -> None:
        self.notices.close()
        with self._lock:
            if self._expiry is not None:
                self._expiry.cancel()
                self._expiry = None

    # ------------------------------------------------------------------ helpers
    def _parts(self, text: str) -> int:
        """How many WeChat messages ``text`` takes when sent (as the engine splits it, prefix included)."""
        return len(split_reply(text, self.settings.reply_part_chars - len(self.settings.reply_prefix)))

    def _pending(self, draft_id: int) -> bool:
        draft = self.store.draft_get(draft_id)
        return draft is not None and draft.state is DraftState.PENDING

    def _why_not(self, draft_id: int) -> str:
        draft = self.store.draft_get(draft_id)
        if draft is None:
            return f"没有草稿 #{draft_id} (no draft #{draft_id})"
        if draft.state is DraftState.REPLACED:
            newer = self.store.draft_pending_for(draft.contact_id)
            hint = f"，请看 #{newer.id}" if newer else ""
            return f"草稿 #{draft_id} 已被新草稿取代{hint} (draft #{draft_id} was replaced by a newer draft)"
        zh, en = _WHY_NOT.get(draft.state, (draft.state, draft.state))
        return f"草稿 #{draft_id} {zh} (draft #{draft_id} {en})"

    def _changed(self, new: int = 0, contact: str = "") -> None:
        self.on_event(DraftsChanged(self.store.drafts_pending_count(), new, contact))
