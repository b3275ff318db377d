"""The operation log: bot started/stopped and by whom, logins and logouts, settings changes, knowledge-base
changes, exports. Kind, actor and time are plain (for listing); the detail may name a contact or a file, so
it is sealed with the row's id like message text."""

from __future__ import annotations

import csv
import datetime
import io
import time
from dataclasses import dataclass

from wxbot.controls import csv_cell
from wxbot.messages import Actor, OpKind
from wxbot.store.crypto import FieldCipher
from wxbot.store.db import StoreDB


@dataclass(frozen=True)
class Operation:
    id: int
    time: float
    kind: OpKind
    actor: Actor
    detail: str


class OplogMixin:
    _sdb: StoreDB
    cipher: FieldCipher

    def log_operation(self, kind: OpKind, actor: Actor, detail: str = "", at: float | None = None) -> None:
        with self._sdb.tx() as db:
            row = db.execute("INSERT INTO oplog (time, kind, actor) VALUES (?, ?, ?)",
                             (time.time() if at is None else at, kind.value, actor.value)).lastrowid
            if detail:
                db.execute("UPDATE oplog SET detail_enc = ? WHERE id = ?",
                           (self.cipher.encrypt("oplog", str(row), "detail", detail), row))

    def operations(self, limit: int = 500) -> list[Operation]:
        """The newest ``limit`` operations, newest first."""
        rows = self._sdb.rows("SELECT id, time, kind, actor, detail_enc FROM oplog ORDER BY id DESC LIMIT ?", (limit,))
        return [Operation(i, at, OpKind(kind), Actor(actor),
                          self.cipher.decrypt("oplog", str(i), "detail", enc) if enc is not None else "")
                for i, at, kind, actor, enc in rows]


def operations_csv(ops: list[Operation]) -> str:
    """The log as CSV (time, kind, actor, detail), oldest first, for the owner's own records; a detail that a
    spreadsheet would run as a formula (a nickname「=HYPERLINK(…)」) is quoted with a leading '."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time", "kind", "actor", "detail"])
    for op in reversed(ops):
        writer.writerow([datetime.datetime.fromtimestamp(op.time).isoformat(timespec="seconds"), op.kind.value,
                         op.actor.value, csv_cell(op.detail)])
    return out.getvalue()
