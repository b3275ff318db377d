"""The store's schema as numbered migrations: an ordered list of small functions, each applied once
and recorded (sqlite-utils' ``Migrations``, the pattern of simonw/llm). Never edit a released one: add
the next number, and update ``tests/store/schema.sql`` (the test says how).

Each step and its record commit together: sqlite-utils (>= 4.0) runs them in one transaction, and a step
that ends that transaction itself (``executescript``, ``COMMIT``, ``VACUUM``) is refused, not recorded.

Columns named ``*_enc`` hold AES-GCM ciphertext (see crypto.py); ``*_mac`` hold keyed name hashes.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database, Migrations

from wxbot.errors import StoreError

MIGRATION_SET = "wxbot.store"


def m001_initial(db: Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("contacts").create({
        "id": str,  # our durable id, c_<random>; itchat's UserName changes at every login
        "kind": str,
        "nick_enc": bytes, "nick_mac": bytes,
        "remark_enc": bytes, "remark_mac": bytes,
        "auto_reply": int,
        "profile_enc": bytes,  # JSON: what else the identity matcher knows (fingerprint, group members)
        "persona_enc": bytes,  # NULL = the global persona
        "paused_until": float,  # human takeover: no auto-reply before this time
        "flag": str,  # "" or why the owner should confirm this contact ("renamed", "ambiguous"…)
        "created_at": float, "updated_at": float,
    }, pk="id", not_null={"kind", "auto_reply", "flag", "created_at", "updated_at"},
        defaults={"auto_reply": 0, "flag": ""})
    db.table("contacts").create_index(["kind", "nick_mac"])
    db.table("contacts").create_index(["kind", "remark_mac"])
    # Raw SQL for what sqlite-utils' create() can't say: AUTOINCREMENT (ids are never reused, and each
    # ciphertext's associated data names its row id), CHECK, and a nullable UNIQUE WeChat id.
    db.execute("""
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            msg_id TEXT UNIQUE,
            contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
            time REAL NOT NULL,
            state TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            by_bot INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT 'text',
            chat TEXT NOT NULL DEFAULT 'private',
            is_at INTEGER NOT NULL DEFAULT 0,
            in_reply_to TEXT NOT NULL DEFAULT '[]',
            run_id TEXT NOT NULL DEFAULT '',
            text_enc BLOB NOT NULL,
            sender_enc BLOB
        )""")
    db.table("messages").create_index(["contact_id", "id"])
    db.execute("CREATE INDEX messages_open ON messages(state) WHERE state IN ('received', 'replying', 'sending')")
    db.table("messages").create_index(["time"])
    db.table("settings").create({"name": str, "value_enc": bytes, "updated_at": float}, pk="name",
                          not_null={"value_enc", "updated_at"})


def m002_knowledge(db: Database) -> None:
    """The knowledge base: documents and passages, all content sealed (see store/knowledge.py)."""
    db.execute("""
        CREATE TABLE kb_documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name_mac BLOB NOT NULL UNIQUE,
            name_enc BLOB NOT NULL,
            content_mac BLOB NOT NULL,
            kind TEXT NOT NULL,
            passages INTEGER NOT NULL,
            imported_at REAL NOT NULL,
            notes_enc BLOB NOT NULL
        )""")
    db.execute("""
        CREATE TABLE kb_passages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id INTEGER NOT NULL REFERENCES kb_documents(id) ON DELETE CASCADE,
            text_enc BLOB NOT NULL,
            locator_enc BLOB NOT NULL,
            context_enc BLOB NOT NULL,
            vector_model TEXT,
            vector_enc BLOB
        )""")
    db.execute("CREATE INDEX kb_passages_doc ON kb_passages(doc_id)")


def m003_reply_passages(db: Database) -> None:
    """The knowledge-base passages a bot reply was grounded in: sealed JSON, NULL for every other message."""
    db.execute("ALTER TABLE messages ADD COLUMN passages_enc BLOB")


def m004_reply_modes(db: Database) -> None:
    """The on/off switch becomes a mode (off | draft | auto); a contact that was on is auto."""
    db.execute("ALTER TABLE contacts ADD COLUMN mode TEXT NOT NULL DEFAULT 'off' "
               "CHECK (mode IN ('off', 'draft', 'auto'))")
    db.execute("UPDATE contacts SET mode = 'auto' WHERE auto_reply = 1")
    db.execute("ALTER TABLE contacts DROP COLUMN auto_reply")


def m005_drafts(db: Database) -> None:
    """Replies held for the owner's approval (store/drafts.py); the text and passages sealed per row."""
    db.execute("""
        CREATE TABLE drafts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            state TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            msg_ids TEXT NOT NULL,
            edited INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            text_enc BLOB NOT NULL,
            passages_enc BLOB
        )""")
    db.execute("CREATE INDEX drafts_state ON drafts(state, contact_id)")


def m006_oplog(db: Database) -> None:
    """The operation log (store/oplog.py): what was done to the bot and by whom; the detail sealed per row."""
    db.execute("""
        CREATE TABLE oplog (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time REAL NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL,
            detail_enc BLOB
        )""")
    db.execute("CREATE INDEX oplog_time ON oplog(time)")


def m007_handoff(db: Database) -> None:
    """A contact waiting for the owner (handoff): since when (NULL: not waiting) and why."""
    db.execute("ALTER TABLE contacts ADD COLUMN waiting_since REAL")
    db.execute("ALTER TABLE contacts ADD COLUMN waiting_reason TEXT NOT NULL DEFAULT ''")


STEPS = (m001_initial, m002_knowledge, m003_reply_passages, m004_reply_modes, m005_drafts, m006_oplog,
         m007_handoff)  # in order; append, never reorder


def _in_one_transaction(step: Callable[[Database], None]) -> Callable[[Database], None]:
    """The step as sqlite-utils runs it (inside BEGIN … COMMIT with its record), refusing to be recorded
    when the step committed on its own: its changes would then not roll back with a failure."""

    def checked(db: Database) -> None:
        step(db)
        if not db.conn.in_transaction:
            raise StoreError(f"数据库升级步骤 {step.__name__} 有误，请报告此问题",
                             f"migration {step.__name__} ended its own transaction (executescript, COMMIT or "
                             "VACUUM); a step must run inside the one that records it")

    checked.__name__ = step.__name__
    return checked


def _migrations() -> Migrations:
    registry = Migrations(MIGRATION_SET)
    for step in STEPS:
        registry(transactional=True)(_in_one_transaction(step))
    return registry


def apply(db: Database) -> list[str]:
    """Apply pending migrations; refuse a database written by a newer wxbot. Returns the names applied."""
    migrations = _migrations()
    known = {step.__name__ for step in STEPS}
    unknown = sorted({m.name for m in migrations.applied(db)} - known)
    if unknown:
        raise StoreError("数据库由更新版本的 wxbot 创建，请升级 wxbot 后再打开",
                         f"the store was written by a newer wxbot (migration {unknown[0]}); upgrade wxbot to open it")
    pending = [m.name for m in migrations.pending(db)]
    if pending:
        migrations.apply(db)
    return pending
