"""After WeChat hands out new names (a re-login) a renamed contact is highlighted on the Contacts page,
gets no auto-reply until the owner confirms it, and Confirm clears the flag."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.flows import log_in
from wxbot.ui.pages.contacts_model import COL_NAME, COL_STATUS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def test_renamed_contact_is_highlighted_and_confirmed(qtbot, make_app, sim):
    app = make_app(with_model=False, new_contact_mode="auto")
    log_in(qtbot, app, sim)
    qtbot.waitUntil(lambda: any(c.name == "王五" for c in app.contacts_page.model.contacts), timeout=30000)
    with qtbot.waitSignal(app.bridge.login_state, timeout=60000, check_params_cb=lambda s: s.state == "logged_out"):
        sim.relogin_with_new_usernames({"wang": "王五金店"})
    with qtbot.waitSignal(app.bridge.qr_code, timeout=60000):  # nothing logs back in by itself: the owner asks
        app.login_page.login_button.click()
    with qtbot.waitSignal(app.bridge.login_state, timeout=60000, check_params_cb=lambda s: s.state == "logged_in"):
        sim.scan()
        sim.confirm()
    page = app.contacts_page
    qtbot.waitUntil(lambda: any(c.flag for c in page.model.contacts), timeout=30000)
    flagged = next(c for c in page.model.contacts if c.flag)
    assert flagged.name == "王五金店" and flagged.mode == "off"
    row = page.row_of(flagged.contact_id)
    assert "confirm" in page.proxy.index(row, COL_STATUS).data()
    assert page.proxy.index(row, COL_NAME).data(Qt.ItemDataRole.BackgroundRole) is not None
    app.window.show_page("contacts")
    page.table.selectRow(row)
    assert page.confirm_button.isEnabled() and page.merge_button.isEnabled()
    page.confirm_button.click()
    qtbot.waitUntil(lambda: not any(c.flag for c in page.model.contacts), timeout=30000)
    assert page.proxy.index(page.row_of(flagged.contact_id), COL_NAME).data(Qt.ItemDataRole.BackgroundRole) is None


def test_pause_and_resume_from_the_conversation_page(qtbot, make_app, sim):
    app = make_app(with_model=False)
    log_in(qtbot, app, sim)
    qtbot.waitUntil(lambda: any(c.name == "王五" for c in app.contacts_page.model.contacts), timeout=30000)
    wang = next(c.contact_id for c in app.svc.contacts() if c.name == "王五")
    page = app.conversations_page
    app.window.show_page("conversations")
    page.show_contact(wang)
    assert page.contact_id == wang and page.title.text() == "王五"
    thirty = next(a for a in page.pause_button.menu().actions() if a.text() == "30 minutes")
    thirty.trigger()  # the header follows when the contact list, read off the GUI thread, comes back
    qtbot.waitUntil(lambda: page.state_label.text().startswith("Paused until") and page.resume_button.isEnabled(),
                    timeout=30000)
    qtbot.waitUntil(lambda: "Paused until" in app.contacts_page.proxy.index(
        app.contacts_page.row_of(wang), COL_STATUS).data(), timeout=30000)
    page.resume_button.click()
    qtbot.waitUntil(lambda: page.state_label.text() == "Replies: Off" and not page.resume_button.isEnabled(),
                    timeout=30000)
    assert next(c for c in app.svc.contacts() if c.contact_id == wang).paused_until == 0
