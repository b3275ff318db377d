"""A marker planted in messages, the passages a reply used, names, persona and settings is found 0 times in the
database files (while open and after close), in a sealed session blob and in the logs; neither is the data key."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from loguru import logger

from wxbot.logs import setup_logging
from wxbot.messages import ChatKind, Message, Passage, Reply
from wxbot.store import Store, export_history
from wxbot.store.keys import SERVICE, keyring_user
from wxbot.store.memkeyring import MemoryKeyring

MARKER = "MARKER-7f3a-秘密暗号"
PASS = "a long passphrase 口令"


@pytest.fixture
def logs(tmp_path):
    log_dir = tmp_path / "logs"
    setup_logging(log_dir, "DEBUG", console=False)
    debug_sink = logger.add(log_dir / "debug.log", level="DEBUG")  # stricter than the app: DEBUG on disk too
    yield log_dir
    logger.complete()
    logger.remove(debug_sink)


def hits(paths: list[Path], needles: list[bytes]) -> dict[str, int]:
    found = {}
    for p in paths:
        if p.is_file():
            data = p.read_bytes()
            count = sum(data.count(n) for n in needles)
            if count:
                found[p.name] = count
    return found


def needles(text: str) -> list[bytes]:
    return [text.encode("utf-8"), text.encode("utf-16-le"), "秘密暗号".encode(), b"MARKER-7f3a"]


def plant(store: Store) -> bytes:
    c = store.upsert_contact("friend", f"nick {MARKER}", f"remark {MARKER}", profile={"fingerprint": MARKER})
    g = store.upsert_contact("group", f"group {MARKER}")
    store.set_persona(c.id, f"persona {MARKER}")
    store.set_personal("persona", f"global persona {MARKER}")
    store.set_personal("away_message", MARKER)
    store.set_personal("faq_rules", [{"match": "contains", "pattern": "价格", "answer": MARKER}])
    for i in range(300):
        store.inbox_add(Message(f"w{i}", "@u", "x", ChatKind.PRIVATE, f"{i} {MARKER} " * 3), c.id)
        if i == 150:
            store.checkpoint()  # some rows in the main file, the rest in the WAL
    store.inbox_add(Message("g1", "@@g", "g", ChatKind.GROUP, MARKER, sender_name=f"member {MARKER}"), g.id)
    store.inbox_claim("w1")
    store.inbox_set_state("w1", "sending")
    store.record_reply(Reply("@u", (MARKER,), "model", ("w1",), body=f"reply {MARKER}",
                             passages=(Passage(f"passage {MARKER}", f"{MARKER}.xlsx", f"sheet {MARKER}", 1.0),)), c.id)
    store.add_turn(c.id, "assistant", MARKER)
    assert store.search(c.id, MARKER) and store.get_contact(c.id).persona.endswith(MARKER)
    return store.cipher.encrypt_blob(json.dumps({"cookies": MARKER}).encode(), b"wxbot-wechat-session/1")


@pytest.mark.parametrize("source", ["keyring", "passphrase"])
def test_marker_never_on_disk(source, data_dir, logs, tmp_path, memory_keyring, monkeypatch):
    if source == "passphrase":
        monkeypatch.setattr(MemoryKeyring, "priority", 0)  # not a recommended backend any more
    store = Store.open(data_dir, passphrase=lambda: PASS)
    assert store.key_source == source
    blob = plant(store)
    files = [data_dir / n for n in ("wxbot.db", "wxbot.db-wal", "wxbot.db-shm")]
    assert (data_dir / "wxbot.db-wal").stat().st_size > 0
    assert hits(files, needles(MARKER)) == {}, "plaintext in the open store's files"
    assert MARKER.encode() not in blob and "秘密暗号".encode() not in blob
    store.close()
    logger.complete()
    everything = [p for d in (data_dir, logs) for p in d.rglob("*")]
    assert hits(everything, needles(MARKER)) == {}, "plaintext after close or in the logs"
    assert any(p.stat().st_size for p in logs.rglob("*.log")), "the logs were written"
    secrets = [PASS.encode()]
    if source == "keyring":
        key_b64 = memory_keyring.entries[(SERVICE, keyring_user(data_dir))]
        key = base64.b64decode(key_b64)
        secrets += [key, key.hex().encode(), key_b64.encode()]
    assert hits(everything, secrets) == {}, "key material on disk"
    # the export, by contrast, is plain text (that is what EXPORT_WARNING is for): the scan does find it
    with Store.open(data_dir, passphrase=lambda: PASS) as again:
        exported = export_history(again, tmp_path / "export")
    assert hits([exported], needles(MARKER))
