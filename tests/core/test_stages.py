"""Each stage of a message's life on its own (the others' threads never started), on a real store with a
hand-moved clock and FAQ answers (no model needed); and N3: a message's age counts from its arrival, so one
that waited in a busy dispatcher's queue is still answered."""

from __future__ import annotations

import queue
import threading
import time

import pytest

from tests.e2e.test_full_disk import make_read_only, make_writable
from wxbot.core.bot import Bot
from wxbot.core.commands import Command, Verb
from wxbot.core.engine import ReplyEngine
from wxbot.core.intake import Order, Work
from wxbot.core.policy import FILEHELPER
from wxbot.core.roster import Roster
from wxbot.core.sendqueue import Outgoing
from wxbot.core.storeinbox import StoreInbox
from wxbot.events import DraftsChanged, EventRecorder, MessageLogged
from wxbot.messages import ChatKind, Direction, DraftState, Message, ReplySource
from wxbot.settings import Settings
from wxbot.store import Store

FAQ = [{"match": "exact", "pattern": "营业时间", "answer": "9点到18点"}]
QUICK = dict(typing_delay_base=0.0, typing_delay_per_char=0.0, min_seconds_between_replies=0.0,
             aggregate_seconds=0.0, loop_guard_exchanges=0, new_contact_mode="auto", max_replies_per_minute=0,
             max_replies_per_day=0, faq_rules=FAQ, draft_notices=False)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Phone:
    """The channel's side of sending (the Sender port): what the bot sent, to whom. ``hold_next``: the next send
    waits for ``release`` (a slow send), ``busy`` says it started."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.hold_next = False
        self.busy = threading.Event()
        self.release = threading.Event()

    def send_text(self, user_name: str, text: str) -> bool:
        if self.hold_next:
            self.hold_next = False
            self.busy.set()
            self.release.wait(timeout=60)
        self.sent.append((user_name, text))
        return True

    def who_is(self, user_name: str) -> bool:  # WeChat knows everyone these tests write as
        return True


class Parts:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.clock = Clock()
        self.settings = Settings(**QUICK)
        self.events = EventRecorder()
        self.phone = Phone()
        self.roster = Roster(store, self.settings)
        self.bot = Bot(self.settings, self.phone, ReplyEngine(self.settings, None, store), StoreInbox(store),
                       self.roster, self.roster, self.events, store, clock=self.clock)
        self.closed = False

    def incoming(self, msg_id: str, text: str, age: float = 0.0, user: str = "@zhang") -> Message:
        return Message(msg_id, user, "张三", ChatKind.PRIVATE, text, time=self.clock.now - age)

    def state(self, msg_id: str) -> tuple[str, str]:
        m = self.store.get_message(msg_id)
        return m.state, m.reason


@pytest.fixture
def parts(data_dir):
    store = Store.open(data_dir)
    made = Parts(store)
    yield made
    if not made.closed:
        made.bot.close()
    store.close()


def test_a_message_that_waited_in_the_queue_past_the_stale_limit_but_arrived_fresh_is_answered(parts):
    parts.bot.start()
    parts.phone.hold_next = True  # the dispatcher's answer to the owner's command is slow to go out
    assert parts.bot.on_message(Message("c1", FILEHELPER, "文件传输助手", ChatKind.PRIVATE, "#status", parts.clock.now,
                                        from_self=True))
    assert parts.phone.busy.wait(30)  # the dispatcher is busy with the command
    assert parts.bot.on_message(parts.incoming("m1", "营业时间", age=5))  # arrives fresh, waits behind it
    parts.clock.now += parts.settings.stale_message_seconds + 60  # ... longer than the stale limit
    parts.phone.release.set()
    parts.events.wait_for(lambda e: isinstance(e, MessageLogged) and e.by_bot, what="the reply")
    assert parts.phone.sent[-1] == ("@zhang", "[AI] 9点到18点")
    assert parts.state("m1") == ("replied", "")


def test_a_message_already_old_when_it_arrived_is_still_a_missed_backlog(parts):
    parts.bot.start()
    assert parts.bot.on_message(parts.incoming("m1", "营业时间", age=parts.settings.stale_message_seconds + 60))
    parts.bot.close()  # the dispatcher has taken everything before it ends
    parts.closed = True
    assert parts.state("m1") == ("skipped", "stale")
    assert parts.phone.sent == []


def test_intake_alone_commits_stamps_the_arrival_and_hands_on(parts):
    intake = parts.bot.intake
    handed: list = []
    intake.forward = handed.append
    assert intake.on_message(parts.incoming("m1", "你好", age=30))
    [work] = handed
    assert isinstance(work, Work) and work.arrived == parts.clock.now and work.user_name == "@zhang"
    assert parts.state("m1") == ("received", "")
    assert intake.on_message(parts.incoming("m1", "你好", age=30))  # WeChat delivers it again: known, dropped
    assert len(handed) == 1
    cmd = Message("c1", FILEHELPER, "文件传输助手", ChatKind.PRIVATE, "#status", from_self=True)
    assert intake.on_message(cmd)  # the owner's command: handed on to be carried out, not stored
    assert handed[-1] == Order(Command(Verb.STATUS, "")) and parts.store.get_message("c1") is None


def test_dispatch_alone_decides_in_arrival_order(parts):
    intake, dispatcher = parts.bot.intake, parts.bot.dispatcher
    dispatcher.running = lambda: True  # auto-reply on, though no stage thread runs: the dispatcher runs below
    dispatcher.incoming = handed = queue.Queue()
    intake.forward = handed.put
    intake.on_message(parts.incoming("m1", "营业时间"))
    intake.on_message(parts.incoming("m2", "旧消息", age=parts.settings.stale_message_seconds + 1))
    intake.on_message(Message("o1", "@zhang", "张三", ChatKind.PRIVATE, "我来回", parts.clock.now, from_self=True))
    handed.put(None)
    dispatcher.run()
    assert parts.state("m2") == ("skipped", "stale")
    assert parts.state("m1") == ("skipped", "takeover")  # queued for a reply, then the owner's message took over
    assert parts.store.get_message("o1").direction == Direction.OUT
    assert parts.events.of(MessageLogged)[-1] == MessageLogged(parts.store.get_message("o1").contact_id,
                                                               Direction.OUT, by_bot=False)


def test_replies_alone_make_the_reply_and_hold_a_draft(parts):
    parts.bot.on_message(parts.incoming("m1", "营业时间"))
    [contact] = parts.store.list_contacts()
    scheduler = threading.Thread(target=parts.bot.replies.run)
    scheduler.start()
    try:
        parts.bot.replies.queue(parts.bot.intake.directory.resolve(parts.incoming("m1", "营业时间")), draft=True)
        parts.events.wait_for(lambda e: isinstance(e, DraftsChanged) and e.new, what="the draft")
    finally:
        parts.bot.replies.close()
        scheduler.join()
    [draft] = parts.store.drafts_pending()
    assert (draft.contact_id, draft.text, draft.msg_ids) == (contact.id, "9点到18点", ("m1",))
    assert parts.state("m1") == ("drafted", "")
    assert parts.phone.sent == []


def test_delivery_alone_sends_and_records(parts):
    parts.bot.on_message(parts.incoming("m1", "营业时间"))
    [contact] = parts.store.list_contacts()
    assert parts.store.inbox_claim("m1")
    reply = parts.bot.engine.fixed_reply(contact.id, "好的", ReplySource.AWAY, ["m1"])
    parts.bot.delivery.running = lambda: True  # auto-reply on, though only the send thread runs
    sender = threading.Thread(target=parts.bot.delivery.outbox.run)
    sender.start()
    try:
        parts.bot.delivery.put(Outgoing(contact.id, reply, ["m1"], "营业时间", threading.Event(), parts.clock.now))
        parts.events.wait_for(lambda e: isinstance(e, MessageLogged) and e.by_bot, what="the reply")
    finally:
        parts.bot.delivery.outbox.close()
        sender.join()
    assert parts.phone.sent == [("@zhang", "[AI] 好的")]
    assert parts.state("m1") == ("replied", "")


def committed_order(store: Store) -> list[str]:
    with store._sdb.lock:
        return [r[0] for r in store._sdb.db.conn.execute("SELECT msg_id FROM messages ORDER BY id")]


def test_while_a_refused_message_is_held_every_later_one_waits_behind_it_uncommitted(parts):
    """N2: WeChat's sync position is cumulative, so a message committed (and its position saved) while an
    earlier one is only in memory would lose that one in a crash. Later ones wait, and commit in order."""
    intake, dispatcher = parts.bot.intake, parts.bot.dispatcher
    dispatcher.running = lambda: True
    dispatcher.incoming = handed = queue.Queue()
    intake.forward = handed.put
    make_read_only(parts.store)
    assert intake.on_message(parts.incoming("m1", "营业时间")) is False  # refused: held in memory
    make_writable(parts.store)
    assert intake.on_message(parts.incoming("m2", "营业时间")) is False  # the store works, but m1 isn't stored
    mine = Message("o1", "@zhang", "张三", ChatKind.PRIVATE, "我来回", parts.clock.now, from_self=True)
    assert intake.on_message(mine) is False
    assert parts.bot.holding and committed_order(parts.store) == []
    runner = threading.Thread(target=dispatcher.run)
    runner.start()
    try:
        parts.events.wait_for(lambda e: isinstance(e, MessageLogged) and e.direction == Direction.OUT,
                              what="the owner's message, replayed last")
    finally:
        handed.put(None)
        runner.join()
    assert committed_order(parts.store) == ["m1", "m2", "o1"]
    assert not parts.bot.holding
    assert intake.on_message(parts.incoming("m3", "营业时间")) is True  # nothing held: committed at once
    assert committed_order(parts.store)[-1] == "m3"


def test_the_owners_own_message_is_committed_before_intake_returns(parts):
    """A crash right after the channel saved the position must not lose a takeover."""
    handed: list = []
    parts.bot.intake.forward = handed.append
    mine = Message("o1", "@zhang", "张三", ChatKind.PRIVATE, "我来回", parts.clock.now, from_self=True)
    assert parts.bot.on_message(mine) is True
    assert parts.store.get_message("o1").direction == Direction.OUT
    [work] = handed
    assert isinstance(work, Work) and work.msg.from_self and work.user_name == "@zhang"


def test_a_stop_still_sends_a_draft_the_owner_approved_but_a_logout_drops_it(parts):
    """N4: #ok N answered 「正在发送」; a #pause within the typing delay must not drop it."""
    # each reply waits out a typing delay in the queue: 2 s on the hand-moved clock (which the send thread
    # checks again after about 2 s of its own waiting)
    parts.bot.apply_settings(Settings(**QUICK | {"typing_delay_base": 2.0}))
    drafts = []
    for msg_id in ("m1", "m2"):
        parts.bot.intake.commit(parts.incoming(msg_id, "营业时间"), parts.clock.now)  # stored, not dispatched
        [contact] = parts.store.list_contacts()
        assert parts.store.inbox_claim(msg_id)
        reply = parts.bot.engine.fixed_reply(contact.id, f"答复{msg_id}", ReplySource.FAQ, [msg_id])
        drafts.append(parts.store.draft_add(reply))
    parts.bot.start()
    assert "正在发送" in parts.bot.drafts.approve(drafts[0].id)
    parts.bot.set_paused(True)  # "#pause" while draft 1 waits out its typing delay
    parts.clock.now += 10  # the delay is over
    parts.events.wait_for(lambda e: isinstance(e, MessageLogged) and e.by_bot, what="the approved draft, sent")
    assert parts.phone.sent == [("@zhang", "[AI] 答复m1")]
    assert parts.store.draft_get(drafts[0].id).state is DraftState.SENT

    assert "正在发送" in parts.bot.drafts.approve(drafts[1].id)
    parts.bot.stop("logged out", cut_off=True)  # sending is impossible now: dropped, and the draft failed
    assert parts.store.draft_get(drafts[1].id).state is DraftState.FAILED
    assert parts.phone.sent == [("@zhang", "[AI] 答复m1")]


