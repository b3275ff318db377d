"""Knowledge gaps end to end: real itchat-uos ⇄ simulator ⇄ BotService ⇄ real SQLite. Questions the bot could
not answer by itself (drafts the owner rejected or corrected) come back as one gap, most frequent first; answered
once from the gaps list, the same question is answered automatically the next time, and the gap is gone. The
daily summary names the top gaps."""

from __future__ import annotations

from tests.e2e.test_drafts import notice_number, owner_says, wait_notice
from wxbot.core.drafts import Keep
from wxbot.core.gaps import GapWhy

WRONG = [{"match": "contains", "pattern": "发票", "answer": "不能开发票"}]


def test_a_gap_answered_from_the_list_is_answered_automatically_the_next_time(harness):
    h = harness(with_model=False, new_contact_mode="draft", draft_notice_seconds=0, faq_rules=WRONG)
    svc = h.start()
    h.sim.inject("zhang", "能开发票吗？")
    n = notice_number(wait_notice(h, 1)["text"])
    assert "已放弃" in owner_says(h, f"#no {n}", 2)  # rejected: a gap
    h.sim.inject("li", "能开发票吗")
    n = notice_number(wait_notice(h, 3)["text"])
    assert "正在发送给" in owner_says(h, f"#edit {n} 可以开，请发抬头和税号", 4)  # corrected: the same gap
    h.sim.wait_sent_to("li", 1)

    [gap] = svc.gaps()
    assert (gap.count, gap.whys) == (2, {GapWhy.REJECTED, GapWhy.CORRECTED})
    assert sorted(gap.questions) == ["能开发票吗", "能开发票吗？"]
    svc.summary.settings = svc.settings.replace(daily_summary_hour=0)  # its hour has come (its timer may send it)
    svc.summary.tick()
    summary = h.sim.wait_sent_to("filehelper", 5)[-1]["text"]
    assert summary.startswith("【wxbot 今日小结")
    assert "知识缺口" in summary and f"「{gap.question}」2 次" in summary

    assert "已保存" in svc.answer_gap(gap, Keep.FAQ, "可以开电子发票，请发抬头和税号")
    assert svc.gaps() == []
    svc.set_mode(h.contact_id("王五"), "auto")
    asked = h.sim.inject("wang", gap.question)
    assert h.settle([asked])[asked] == "replied"
    assert [o["text"] for o in h.sim.outbox() if o["to_id"] == "wang"] == ["[AI] 可以开电子发票，请发抬头和税号"]
