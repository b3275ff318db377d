"""What field encryption costs: encrypted store vs plaintext SQLite (same schema, pragmas and batches)
for inserts and reads of 100k messages, and the time to load one contact's last 200 messages from 1M.

python -m bench.bench_store [--small]   (prints ratios against the same-run plaintext baselines)
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import keyring
from keyring.backends import fail

from wxbot.store import NewMessage, Store, migrations
from wxbot.store.db import StoreDB
from wxbot.store.history import COLUMNS, INSERT, SELECT

GOAL = 0.5
BATCH = 5000
PASSPHRASE = "benchmark passphrase"
_WORDS = "你好 请问 今天 营业 价格 多少 明天 可以 预约 谢谢 好的 收到 发货 地址 老师 上课 hello ok 🙂".split()


def make_messages(n: int, contacts: list[str], seed: int = 7) -> list[NewMessage]:
    rng = random.Random(seed)
    start = time.time() - n
    return [NewMessage(contacts[i % len(contacts)], "in" if i % 2 else "out",
                       " ".join(rng.choices(_WORDS, k=rng.randint(3, 20))), start + i, "replied" if i % 2 else "sent")
            for i in range(n)]


def open_store(path: Path, n_contacts: int) -> tuple[Store, list[str]]:
    store = Store.open(path, passphrase=lambda: PASSPHRASE)
    contacts = [c.id for c in store.list_contacts()] or [
        store.upsert_contact("friend", f"contact {i}").id for i in range(n_contacts)]
    return store, contacts


def plain_db(path: Path, contacts: list[str]) -> StoreDB:
    """The store's own schema, pragmas and constraints, with the text columns left unencrypted."""
    sdb = StoreDB(path)
    migrations.apply(sdb.db)
    now = time.time()
    sdb.db["contacts"].insert_all([{"id": c, "kind": "friend", "nick_enc": c.encode(), "mode": "off", "flag": "",
                                    "created_at": now, "updated_at": now} for c in contacts])
    return sdb


def plain_rows(msgs: list[NewMessage]) -> list[tuple]:
    """Rows for history.INSERT (explicit ids, like the store), text as plain UTF-8; built by column name, so a
    column the schema gains fails here by its name (KeyError) instead of shifting the others."""
    def row(i: int, m: NewMessage) -> tuple:
        values = {"id": i, "msg_id": None, "contact_id": m.contact_id, "direction": m.direction, "time": m.time,
                  "state": m.state, "reason": "", "by_bot": 0, "source": "", "kind": "text", "chat": "private",
                  "is_at": 0, "in_reply_to": "[]", "run_id": "", "text_enc": m.text.encode("utf-8"),
                  "sender_enc": None, "passages_enc": None}
        return tuple(values[c] for c in COLUMNS)
    return [row(i, m) for i, m in enumerate(msgs, 1)]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_throughput(tmp: Path, n: int) -> None:
    store, contacts = open_store(tmp / "enc", 100)
    msgs = make_messages(n, contacts)
    utils_db, many_db = plain_db(tmp / "plain-utils.db", contacts), plain_db(tmp / "plain-many.db", contacts)
    def insert_all() -> None:
        rows = (dict(zip(COLUMNS[1:], r[1:], strict=True)) for r in plain_rows(msgs))
        utils_db.db["messages"].insert_all(rows, batch_size=BATCH)

    def executemany() -> None:
        rows = plain_rows(msgs)
        for i in range(0, n, BATCH):
            with many_db.tx() as db:
                db.conn.executemany(INSERT, rows[i:i + BATCH])

    t_utils = timed(insert_all)
    t_many = timed(executemany)
    t_enc = timed(lambda: store.insert_messages(msgs, batch=BATCH))
    print(f"insert {n:,} messages, {BATCH} per transaction:")
    print(f"  plaintext sqlite-utils insert_all   {n / t_utils:>10,.0f} msg/s   (same schema, pragmas, batches)")
    print(f"  plaintext executemany (store's SQL) {n / t_many:>10,.0f} msg/s")
    print(f"  encrypted store.insert_messages     {n / t_enc:>10,.0f} msg/s")
    print(f"  ratio encrypted/insert_all  {t_utils / t_enc:.2f}   ratio encrypted/executemany {t_many / t_enc:.2f}"
          f"   (goal >= {GOAL})")

    def read_plain() -> None:
        for cid in contacts:
            list(utils_db.db.query(f"{SELECT} WHERE contact_id = ? ORDER BY id DESC", [cid]))

    def read_enc() -> None:
        for cid in contacts:
            store.page(cid, limit=n)

    t_plain, t_read = timed(read_plain), timed(read_enc)
    print(f"read all {n:,} messages, per contact, newest first:")
    print(f"  plaintext sqlite-utils query        {n / t_plain:>10,.0f} msg/s")
    print(f"  encrypted store.page (decrypt)      {n / t_read:>10,.0f} msg/s")
    print(f"  ratio encrypted/plaintext {t_plain / t_read:.2f}   (goal >= {GOAL})")
    store.close()
    utils_db.close()
    many_db.close()


def bench_last_200(tmp: Path, n: int) -> None:
    store, contacts = open_store(tmp / "big", n // 1000)
    t_gen = timed(lambda: store.insert_messages(make_messages(n, contacts, seed=11), batch=20000))
    store.close()
    print(f"load the last 200 messages of one contact from {n:,} ({len(contacts)} contacts, "
          f"generated in {t_gen:.1f} s):")
    store, _ = open_store(tmp / "big", 0)
    first = timed(lambda: store.page(contacts[len(contacts) // 2], limit=200))
    runs = [timed(lambda c=c: store.page(c, limit=200)) for c in random.Random(3).sample(contacts, 50)]
    assert len(store.page(contacts[len(contacts) // 2], limit=200)) == 200
    store.close()
    print(f"  first after open {first * 1000:.1f} ms, median of 50 contacts {statistics.median(runs) * 1000:.1f} ms, "
          f"max {max(runs) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="10k / 100k messages instead of 100k / 1M")
    args = parser.parse_args()
    keyring.set_keyring(fail.Keyring())  # never touch the machine's keychain: passphrase mode
    with tempfile.TemporaryDirectory(prefix="wxbot-bench-") as tmp:
        bench_throughput(Path(tmp), 10_000 if args.small else 100_000)
        bench_last_200(Path(tmp), 100_000 if args.small else 1_000_000)


if __name__ == "__main__":
    main()