class Gate:
    """Wraps the real engine's ``reply``: once armed, the next reply waits after it is made (before the replies
    stage holds or queues it) until ``go`` is set. Notes the questions of every call."""

    def __init__(self, engine) -> None:
        self.real = engine.reply
        self.armed = False
        self.made, self.go = threading.Event(), threading.Event()
        self.asked: list[list[str]] = []
        engine.reply = self

    def __call__(self, messages, **kwargs):
        self.asked.append([m.text for m in messages])
        reply = self.real(messages, **kwargs)
        if self.armed:
            self.armed = False
            self.made.set()
            assert self.go.wait(30)
        return reply


def until(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.02)


def in_draft_mode(parts, **settings) -> None:
    parts.bot.apply_settings(parts.settings.replace(new_contact_mode="draft", **settings))
    parts.roster.settings = parts.bot.settings


def test_no_draft_appears_after_the_owner_took_over_while_it_was_made(parts):
    """N5: the takeover discards only drafts that exist; a draft held after it would let #ok answer twice."""
    in_draft_mode(parts)
    gate = Gate(parts.bot.engine)
    gate.armed = True
    parts.bot.start()
    parts.bot.on_message(parts.incoming("m1", "营业时间"))
    assert gate.made.wait(30)  # the FAQ answer is made, not yet held
    parts.bot.on_message(Message("o1", "@zhang", "张三", ChatKind.PRIVATE, "我来回", parts.clock.now, from_self=True))
    parts.bot.on_message(Message("c1", FILEHELPER, "文件传输助手", ChatKind.PRIVATE, "#status", parts.clock.now,
                                 from_self=True))
    until(lambda: parts.phone.sent, "answer to #status (the takeover before it is done)")
    gate.go.set()
    until(lambda: parts.state("m1")[0] not in ("received", "replying"), "outcome for m1")
    assert parts.state("m1") == ("skipped", "takeover")
    assert parts.store.drafts_pending() == [] and not [e for e in parts.events.of(DraftsChanged) if e.new]


