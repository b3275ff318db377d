"""A separate process that writes to a store until it is killed (run by the crash and wrong-key tests).

python -m tests.store.child DATA_DIR SIDE_FILE RUN MODE
MODE "crash": write up to 1,000 inbox messages, moving them through the inbox states, and append each
committed msg id to SIDE_FILE (fsynced) after its commit. MODE "hold": write 5 messages, print "held",
and wait to be killed (leaving -wal/-shm behind). MODE "fullstop": write FULL_STOP_MESSAGES messages (no
automatic checkpoint), then stop on a "full disk": files may not grow past the main file's size
(RLIMIT_FSIZE), so the shutdown checkpoint fails partway; print "closed" if the store closed in words. The passphrase comes from WXBOT_PASSPHRASE; the
keyring is forced to keyring's fail backend so the machine's keychain is never touched.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import time
from pathlib import Path

import keyring
from keyring.backends import fail

from wxbot.messages import ChatKind, Message, Reply
from wxbot.store import NewMessage, Store

REPO = Path(__file__).resolve().parents[2]  # run me from here: python -m tests.store.child
FULL_STOP_MESSAGES = 3000


def message_text(msg_id: str) -> str:
    return f"崩溃测试 crash text of {msg_id} " + "字" * (len(msg_id) * 7 % 50)


def main(data_dir: Path, side_file: Path, run: int, mode: str) -> None:
    keyring.set_keyring(fail.Keyring())
    store = Store.open(data_dir)
    found = store.find_contacts("friend", nick_name="crash-friend")
    contact = found[0] if found else store.upsert_contact("friend", "crash-friend")
    print("ready", flush=True)
    if mode == "fullstop":
        stop_on_a_full_disk(store, contact.id, data_dir)
        return
    count = 1000 if mode == "crash" else 5
    with open(side_file, "a", encoding="utf-8") as side:
        for i in range(count):
            msg_id = f"r{run}-{i}"
            msg = Message(msg_id, "@user", "crash-friend", ChatKind.PRIVATE, message_text(msg_id))
            store.inbox_add(msg, contact.id)
            if i % 4 in (1, 2, 3):
                store.inbox_claim(msg_id)
            if i % 4 in (2, 3):
                store.inbox_set_state(msg_id, "sending")
            if i % 4 == 3:
                store.record_reply(Reply("@user", ("ok",), "model", (msg_id,), body="ok"), contact.id)
            side.write(msg_id + "\n")
            side.flush()
            os.fsync(side.fileno())
    print("held", flush=True)
    time.sleep(600)


def stop_on_a_full_disk(store: Store, contact_id: str, data_dir: Path) -> None:
    with store._sdb.lock:
        store._sdb.db.execute("PRAGMA wal_autocheckpoint = 0")
    store.insert_messages(NewMessage(contact_id, "in", message_text(f"f{i}"), 1000.0 + i, "stored", msg_id=f"f{i}")
                          for i in range(FULL_STOP_MESSAGES))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing us
    main_size = (data_dir / "wxbot.db").stat().st_size
    resource.setrlimit(resource.RLIMIT_FSIZE, (main_size + 4096, resource.RLIM_INFINITY))
    store.close()
    print("closed", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
