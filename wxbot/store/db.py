"""The store's one SQLite connection and its rules: WAL, full fsync, one RLock for the bot's threads.

Also the file-level steps that must not go through a normal connection: reading the key check from a
store without writing a byte (wrong passphrase), and creating a new store all at once (temp + rename).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from loguru import logger
from sqlite_utils import Database

from wxbot.errors import StoreError
from wxbot.files import DB_FILE

SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
CREATING_SUFFIX = ".creating"

# synchronous=FULL: in WAL mode NORMAL may roll back the last commits on a power cut, and a lost
# "replied" mark means a duplicate reply; at chat rates an fsync per commit costs nothing noticeable.
# secure_delete zeroes deleted rows; temp_store keeps sorts and temp tables off the disk.
_PRAGMAS = ("PRAGMA foreign_keys=ON", "PRAGMA synchronous=FULL", "PRAGMA secure_delete=ON",
            "PRAGMA temp_store=MEMORY", "PRAGMA busy_timeout=10000")


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_FILE


def db_files(data_dir: Path) -> list[Path]:
    """Every file the database may leave on disk, including a half-made one."""
    main = db_path(data_dir)
    creating = main.with_name(main.name + CREATING_SUFFIX)
    return [p.with_name(p.name + s) for p in (main, creating) for s in ("", *SIDE_SUFFIXES)]


def damaged(path: Path, exc: Exception | None = None) -> StoreError:
    why = f" ({type(exc).__name__}: {exc})" if exc else ""
    return StoreError(f"数据库文件 {path} 已损坏或不是 wxbot 的数据库",
                      f"the database file {path} is damaged or is not a wxbot store{why}")


def read_meta(path: Path) -> dict[str, str]:
    """Read the meta table without writing a byte: from the main file only (``immutable=1`` takes no lock, opens
    no -wal/-shm). Meta is written once, when the store is created, straight into the main file, and its pages
    never move (the store never runs VACUUM). But a checkpoint cut short (a stop on a full disk) leaves the main
    file half-updated, whole only with its WAL: then meta is read through the WAL (which may rebuild the -shm
    index, never the database or its WAL), and the store is called damaged only if that fails too."""
    uri = Path(path).resolve().as_uri()
    wal = path.with_name(path.name + "-wal")
    try:
        return _meta(uri + "?mode=ro&immutable=1")
    except sqlite3.DatabaseError as exc:
        if not (wal.is_file() and wal.stat().st_size):
            raise damaged(path, exc) from None
        logger.warning("the store's main file reads only with its WAL (a checkpoint was cut short): {}", exc)
    try:
        return _meta(uri + "?mode=ro")
    except sqlite3.DatabaseError as exc:
        raise damaged(path, exc) from None


def _meta(uri: str) -> dict[str, str]:
    conn = sqlite3.connect(uri, uri=True)
    try:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()


def _fsync(path: Path) -> None:
    if path.is_dir():
        if os.name == "nt":
            return  # Windows can't open a directory for fsync; NTFS journals the rename itself
        flags = os.O_RDONLY
    else:
        flags = os.O_RDWR  # Windows flushes only handles opened for writing
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create(path: Path, init: Callable[[Database], None]) -> None:
    """Build a new store beside ``path`` and rename it into place, so a crash never leaves a store
    without its key check. ``init`` runs migrations and writes meta (rollback journal, not WAL, so all
    of it is in the main file)."""
    tmp = path.with_name(path.name + CREATING_SUFFIX)
    # Orphaned -wal/-shm beside a missing main file would be replayed into the new one: remove them.
    for leftover in (tmp, tmp.with_name(tmp.name + "-journal"), *(path.with_name(path.name + s) for s in SIDE_SUFFIXES)):
        leftover.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=FULL")
        init(Database(conn, execute_plugins=False))
    finally:
        conn.close()
    _fsync(tmp)
    os.replace(tmp, path)
    _fsync(path.parent)


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that never writes. A WAL store in a read-only folder can't get its -shm file; then it is
    read as immutable (nobody can be writing it there), never reported as damaged."""
    uri = Path(path).resolve().as_uri()
    for query in ("?mode=ro", "?mode=ro&immutable=1"):
        conn = sqlite3.connect(uri + query, uri=True, check_same_thread=False, isolation_level=None, timeout=10)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:  # "unable to open database file": no -shm in a read-only folder
            conn.close()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise damaged(path, exc) from None
    raise StoreError(f"无法读取数据库 {path}", f"the store {path} can't be read")


class StoreDB:
    """Owns the connection. The bot calls the store from several threads (itchat's receiver, reply
    workers, the GUI), so one connection opened with ``check_same_thread=False`` is shared and every use
    holds one RLock: SQLite takes one writer at a time anyway, and an RLock lets a transaction call
    helpers that lock again. Reads copy rows out under the lock; decryption happens outside it."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        self.lock = threading.RLock()
        self.closed = False
        if readonly:
            conn = _connect_readonly(path)
            self.db = Database(conn, execute_plugins=False)
            return
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
        try:
            self.db = Database(conn, execute_plugins=False)
            self.db.enable_wal()
            for pragma in _PRAGMAS:
                self.db.execute(pragma)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise damaged(path, exc) from None

    @contextlib.contextmanager
    def tx(self) -> Iterator[Database]:
        """One write transaction (BEGIN IMMEDIATE); nested uses join the outer one."""
        with self.lock:
            conn = self.db.conn
            if conn.in_transaction:
                yield self.db
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield self.db
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError("写入加密数据库失败", f"the store could not be written ({exc})") from exc
                raise

    def rows(self, sql: str, params: Any = ()) -> list[tuple]:
        with self.lock:
            try:
                return self.db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError("读取加密数据库失败", f"the store could not be read ({exc})") from exc

    def checkpoint(self) -> None:
        """Fold the WAL into the database and cut it to zero bytes, so old frames don't linger."""
        with self.lock:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def close(self) -> None:
        """Checkpoint and close; closing again does nothing. A checkpoint that fails (a full disk) loses
        nothing: every commit is in the WAL, and the next open reads it and checkpoints again."""
        with self.lock:
            if self.closed:
                return
            self.closed = True
            try:
                if not self.readonly:
                    self.checkpoint()
            except sqlite3.Error as exc:
                logger.warning("closing the store: the checkpoint failed ({}); the WAL keeps every commit", exc)
            finally:
                self.db.close()
