"""Co-pilot mode end to end: real itchat-uos ⇄ simulator ⇄ BotService ⇄ real SQLite (and the real model):
a draft-mode contact's message becomes a draft and a notice in File Transfer Helper; the owner approves,
edits or rejects it from the phone or the window; it goes stale correctly and survives a restart."""

from __future__ import annotations

import re
import threading

from wxbot.events import DraftsChanged

FAQ = [{"match": "contains", "pattern": "营业", "answer": "每天 9 点到 18 点，规格 10*20cm"},
       {"match": "contains", "pattern": "地址", "answer": "人民路 8 号"}]
DRAFTS = dict(new_contact_mode="draft", draft_notice_seconds=0, faq_rules=FAQ)


def to(h, who: str) -> list[dict]:
    return [o for o in h.sim.outbox() if o["to_id"] == who]


def notice_number(text: str) -> int:
    match = re.search(r"#ok (\d+)", text)
    assert match, text
    return int(match.group(1))


def wait_notice(h, count: int) -> dict:
    """The ``count``-th message the bot wrote to File Transfer Helper."""
    return h.sim.wait_sent_to("filehelper", count, timeout=90)[count - 1]


def owner_says(h, text: str, answers: int) -> str:
    """The owner types ``text`` to File Transfer Helper; returns the bot's answer (the ``answers``-th there)."""
    h.sim.inject_from_owner("filehelper", text)
    return wait_notice(h, answers)["text"]


def test_a_draft_waits_and_ok_sends_exactly_that_text_once(harness):
    h = harness(**{**DRAFTS, "faq_rules": []})  # the real model writes the draft
    h.start()
    asked = h.sim.inject("zhang", "你好，请问你们几点开门？")
    notice = wait_notice(h, 1)["text"]
    assert notice.startswith("草稿 #") and "→ 张三-老客户：「" in notice and "#no" in notice and "#edit" in notice
    assert to(h, "zhang") == []  # nothing reached the customer
    assert h.svc.store.get_message(asked).state == "drafted"
    n = notice_number(notice)
    draft = h.svc.drafts()[0]
    assert draft.draft_id == n and draft.asked == ("你好，请问你们几点开门？",) and f"「{draft.text}」" in notice
    assert "正在发送给" in owner_says(h, f"#ok {n}", 2)
    assert h.settle([asked])[asked] == "replied"
    assert [o["text"] for o in h.sim.wait_sent_to("zhang", 1)] == ["[AI] " + draft.text]
    again = owner_says(h, f"#ok {n}", 3)  # a second #ok sends nothing
    assert f"#{n}" in again and "正在发送给" not in again
    assert len(to(h, "zhang")) == 1 and h.svc.drafts() == []


def test_no_sends_nothing_and_the_message_is_missed(harness):
    h = harness(with_model=False, **DRAFTS)
    h.start()
    asked = h.sim.inject("zhang", "今天营业吗")
    n = notice_number(wait_notice(h, 1)["text"])
    assert "已放弃" in owner_says(h, f"#no {n}", 2)
    assert h.settle([asked])[asked] == "skipped" and h.svc.store.get_message(asked).reason == "draft_rejected"
    assert "已放弃" in owner_says(h, f"#ok {n}", 3)
    assert to(h, "zhang") == []


def test_edit_sends_the_owners_words_and_the_correction_becomes_an_faq_rule(harness):
    h = harness(with_model=False, **DRAFTS)
    h.start()
    asked = h.sim.inject("li", "你们店的地址在哪")
    n = notice_number(wait_notice(h, 1)["text"])
    answer = owner_says(h, f"#edit {n} 新地址：人民路 18 号 2 楼", 2)
    assert "#faq" in answer  # offered to keep the correction
    h.wait_outbox(3)
    assert h.settle([asked])[asked] == "replied"
    assert [o["text"] for o in to(h, "li")] == ["新地址：人民路 18 号 2 楼"]  # the owner's words: no prefix
    assert "已保存" in owner_says(h, f"#faq {n}", 3)
    assert h.svc.settings.faq_rules[0] == {"match": "examples", "examples": ["你们店的地址在哪"],
                                            "answer": "新地址：人民路 18 号 2 楼"}
    assert "知识库笔记" in owner_says(h, f"#note {n}", 4)  # or as a knowledge-base note
    assert [p.text for p in h.svc.kb().search("你们店的地址在哪")][:1] == ["问：你们店的地址在哪\n答：新地址：人民路 18 号 2 楼"]
    h.svc.set_mode(h.contact_id("李四🌸"), "auto")
    again = h.sim.inject("li", "你们店的地址在哪")
    assert h.settle([again])[again] == "replied"
    assert to(h, "li")[-1]["text"] == "[AI] 新地址：人民路 18 号 2 楼"


def test_window_and_phone_approving_the_same_draft_send_it_once(harness):
    h = harness(with_model=False, **DRAFTS)
    h.start()
    asked = h.sim.inject("zhang", "今天营业吗")
    n = notice_number(wait_notice(h, 1)["text"])
    answers = []
    window = threading.Thread(target=lambda: answers.append(h.svc.approve_draft(n)))
    h.sim.inject_from_owner("filehelper", f"#ok {n}")
    window.start()
    window.join(30)
    assert h.settle([asked])[asked] == "replied"
    phone = wait_notice(h, 2)["text"]
    assert sorted(["正在发送给" in a for a in (answers[0], phone)]) == [False, True]  # one won, one was told
    h.sim.inject("wang", "地址在哪")  # a later draft (and its notice) proves nothing else was on its way
    wait_notice(h, 3)
    assert [o["text"] for o in to(h, "zhang")] == ["[AI] 每天 9 点到 18 点，规格 10*20cm"]


