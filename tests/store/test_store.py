"""History, contacts, personal settings, migrations, retention, export and wipe on real SQLite files."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
import time

import pytest

from wxbot.core.history import History
from wxbot.errors import StoreError
from wxbot.messages import Actor, ChatKind, ContactKind, Message, OpKind, Passage, Reply, ReplyMode, Turn
from wxbot.store import EXPORT_WARNING, Store, export_history, migrations, wipe
from wxbot.store.apikey import load_api_key, save_api_key
from wxbot.store.db import db_path
from wxbot.store.export import FORMATS
from wxbot.store.keys import SERVICE, keyring_user
from wxbot.store.migrations import STEPS
from wxbot.store.oplog import operations_csv

PRICE = Passage("货号: SJ-0412; 单价(元): 168", "价目表.xlsx", "商品 第3行", 2.5)


def test_history_protocol(store):
    history: History = store
    cid = store.upsert_contact("friend", "小李").id
    history.add_turn(cid, "user", "在吗", at=100.0, msg_id="w1")
    history.add_turn(cid, "user", "在吗", at=100.0, msg_id="w1")  # the same WeChat message again
    history.add_turn(cid, "assistant", "在的，请讲", at=101.0)
    history.add_turn(cid, "user", "多少钱？", at=102.0)
    assert history.recent(cid, 2) == [Turn("assistant", "在的，请讲", 101.0), Turn("user", "多少钱？", 102.0)]
    assert history.recent(cid, 10)[0] == Turn("user", "在吗", 100.0, "w1")
    assert history.recent(cid, 0) == []
    with pytest.raises(ValueError):
        history.add_turn(cid, "system", "x")


def test_page_and_search(store):
    a, b = store.upsert_contact("friend", "A").id, store.upsert_contact("friend", "B").id
    for i in range(120):
        store.add_turn(a, "user" if i % 2 else "assistant", f"消息 {i} Apple" if i % 10 == 0 else f"消息 {i}")
    store.add_turn(b, "user", "apple pie")
    first = store.page(a)
    assert len(first) == 50 and first[0].text == "消息 119" and first[-1].text == "消息 70 Apple"
    second = store.page(a, before=first[-1].id, limit=100)
    assert [m.text for m in second][:2] == ["消息 69", "消息 68"] and len(second) == 70
    assert store.page(a, before=second[-1].id) == []
    found = store.search(a, "apple")
    assert [m.text for m in found] == [f"消息 {i} Apple" for i in range(110, -1, -10)]
    assert store.search(b, "APPLE")[0].text == "apple pie"
    assert store.search(a, "") == []


def test_contacts(store):
    c = store.upsert_contact(ContactKind.FRIEND, "nick", "备注", profile={"fingerprint": "1|广东|深圳"})
    assert c.id.startswith("c_") and c.display_name == "备注" and c.profile["fingerprint"] == "1|广东|深圳"
    assert c.mode is ReplyMode.OFF and c.persona is None and c.paused_until is None and c.flag == ""
    store.set_mode(c.id, ReplyMode.DRAFT)
    store.set_persona(c.id, "对他要特别客气")
    store.set_paused_until(c.id, 1234.5)
    store.set_flag(c.id, "renamed")
    got = store.get_contact(c.id)
    assert (got.mode, got.persona, got.paused_until, got.flag) == (ReplyMode.DRAFT, "对他要特别客气", 1234.5, "renamed")
    assert store.mode(c.id, ContactKind.FRIEND) is ReplyMode.DRAFT and store.paused_until(c.id) == 1234.5
    assert store.persona(c.id) == "对他要特别客气"
    store.set_persona(c.id, None)
    store.set_paused_until(c.id, None)
    assert store.persona(c.id) is None and store.paused_until(c.id) == 0.0
    assert store.mode("c_unknown") is ReplyMode.OFF and store.get_contact("c_unknown") is None
    with pytest.raises(StoreError):
        store.set_mode("c_unknown", ReplyMode.AUTO)
    # an update keeps the id, the mode and the profile
    again = store.upsert_contact("friend", "new nick", "备注", contact_id=c.id)
    assert (again.id, again.nick_name, again.mode, again.profile) == (c.id, "new nick", ReplyMode.DRAFT, c.profile)
    group = store.upsert_contact("group", "备注", mode=ReplyMode.AUTO)
    assert group.mode is ReplyMode.AUTO
    assert [x.id for x in store.list_contacts()] == [c.id, group.id]
    assert [x.id for x in store.list_contacts("group")] == [group.id]


def test_find_contacts_by_exact_name(store):
    a = store.upsert_contact("friend", "阿强", "王强-客户")
    b = store.upsert_contact("friend", "阿强")
    g = store.upsert_contact("group", "阿强")
    assert {c.id for c in store.find_contacts("friend", nick_name="阿强")} == {a.id, b.id}
    assert [c.id for c in store.find_contacts("friend", remark_name="王强-客户")] == [a.id]
    assert [c.id for c in store.find_contacts("group", nick_name="阿强")] == [g.id]
    assert store.find_contacts("friend", nick_name="阿") == []
    assert store.find_contacts("friend", remark_name="王强-客户", nick_name="别人") == []


def test_personal_settings(store, data_dir):
    assert store.get_personal("persona", "默认") == "默认"
    store.set_personal("persona", "我是小助手")
    store.set_personal("faq_rules", [{"match": "contains", "pattern": "营业", "answer": "9点到9点"}])
    store.set_personal("persona", "我是新助手")
    assert store.get_personal("persona") == "我是新助手"
    assert store.get_personal("faq_rules")[0]["answer"] == "9点到9点"
    with pytest.raises(TypeError):
        store.set_personal("bad", object())


def test_unknown_contact_is_a_store_error(store):
    with pytest.raises(StoreError):
        store.add_turn("c_nobody", "user", "hi")


def _raw(data_dir):
    return sqlite3.connect(db_path(data_dir), isolation_level=None)


def test_ciphertexts_cannot_be_swapped_between_rows_or_columns(data_dir):
    with Store.open(data_dir) as store:
        a, b = store.upsert_contact("friend", "甲", "甲备注").id, store.upsert_contact("friend", "乙").id
        store.add_turn(a, "user", "甲的消息")
        store.add_turn(a, "user", "甲的第二条")
        store.add_turn(b, "user", "乙的消息")
    raw = _raw(data_dir)
    # row 1's text into row 2 (same contact), row 3's into row 1 (another contact)
    t1, t3 = (raw.execute("SELECT text_enc FROM messages WHERE id = ?", (i,)).fetchone()[0] for i in (1, 3))
    raw.execute("UPDATE messages SET text_enc = ? WHERE id = 2", (t1,))
    raw.execute("UPDATE messages SET text_enc = ? WHERE id = 1", (t3,))
    # a message moved to another contact's history
    raw.execute("UPDATE messages SET contact_id = ? WHERE id = 3", (a,))
    # nick and remark columns swapped, and b's nick into a
    nick, remark = raw.execute("SELECT nick_enc, remark_enc FROM contacts WHERE id = ?", (a,)).fetchone()
    raw.execute("UPDATE contacts SET nick_enc = ?, remark_enc = ? WHERE id = ?", (remark, nick, a))
    raw.close()
    with Store.open(data_dir) as store:
        for row_id in (1, 2, 3):
            msg_id = f"m{row_id}"
            _raw(data_dir).execute("UPDATE messages SET msg_id = ? WHERE id = ?", (msg_id, row_id))
            with pytest.raises(StoreError, match="tampered"):
                store.get_message(msg_id)
        with pytest.raises(StoreError, match="tampered"):
            store.get_contact(a)
        assert store.get_contact(b).nick_name == "乙"


def test_migrations_are_recorded_and_a_newer_store_is_refused(data_dir):
    Store.open(data_dir).close()
    raw = _raw(data_dir)
    names = [r[0] for r in raw.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names == [s.__name__ for s in STEPS] and names[0].startswith("m001_")
    raw.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                "VALUES ('wxbot.store', 'm999_future', 'x')")
    raw.close()
    with pytest.raises(StoreError, match="newer wxbot"):
        Store.open(data_dir)


def test_migration_turns_the_old_switch_into_modes(data_dir, monkeypatch):
    """A store written with the on/off switch: contacts that were on become auto, the rest off."""
    monkeypatch.setattr(migrations, "STEPS", STEPS[:1])
    with Store.open(data_dir) as old:
        old._sdb.db["contacts"].insert({"id": "c_on", "kind": "friend", "auto_reply": 1, "flag": "",
                                        "created_at": 1.0, "updated_at": 1.0})
        old._sdb.db["contacts"].insert({"id": "c_off", "kind": "group", "auto_reply": 0, "flag": "",
                                        "created_at": 2.0, "updated_at": 2.0})
    monkeypatch.setattr(migrations, "STEPS", STEPS)
    with Store.open(data_dir) as store:
        assert {c.id: c.mode for c in store.list_contacts()} == {"c_on": ReplyMode.AUTO, "c_off": ReplyMode.OFF}
        columns = {r[1] for r in store._sdb.rows("PRAGMA table_info(contacts)")}
        assert "auto_reply" not in columns and "mode" in columns


def test_purge_older_than(store):
    cid = store.upsert_contact("friend", "x").id
    now = time.time()
    store.add_turn(cid, "user", "old", at=now - 40 * 86400)
    store.add_turn(cid, "user", "new", at=now - 86400)
    store.inbox_add(Message("open-old", "@x", "x", ChatKind.PRIVATE, "unanswered", time=now - 90 * 86400), cid)
    assert store.purge_older_than(0) == 0
    assert store.purge_older_than(30) == 1
    assert [t.text for t in store.recent(cid, 10)] == ["new", "unanswered"]


def test_export_json_and_markdown(store, tmp_path):
    a = store.upsert_contact("friend", "客户甲", "VIP甲")
    b = store.upsert_contact("group", "群乙")
    store.add_turn(a.id, "user", "第一行\n第二行", at=1.0)
    store.add_turn(a.id, "assistant", "好的", at=2.0)
    store.add_turn(b.id, "user", "群里的话")
    store.record_reply(Reply("@x", ("168 元",), "model", body="168 元", passages=(PRICE,)), a.id, at=3.0)
    one = export_history(store, tmp_path / "out", contact_id=a.id)
    data = json.loads(one.read_text(encoding="utf-8"))
    assert data["warning"] == EXPORT_WARNING and [c["id"] for c in data["contacts"]] == [a.id]
    assert [m["text"] for m in data["contacts"][0]["messages"]] == ["第一行\n第二行", "好的", "168 元"]
    assert data["contacts"][0]["messages"][2]["passages"] == [
        {"text": PRICE.text, "source": "价目表.xlsx", "locator": "商品 第3行", "score": 2.5}]
    assert one.stat().st_mode & 0o077 == 0
    md = export_history(store, tmp_path / "out", fmt="md").read_text(encoding="utf-8")
    assert "## VIP甲" in md and "> 第一行\n> 第二行" in md and "群里的话" in md and "没有加密" in md
    assert "> 依据资料 (grounded in): 价目表.xlsx · 商品 第3行" in md
    with pytest.raises(StoreError):
        export_history(store, tmp_path, contact_id="c_nobody")


HOSTILE_NICK = "\x1b]0;pwned\x07张\x1b[2J\n三\u202e"  # retitles the terminal, clears it, breaks a line, reverses
HOSTILE_TEXT = "价格\x1b[31m168\x9b2J元\x00\n第二行\u202e"


def test_export_writes_control_characters_and_escapes_as_visible_text(store, tmp_path):
    c = store.upsert_contact("friend", HOSTILE_NICK)
    store.add_turn(c.id, "user", HOSTILE_TEXT, at=1.0)
    for fmt in FORMATS:
        raw = export_history(store, tmp_path / "out", contact_id=c.id, fmt=fmt).read_text(encoding="utf-8")
        assert not any(ch in raw for ch in "\x1b\x07\x9b\x00\u202e"), fmt
        if fmt == "json":  # the same data, escaped the JSON way
            contact = json.loads(raw)["contacts"][0]
            assert contact["nick_name"] == HOSTILE_NICK and contact["messages"][0]["text"] == HOSTILE_TEXT
        else:
            assert "## \\x1b]0;pwned\\x07张\\x1b[2J\\x0a三\\u202e" in raw
            assert "> 价格\\x1b[31m168\\x9b2J元\\x00\n> 第二行\\u202e" in raw


def test_operation_log_csv_quotes_cells_a_spreadsheet_would_run(store):
    details = ["=HYPERLINK(\"http://evil\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "小王的店"]
    for detail in details:
        store.log_operation(OpKind.LOGIN, Actor.SYSTEM, detail)
    rows = list(csv.reader(io.StringIO(operations_csv(store.operations()))))
    assert [r[3] for r in rows[1:]] == [f"'{d}" for d in details[:-1]] + ["小王的店"]


SERVER = "http://192.168.1.20:8080/v1"


def test_an_api_key_is_sent_only_to_the_server_it_was_given_for(data_dir, memory_keyring):
    save_api_key(data_dir, "sk-for-the-lan-server", SERVER)
    assert load_api_key(data_dir, "http://192.168.1.20:8080/v1/") == "sk-for-the-lan-server"
    assert load_api_key(data_dir, "HTTP://192.168.1.20:8080") == "sk-for-the-lan-server"  # the same server
    for elsewhere in ("http://203.0.113.7:8080/v1", "https://192.168.1.20:8080/v1", "http://192.168.1.20:9000/v1"):
        assert load_api_key(data_dir, elsewhere) == "", elsewhere
    save_api_key(data_dir, "", SERVER)  # removed
    assert load_api_key(data_dir, SERVER) == "" and memory_keyring.entries == {}


def test_a_key_kept_unbound_by_an_older_wxbot_is_bound_to_the_address_it_is_used_with(data_dir, memory_keyring):
    from wxbot.store.apikey import api_key_user

    memory_keyring.entries[(SERVICE, api_key_user(data_dir))] = "sk-old"
    assert load_api_key(data_dir, SERVER) == "sk-old"
    assert load_api_key(data_dir, "http://203.0.113.7:8080/v1") == ""


def test_wipe_removes_files_and_key(data_dir, memory_keyring):
    save_api_key(data_dir, "sk-test-wipe", SERVER)
    other_dir = data_dir.parent / "other-bot"
    save_api_key(other_dir, "sk-other-bot", SERVER)
    with Store.open(data_dir) as store:
        store.upsert_contact("friend", "x")
        (data_dir / "wechat-session.json").write_bytes(store.cipher.encrypt_blob(b"{}", b"s"))
    (data_dir / "settings.json").write_text("{}")
    removed = wipe(data_dir, extra_files=["wechat-session.json"])
    assert {p.name for p in removed} >= {"wxbot.db", "wechat-session.json"}
    assert not any(p.name.startswith("wxbot.db") for p in data_dir.iterdir())
    assert (data_dir / "settings.json").exists()
    assert (SERVICE, keyring_user(data_dir)) not in memory_keyring.entries
    assert load_api_key(data_dir, SERVER) == ""  # the model server's key went with it
    assert load_api_key(other_dir, SERVER) == "sk-other-bot"  # another bot's key on this PC stays
    assert wipe(data_dir) == []  # nothing left: no error
    with Store.open(data_dir) as fresh:  # and a new store starts empty
        assert fresh.list_contacts() == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_files_are_owner_only_and_close_is_idempotent(data_dir):
    store = Store.open(data_dir / "inner")
    store.upsert_contact("friend", "x")
    for name in ("wxbot.db", "wxbot.db-wal", "wxbot.db-shm"):
        assert (data_dir / "inner" / name).stat().st_mode & 0o077 == 0, name
    assert (data_dir / "inner").stat().st_mode & 0o077 == 0
    store.close()
    store.close()
    assert not (data_dir / "inner" / "wxbot.db-wal").exists()


def test_finding_a_contact_by_name_decrypts_only_the_matches(store):
    """#pause NAME and `wxbot contacts on NAME` look names up by their keyed hashes: a damaged row elsewhere
    (here another contact's name fails authentication) doesn't stop them."""
    from wxbot.core.roster import Roster
    from wxbot.settings import Settings

    roster = Roster(store, Settings())
    a = store.upsert_contact("friend", "阿强", "王强-客户")
    b = store.upsert_contact("friend", "阿强")
    g = store.upsert_contact("group", "阿强")
    damaged = store.upsert_contact("friend", "李四")
    with store._sdb.tx() as db:
        db.execute("UPDATE contacts SET nick_enc = ? WHERE id = ?", (b"\x01" + b"\x00" * 40, damaged.id))
    assert {e.contact_id for e in roster.find("阿强")} == {a.id, b.id, g.id}
    assert [(e.contact_id, e.name) for e in roster.find("王强-客户")] == [(a.id, "王强-客户")]
    assert roster.find("阿") == []
