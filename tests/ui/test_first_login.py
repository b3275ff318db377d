"""After the first login with every contact off, the window says that nobody is answered and offers to choose;
the status line counts the contacts that are on instead of a green light alone."""

from __future__ import annotations

import pytest

from tests.ui.flows import log_in
from wxbot.messages import ReplyMode
from wxbot.ui.icons import STATE_COLOURS

pytestmark = pytest.mark.timeout(300)


def test_nobody_on_is_said_and_choosing_contacts_is_offered(qtbot, make_app, sim):
    app = make_app(with_model=False, new_contact_mode="off")
    log_in(qtbot, app, sim)
    window, banner = app.window, app.window.banner
    qtbot.waitUntil(lambda: window.bot_label.text() == "Auto-reply running (contacts on: 0)", timeout=30000)
    assert window.bot_dot.pixmap().toImage().pixelColor(6, 6).name() == STATE_COLOURS["paused"]  # not green
    qtbot.waitUntil(lambda: banner.isVisible() and banner.topic == "nobody-on", timeout=30000)
    assert "answers nobody" in banner.label.text() and banner.action.text() == "Choose contacts"

    banner.action.click()
    assert window.current_page() == "contacts" and not banner.isVisible()
    page = app.contacts_page
    # the list is read off the GUI thread as the login syncs it: wait for it, however busy the machine
    qtbot.waitUntil(lambda: any(c.name == "张三-老客户" for c in page.model.contacts), timeout=60000)
    zhang = next(c.contact_id for c in page.model.contacts if c.name == "张三-老客户")
    page.table.selectRow(page.row_of(zhang))
    page.mode_buttons[ReplyMode.AUTO].click()  # bulk: Auto for selected
    qtbot.waitUntil(lambda: window.bot_label.text() == "Auto-reply running (contacts on: 1)", timeout=30000)
    assert window.bot_dot.pixmap().toImage().pixelColor(6, 6).name() == STATE_COLOURS["running"]
