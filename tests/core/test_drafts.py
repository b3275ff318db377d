"""The draft desk on a real store with a hand-moved clock: notices batched, old drafts expire (messages
missed), and the phone's commands answered in words."""

from __future__ import annotations

import pytest

from wxbot.core.commands import parse_command
from wxbot.core.draftnotice import DraftNote, NoticeBatcher, notice_text
from wxbot.core.drafts import DraftDesk
from wxbot.events import DraftsChanged, EventRecorder, Notice, NoticeLevel
from wxbot.messages import ChatKind, DraftState, Message, Reply, ReplySource
from wxbot.settings import Settings
from wxbot.store import Store


@pytest.fixture
def store(data_dir):
    s = Store.open(data_dir)
    yield s
    s.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def desk_on(store, clock, **settings):
    sent: list = []
    notices: list[str] = []
    events = EventRecorder()
    desk = DraftDesk(Settings(draft_notice_seconds=0, **settings), store, send=sent.append,
                     regenerate=lambda d: None, notify=notices.append, name_of=lambda cid: "张三",
                     on_event=events, clock=clock)
    return desk, sent, notices, events


def held(store, desk, msg_id: str, text: str):
    cid = store.list_contacts()[0].id if store.list_contacts() else store.upsert_contact("friend", "张三").id
    store.inbox_add(Message(msg_id, cid, "张三", ChatKind.PRIVATE, "问题" + msg_id), cid)
    store.inbox_claim(msg_id)
    return desk.hold(Reply(cid, ("[AI] " + text,), ReplySource.FAQ, (msg_id,), text))


def test_old_drafts_expire_and_their_messages_are_missed(store):
    clock = Clock()
    desk, _, _, events = desk_on(store, clock, draft_expire_minutes=60)
    old = held(store, desk, "m1", "旧草稿")
    clock.now += 30 * 60
    young = held(store, desk, "m2", "新草稿")
    clock.now += 31 * 60
    assert desk.expire_due() == 1
    assert store.draft_get(old.id).state is DraftState.EXPIRED and store.draft_get(young.id).state is DraftState.PENDING
    m = store.get_message("m1")
    assert (m.state, m.reason) == ("expired", "draft_expired")
    assert events.of(DraftsChanged)[-1].pending == 1
    assert "已过期" in desk.command(parse_command(f"#ok {old.id}"))
    desk.close()


def test_phone_commands_answer_in_words(store):
    desk, sent, notices, _ = desk_on(store, Clock())
    draft = held(store, desk, "m1", "十元")
    assert notices == [f"草稿 #{draft.id} → 张三：「十元」 回复 #ok {draft.id} 发送，#no {draft.id} 放弃，"
                       f"#edit {draft.id} 新内容 修改后发送"]
    assert "编号" in desk.command(parse_command("#ok")) and "编号" in desk.command(parse_command("#ok abc"))
    assert "新内容" in desk.command(parse_command(f"#edit {draft.id}"))
    assert desk.command(parse_command("#ok 999")) == "没有草稿 #999 (no draft #999)"
    assert "还没有发送" in desk.command(parse_command(f"#faq {draft.id}"))
    answer = desk.command(parse_command(f"#改 {draft.id} 九元，包邮"))
    assert "正在发送给「张三」" in answer and f"#faq {draft.id}" in answer
    assert [(d.id, d.text, d.edited) for d in sent] == [(draft.id, "九元，包邮", True)]
    assert "正在发送" in desk.command(parse_command(f"#ok {draft.id}")) and len(sent) == 1  # no second send


def test_notices_close_together_go_out_as_one():
    clock = Clock()
    out: list[str] = []
    batcher = NoticeBatcher(lambda: 30, out.append, still_pending=lambda n: n != 3, clock=clock)
    batcher.add(DraftNote(1, "张三", "十元"))
    assert out == [notice_text([DraftNote(1, "张三", "十元")])]  # the first goes at once
    for n in (2, 3, 4):
        batcher.add(DraftNote(n, "李四", f"稿{n}"))
    assert len(out) == 1  # the rest wait for the window
    batcher.flush()
    assert out[1].splitlines() == ["2 条新草稿 new drafts:", "#2 → 李四：「稿2」 #ok 2 / #no 2",
                                   "#4 → 李四：「稿4」 #ok 4 / #no 4", "回复 #ok 编号 发送，#no 编号 放弃，#edit 编号 新内容 修改后发送"]
    batcher.close()


def test_a_restart_that_failed_an_approved_draft_tells_the_window_and_the_phone_which(store):
    """N4: the owner was told 「草稿 #N 正在发送」; a crash before it went failed it, and now they are told."""
    clock = Clock()
    desk, sent, _, _ = desk_on(store, clock)
    first, second = held(store, desk, "m1", "在的"), held(store, desk, "m2", "十元")
    assert "正在发送" in desk.approve(first.id) and "正在发送" in desk.approve(second.id)
    assert len(sent) == 2  # handed to the send path ... and then wxbot was killed

    after, _, notices, events = desk_on(store, clock)  # the restart
    after.recover()
    [notice] = events.of(Notice)
    assert f"#{first.id}、#{second.id}" in notice.text and notice.level is NoticeLevel.WARNING
    assert notices == []  # not logged in yet
    after.tell_interrupted()
    after.tell_interrupted()
    assert notices == [notice.text]  # once, when logged in
    assert store.draft_get(first.id).state is DraftState.FAILED


def test_bad_draft_numbers_and_an_edit_too_long_to_send_are_answered_in_words(store):
    """#ok ², #ok 99999999999999999999999: a traceback and no answer before; #edit N with 100,000 characters:
    111 WeChat messages to the customer in 4 s."""
    desk, sent, _, _ = desk_on(store, Clock())
    draft = held(store, desk, "m1", "十元")
    assert "编号" in desk.command(parse_command("#ok ²"))
    assert desk.command(parse_command("#ok 99999999999999999999999")) == \
        "没有草稿 #99999999999999999999999 (no draft #99999999999999999999999)"
    answer = desk.command(parse_command(f"#edit {draft.id} " + "很长" * 50_000))
    assert "太长" in answer and "max_reply_parts = 3" in answer
    assert sent == [] and store.draft_get(draft.id).state is DraftState.PENDING  # nothing sent, still waiting
    longest = "十" * (3 * (Settings().reply_part_chars - len(Settings().reply_prefix)))  # just fits in 3 parts
    assert "正在发送" in desk.command(parse_command(f"#edit {draft.id} {longest}"))
