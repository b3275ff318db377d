"""Delivery: the last stage of a message's life. A reply waits out its pacing in the send queue, is checked
again when it is due (a takeover, a stop, the daily cap, the loop guard), sent in parts, and recorded; the
messages it answers become replied. Approved drafts join here like any reply, so pacing and exactly-once hold
for them too. This stage also writes to File Transfer Helper for the others (every send remembers its echo).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from loguru import logger

from wxbot.core.contacts import ContactRules
from wxbot.core.directory import Directory
from wxbot.core.drafts import DraftDesk
from wxbot.core.echo import SentEchoes
from wxbot.core.engine import ReplyEngine
from wxbot.core.outage import GuardedInbox
from wxbot.core.pacing import Pacer, PaceVerdict
from wxbot.core.policy import ReplyPolicy
from wxbot.core.ports import Sender
from wxbot.core.sendqueue import Outgoing, SendQueue
from wxbot.errors import WxbotError
from wxbot.events import MessageLogged, Notice, NoticeLevel
from wxbot.messages import Direction, Draft, DraftState, InboxState, ReplySource


class Delivery:
    """``running()`` says whether auto-reply is on; ``drafts()`` is the draft desk (made after this stage)."""

    def __init__(self, inbox: GuardedInbox, sender: Sender, engine: ReplyEngine, pacer: Pacer,
                 policy: ReplyPolicy, rules: ContactRules, directory: Directory, drafts: Callable[[], DraftDesk],
                 on_event: Callable[[object], None], clock: Callable[[], float], cond: threading.Condition,
                 running: Callable[[], bool]) -> None:
        self.inbox = inbox
        self.sender = sender
        self.engine = engine
        self.pacer = pacer
        self.policy = policy
        self.rules = rules
        self.directory = directory
        self.drafts = drafts
        self.on_event = on_event
        self.clock = clock
        self.running = running
        self.echoes = SentEchoes()
        self.outbox = SendQueue(pacer, clock, cond, self._deliver)

    def put(self, job: Outgoing) -> None:
        self.outbox.put(job)

    def drop(self, reason: str, contact_id: str | None = None, approved: bool = True) -> None:
        """Take replies out unsent (one contact's, or all): their messages are skipped, an approved draft
        failed. ``approved`` False (a stop): the drafts the owner approved stay and are sent."""
        for job in self.outbox.drop(contact_id, approved):
            self.inbox.set_states(job.ids, InboxState.SKIPPED, reason)
            if job.draft is not None:
                self.drafts().finished(job.draft, DraftState.FAILED, reason)

    def queue_approved(self, draft: Draft) -> None:
        """The owner approved ``draft`` (window or phone): their words verbatim (prefix aside), into the send
        queue like any reply."""
        desk = self.drafts()
        reply = self.engine.approved_reply(draft)
        asked = desk.store.draft_messages(draft)
        incoming = asked[-1].text if asked else ""
        ids = list(draft.msg_ids)
        verdict = self.pacer.check(draft.contact_id, len(reply.text), incoming) if reply else None
        if reply is None or verdict is None or self.refused(draft.contact_id, ids, verdict):
            desk.finished(draft, DraftState.FAILED, verdict.reason if verdict else "empty_reply")
            return
        self.outbox.put(Outgoing(draft.contact_id, reply, ids, incoming, threading.Event(),
                                 self.clock() + verdict.wait, draft))

    def _deliver(self, job: Outgoing) -> None:
        """On the send thread, once the reply's delays are over: check again, send, record."""
        contact_id, ids = job.contact_id, job.ids
        why = ""
        try:
            running = self.running()
            # the owner approved a draft explicitly: a stop or a pause does not hold it back, a takeover does
            held = job.draft is None and (not running or self.rules.paused_until(contact_id) > self.clock()
                                          or self._waiting(contact_id, job))
            if job.cancel.is_set() or held:
                why = "takeover" if running else "bot_stopped"
                self.inbox.set_states(ids, InboxState.SKIPPED, why)
                return
            verdict = self.pacer.check(contact_id, len(job.reply.text), job.incoming)
            if self.refused(contact_id, ids, verdict):
                why = verdict.reason
                return  # e.g. the daily cap filled up while this reply waited
            self.inbox.set_states(ids, InboxState.SENDING)
            if not self.send_parts(self.directory.user_name(contact_id), list(job.reply.parts)):
                why = "send_failed"
                self.inbox.set_states(ids, InboxState.FAILED, why)
                self.on_event(Notice(NoticeLevel.WARNING, "消息发送失败，请检查网络与登录状态 (a reply could not be sent)"))
                return
            self.pacer.record_sent(contact_id, job.incoming)
            self.inbox.record_reply(job.reply)
            self.on_event(MessageLogged(contact_id, Direction.OUT, by_bot=True, source=job.reply.source,
                                        passages=job.reply.passages))
        except Exception:  # the send thread must outlive one bad reply
            logger.exception("sending to {} failed", contact_id)
            why = "internal_error"
            self.inbox.set_states(ids, InboxState.FAILED, why)
        finally:
            if job.draft is not None:
                self.drafts().finished(job.draft, DraftState.FAILED if why else DraftState.SENT, why)

    def _waiting(self, contact_id: str, job: Outgoing) -> bool:
        """The contact waits for the owner (handoff): only its holding line goes, nothing else automatic."""
        return job.reply.source is not ReplySource.HANDOFF and self.rules.waiting_since(contact_id) > 0

    def refused(self, contact_id: str, ids: list[str], verdict: PaceVerdict) -> bool:
        """Pacing says no (daily cap, loop guard): record why; a loop pauses the contact and tells the owner."""
        if verdict.allowed:
            return False
        self.inbox.set_states(ids, InboxState.SKIPPED, verdict.reason)
        if verdict.reason == "loop_guard":
            self.policy.take_over(contact_id)
            self.on_event(Notice(NoticeLevel.WARNING, f"与联系人 {contact_id} 的往来过于频繁，疑似机器人对话，已暂停 "
                                                      f"(too many rapid exchanges with {contact_id}: paused)"))
        return True

    def send_parts(self, user_name: str, parts: list[str]) -> bool:
        for part in parts:
            self.echoes.remember(user_name, part)
            try:
                if not self.sender.send_text(user_name, part):
                    return False
            except WxbotError as err:  # logged out meanwhile, or WeChat refused
                logger.warning("send to {} failed: {}", user_name, err.en)
                return False
        return True
