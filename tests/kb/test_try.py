"""`wxbot kb try` and same-name imports as an owner runs them: real processes on a real encrypted store, with
files the tests write. 「试一试」 says what would answer a question (a rule, passages, the fallback, a draft) and
why; importing a different file under a name the knowledge base holds needs --replace, and the same price list
as .xlsx and .csv is said."""

from __future__ import annotations

import json

import openpyxl

from tests.kb.files import PRICE_HEADER, PRICES, write_csv
from tests.test_cli import env_for, wxbot
from wxbot.core.answering import Route, decide
from wxbot.core.faq import FaqMatcher
from wxbot.kb.desk import KnowledgeDesk, SameNameError

RULES = [{"match": "examples", "examples": ["你好", "在吗", "hello"], "answer": "您好，欢迎光临～"},
         {"match": "examples", "examples": ["能退货吗", "不喜欢可以退吗"], "answer": "7 天无理由退换，吊牌完好即可。"},
         {"match": "examples", "examples": ["围巾多少钱"], "answer": "围巾价格请看商品页。"}]
NOTES = ("# 真丝围巾\n\n真丝围巾怎么洗：冷水手洗，不可机洗，阴干。\n\n"
         "# 售后\n\n质量问题 30 天内包换，来回运费由本店承担。\n")
FALLBACK = "这个我问一下店主再回复您"


def shop(data_dir, tmp_path, **env) -> dict[str, str]:
    environ = env_for(data_dir, WXBOT_FAQ_RULES=json.dumps(RULES, ensure_ascii=False),
                      WXBOT_KB_FALLBACK_TEXT=FALLBACK, **env)
    notes = tmp_path / "商品说明.md"
    notes.write_text(NOTES, encoding="utf-8")
    assert wxbot("kb", "add", str(notes), env=environ).returncode == 0
    return environ


