"""The WeChat issue's whole flows: real itchat-uos ⇄ simulator ⇄ BotService ⇄ real model ⇄ real SQLite."""

from __future__ import annotations

import os
import signal
import time

from wxbot import service
from wxbot.events import LoginState, ModelPhase, ModelState, Notice, QrCode


def test_private_message_gets_exactly_one_reply(harness):
    h = harness()
    h.start()
    msg_id = h.sim.inject("zhang", "你好，请问今天营业吗？")
    out = h.wait_outbox(1)
    assert h.settle([msg_id])[msg_id] == "replied"
    assert len(out) == 1 and out[0]["to_id"] == "zhang"
    assert out[0]["text"].startswith("[AI] ")
    history = h.svc.history(h.contact_id("张三-老客户"))
    assert [m.direction for m in reversed(history)] == ["in", "out"]
    assert history[0].by_bot


def test_groups_only_when_mentioned_and_enabled(harness):
    h = harness()
    h.start()
    group = h.contact_id("周末读书会")
    h.svc.set_mode(group, "auto")
    quiet = h.sim.inject("readers", "大家周末好", member="zhao")
    mentioned = h.sim.inject("readers", "这周读什么书？", member="zhao", at_bot=True)
    states = h.settle([quiet, mentioned])
    assert states == {quiet: "skipped", mentioned: "replied"}
    out = h.wait_outbox(1)
    assert len(out) == 1 and out[0]["to_id"] == "readers"


def test_owner_message_gets_no_reply_and_pauses_the_contact(harness):
    h = harness(takeover_minutes=10)
    h.start()
    h.sim.inject_from_owner("zhang", "我来回答：今天营业到八点")
    after = h.sim.inject("zhang", "好的，谢谢")
    assert h.settle([after])[after] == "skipped"
    assert h.svc.store.get_message(after).reason == "paused"
    assert h.sim.outbox() == []
    view = next(c for c in h.svc.contacts() if c.name == "张三-老客户")
    assert view.paused_until > 0


def test_public_accounts_system_notes_and_filehelper_get_nothing(harness):
    # An FAQ rule matches every text below: only the policy stands between them and a reply.
    h = harness(with_model=False, faq_rules=[{"match": "contains", "pattern": "交易", "answer": "交易时间9点到18点"}])
    h.start()
    bank = h.sim.inject("bank", "您的账户有一笔交易")
    note = h.sim.inject("zhang", "交易提醒", kind="system")
    memo = h.sim.inject_from_owner("filehelper", "给自己的备忘：交易记录")
    asked = h.sim.inject("zhang", "交易时间是几点？")  # answered last: everything before it was decided
    assert h.settle([bank, note, memo, asked]) == {bank: "skipped", note: "skipped", memo: "sent", asked: "replied"}
    assert h.svc.store.get_message(bank).reason == "public_account"
    assert h.svc.store.get_message(note).reason == "system_message"
    assert h.svc.store.get_message(memo).direction == "out"
    out = h.wait_outbox(1)
    assert [(o["to_id"], o["text"]) for o in out] == [("zhang", "[AI] 交易时间9点到18点")]


def test_owner_commands_from_file_transfer_helper(harness):
    h = harness(with_model=False, faq_rules=[{"match": "contains", "pattern": "营业", "answer": "9点到18点"}])
    h.start()
    h.sim.inject_from_owner("filehelper", "#pause")
    out = h.wait_outbox(1)
    assert out[0]["to_id"] == "filehelper" and "paused" in out[0]["text"]
    skipped = h.sim.inject("zhang", "营业吗")
    assert h.settle([skipped])[skipped] == "skipped"
    h.sim.inject_from_owner("filehelper", "#resume")
    h.wait_outbox(2)
    h.sim.inject_from_owner("filehelper", "#status 张三-老客户")
    assert "张三" in h.wait_outbox(3)[2]["text"]
    answered = h.sim.inject("zhang", "营业吗")
    assert h.settle([answered])[answered] == "replied"
    assert h.wait_outbox(4)[3]["text"] == "[AI] 9点到18点"


