"""A separate process that writes to a store until it is killed (run by the crash and wrong-key tests).

python -m tests.store.child DATA_DIR SIDE_FILE RUN MODE
MODE "crash": write up to 1,000 inbox messages, moving them through the inbox states, and append each
committed msg id to SIDE_FILE (fsynced) after its commit. MODE "hold": write 5 messages, print "held",
and wait to be killed (leaving -wal/-shm behind). The passphrase comes from WXBOT_PASSPHRASE; the
keyring is forced to keyring's fail backend so the machine's keychain is never touched.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import keyring
from keyring.backends import fail

from wxbot.messages import ChatKind, Message, Reply
from wxbot.store import Store

REPO = Path(__file__).resolve().parents[2]  # run me from here: python -m tests.store.child


def message_text(msg_id: str) -> str:
    return f"崩溃测试 crash text of {msg_id} " + "字" * (len(msg_id) * 7 % 50)


def main(data_dir: Path, side_file: Path, run: int, mode: str) -> None:
    keyring.set_keyring(fail.Keyring())
    store = Store.open(data_dir)
    found = store.find_contacts("friend", nick_name="crash-friend")
    contact = found[0] if found else store.upsert_contact("friend", "crash-friend")
    print("ready", flush=True)
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


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