def tried(question: str, env: dict[str, str]) -> dict:
    done = wxbot("kb", "try", question, "--json", env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_try_shows_the_rule_that_answers_and_why(data_dir, tmp_path):
    env = shop(data_dir, tmp_path)
    greeting = tried("你好，在吗？", env)
    assert greeting["route"] == "rule" and greeting["answer"] == RULES[0]["answer"]
    assert greeting["rule"]["number"] == 1 and greeting["rule"]["score"] == 1.0 and greeting["passages"] == []
    assert "rule 1" in greeting["reason"]
    returns = tried("拆开看了不太喜欢，还能退吗", env)
    assert returns["route"] == "rule" and returns["rule"]["number"] == 2
    assert returns["answer"] == RULES[1]["answer"] and returns["rule"]["matched"] in RULES[1]["examples"]
    assert 0 < returns["rule"]["score"] < 1


def test_try_shows_the_passages_that_answer_when_they_fit_better_than_a_rule(data_dir, tmp_path):
    env = shop(data_dir, tmp_path, WXBOT_KB_QUOTE_PASSAGES="1")
    shown = tried("真丝围巾怎么洗", env)
    assert shown["route"] == "passages"
    top = shown["passages"][0]
    assert top["source"] == "商品说明.md" and "冷水手洗" in top["text"] and top["match"] > 0.5
    assert shown["answer"] == top["text"]  # quoted exactly as written
    assert all(r["score"] < top["match"] for r in shown["rules"])  # a rule sharing 围巾 was weighed and lost
    modelled = tried("真丝围巾怎么洗", {**env, "WXBOT_KB_QUOTE_PASSAGES": "0"})
    assert modelled["route"] == "model" and modelled["answer"] == "" and modelled["passages"]


def test_try_shows_the_fallback_or_a_draft_for_a_factual_question_nothing_answers(data_dir, tmp_path):
    env = shop(data_dir, tmp_path, WXBOT_DRAFT_WHEN_UNSURE="false")
    fallback = tried("羊驼毛毯子有货吗", env)
    assert fallback["route"] == "fallback" and fallback["answer"] == FALLBACK
    assert fallback["passages"] == [] and fallback["factual"] is True and "fallback" in fallback["reason"]
    draft = tried("羊驼毛毯子有货吗", {**env, "WXBOT_DRAFT_WHEN_UNSURE": "true"})
    assert draft["route"] == "draft" and draft["answer"] == "" and "draft" in draft["reason"]
    plain = wxbot("kb", "try", "你好", env=env)
    assert plain.returncode == 0 and plain.stdout.startswith("rule: ") and RULES[0]["answer"] in plain.stdout


def test_a_different_file_under_a_taken_name_needs_replace(data_dir, tmp_path):
    env = env_for(data_dir)
    prices = write_csv(tmp_path / "价目表.csv", "utf-8")
    assert wxbot("kb", "add", str(prices), env=env).returncode == 0
    write_csv(prices, "utf-8", [PRICE_HEADER, ["SJ-0412", "真丝围巾", 178, 23]])  # another list, the same name
    refused = wxbot("kb", "add", str(prices), env=env)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert "已有「价目表.csv」" in refused.stderr and "already holds a different 价目表.csv" in refused.stderr
    assert "--replace" in refused.stderr
    kept = json.loads(wxbot("kb", "search", "SJ-0412 多少钱", "--json", env=env).stdout)
    assert "168" in kept[0]["text"]  # nothing changed
    listed = wxbot("kb", "list", env=env).stdout
    assert "3 条 passages" in listed

    replaced = wxbot("kb", "add", "--replace", str(prices), env=env)
    assert replaced.returncode == 0 and "已更新 replaced: 价目表.csv (1 条 passages)" in replaced.stdout
    now = json.loads(wxbot("kb", "search", "SJ-0412 多少钱", "--json", env=env).stdout)
    assert "178" in now[0]["text"]
    again = wxbot("kb", "add", str(prices), env=env)  # the same bytes again: nothing to ask
    assert again.returncode == 0 and "未变 unchanged" in again.stdout


def test_the_same_price_list_as_xlsx_and_csv_is_said(data_dir, tmp_path):
    env = env_for(data_dir)
    book = openpyxl.Workbook()
    for row in (PRICE_HEADER, *PRICES):
        book.active.append(row)
    book.save(tmp_path / "价目表.xlsx")
    assert wxbot("kb", "add", str(tmp_path / "价目表.xlsx"), env=env).returncode == 0
    done = wxbot("kb", "add", str(write_csv(tmp_path / "价目表.csv", "gbk")), env=env)
    assert done.returncode == 0
    assert "与「价目表.xlsx」的内容相同" in done.stdout and "the same rows as 价目表.xlsx" in done.stdout
    other = wxbot("kb", "add", str(write_csv(tmp_path / "新品.csv", "utf-8", [PRICE_HEADER, ["XL-1", "数据线", 25, 3]])),
                  env=env)
    assert other.returncode == 0 and "the same rows" not in other.stdout


def test_the_window_path_refuses_too_and_decide_uses_the_same_kb(store, settings, tmp_path):
    desk = KnowledgeDesk(store, settings.replace(faq_rules=RULES))
    try:
        notes = tmp_path / "商品说明.md"
        notes.write_text(NOTES, encoding="utf-8")
        desk.add_file(notes)
        notes.write_text(NOTES + "\n# 发票\n\n可开电子发票。\n", encoding="utf-8")
        results = desk.add_files([notes])
        assert isinstance(results[0][1], SameNameError) and results[0][1].path == notes.resolve()
        assert [d.passages for d in desk.documents()] == [2]
        assert desk.add_files([notes], replace=True)[0][1].passages == 3
        decision = decide("可以开发票吗", FaqMatcher(RULES, settings.faq_min_similarity), desk, desk.settings)
        assert decision.route is Route.MODEL and "电子发票" in decision.passages[0].text
    finally:
        desk.close()