def test_pause_from_the_phone_survives_restarts_until_resume(harness):
    faq = [{"match": "contains", "pattern": "营业", "answer": "9点到18点"}]
    h = harness(with_model=False, faq_rules=faq)
    h.start()
    h.sim.inject_from_owner("filehelper", "#pause")
    assert "paused" in h.wait_outbox(1)[0]["text"]
    h.svc.close()

    restarted = harness(with_model=False, faq_rules=faq)
    restarted.start(login=False)
    restarted.login(scan=False)
    assert not restarted.svc.bot_running
    missed = restarted.sim.inject("zhang", "营业吗")
    assert restarted.settle([missed])[missed] == "skipped"
    assert restarted.svc.store.get_message(missed).reason == "bot_stopped"
    restarted.sim.inject_from_owner("filehelper", "#status")
    assert "paused" in restarted.wait_outbox(2)[1]["text"]
    restarted.sim.inject_from_owner("filehelper", "#resume")
    assert "resumed" in restarted.wait_outbox(3)[2]["text"]
    restarted.svc.close()

    again = harness(with_model=False, faq_rules=faq)
    again.start(login=False)
    again.login(scan=False)
    answered = again.sim.inject("zhang", "营业吗")
    assert again.settle([answered])[answered] == "replied"
    assert again.wait_outbox(4)[3]["text"] == "[AI] 9点到18点"


def test_duplicate_message_id_gets_one_reply(harness):
    h = harness(with_model=False, faq_rules=[{"match": "contains", "pattern": "价格", "answer": "十元"}])
    h.start()
    first = h.sim.inject("li", "价格多少", msg_id="900001")
    h.sim.inject("li", "价格多少", msg_id="900001")
    h.settle([first])
    h.sim.inject("wang", "价格呢")  # a later message proves the duplicate had its chance
    out = h.wait_outbox(2)
    assert [o["to_id"] for o in out].count("li") == 1


def test_kick_is_a_logged_out_event_with_reason(harness):
    h = harness(with_model=False)
    h.start()
    mark = h.log.mark()
    h.sim.kick(1101)
    event = h.log.wait_for(lambda e: isinstance(e, LoginState) and e.state == "logged_out", start=mark)
    assert event.risk and "1101" in event.detail
    assert not h.svc.bot_running
    assert not h.log.of(QrCode)[1:]  # no new login attempt on its own


def test_hot_reload_after_restart_needs_no_qr(harness):
    faq = [{"match": "contains", "pattern": "还在吗", "answer": "在的"}]
    h = harness(with_model=False, faq_rules=faq)
    h.start()
    h.svc.close()
    h2 = harness(with_model=False, faq_rules=faq)
    h2.start(login=False)
    h2.login(scan=False)
    assert not h2.log.of(QrCode)
    msg_id = h2.sim.inject("zhang", "还在吗")
    assert h2.settle([msg_id])[msg_id] == "replied"
    assert [o["text"] for o in h2.wait_outbox(1)] == ["[AI] 在的"]


def test_a_stranger_writing_becomes_a_contact_the_window_hears_about(harness):
    from wxbot.events import ContactsChanged

    h = harness(with_model=False, new_contact_mode="off")
    h.start()
    before = {c.contact_id for c in h.svc.contacts()}
    mark = h.log.mark()
    msg = h.sim.inject("zhao", "你好，我是群里的赵六")
    event = h.log.wait_for(lambda e: isinstance(e, ContactsChanged) and e.contact_ids, start=mark)
    assert event.contact_ids[0] not in before
    stranger = next(c for c in h.svc.contacts() if c.contact_id == event.contact_ids[0])
    assert stranger.name.startswith("陌生人 stranger") and stranger.kind == "friend" and stranger.mode == "off"
    assert h.settle([msg])[msg] == "skipped"


