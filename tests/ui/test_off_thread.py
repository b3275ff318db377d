"""The window never reads or decrypts the store on the GUI thread: the contact list, a conversation's history
and a search all run in a worker and arrive through queued signals (bench/bench_gui.py measures the stall)."""

from __future__ import annotations

import threading

from wxbot.messages import Reply


def test_contacts_history_and_search_are_read_off_the_gui_thread(make_app, qtbot, monkeypatch):
    controller = make_app(with_model=False)
    svc = controller.svc
    svc.open_store()
    contact = svc.store.upsert_contact("friend", "张三")
    svc.store.record_reply(Reply("@u", ("[AI] 规格 10*20cm 售价 168 元",), "model", body="规格 10*20cm 售价 168 元"),
                           contact.id)
    readers: list[tuple[str, threading.Thread]] = []
    for name in ("contacts", "history", "search", "conversations"):
        real = getattr(svc, name)
        monkeypatch.setattr(svc, name, lambda *a, _real=real, _name=name, **kw: (
            readers.append((_name, threading.current_thread())), _real(*a, **kw))[1])
    page = controller.conversations_page

    with qtbot.waitSignal(page.list_shown, timeout=30000):
        controller.refresh_contacts()
    assert page.conversations.rowCount() == 1 and controller.contacts_page.model.rowCount() == 1
    with qtbot.waitSignal(page.history_shown, timeout=30000):
        page.show_contact(contact.id)
    assert page.title.text() == "张三" and "售价 168 元" in page.view.toPlainText()
    page.search.setText("168")
    with qtbot.waitSignal(page.history_shown, timeout=30000):
        page.search.returnPressed.emit()
    assert len(page.items) == 1

    assert {name for name, _ in readers} == {"contacts", "history", "search", "conversations"}
    assert all(thread is not threading.main_thread() for _, thread in readers), readers
