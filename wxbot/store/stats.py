"""What the bot did in a period, for the Dashboard and the daily summary: computed from the messages' plain
columns (direction, time, state, reason, source, which messages a reply answers), never from their text."""

from __future__ import annotations

import datetime
import statistics
from collections import Counter

from wxbot.messages import Activity, DraftState, InboxState
from wxbot.store.db import StoreDB

CUSTOMER_KINDS = "('friend', 'group')"
# A customer's message the bot meant to answer and didn't: a skip for one of these reasons, a failure, an expiry.
# Not missed: contacts the owner switched off, groups without an @, takeovers (counted on their own).
MISSED_REASONS = ("stale", "outside_hours", "daily_cap", "loop_guard", "bot_stopped", "degenerate_loop",
                  "persona_echo", "risk_warning", "empty_reply")


class StatsMixin:
    _sdb: StoreDB

    def activity(self, since: float, until: float) -> Activity:
        """The figures of [since, until) in epoch seconds (WeChat's message times)."""
        period = (since, until)
        replies = self._sdb.rows(
            "SELECT o.source, o.contact_id, CAST(strftime('%H', o.time, 'unixepoch', 'localtime') AS INTEGER), "
            "o.time - (SELECT min(i.time) FROM json_each(o.in_reply_to) j JOIN messages i ON i.msg_id = j.value) "
            "FROM messages o JOIN contacts c ON c.id = o.contact_id "
            f"WHERE o.direction = 'out' AND o.by_bot = 1 AND o.source != 'history' AND c.kind IN {CUSTOMER_KINDS} "
            "AND o.time >= ? AND o.time < ?", period)
        missed = self._sdb.rows(
            "SELECT m.reason, m.state, count(*) FROM messages m JOIN contacts c ON c.id = m.contact_id "
            f"WHERE m.direction = 'in' AND (m.state IN (?, ?) OR m.state = ? AND m.reason IN "
            f"({', '.join('?' * len(MISSED_REASONS))})) AND c.kind IN {CUSTOMER_KINDS} AND m.time >= ? AND m.time < ? "
            "GROUP BY m.reason, m.state", (InboxState.FAILED, InboxState.EXPIRED, InboxState.SKIPPED, *MISSED_REASONS,
                                           *period))
        (takeovers,), = self._sdb.rows(
            "SELECT count(*) FROM messages m JOIN contacts c ON c.id = m.contact_id "
            f"WHERE m.direction = 'out' AND m.by_bot = 0 AND m.source != 'history' AND c.kind IN {CUSTOMER_KINDS} "
            "AND m.time >= ? AND m.time < ?", period)
        (pending,), = self._sdb.rows("SELECT count(*) FROM drafts WHERE state = ?", (DraftState.PENDING,))
        waits = sorted(w for *_, w in replies if w is not None and w >= 0)
        hours = Counter(hour for _s, _c, hour, _w in replies)
        reasons: Counter[str] = Counter()
        for reason, state, n in missed:  # a skip says why; a failure's reason is an error class: "failed"
            reasons[reason if state == InboxState.SKIPPED and reason else state] += n
        return Activity(
            since, until, replies=dict(Counter(source for source, *_ in replies)),
            customers=len({contact for _s, contact, *_ in replies}),
            median_seconds=statistics.median(waits) if waits else None,
            p95_seconds=_percentile(waits, 0.95) if waits else None,
            missed=dict(reasons), takeovers=takeovers, drafts_pending=pending,
            per_hour=tuple(hours.get(h, 0) for h in range(24)))


    def missed_contacts(self, since: float) -> set[str]:
        """Friends and groups whose latest message since ``since`` was missed, with nothing sent to them after it."""
        rows = self._sdb.rows(
            "SELECT m.contact_id FROM messages m JOIN contacts c ON c.id = m.contact_id "
            f"WHERE c.kind IN {CUSTOMER_KINDS} AND m.direction = 'in' AND m.time >= ? "
            f"AND (m.state IN (?, ?) OR m.state = ? AND m.reason IN ({', '.join('?' * len(MISSED_REASONS))})) "
            "AND m.id = (SELECT max(l.id) FROM messages l WHERE l.contact_id = m.contact_id AND l.direction = 'in') "
            "AND NOT EXISTS (SELECT 1 FROM messages o WHERE o.contact_id = m.contact_id AND o.direction = 'out' "
            "AND o.id > m.id)",
            (since, InboxState.FAILED, InboxState.EXPIRED, InboxState.SKIPPED, *MISSED_REASONS))
        return {r[0] for r in rows}


def period_start(days: int, now: float) -> float:
    """Local midnight today for ``days`` = 0, else ``days`` × 24 hours before ``now``."""
    if days <= 0:
        return datetime.datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    return now - days * 86400


def _percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, min(len(ordered), round(q * len(ordered) + 0.5)))
    return ordered[rank - 1]