def test_a_group_switched_on_from_the_phone_answers_a_mention_once(harness):
    h = harness(with_model=False, faq_rules=[{"match": "contains", "pattern": "读什么", "answer": "《活着》"}])
    h.start()
    before = h.sim.inject("readers", "这周读什么书？", member="zhao", at_bot=True)
    assert h.settle([before])[before] == "skipped"  # groups start off
    h.sim.inject_from_owner("filehelper", "#on 周末读书会")
    answer = h.wait_outbox(1)[0]
    assert answer["to_id"] == "filehelper" and answer["text"].startswith("「周末读书会」：自动 auto")
    assert next(c for c in h.svc.contacts() if c.name == "周末读书会").mode == "auto"
    asked = h.sim.inject("readers", "这周读什么书？", member="zhao", at_bot=True)
    assert h.settle([asked])[asked] == "replied"
    out = h.wait_outbox(2)
    assert [o["to_id"] for o in out] == ["filehelper", "readers"] and out[1]["text"] == "[AI] 《活着》"
    h.sim.inject_from_owner("filehelper", "#off 周末读书会")
    assert h.wait_outbox(3)[2]["text"] == "「周末读书会」：关 off"
    after = h.sim.inject("readers", "这周读什么书？", member="zhao", at_bot=True)
    assert h.settle([after])[after] == "skipped"
    assert [o["to_id"] for o in h.sim.outbox()].count("readers") == 1


def test_a_reply_that_loops_is_stopped_and_never_sent(harness):
    # greedy SmolLM2 without a repeat penalty answers this greeting with a wall of one phrase and "！"
    h = harness(temperature=0.0, repeat_penalty=1.0, max_reply_tokens=1024)
    h.start()
    msg_id = h.sim.inject("zhang", "你好！")
    assert h.settle([msg_id], timeout=180)[msg_id] == "skipped"
    assert h.svc.store.get_message(msg_id).reason == "degenerate_loop"
    assert h.sim.outbox() == []
    assert h.svc.model.last_stats.generated_tokens < 1024  # stopped when it began to loop
    assert any("held back" in n.text for n in h.log.of(Notice))


def test_a_model_process_that_dies_stops_saying_ready_and_the_next_message_restarts_it(harness):
    h = harness()
    h.start()
    pid = h.svc.model.pid
    os.kill(pid, signal.SIGKILL)
    mark = h.log.mark()
    first = h.sim.inject("zhang", "你好")
    crashed = h.log.wait_for(lambda e: isinstance(e, ModelState) and e.state == ModelPhase.ERROR, start=mark)
    assert "exit code -9" in crashed.detail and "下次请求时将自动重启" in crashed.detail
    h.log.wait_for(lambda e: isinstance(e, Notice) and e.text == crashed.detail, start=mark)
    h.settle([first])
    second = h.sim.inject("zhang", "在吗")
    assert h.settle([second])[second] == "replied"
    assert h.svc.model.pid not in (None, pid)
    h.log.wait_for(lambda e: isinstance(e, ModelState) and e.state == ModelPhase.READY, start=mark)


def test_retention_also_runs_while_the_app_keeps_running(harness, monkeypatch):
    monkeypatch.setattr(service, "SUMMARY_TICK_SECONDS", 0.05)
    monkeypatch.setattr(service, "RETENTION_EVERY_SECONDS", 0.2)  # "daily", sped up
    h = harness(with_model=False, retention_days=30)
    h.start()
    cid = h.contact_id("张三-老客户")
    h.svc.store.add_turn(cid, "user", "四十天前的话", at=time.time() - 40 * 86400)  # old by the time it is next due
    h.svc.store.add_turn(cid, "user", "昨天的话", at=time.time() - 86400)
    deadline = time.monotonic() + 30
    while "四十天前的话" in [t.text for t in h.svc.store.recent(cid, 10)]:
        assert time.monotonic() < deadline, "the old message outlived the daily retention run"
        time.sleep(0.05)
    assert [t.text for t in h.svc.store.recent(cid, 10)] == ["昨天的话"]
