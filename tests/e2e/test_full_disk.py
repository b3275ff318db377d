"""A full disk (or a read-only one) mid-conversation, through the real itchat-uos client, the simulator, BotService and SQLite: the
store fills (SQLite's ``max_page_count``), auto-reply pauses with ONE notice, nothing that arrives meanwhile is
lost, and when space comes back the bot resumes by itself and answers those messages exactly once (also when
the outage lasted longer than a message may be old on arrival: they arrived in time)."""

from __future__ import annotations

import sqlite3
import time

import pytest

from wxbot.core.outage import PAUSED_TEXT, RESUMED_TEXT
from wxbot.events import BotState, Notice

FAQ = [{"match": "contains", "pattern": f"#{k}?", "answer": f"答复{k}"} for k in range(1, 6)]
STALE_S = 4  # stale_message_seconds for these tests: the outage lasts longer
LONG = "请问" * 1500  # a long message needs new pages: it can't squeeze into a page's leftover space


def ask(k: int) -> str:
    return f"#{k}? {LONG}"


def fill_the_disk(store) -> None:
    """Cap the database at its current size, then fill its free pages: every later write that needs a page fails
    with SQLITE_FULL ("database or disk is full"), as on a full disk."""
    sdb = store._sdb
    with sdb.lock:
        db = sdb.db.conn
        db.execute("CREATE TABLE filler (x BLOB)")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + 1}")
        try:
            while True:
                db.execute("INSERT INTO filler VALUES (randomblob(512))")
        except sqlite3.OperationalError as exc:
            assert "full" in str(exc)


def free_the_disk(store) -> None:
    sdb = store._sdb
    with sdb.lock:
        sdb.db.conn.execute("PRAGMA max_page_count = 1073741823")
        sdb.db.conn.execute("DROP TABLE filler")


def make_read_only(store) -> None:
    """Every write fails with SQLITE_READONLY, as on a disk remounted read-only."""
    with store._sdb.lock:
        store._sdb.db.conn.execute("PRAGMA query_only = ON")


def make_writable(store) -> None:
    with store._sdb.lock:
        store._sdb.db.conn.execute("PRAGMA query_only = OFF")


OUTAGES = {"full": (fill_the_disk, free_the_disk), "read-only": (make_read_only, make_writable)}


@pytest.mark.parametrize("outage", list(OUTAGES))
def test_a_store_that_cant_be_written_pauses_holds_and_resumes_by_itself(harness, sim, outage):
    break_it, mend_it = OUTAGES[outage]
    h = harness(with_model=False, faq_rules=FAQ, stale_message_seconds=STALE_S)
    svc = h.start()
    sim.inject("zhang", "#1?")
    assert h.wait_outbox(1)[0]["text"].endswith("答复1")
    mark = h.log.mark()

    break_it(svc.store)
    held = [sim.inject("zhang", ask(2)), sim.inject("li", ask(3)), sim.inject("wang", ask(4))]
    h.log.wait_for(lambda e: isinstance(e, Notice) and e.text == PAUSED_TEXT, start=mark)
    h.log.wait_for(lambda e: isinstance(e, BotState) and e.state == "paused", start=mark)
    held.append(sim.inject("zhang", ask(5)))
    time.sleep(STALE_S + 1)  # held longer than a backlog's age limit: they arrived fresh, so they're answered
    assert len(sim.outbox()) == 1
    assert all(svc.store.get_message(msg_id) is None for msg_id in held)

    mend_it(svc.store)
    replies = h.wait_outbox(5, timeout=60)
    assert sorted(r["text"][-3:] for r in replies[1:]) == ["答复2", "答复3", "答复4", "答复5"]
    assert h.settle(held) == {msg_id: "replied" for msg_id in held}
    h.log.wait_for(lambda e: isinstance(e, BotState) and e.state == "running", start=mark)

    notices = [e for e in h.log.events[mark:] if isinstance(e, Notice)]
    assert [n.text for n in notices] == [PAUSED_TEXT, RESUMED_TEXT]  # one line each, not a flood
    sim.inject("zhang", "#1?")  # and the bot goes on answering as before
    assert h.wait_outbox(6)[-1]["text"].endswith("答复1")
    assert len(sim.outbox()) == 6
