"""Drafts on real SQLite files: sealed, kept across a reopen, one winner when approvals race, and the customer's
messages moving with their draft."""

from __future__ import annotations

import threading

from wxbot.messages import ChatKind, DraftState, Message, Passage, Reply, ReplySource
from wxbot.store import Store
from wxbot.store.db import db_files

SECRET = "草稿里的秘密回复 SECRET-DRAFT"


def _asked(store, text: str, msg_id: str) -> str:
    cid = store.upsert_contact("friend", "张三").id if not store.list_contacts() else store.list_contacts()[0].id
    store.inbox_add(Message(msg_id, cid, "张三", ChatKind.PRIVATE, text), cid)
    assert store.inbox_claim(msg_id)
    return cid


def _reply(cid: str, text: str, *ids: str) -> Reply:
    return Reply(cid, ("[AI] " + text,), ReplySource.MODEL, ids, text, (Passage("价格 10 元", "价目表.xlsx", "第3行", 1.0),))


def test_a_draft_is_sealed_and_kept_across_a_reopen(data_dir):
    with Store.open(data_dir) as store:
        cid = _asked(store, "多少钱", "m1")
        draft = store.draft_add(_reply(cid, SECRET, "m1"))
        assert (draft.state, draft.text, draft.msg_ids) == (DraftState.PENDING, SECRET, ("m1",))
        assert store.get_message("m1").state == "drafted"
        store.checkpoint()
    raw = b"".join(p.read_bytes() for p in db_files(data_dir) if p.exists())
    assert SECRET.encode() not in raw and "价目表".encode() not in raw
    with Store.open(data_dir) as store:
        [again] = store.drafts_pending()
        assert again == draft and again.passages[0].label == "价目表.xlsx · 第3行"
        assert [m.text for m in store.draft_messages(again)] == ["多少钱"]


def test_racing_approvals_have_one_winner(store):
    cid = _asked(store, "多少钱", "m1")
    draft = store.draft_add(_reply(cid, "十元", "m1"))
    start, won = threading.Barrier(8), []

    def approve() -> None:
        start.wait()
        if store.draft_claim(draft.id) is not None:
            won.append(1)

    threads = [threading.Thread(target=approve) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert won == [1]
    assert store.draft_get(draft.id).state is DraftState.SENDING and store.get_message("m1").state == "sending"
    assert store.draft_close(draft.id, DraftState.REJECTED) is None  # too late to reject


def test_rejecting_replacing_and_recovering(store):
    cid = _asked(store, "在吗", "m1")
    first = store.draft_add(_reply(cid, "在的", "m1"))
    _asked(store, "多少钱", "m2")
    second = store.draft_add(_reply(cid, "十元", "m1", "m2"), replaces=first.id)
    assert store.draft_get(first.id).state is DraftState.REPLACED and store.draft_claim(first.id) is None
    assert [d.id for d in store.drafts_pending()] == [second.id] and store.drafts_pending_count() == 1
    store.draft_close(second.id, DraftState.REJECTED, "draft_rejected")
    assert {store.get_message(m).reason for m in ("m1", "m2")} == {"draft_rejected"}
    assert store.draft_add(_reply(cid, "又一稿", "m1", "m2")) is None  # settled meanwhile: nothing to hold
    _asked(store, "发货吗", "m3")
    third = store.draft_add(_reply(cid, "今天发", "m3"))
    store.draft_claim(third.id, "明天发")
    assert store.draft_get(third.id).text == "明天发" and store.draft_get(third.id).edited
    assert store.drafts_recover() == [third.id]  # a crash while sending: failed, never sent again
    assert store.draft_get(third.id).state is DraftState.FAILED and store.get_message("m3").state == "failed"
