"""Kill -9 loop: a child writing 1,000 inbox messages is killed at random moments 20 times. After each
kill the database passes integrity_check, every committed message is intact and decrypts, and the
interrupted work is resumed exactly once and answered at most once."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.store.child import FULL_STOP_MESSAGES, REPO, message_text
from wxbot.messages import Reply
from wxbot.store import Store
from wxbot.store.db import db_path

PASS = "crash test passphrase"
RUNS = 20


def _kill_at_random(cmd: list[str], env: dict, rng: random.Random, early: bool) -> None:
    child = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        if early:  # anywhere from interpreter start through open/creation/recovery
            time.sleep(rng.uniform(0.0, 0.8))
        else:  # somewhere among the writes
            child.stdout.readline()
            time.sleep(rng.uniform(0.0, 0.8))
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_loop(tmp_path, no_keyring, monkeypatch):
    monkeypatch.setenv("WXBOT_PASSPHRASE", PASS)
    seed = int(os.environ.get("WXBOT_CRASH_SEED", time.time_ns() % 10**6))
    print(f"crash test seed {seed} (WXBOT_CRASH_SEED)")
    rng = random.Random(seed)
    data_dir, side = tmp_path / "data", tmp_path / "committed.txt"
    side.touch()
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    resumed: Counter[str] = Counter()
    for run in range(RUNS):
        cmd = [sys.executable, "-m", "tests.store.child", str(data_dir), str(side), str(run), "crash"]
        _kill_at_random(cmd, env, rng, early=run % 4 == 0)
        committed = side.read_text(encoding="utf-8").split()
        if not db_path(data_dir).exists():  # killed before the first store was in place
            assert committed == []
            continue
        raw = sqlite3.connect(db_path(data_dir))
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"run {run}"
        open_ids = {r[0] for r in raw.execute(
            "SELECT msg_id FROM messages WHERE direction = 'in' AND state IN ('received', 'replying')")}
        sending = {r[0] for r in raw.execute("SELECT msg_id FROM messages WHERE state = 'sending'")}
        raw.close()
        with Store.open(data_dir) as store:
            for msg_id in committed:
                stored = store.get_message(msg_id)
                assert stored is not None and stored.text == message_text(msg_id), f"run {run}: {msg_id}"
            redo = store.inbox_resume(expire_after_s=3600)
            assert {m.msg_id for m in redo} == open_ids
            assert store.inbox_resume(expire_after_s=3600) == []
            assert all(store.get_message(m).state == "failed" for m in sending)
            for m in redo:  # the new run answers what was interrupted
                resumed[m.msg_id] += 1
                assert m.text == message_text(m.msg_id)
                assert store.inbox_claim(m.msg_id)
                store.inbox_set_state(m.msg_id, "sending")
                store.record_reply(Reply("@user", ("redo",), "model", (m.msg_id,)), m.contact_id)
    assert resumed and max(resumed.values()) == 1
    raw = sqlite3.connect(db_path(data_dir))
    answers = Counter(i for (ids,) in raw.execute("SELECT in_reply_to FROM messages WHERE direction = 'out'")
                      for i in json.loads(ids))
    assert answers and max(answers.values()) == 1, "a message was answered twice"
    assert raw.execute("SELECT count(*) FROM messages WHERE state IN ('received', 'replying', 'sending')"
                       ).fetchone() == (0,)
    raw.close()


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE")
def test_a_stop_on_a_full_disk_loses_nothing_and_the_store_opens_once_space_is_back(tmp_path, no_keyring):
    """The shutdown checkpoint fails partway (files may not grow: a full disk), leaving the main file half-updated
    and whole only with its WAL. The stop says so in words, and the next open reads the store through its WAL."""
    data_dir = tmp_path / "data"
    env = {**os.environ, "WXBOT_PASSPHRASE": PASS, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = subprocess.run([sys.executable, "-m", "tests.store.child", str(data_dir), str(tmp_path / "side"), "0",
                           "fullstop"], env=env, cwd=REPO, capture_output=True, text=True, timeout=240)
    assert done.stdout.split() == ["ready", "closed"], done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "checkpoint failed" in done.stderr
    wal = data_dir / "wxbot.db-wal"
    assert wal.stat().st_size > 0  # the commits are in the WAL only
    with Store.open(data_dir, passphrase=lambda: PASS) as store:
        contact = store.find_contacts("friend", nick_name="crash-friend")[0]
        kept = store.page(contact.id, limit=FULL_STOP_MESSAGES + 1)
        assert len(kept) == FULL_STOP_MESSAGES
        assert {m.text for m in kept} == {message_text(f"f{i}") for i in range(FULL_STOP_MESSAGES)}
    assert not wal.exists() or wal.stat().st_size == 0  # space is back: this stop's checkpoint went through
    raw = sqlite3.connect(db_path(data_dir))
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()