def test_approving_the_old_draft_while_its_replacement_is_made_does_not_answer_that_question_again(parts):
    """N9a: the replacing draft was written for both questions; the first one is answered by the approved draft."""
    faq = FAQ + [{"match": "contains", "pattern": "地址", "answer": "人民路1号"}]  # also asked with 营业时间
    in_draft_mode(parts, faq_rules=faq)
    gate = Gate(parts.bot.engine)
    parts.bot.start()
    parts.bot.on_message(parts.incoming("m1", "营业时间"))
    first = parts.events.wait_for(lambda e: isinstance(e, DraftsChanged) and e.new, what="draft 1").new
    gate.armed = True
    parts.bot.on_message(parts.incoming("m2", "地址"))  # a new message: a new draft for both replaces draft 1
    assert gate.made.wait(30)
    assert gate.asked[-1] == ["营业时间", "地址"]
    assert "正在发送" in parts.bot.drafts.approve(first)  # the owner approves draft 1 meanwhile
    parts.events.wait_for(lambda e: isinstance(e, MessageLogged) and e.by_bot, what="draft 1, sent")
    gate.go.set()
    second = parts.events.wait_for(lambda e: isinstance(e, DraftsChanged) and e.new and e.new != first,
                                   what="draft 2").new
    assert gate.asked[-1] == ["地址"]  # written again for the new question alone
    draft = parts.store.draft_get(second)
    assert (draft.msg_ids, draft.text) == (("m2",), "人民路1号")
    assert parts.phone.sent == [("@zhang", "[AI] 9点到18点")]


