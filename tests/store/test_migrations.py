"""Migrations on real SQLite files: each step and its record commit together (a failure, a step that commits
on its own, or a kill inside a step leave the store as it was), and the schema matches the committed snapshot.

After adding a migration, refresh the snapshot with ``python -m tests.store.test_migrations`` and commit it.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wxbot.errors import StoreError
from wxbot.store import Store, migrations
from wxbot.store.db import db_path

SNAPSHOT = Path(__file__).with_name("schema.sql")
PASS = "migration test passphrase"
REPO = Path(__file__).resolve().parents[2]


def schema_of(path: Path) -> str:
    """The schema as text: every table, index and trigger sqlite_master holds, then the migrations applied."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                            "ORDER BY type, name").fetchall()
        applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        conn.close()
    parts = [f"-- {kind} {name}\n{sql.strip()};\n" for kind, name, sql in rows]
    return "".join(parts) + "-- applied: " + ", ".join(applied) + "\n"


def fresh_schema(data_dir: Path) -> str:
    Store.open(data_dir).close()
    return schema_of(db_path(data_dir))


def tables_and_columns(data_dir: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(db_path(data_dir))
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: [c[1] for c in conn.execute(f"PRAGMA table_info({n})")] for n in names}
    finally:
        conn.close()


def applied(data_dir: Path) -> list[str]:
    conn = sqlite3.connect(db_path(data_dir))
    try:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        conn.close()


def test_schema_matches_the_committed_snapshot(data_dir):
    got = fresh_schema(data_dir)
    assert got == SNAPSHOT.read_text(encoding="utf-8"), (
        "the schema changed: if a new migration meant it, run `python -m tests.store.test_migrations` "
        "and commit tests/store/schema.sql")


def m900_half_done(db) -> None:
    db["contacts"].add_column("nickname_hint", str)
    db["notes"].create({"id": int, "text": str}, pk="id")
    db["notes"].insert({"id": 1, "text": "x"})
    raise RuntimeError("the step failed half-way")


def test_a_failing_step_leaves_no_trace_and_stays_pending(data_dir, monkeypatch):
    before = fresh_schema(data_dir)
    monkeypatch.setattr(migrations, "STEPS", (*migrations.STEPS, m900_half_done))
    with pytest.raises(RuntimeError, match="half-way"):
        Store.open(data_dir)
    assert schema_of(db_path(data_dir)) == before  # no column, no table, no record
    assert "m900_half_done" not in applied(data_dir)


def m900_commits_by_itself(db) -> None:
    db.conn.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);")


def test_a_step_that_commits_on_its_own_is_refused_and_not_recorded(data_dir, monkeypatch):
    fresh_schema(data_dir)
    monkeypatch.setattr(migrations, "STEPS", (*migrations.STEPS, m900_commits_by_itself))
    with pytest.raises(StoreError, match="m900_commits_by_itself ended its own transaction"):
        Store.open(data_dir)
    assert "m900_commits_by_itself" not in applied(data_dir)


_KILLED_CHILD = textwrap.dedent("""
    import os, signal, sys
    import keyring
    from keyring.backends import fail
    from wxbot.store import Store, migrations

    def m900_killed(db):
        db["contacts"].add_column("nickname_hint", str)
        db["notes"].create({"id": int, "text": str}, pk="id")
        os.kill(os.getpid(), signal.SIGKILL)  # the power goes out inside the step

    keyring.set_keyring(fail.Keyring())
    migrations.STEPS = (*migrations.STEPS, m900_killed)
    Store.open(sys.argv[1])
""")


def test_a_kill_inside_a_step_rolls_it_back(data_dir, monkeypatch, no_keyring):
    monkeypatch.setenv("WXBOT_PASSPHRASE", PASS)
    before = fresh_schema(data_dir)
    env = {"PATH": "", "PYTHONPATH": str(REPO), "WXBOT_PASSPHRASE": PASS,
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    child = subprocess.run([sys.executable, "-c", _KILLED_CHILD, str(data_dir)], env=env, cwd=REPO,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr
    tables = tables_and_columns(data_dir)  # reading also replays the WAL, as the next start would
    assert "notes" not in tables and "nickname_hint" not in tables["contacts"]
    assert schema_of(db_path(data_dir)) == before
    with Store.open(data_dir) as store:  # the next start opens it at the old version
        assert store.list_contacts() == []


if __name__ == "__main__":  # refresh the snapshot after adding a migration
    import tempfile

    import keyring

    from wxbot.store.memkeyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    with tempfile.TemporaryDirectory() as tmp:
        SNAPSHOT.write_text(fresh_schema(Path(tmp) / "data"), encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
