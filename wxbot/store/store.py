"""``Store``: opens (or creates) the encrypted database of one data dir and offers history, inbox,
contacts, personal settings, the knowledge base's rows, activity figures and the operation log on it. Nothing is written until the key has
proved right."""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from types import TracebackType

from loguru import logger
from sqlite_utils import Database

from wxbot.errors import StoreError
from wxbot.files import not_a_folder, private_dir
from wxbot.store import db as dbfiles
from wxbot.store import keys, migrations
from wxbot.store.contacts import ContactsMixin
from wxbot.store.conversations import ConversationsMixin
from wxbot.store.crypto import FieldCipher
from wxbot.store.db import StoreDB
from wxbot.store.drafts import DraftsMixin
from wxbot.store.inbox import InboxMixin
from wxbot.store.keys import PassphraseFn
from wxbot.store.knowledge import KnowledgeMixin
from wxbot.store.oplog import OplogMixin
from wxbot.store.personal import PersonalMixin
from wxbot.store.stats import StatsMixin

STORE_FORMAT = "wxbot-store/1"


class Store(InboxMixin, ContactsMixin, PersonalMixin, KnowledgeMixin, DraftsMixin, StatsMixin,
            OplogMixin, ConversationsMixin):
    """The encrypted local store. Thread-safe: one connection behind one RLock (see StoreDB).

    Implements the engine's ``History`` protocol (``recent``/``add_turn``) with durable contact ids.
    ``cipher`` also seals other files of the data dir (the WeChat session) with the same key.
    """

    def __init__(self, data_dir: Path, sdb: StoreDB, cipher: FieldCipher, key_source: str) -> None:
        self.data_dir = data_dir
        self._sdb = sdb
        self.cipher = cipher
        self.key_source = key_source  # "keyring" or "passphrase"
        self.run_id = secrets.token_hex(8)  # marks inbox work taken up by this run

    @classmethod
    def open(cls, data_dir: Path, *, passphrase: PassphraseFn | None = None, readonly: bool = False,
             keychain: bool = True) -> Store:
        """Open the store of ``data_dir``, creating it on first use (``readonly``: never create or write,
        e.g. for an export, also from a read-only folder).

        The key comes from the OS keychain; without a usable one, from a passphrase (``WXBOT_PASSPHRASE``
        or the ``passphrase`` callback; ``keychain`` False: a new store's key is wrapped under the passphrase
        even where a keychain is usable). Raises WrongKeyError (files untouched), StoreError or PathError.
        """
        data_dir = Path(data_dir)
        path = dbfiles.db_path(data_dir)
        if readonly:
            if data_dir.exists() and not data_dir.is_dir():
                raise not_a_folder(data_dir)
            if not path.is_file():
                raise StoreError(f"{data_dir} 中没有 wxbot 数据", f"there is no wxbot store in {data_dir}")
        else:
            private_dir(data_dir)
        if path.exists():
            meta = dbfiles.read_meta(path)
            verifier = keys.unb64(meta.get("verifier", ""))
            if not verifier:
                raise dbfiles.damaged(path)
            cipher = FieldCipher(keys.unlock(meta, passphrase))
            if not cipher.check_verifier(verifier):
                raise keys.wrong_key()
            source = meta["key_source"]
        else:
            key, meta = keys.provision(data_dir, passphrase, keychain=keychain)
            cipher = FieldCipher(key)
            meta.update(verifier=keys.b64(cipher.make_verifier()), format=STORE_FORMAT,
                        created_at=f"{time.time():.3f}")
            dbfiles.create(path, lambda db: _init(db, meta))
            source = meta["key_source"]
            logger.info("store created in {} (key: {})", data_dir, source)
        sdb = StoreDB(path, readonly=readonly)
        try:
            applied = [] if readonly else migrations.apply(sdb.db)
        except BaseException:
            sdb.db.close()
            raise
        if applied:
            logger.info("store migrations applied: {}", applied)
        logger.info("store opened (key: {})", source)
        return cls(data_dir, sdb, cipher, source)

    def checkpoint(self) -> None:
        """Fold the WAL into the database file and truncate it (before a backup, after deletions)."""
        self._sdb.checkpoint()

    def close(self) -> None:
        self._sdb.close()
        logger.info("store closed")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _init(db: Database, meta: dict[str, str]) -> None:
    migrations.apply(db)
    with db.atomic():
        db.table("meta").insert_all([{"key": k, "value": v} for k, v in meta.items()])

