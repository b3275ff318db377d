"""The crash-safe inbox: committed before processing, claimed once, resumed once, never answered twice."""

from __future__ import annotations

import threading
import time

import pytest

from wxbot.messages import ChatKind, ContactKind, Message, MsgKind, Passage, Reply
from wxbot.store import Store


def msg(msg_id: str, text: str = "你好", chat: ChatKind = ChatKind.PRIVATE, **kw) -> Message:
    return Message(msg_id, "@session-user", "张三", chat, text, **kw)


@pytest.fixture
def cid(store):
    return store.upsert_contact("friend", "张三", "张总").id


def test_add_is_idempotent_by_wechat_id(store, cid):
    assert store.inbox_add(msg("w1"), cid) is True
    assert store.inbox_add(msg("w1", "changed"), cid) is False
    assert store.get_message("w1").text == "你好" and store.get_message("w1").state == "received"
    own = msg("w2", "我自己发的", from_self=True)
    assert store.inbox_add(own, cid)
    assert (store.get_message("w2").direction, store.get_message("w2").state) == ("out", "sent")
    assert not store.inbox_claim("w2")


def test_claim_is_atomic_across_threads(store, cid):
    store.inbox_add(msg("w1"), cid)
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def claim():
        barrier.wait()
        results.append(store.inbox_claim("w1"))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_states_and_reply_in_one_transaction(store, cid):
    for i in range(3):
        store.inbox_add(msg(f"w{i}", f"问题{i}"), cid)
    assert store.inbox_claim("w0") and store.inbox_claim("w1")
    assert store.inbox_set_state("w2", "skipped", "paused")
    assert not store.inbox_set_state("w2", "received")  # finished work never moves again
    assert store.inbox_set_state("w0", "sending") and store.inbox_set_state("w1", "sending")
    row = store.record_reply(Reply("@session-user", ("[AI] 好", "的"), "model", ("w0", "w1"), body="好的"), cid)
    assert [store.get_message(f"w{i}").state for i in range(3)] == ["replied", "replied", "skipped"]
    assert store.get_message("w2").reason == "paused"
    out = store.page(cid, limit=1)[0]
    assert (out.id, out.text, out.by_bot, out.source, out.in_reply_to) == (row, "好的", True, "model", ("w0", "w1"))
    assert not store.inbox_claim("w0")
    with pytest.raises(ValueError):
        store.inbox_set_state("w1", "bogus")


def test_a_grounded_reply_keeps_its_passages_through_page_search_merge_and_reopen(data_dir):
    used = (Passage("货号: SJ-0412; 单价(元): 168", "价目表.xlsx", "商品 第3行", 2.5),
            Passage("7天无理由退换", "售后政策.docx", "", 0.4))
    store = Store.open(data_dir)
    cid = store.upsert_contact("friend", "张三").id
    other = store.upsert_contact("friend", "张三 (new)").id
    store.inbox_add(msg("w1", "SJ-0412 多少钱"), cid)
    assert store.inbox_claim("w1") and store.inbox_set_state("w1", "sending")
    store.record_reply(Reply("@session-user", ("[AI] 168 元",), "model", ("w1",), body="168 元", passages=used), cid)
    question, answer = store.page(cid)[::-1]
    assert question.passages == () and answer.passages == used
    assert store.search(cid, "168")[0].passages == used
    store.merge_contacts(cid, other)  # re-sealed for the contact it moves to
    store.close()
    store = Store.open(data_dir)
    assert store.page(other, limit=1)[0].passages == used
    store.close()


def test_resume_redoes_interrupted_work_once(data_dir):
    now = time.time()
    with Store.open(data_dir) as store:
        cid = store.upsert_contact("group", "家长群").id
        store.inbox_add(msg("fresh", "明天上课吗", chat=ChatKind.GROUP, sender_name="李妈妈", is_at=True,
                            kind=MsgKind.TEXT, time=now - 60), cid)
        store.inbox_add(msg("claimed", time=now - 30), cid)
        store.inbox_add(msg("sending", time=now - 20), cid)
        store.inbox_add(msg("old", time=now - 3 * 3600), cid)
        store.inbox_add(msg("done", time=now - 10), cid)
        store.inbox_claim("claimed")
        store.inbox_claim("sending")
        store.inbox_set_state("sending", "sending")
        store.inbox_claim("done")
        store.inbox_set_state("done", "sending")
        store.record_reply(Reply("@x", ("ok",), "faq", ("done",)), cid)
        assert store.inbox_resume(3600) == []  # this run's own work is not "interrupted"
    # the process died here; a new run starts
    with Store.open(data_dir) as store:
        redo = store.inbox_resume(expire_after_s=3600)
        assert [m.msg_id for m in redo] == ["fresh", "claimed"]
        first = redo[0]
        assert (first.contact_id, first.display_name, first.text, first.sender_name, first.is_at, first.chat,
                first.contact_kind) == (cid, "家长群", "明天上课吗", "李妈妈", True, ChatKind.GROUP, ContactKind.GROUP)
        assert store.get_message("sending").state == "failed"  # may have reached WeChat: never resent
        assert store.get_message("sending").reason == "interrupted_while_sending"
        assert store.get_message("old").state == "expired"
        assert store.inbox_resume(3600) == []  # once per run
        assert store.inbox_claim("claimed") and not store.inbox_claim("claimed")
    with Store.open(data_dir) as store:  # still unanswered after another crash: comes back again
        assert [m.msg_id for m in store.inbox_resume(3600)] == ["fresh", "claimed"]