def test_customers_are_answered_while_a_slow_note_command_waits_for_the_knowledge_base(parts):
    """N3's other half: #note / #faq wait for the knowledge base (an import holds it for minutes); the dispatcher
    must not wait with them."""
    parts.bot.intake.commit(parts.incoming("m1", "地址在哪"), parts.clock.now)
    [contact] = parts.store.list_contacts()
    assert parts.store.inbox_claim("m1")
    draft = parts.store.draft_add(parts.bot.engine.fixed_reply(contact.id, "人民路1号", ReplySource.FAQ, ["m1"]))
    assert parts.store.draft_claim(draft.id)  # approved: it can be kept
    kept, release = [], threading.Event()

    def keep(kind, question, answer):  # as the knowledge base does while an import holds its lock
        assert release.wait(60)
        kept.append((kind, question, answer))

    parts.bot.drafts.keep = keep
    parts.bot.start()
    parts.bot.on_message(Message("c1", FILEHELPER, "文件传输助手", ChatKind.PRIVATE, f"#note {draft.id}",
                                 parts.clock.now, from_self=True))
    parts.bot.on_message(parts.incoming("m2", "营业时间", user="@li"))
    parts.events.wait_for(lambda e: isinstance(e, MessageLogged) and e.by_bot, what="the customer's reply")
    assert parts.phone.sent == [("@li", "[AI] 9点到18点")]
    release.set()
    until(lambda: len(parts.phone.sent) == 2, "answer to #note")
    assert "已保存" in parts.phone.sent[-1][1] and kept == [("note", "地址在哪", "人民路1号")]
