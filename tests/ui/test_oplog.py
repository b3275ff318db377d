"""The operation log through the real app: a login, auto-reply started from the tray and stopped by #pause from
the phone, a knowledge-base import, a settings change, a logout; shown newest first, sealed in the store,
exported to an owner-only CSV."""

from __future__ import annotations

import csv
import sqlite3
import stat

import pytest

from tests.ui.flows import log_in
from wxbot.store import DB_FILE

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def _kinds(app) -> list[tuple[str, str]]:
    return [(op.kind.value, op.actor.value) for op in reversed(app.svc.operations())]


def test_operation_log_records_who_did_what_shows_and_exports_it(qtbot, make_app, sim, data_dir, tmp_path):
    app = make_app(with_model=False)
    log_in(qtbot, app, sim)
    app.start_bot()  # the tray's Start
    sim.inject_from_owner("filehelper", "#pause")
    sim.wait_sent_to("filehelper", 1)
    price_list = tmp_path / "秘密价目表.csv"
    price_list.write_text("货号,品名,单价\nSK-1,围巾,99\n", encoding="utf-8")
    app.svc.kb().add_file(price_list)
    app.svc.apply_settings(app.svc.settings.replace(reply_prefix="[助理] "))
    with qtbot.waitSignal(app.bridge.login_state, timeout=60000, check_params_cb=lambda s: s.state == "logged_out"):
        app.logout()

    assert _kinds(app) == [("login", "system"), ("bot_started", "tray"), ("bot_stopped", "phone"),
                           ("kb_changed", "window"), ("settings_changed", "window"), ("logout", "window")]
    ops = app.svc.operations()
    assert ops[1].detail == "reply_prefix" and ops[2].detail == "added: 秘密价目表.csv"

    page = app.oplog_page
    with qtbot.waitSignal(page.shown, timeout=30000):
        app.window.show_page("oplog")
    assert page.table.rowCount() == 6
    assert [page.table.item(0, c).text() for c in (1, 2)] == ["Logged out", "window"]
    assert page.table.item(2, 3).text() == "added 秘密价目表.csv" and page.table.item(1, 3).text() == "Reply prefix"

    raw = sqlite3.connect(data_dir / DB_FILE).execute("SELECT detail_enc FROM oplog").fetchall()
    assert raw and all(b"\xe7\xa7\x98\xe5\xaf\x86" not in (blob or b"") for (blob,) in raw)  # 秘密 is sealed

    out = tmp_path / "ops.csv"
    with qtbot.waitSignal(page.exported, timeout=30000):
        page.export_to(out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["time", "kind", "actor", "detail"]
    assert [r[1:3] for r in rows[1:]] == [["login", "system"], ["bot_started", "tray"], ["bot_stopped", "phone"],
                                         ["kb_changed", "window"], ["settings_changed", "window"], ["logout", "window"]]
    assert app.svc.operations()[0].kind == "export"  # the export itself is logged


FAQ = [{"match": "contains", "pattern": "营业", "answer": "每天 9 点到 18 点"}]


def test_starts_are_credited_to_who_started_them_and_drafts_are_logged(qtbot, make_app, sim):
    """The start after login is wxbot's own (not a risk signal); a risk warning's stop is the risk signal's;
    drafts sent, edited and rejected in the window or from the phone are logged with the contact."""
    app = make_app(with_model=False, new_contact_mode="draft", draft_notice_seconds=0, faq_rules=FAQ)
    log_in(qtbot, app, sim)
    qtbot.waitUntil(lambda: app.svc.bot_running, timeout=30000)
    for who in ("zhang", "li", "wang"):
        sim.inject(who, "今天营业吗")
    qtbot.waitUntil(lambda: len(app.svc.drafts()) == 3, timeout=30000)
    first, second, third = (d.draft_id for d in app.svc.drafts())
    app.svc.approve_draft(first)
    app.svc.approve_draft(second, "周日也营业")
    sim.inject_from_owner("filehelper", f"#no {third}")
    qtbot.waitUntil(lambda: ("draft_rejected", "phone") in _kinds(app), timeout=30000)
    sim.inject("weixin", "你的账号存在异常行为，已被限制部分功能")
    qtbot.waitUntil(lambda: not app.svc.bot_running, timeout=30000)

    kinds = _kinds(app)
    assert kinds[:2] == [("login", "system"), ("bot_started", "system")]
    assert kinds[2:5] == [("draft_approved", "window"), ("draft_edited", "window"), ("draft_rejected", "phone")]
    assert kinds[-1] == ("bot_stopped", "risk")
    details = {op.kind.value: op.detail for op in app.svc.operations()}
    assert details["draft_approved"] == f"#{first} 张三-老客户"

    page = app.oplog_page
    with qtbot.waitSignal(page.shown, timeout=30000):
        app.window.show_page("oplog")
    shown = [(page.table.item(r, 1).text(), page.table.item(r, 2).text()) for r in range(page.table.rowCount())]
    assert shown[0] == ("Auto-reply stopped", "risk signal")
    assert shown[-2] == ("Auto-reply started", "wxbot, automatically")
    assert ("Draft edited and sent", "window") in shown
