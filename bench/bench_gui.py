"""The longest GUI stall while the window refreshes the contact list, opens a conversation and searches it,
with 5,000 contacts and 200,000 encrypted messages: the pages as they are (store work in a worker thread)
against the same actions done the old way, on the GUI thread (the baseline, measured in the same run).

python -m bench.bench_gui [--small]   (needs Qt; QT_QPA_PLATFORM=offscreen works headless)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
from keyring.backends import fail  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.bench_store import PASSPHRASE, make_messages  # noqa: E402
from wxbot.service import BotService  # noqa: E402
from wxbot.settings import Settings  # noqa: E402
from wxbot.ui.pages.contacts import ContactsPage  # noqa: E402
from wxbot.ui.pages.conversations import ConversationsPage  # noqa: E402
from wxbot.ui.pages.thread_html import bubble_html  # noqa: E402
from wxbot.ui.tasks import Tasks  # noqa: E402

GOAL_MS = 100.0
TICK_MS = 5
HEAVY_SHARE = 10  # one contact in ten messages: the conversation opened and searched


def build(data: Path, n_contacts: int, n_messages: int) -> tuple[str, float]:
    """A store with ``n_contacts`` friends and ``n_messages`` messages; returns the heavy contact's id."""
    start = time.perf_counter()
    svc = BotService(Settings(data_dir=str(data)), lambda _e: None, passphrase=lambda: PASSPHRASE)
    svc.open_store()
    store = svc.store
    ids = [store.upsert_contact("friend", f"客户 {i:05d}", f"备注 {i}").id for i in range(n_contacts)]
    heavy = ids[0]
    owners = [heavy if i % HEAVY_SHARE == 0 else ids[1 + i % (n_contacts - 1)] for i in range(n_messages)]
    msgs = make_messages(n_messages, owners)
    store.insert_messages(msgs)
    svc.close()
    return heavy, time.perf_counter() - start


class StallMeter:
    """A timer on the GUI thread: the longest gap between its ticks is the longest stall the owner feels."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.last = 0.0
        self.worst = 0.0
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def run(self, steps: list[Callable[[Callable[[], None]], None]], timeout: float = 600.0) -> list[float]:
        """Run each step (it calls ``done`` when its result is on screen) with the event loop spinning;
        returns each step's longest stall in ms."""
        worst: list[float] = []
        self.last = time.perf_counter()
        self.timer.start()
        deadline = time.monotonic() + timeout
        for step in steps:
            self.worst = 0.0
            finished: list[bool] = []
            QTimer.singleShot(0, lambda step=step, finished=finished: step(lambda: finished.append(True)))
            while not finished and time.monotonic() < deadline:
                self.app.processEvents()
                time.sleep(0.001)
            self._tick()  # a step that blocked the loop to its end shows here
            worst.append(self.worst * 1000)
        self.timer.stop()
        return worst


def measure(app: QApplication, data: Path, heavy: str, query: str) -> tuple[list[float], list[float]]:
    svc = BotService(Settings(data_dir=str(data)), lambda _e: None, passphrase=lambda: PASSPHRASE)
    svc.open_store()
    tasks = Tasks()
    contacts_page, convo = ContactsPage(svc, tasks), ConversationsPage(svc, tasks)
    contacts_page.loaded.connect(convo.set_contacts)
    meter = StallMeter(app)

    def once(signal, action: Callable[[], None]) -> Callable[[Callable[[], None]], None]:
        def step(done: Callable[[], None]) -> None:
            def fire(*_args) -> None:
                signal.disconnect(fire)
                done()
            signal.connect(fire)
            action()
        return step

    def search() -> None:
        convo.search.setText(query)
        convo.reload()

    now = meter.run([once(contacts_page.loaded, contacts_page.refresh),
                     once(convo.history_shown, lambda: convo.show_contact(heavy)),
                     once(convo.history_shown, search)])

    def old_way(done: Callable[[], None]) -> None:  # what the pages did before: all of it on the GUI thread
        contacts = svc.contacts()
        contacts_page.model.update_contacts(contacts)
        convo.set_contacts(contacts)
        next(c for c in svc.contacts() if c.contact_id == heavy)  # the header looked its contact up
        for items in (svc.history(heavy, limit=200), svc.search(heavy, query)):
            convo.view.setHtml("".join(bubble_html(i) for i in items))
            next(c for c in svc.contacts() if c.contact_id == heavy)
        done()

    before = meter.run([old_way])
    svc.close()
    for obj in (contacts_page, convo, tasks, meter.timer):
        obj.deleteLater()
    app.processEvents()
    return now, before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="500 contacts, 20,000 messages (a quick check)")
    args = parser.parse_args()
    n_contacts, n_messages = (500, 20_000) if args.small else (5_000, 200_000)
    keyring.set_keyring(fail.Keyring())  # never touch the machine's keychain: passphrase mode
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="wxbot-bench-gui-") as tmp:
        data = Path(tmp)
        heavy, built = build(data, n_contacts, n_messages)
        print(f"store: {n_contacts:,} contacts, {n_messages:,} messages ({n_messages // HEAVY_SHARE:,} in the opened "
              f"conversation), built in {built:.1f} s")
        steps, before = measure(app, data, heavy, "预约")
    now = max(steps)
    print("longest GUI stall per action, store work in a worker: "
          + ", ".join(f"{name} {ms:.1f} ms" for name, ms in zip(("refresh", "open", "search"), steps, strict=True)))
    print(f"longest GUI stall, refresh + open + search, store work in a worker : {now:8.1f} ms  (goal <= {GOAL_MS:.0f})")
    print(f"longest GUI stall, the same on the GUI thread (old pages, baseline)   : {before[0]:8.1f} ms")
    print(f"ratio (worker / GUI thread): {now / before[0]:.3f}  {'OK' if now <= GOAL_MS else 'ABOVE GOAL'}")


if __name__ == "__main__":
    main()
