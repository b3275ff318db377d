"""Wipe: delete the encrypted store of a data dir, its WAL/SHM, other sealed files (the WeChat
session) and the keys in the OS keychain (the data key, and the model server's API key if one was kept). Without the key, any copy left behind (a backup) stays sealed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from loguru import logger

from wxbot.errors import StoreError
from wxbot.store import keys
from wxbot.store.apikey import delete_api_key
from wxbot.store.db import db_files, db_path, read_meta


def wipe(data_dir: Path, extra_files: Iterable[Path | str] = ()) -> list[Path]:
    """Delete the store (close it first). ``extra_files`` are relative to ``data_dir`` or absolute.
    Returns the files removed; the keychain entry goes too."""
    data_dir = Path(data_dir)
    user = keys.keyring_user(data_dir)
    if db_path(data_dir).exists():
        try:
            user = read_meta(db_path(data_dir)).get("keyring_user", user)
        except StoreError:
            pass  # a damaged store is wiped all the same, with the entry named after its dir
    removed = []
    for path in [*db_files(data_dir), *(data_dir / p for p in extra_files)]:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(f"无法删除 {path}，请先退出 wxbot 再试", f"{path} could not be deleted ({exc}); "
                             "quit wxbot and try again") from None
        removed.append(path)
    key_removed = keys.delete_keyring_entry(user)
    api_key_removed = delete_api_key(data_dir)
    logger.info("wipe: removed {} files, keychain entries removed: data key {}, API key {}", len(removed),
                key_removed, api_key_removed)
    return removed
