"""Owner-only folders and files: the data dir is 0700 and what wxbot writes 0600 from the first byte (never
chmod-ed afterwards), files are created exclusively and never through a symlink, and a folder that can't be
used is an error in words (PathError), not a traceback."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from wxbot.errors import PathError

DB_FILE = "wxbot.db"  # the encrypted store, in the data dir
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_BINARY", 0)


def not_a_folder(path: Path) -> PathError:
    return PathError(f"{path} 不是文件夹（是一个文件）", f"{path} is not a folder (it is a file)")


def not_writable(path: Path, why: str = "") -> PathError:
    return PathError(f"无法写入文件夹 {path}（只读或没有权限）",
                     f"the folder {path} can't be written (read-only or no permission{': ' + why if why else ''})")


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) owner-only, or tighten it to 0700; raise PathError when it is a file,
    can't be created or isn't writable."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise not_a_folder(path)
    try:
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    except FileExistsError:
        raise not_a_folder(path) from None
    except NotADirectoryError:
        raise not_a_folder(path.parent) from None
    except OSError as exc:
        raise not_writable(path, exc.strerror or type(exc).__name__) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise not_writable(path)
    if os.name == "posix" and path.stat().st_mode & 0o077 and path.stat().st_uid == os.geteuid():
        os.chmod(path, PRIVATE_DIR)  # made by an older wxbot (or the umask) with group/other access
    return path


def open_private(path: str | os.PathLike[str], flags: int) -> int:
    """An ``opener`` (open(), loguru) that creates files 0600."""
    return os.open(path, flags | _NOFOLLOW, PRIVATE_FILE)


def create_private(path: Path, data: bytes) -> Path:
    """Write a NEW owner-only file: exclusive and no-follow, so a file or symlink planted at ``path`` (in a
    folder others can write) is refused in words instead of being overwritten or followed."""
    try:
        fd = os.open(path, _EXCLUSIVE, PRIVATE_FILE)
    except FileExistsError:
        raise PathError(f"{path} 已存在（可能是别人放置的文件或链接），未写入",
                        f"{path} already exists (possibly planted by someone else); nothing written") from None
    except OSError as exc:
        raise not_writable(Path(path).parent, exc.strerror or type(exc).__name__) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        Path(path).unlink(missing_ok=True)
        raise not_writable(Path(path).parent, exc.strerror or type(exc).__name__) from None
    return Path(path)


def replace_private(path: Path, data: bytes) -> Path:
    """Atomically (re)write an owner-only file: a new exclusive temp file beside it, then rename over it
    (a rename replaces a symlink at ``path`` instead of following it)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    create_private(tmp, data)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise not_writable(path.parent, exc.strerror or type(exc).__name__) from None
    return path
