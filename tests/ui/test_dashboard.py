"""The Dashboard's figures come from a store the real bot filled: real itchat on the simulator, the real model,
an FAQ rule, the owner typing on the phone, a message too old to answer."""

from __future__ import annotations

import time

import pytest

from tests.ui.flows import log_in

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(240)]

FAQ = [{"match": "contains", "pattern": "营业", "answer": "每天 9:00-21:00 营业"}]


def test_dashboard_counts_replies_by_source_customers_times_misses_and_takeovers(qtbot, make_app, sim):
    app = make_app(faq_rules=FAQ)
    log_in(qtbot, app, sim)
    assert app.window.current_page() == "dashboard"
    qtbot.waitUntil(lambda: {"张三-老客户", "李四🌸", "王五"} <= {c.name for c in app.svc.contacts()}, timeout=30000)
    ids = {c.name: c.contact_id for c in app.svc.contacts()}
    app.svc.set_mode_many([ids["张三-老客户"], ids["李四🌸"], ids["王五"]], "auto")
    qtbot.waitUntil(lambda: app.svc.bot_running and app.svc.model_state.state == "ready", timeout=60000)

    sim.inject("li", "请问今天营业吗？")  # FAQ
    sim.wait_sent_to("li", 1)
    sim.inject("zhang", "讲个笑话")  # the model
    sim.wait_sent_to("zhang", 1, timeout=120)
    old = sim.inject("wang", "在吗", create_time=int(time.time()) - 7200)  # too old: missed, not answered
    sim.inject_from_owner("wang", "我来回答您")  # the owner writes by hand
    qtbot.waitUntil(lambda: (m := app.svc.store.get_message(old)) is not None and m.state == "skipped", timeout=30000)
    qtbot.waitUntil(lambda: any(not m.by_bot and m.direction == "out" for m in app.svc.history(ids["王五"])),
                    timeout=30000)

    page = app.dashboard_page
    app.window.show_page("contacts")
    page.period.setCurrentIndex(page.period.findData(7))  # the old message may fall before today's midnight
    with qtbot.waitSignal(page.shown, timeout=30000):
        app.window.show_page("dashboard")  # opening the page reads the figures again
    a = page.activity
    assert a.replies == {"faq": 1, "model": 1} and a.customers == 2
    assert a.missed == {"stale": 1} and a.takeovers == 1 and a.drafts_pending == 0
    assert 0 <= a.median_seconds <= a.p95_seconds
    shown = {key: label.text() for key, label in page.figures.items()}
    assert shown["replied"] == "2" and shown["customers"] == "2" and shown["missed"] == "1"
    assert shown["takeovers"] == "1" and shown["drafts"] == "0" and shown["median"].endswith(("s", "min"))
    assert page.missed_why.text() == "Missed: too old 1"
    assert page.by_source.bars[:4] == [("FAQ", 1), ("Knowledge base", 0), ("Model", 1), ("Drafts approved", 0)]
    assert sum(n for _, n in page.by_hour.bars) == 2
    assert page.headline.text() == "Nobody is waiting for you"  # 王五's missed message: the owner answered since
    assert page.resolved.text() == "Resolved: no conversations to count yet"  # both answers are still open

    # a customer asks for a person: the headline, the Contacts badge and the tray say someone waits
    sim.inject("li", "转人工")
    assert sim.wait_sent_to("li", 2)[1]["text"] == "好的，我请店主马上来处理，请稍等～"
    qtbot.waitUntil(lambda: app.window.nav.item(app.window.PAGES.index("contacts")).text()
                    == "Contacts (1 waiting)", timeout=30000)
    assert "1 customers waiting for you" in app.tray.icon.toolTip()
    with qtbot.waitSignal(page.shown, timeout=30000):
        page.refresh()
    assert page.headline.text() == "Waiting for you: 1 customers"
    # 李四 asked again after the FAQ answer, then was handed over: two conversations, neither resolved
    assert page.resolved.text() == "Resolved 0% of 2 conversations: 0 confirmed, 0 assumed, 2 not resolved"


def test_the_dashboard_shows_how_long_customers_waited_for_the_first_character(qtbot, make_app, sim):
    """Issue 26: the dashboard reports the time to the first visible character of the model's replies."""
    from wxbot.ui.pages.dashboard import seconds_text

    app = make_app()
    log_in(qtbot, app, sim)
    qtbot.waitUntil(lambda: "张三-老客户" in {c.name for c in app.svc.contacts()}, timeout=30000)
    app.svc.set_mode_many([c.contact_id for c in app.svc.contacts() if c.name == "张三-老客户"], "auto")
    qtbot.waitUntil(lambda: app.svc.bot_running and app.svc.model_state.state == "ready", timeout=60000)
    page = app.dashboard_page
    with qtbot.waitSignal(page.shown, timeout=30000):
        page.refresh()
    assert page.activity.first_visible is None
    assert page.first_char.text() == "Time to first character: no data yet"
    assert "thinking" in page.first_char.toolTip() and "Reasoning" in page.first_char.toolTip()

    sim.inject("zhang", "讲个笑话")  # the model answers: its first character is timed
    sim.wait_sent_to("zhang", 1, timeout=120)
    with qtbot.waitSignal(page.shown, timeout=30000):
        page.refresh()
    first = page.activity.first_visible
    assert first is not None and first.replies == 1 and 0 < first.median_seconds == first.p90_seconds
    shown = seconds_text(first.median_seconds)
    assert page.first_char.text() == f"Time to first character: median {shown}, 90% within {shown} (last 1 model replies)"


def test_an_empty_chart_says_there_is_no_data_yet(qtbot):
    """No replies yet: the chart says 还没有数据 / No data yet instead of a blank area."""
    from PySide6.QtGui import QColor

    from wxbot.ui.pages.dashboard import BarChart

    chart = BarChart("Replies by source")
    qtbot.addWidget(chart)
    chart.resize(400, 170)
    chart.set_bars([("FAQ", 0), ("AI", 0)])
    assert chart.empty()
    image = chart.grab().toImage()
    middle = [image.pixelColor(x, y) for x in range(100, 300) for y in range(70, 110)]
    assert any(c.alpha() and c != QColor("#ffffff") and c.lightness() < 200 for c in middle)  # the words
    chart.set_bars([("FAQ", 3), ("AI", 0)])
    assert not chart.empty()