def test_a_second_message_replaces_the_pending_draft(harness):
    h = harness(with_model=False, **DRAFTS)
    h.start()
    first = h.sim.inject("zhang", "地址呢")
    assert h.log.wait_for(lambda e: isinstance(e, DraftsChanged) and e.new, timeout=30)
    old = h.svc.drafts()
    assert len(old) == 1
    second = h.sim.inject("zhang", "今天营业吗")
    h.log.wait_for(lambda e: isinstance(e, DraftsChanged) and e.new and e.new != old[0].draft_id, timeout=30)
    [new] = h.svc.drafts()
    assert new.asked == ("地址呢", "今天营业吗") and new.text == "每天 9 点到 18 点，规格 10*20cm"
    assert "取代" in h.svc.approve_draft(old[0].draft_id)
    assert "正在发送给" in h.svc.approve_draft(new.draft_id)
    assert h.settle([first, second]) == {first: "replied", second: "replied"}
    assert [o["text"] for o in to(h, "zhang")] == ["[AI] 每天 9 点到 18 点，规格 10*20cm"]


def test_the_owner_writing_by_hand_discards_the_draft(harness):
    h = harness(with_model=False, **DRAFTS)
    h.start()
    asked = h.sim.inject("zhang", "今天营业吗")
    n = notice_number(wait_notice(h, 1)["text"])
    mark = h.log.mark()
    h.sim.inject_from_owner("zhang", "营业的，我在店里")
    h.log.wait_for(lambda e: isinstance(e, DraftsChanged) and e.pending == 0, start=mark, timeout=30)
    assert h.settle([asked])[asked] == "skipped" and h.svc.store.get_message(asked).reason == "takeover"
    assert "亲自回复" in owner_says(h, f"#ok {n}", 2)
    assert to(h, "zhang") == []


def test_pending_drafts_survive_a_restart(harness):
    h = harness(with_model=False, **DRAFTS)
    h.start()
    asked = h.sim.inject("zhang", "今天营业吗")
    n = notice_number(wait_notice(h, 1)["text"])
    h.svc.close()
    h2 = harness(with_model=False, **DRAFTS)
    h2.start(login=False)
    assert [(d.draft_id, d.asked) for d in h2.svc.drafts()] == [(n, ("今天营业吗",))]
    assert h2.svc.pending_drafts() == 1
    h2.login(scan=False)
    assert "正在发送给" in owner_says(h2, f"#edit {n} **今天** 营业到 *8* 点，规格 10*20cm", 2)
    assert h2.settle([asked])[asked] == "replied"
    assert [o["text"] for o in to(h2, "zhang")] == ["**今天** 营业到 *8* 点，规格 10*20cm"]  # verbatim


def test_many_drafts_at_once_make_one_batched_notice(harness):
    h = harness(with_model=False, **{**DRAFTS, "draft_notice_seconds": 60})
    h.start()
    h.sim.inject("zhang", "今天营业吗")
    first = wait_notice(h, 1)["text"]
    for who in ("li", "wang"):
        h.sim.inject(who, "地址在哪")
    h.log.wait_for(lambda e: isinstance(e, DraftsChanged) and e.pending == 3, timeout=30)
    assert len(to(h, "filehelper")) == 1 and first.startswith("草稿 #")  # the others wait for the window
    h.svc.bot.drafts.notices.flush()  # the window ends
    batch = wait_notice(h, 2)["text"]
    assert batch.startswith("2 条新草稿") and batch.count("#ok ") == 3  # one per draft, and the how-to line


def test_customers_are_answered_while_note_waits_behind_an_import(harness):
    """#note waits for the knowledge base, which an import holds for minutes; the dispatcher does not wait with it,
    so a customer who writes meanwhile is answered (not held until the import ends and then missed as stale)."""
    h = harness(with_model=False, **DRAFTS, stale_message_seconds=5)
    h.start()
    h.sim.inject("zhang", "你们的地址在哪")
    n = notice_number(wait_notice(h, 1)["text"])
    assert "正在发送给" in owner_says(h, f"#ok {n}", 2)
    h.sim.wait_sent_to("zhang", 1)
    h.svc.set_mode(h.contact_id("王五"), "auto")
    importing = h.svc.kb().kb._lock  # as an import of a large price list holds it
    with importing:
        h.sim.inject_from_owner("filehelper", f"#note {n}")
        asked = h.sim.inject("wang", "今天营业吗")
        assert h.sim.wait_sent_to("wang", 1, timeout=60)[0]["text"].endswith("每天 9 点到 18 点，规格 10*20cm")
        assert len(to(h, "filehelper")) == 2  # the #note's answer waits for the import
    assert "知识库笔记" in wait_notice(h, 3)["text"]
    assert h.settle([asked]) == {asked: "replied"}
