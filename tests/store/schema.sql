-- index drafts_state
CREATE INDEX drafts_state ON drafts(state, contact_id);
-- index idx__sqlite_migrations_migration_set_name
CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");
-- index idx_contacts_kind_nick_mac
CREATE INDEX "idx_contacts_kind_nick_mac"
    ON "contacts" ("kind", "nick_mac");
-- index idx_contacts_kind_remark_mac
CREATE INDEX "idx_contacts_kind_remark_mac"
    ON "contacts" ("kind", "remark_mac");
-- index idx_messages_contact_id_id
CREATE INDEX "idx_messages_contact_id_id"
    ON "messages" ("contact_id", "id");
-- index idx_messages_time
CREATE INDEX "idx_messages_time"
    ON "messages" ("time");
-- index kb_passages_doc
CREATE INDEX kb_passages_doc ON kb_passages(doc_id);
-- index messages_open
CREATE INDEX messages_open ON messages(state) WHERE state IN ('received', 'replying', 'sending');
-- index oplog_time
CREATE INDEX oplog_time ON oplog(time);
-- table _sqlite_migrations
CREATE TABLE "_sqlite_migrations" (
   "id" INTEGER PRIMARY KEY,
   "migration_set" TEXT,
   "name" TEXT,
   "applied_at" TEXT
);
-- table contacts
CREATE TABLE "contacts" (
   "id" TEXT PRIMARY KEY,
   "kind" TEXT NOT NULL,
   "nick_enc" BLOB,
   "nick_mac" BLOB,
   "remark_enc" BLOB,
   "remark_mac" BLOB,
   "profile_enc" BLOB,
   "persona_enc" BLOB,
   "paused_until" REAL,
   "flag" TEXT NOT NULL DEFAULT '',
   "created_at" REAL NOT NULL,
   "updated_at" REAL NOT NULL
, mode TEXT NOT NULL DEFAULT 'off' CHECK (mode IN ('off', 'draft', 'auto')), waiting_since REAL, waiting_reason TEXT NOT NULL DEFAULT '');
-- table drafts
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
        );
-- table kb_documents
CREATE TABLE kb_documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name_mac BLOB NOT NULL UNIQUE,
            name_enc BLOB NOT NULL,
            content_mac BLOB NOT NULL,
            kind TEXT NOT NULL,
            passages INTEGER NOT NULL,
            imported_at REAL NOT NULL,
            notes_enc BLOB NOT NULL
        );
-- table kb_passages
CREATE TABLE kb_passages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id INTEGER NOT NULL REFERENCES kb_documents(id) ON DELETE CASCADE,
            text_enc BLOB NOT NULL,
            locator_enc BLOB NOT NULL,
            context_enc BLOB NOT NULL,
            vector_model TEXT,
            vector_enc BLOB
        );
-- table messages
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
        , passages_enc BLOB);
-- table meta
CREATE TABLE "meta" (
   "key" TEXT PRIMARY KEY,
   "value" TEXT
);
-- table oplog
CREATE TABLE oplog (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time REAL NOT NULL,
            kind TEXT NOT NULL,
            actor TEXT NOT NULL,
            detail_enc BLOB
        );
-- table settings
CREATE TABLE "settings" (
   "name" TEXT PRIMARY KEY,
   "value_enc" BLOB NOT NULL,
   "updated_at" REAL NOT NULL
);
-- table sqlite_sequence
CREATE TABLE sqlite_sequence(name,seq);
-- applied: m001_initial, m002_knowledge, m003_reply_passages, m004_reply_modes, m005_drafts, m006_oplog, m007_handoff
