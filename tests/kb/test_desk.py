"""The knowledge base as the app drives it, on a real store: where each file came from survives a restart (sealed)
so re-import works, a bad file among several doesn't keep the others out, progress is reported per file, a
changed knowledge-base setting reopens it, and a missing embedding model leaves keyword search on, said in words."""

from __future__ import annotations

import pytest

from tests.store.test_no_plaintext import hits
from tests.test_cli import env_for, wxbot
from wxbot.errors import KnowledgeError
from wxbot.kb.base import ImportStatus
from wxbot.kb.desk import KnowledgeDesk
from wxbot.store import Store

PRICES = "货号,品名,单价(元)\nSJ-0412,手机支架,{price}\nXL-0007,数据线,25\n"
SECRET_FOLDER = "客户资料-秘密"


@pytest.fixture
def prices(tmp_path):
    folder = tmp_path / SECRET_FOLDER
    folder.mkdir()
    path = folder / "价目表.csv"
    path.write_text(PRICES.format(price=168), encoding="utf-8")
    return path


def test_reimport_after_a_restart_reads_the_changed_file_from_where_it_was_added(data_dir, settings, prices):
    store = Store.open(data_dir)
    desk = KnowledgeDesk(store, settings)
    [(name, report)] = desk.add_files([prices])
    assert (name, report.status, report.passages) == ("价目表.csv", ImportStatus.ADDED, 2)
    desk.close()
    store.close()
    assert hits(list(data_dir.rglob("*")), [SECRET_FOLDER.encode()]) == {}  # the file's place is sealed too

    prices.write_text(PRICES.format(price=178), encoding="utf-8")
    store = Store.open(data_dir)
    desk = KnowledgeDesk(store, settings)
    assert desk.reimport("价目表.csv").status == ImportStatus.REPLACED
    assert "178" in desk.search("SJ-0412 多少钱")[0].text
    assert desk.reimport("价目表.csv").status == ImportStatus.UNCHANGED
    desk.close()
    store.close()


def test_reimport_explains_an_unknown_or_vanished_file(store, settings, prices):
    desk = KnowledgeDesk(store, settings)
    with pytest.raises(KnowledgeError, match="add the file again"):
        desk.reimport("价目表.csv")
    desk.add_file(prices)
    prices.unlink()
    with pytest.raises(KnowledgeError, match="the file is gone"):
        desk.reimport("价目表.csv")
    assert len(desk) == 2  # nothing already in the knowledge base was lost


def test_a_bad_file_is_reported_and_the_others_go_in_with_progress(store, settings, prices, tmp_path):
    bad = tmp_path / "照片.png"
    bad.write_bytes(b"\x89PNG")
    seen: list[tuple[str, int, int]] = []
    desk = KnowledgeDesk(store, settings)
    results = desk.add_files([bad, prices], progress=lambda *step: seen.append(step))
    assert [name for name, _ in results] == ["照片.png", "价目表.csv"]
    assert isinstance(results[0][1], KnowledgeError) and "not supported" in results[0][1].en
    assert results[1][1].passages == 2
    assert seen and {name for name, _, _ in seen} == {"价目表.csv"}


def test_remove_takes_the_document_and_its_place(store, settings, prices):
    desk = KnowledgeDesk(store, settings)
    desk.add_file(prices)
    assert desk.remove("价目表.csv") and len(desk) == 0 and desk.search("SJ-0412") == []
    with pytest.raises(KnowledgeError, match="add the file again"):
        desk.reimport("价目表.csv")


def test_only_a_changed_knowledge_base_setting_reopens_it(store, settings, prices):
    desk = KnowledgeDesk(store, settings)
    desk.add_file(prices)
    first = desk.kb
    desk.apply_settings(settings.replace(max_reply_tokens=64, kb_fallback_text="稍等"))
    assert desk.kb is first
    desk.apply_settings(settings.replace(kb_min_coverage=0.9))
    assert desk.kb is not first and len(desk) == 2


def test_a_missing_embedding_model_leaves_keyword_search_and_says_why(store, settings, prices):
    desk = KnowledgeDesk(store, settings.replace(kb_embedding_model="no-such-embedder.gguf"))
    assert "embedding model not found: no-such-embedder.gguf" in desk.semantic_note()
    desk.add_file(prices)
    assert desk.search("SJ-0412")[0].source == "价目表.csv"


def test_a_file_added_with_wxbot_kb_add_can_be_reimported_from_the_window(data_dir, settings, prices):
    env = env_for(data_dir)
    done = wxbot("kb", "add", str(prices), env=env)
    assert done.returncode == 0, done.stderr
    prices.write_text(PRICES.format(price=178), encoding="utf-8")
    store = Store.open(data_dir, passphrase=lambda: env["WXBOT_PASSPHRASE"])
    desk = KnowledgeDesk(store, settings)
    assert desk.reimport("价目表.csv").status == ImportStatus.REPLACED
    desk.close()
    store.close()
