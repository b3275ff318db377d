"""Export decrypted history (one contact or all) to JSON or Markdown for the owner to keep or read; control
characters and terminal escapes from contacts' names and messages are written as visible escapes.

The result is plain text on disk: the window must show EXPORT_WARNING before writing it.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from wxbot.controls import json_escaped, shown
from wxbot.errors import PathError, StoreError
from wxbot.files import create_private, not_a_folder, not_writable, private_dir

if TYPE_CHECKING:
    from wxbot.store.contacts import Contact
    from wxbot.store.history import StoredMessage
    from wxbot.store.store import Store

EXPORT_WARNING_ZH = ("导出的文件没有加密：任何能读取这个文件的人或程序都能看到其中的聊天记录。"
                     "请只保存在自己的设备上，不要放进同步文件夹，用完后删除。")
EXPORT_WARNING_EN = ("The exported file is NOT encrypted: any person or program that can read it sees these "
                     "conversations. Keep it on your own device, out of sync folders, and delete it when done.")
EXPORT_WARNING = f"{EXPORT_WARNING_ZH}\n{EXPORT_WARNING_EN}"
FORMATS = ("json", "md")
_PAGE = 1000


def _all_messages(store: Store, contact_id: str) -> list[StoredMessage]:
    out: list[StoredMessage] = []
    before = None
    while page := store.page(contact_id, before=before, limit=_PAGE):
        out.extend(page)
        before = page[-1].id
    return out[::-1]


def _when(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _json(items: list[tuple[Contact, list[StoredMessage]]]) -> str:
    return json_escaped(json.dumps({
        "exported_at": _when(datetime.datetime.now().timestamp()),
        "warning": EXPORT_WARNING,
        "contacts": [{"id": c.id, "kind": c.kind.value, "nick_name": c.nick_name, "remark_name": c.remark_name,
                      "messages": [_message(m) for m in msgs]} for c, msgs in items],
    }, ensure_ascii=False, indent=2))


def _message(m: StoredMessage) -> dict:
    return {**m._asdict(), "passages": [dataclasses.asdict(p) for p in m.passages]}


def _markdown(items: list[tuple[Contact, list[StoredMessage]]]) -> str:
    lines = ["# wxbot 聊天记录导出 (chat history export)", "", *(f"> {w}" for w in EXPORT_WARNING.splitlines())]
    for contact, msgs in items:
        lines += ["", f"## {shown(contact.display_name)} ({contact.kind.value}, {shown(contact.id)})", ""]
        for m in msgs:
            who = "对方 (them)" if m.direction == "in" else ("助理 (bot)" if m.by_bot else "我 (me)")
            sender = f" {shown(m.sender_name)}" if m.sender_name else ""
            lines.append(f"**{_when(m.time)} {who}{sender}:**")
            lines += [f"> {shown(line, lines=True)}" for line in (m.text.splitlines() or [""])]
            if m.passages:
                lines.append("> 依据资料 (grounded in): " + "; ".join(shown(p.label) for p in m.passages))
            lines.append("")
    return "\n".join(lines) + "\n"


def export_history(store: Store, out_dir: Path, *, contact_id: str | None = None, fmt: str = "json") -> Path:
    """Write the decrypted history to a new owner-only file in ``out_dir``; returns its path. Raises
    PathError when the folder is a file or not writable, or when something already sits at the file's name."""
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}")
    if contact_id is None:
        contacts = store.list_contacts()
    else:
        one = store.get_contact(contact_id)
        if one is None:
            raise StoreError(f"找不到联系人 {contact_id}", f"no contact {contact_id}")
        contacts = [one]
    items = [(c, _all_messages(store, c.id)) for c in contacts]
    text = _json(items) if fmt == "json" else _markdown(items)
    out_dir = _out_folder(Path(out_dir))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = out_dir / f"wxbot-export-{contact_id or 'all'}-{stamp}.{fmt}"
    if os.path.lexists(path):
        raise PathError(f"{path} 已存在，未覆盖", f"{path} already exists; not overwritten")
    # the folder may be shared (Downloads, /tmp): the temp file is created exclusively, never via a symlink
    tmp = create_private(path.with_name(path.name + ".tmp"), text.encode("utf-8"))
    os.replace(tmp, path)
    return path


def _out_folder(out_dir: Path) -> Path:
    """The export folder, created owner-only when missing; PathError when it is a file or not writable."""
    if out_dir.exists() and not out_dir.is_dir():
        raise not_a_folder(out_dir)
    if out_dir.is_dir():
        if not os.access(out_dir, os.W_OK | os.X_OK):
            raise not_writable(out_dir)
        return out_dir
    return private_dir(out_dir)
