"""Render the desktop app's pages (Chinese UI) to docs/screenshots/*.png for the docs and README.

Runs the real app against the built-in WeChat simulator with the small test model, in a temp data dir and
an in-memory keyring. Needs a display with CJK fonts, e.g.:
    apt-get install -y xvfb fonts-noto-cjk
    xvfb-run -a -s "-screen 0 1600x1000x24" python scripts/screenshots.py [out_dir]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keyring  # noqa: E402
import openpyxl  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from tests.assets import smollm2_path  # noqa: E402
from wxbot.llm.vram import GpuInfo  # noqa: E402
from wxbot.messages import ReplyMode  # noqa: E402
from wxbot.settings import Settings, load_settings  # noqa: E402
from wxbot.sim import Simulator  # noqa: E402
from wxbot.store.memkeyring import MemoryKeyring  # noqa: E402
from wxbot.ui.controller import AppController  # noqa: E402
from wxbot.ui.demo import DemoDriver, PhonePanel  # noqa: E402
from wxbot.ui.guide import FirstRunGuide  # noqa: E402
from wxbot.ui.i18n import install_translator  # noqa: E402
from wxbot.ui.pages.settings_page import SettingsGroup  # noqa: E402


def wait_until(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            caller = traceback.extract_stack(limit=2)[0]
            raise SystemExit(f"timed out after {timeout:.0f} s waiting at line {caller.lineno}")
        QTest.qWait(50)


def shoot(widget: QWidget, out: Path, name: str) -> None:
    QTest.qWait(300)  # let layouts and the text browser settle
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")


def shop_documents(folder: Path) -> list[str]:
    """The demo bookshop's price list and after-sales notes, for the knowledge base."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "图书"
    sheet.append(["书号", "书名", "类别", "单价(元)", "库存"])
    for row in (["HB-1021", "小熊和最好的爸爸（全7册）", "绘本", 98, 12], ["HB-1033", "猜猜我有多爱你", "绘本", 32, 40],
                ["WX-2001", "长安的荔枝", "文学", 45, 8]):
        sheet.append(row)
    prices = folder / "价目表.xlsx"
    book.save(prices)
    notes = folder / "售后说明.md"
    notes.write_text("# 退换货\n\n收到书 7 天内、未拆封可无理由退换，退回运费由买家承担。\n\n"
                     "# 发货\n\n每天 17:00 前下单当天发货，默认中通快递，满 99 元包邮。\n", encoding="utf-8")
    return [str(prices), str(notes)]


def shoot_guide(settings: Settings, out: Path) -> None:
    """The first-run guide at its model step, recommending for a common 12 GB card (10 GB free); on the owner's
    PC the pick comes from the GPU it really has."""
    guide = FirstRunGuide(settings, GpuInfo("NVIDIA GeForce RTX 3060", 12 << 30, 10 << 30, "CUDA"), lang="zh")
    guide.resize(720, 480)
    guide.show()
    guide.later_button.click()  # the risk notice
    guide.later_button.click()  # the data key
    shoot(guide, out, "guide")
    guide.close()


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    os.environ["WXBOT_DATA_DIR"] = tempfile.mkdtemp(prefix="wxbot-shots-")
    os.environ.pop("WXBOT_PASSPHRASE", None)
    keyring.set_keyring(MemoryKeyring())
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    translators = install_translator(app, "zh")  # noqa: F841 - must stay alive
    sim = Simulator(hold_seconds=1.0).start()
    settings = load_settings().replace(
        wechat_base_url=sim.base_url, model_path=str(smollm2_path()), language="zh", risk_acknowledged=True,
        max_reply_tokens=40, typing_delay_base=0.0, typing_delay_per_char=0.0, min_seconds_between_replies=0.0,
        aggregate_seconds=0.0, faq_rules=[
            {"match": "examples", "examples": ["营业时间", "几点开门", "晚上几点关门"], "answer": "每天 9:00-21:00"},
            {"match": "examples", "examples": ["地址在哪", "店在什么地方"], "answer": "人民路 88 号"}])
    shoot_guide(settings, out)
    controller = AppController(settings, "zh", use_tray=False)
    seen_lists: list[list] = []
    controller.contacts_page.loaded.connect(seen_lists.append)
    controller.svc.acquire_instance()
    controller.window.resize(1040, 700)
    driver = DemoDriver(controller, sim)
    driver.scan_delay_ms = 60_000  # hold the QR code on screen until it is photographed
    panel = PhonePanel(sim, controller)
    try:
        controller.start()
        wait_until(lambda: not controller.login_page.qr.pixmap().isNull())
        shoot(controller.window, out, "login")
        sim.scan()
        sim.confirm()
        wait_until(lambda: controller.svc.login_state.state == "logged_in")
        wait_until(lambda: controller.svc.model_state.state == "ready")
        controller.svc.kb().add_files(shop_documents(Path(tempfile.mkdtemp(prefix="wxbot-shop-"))))
        panel.show()
        panel.chat.setCurrentIndex(panel.chat.findData("zhang"))
        for text in ("你好，请问营业时间是几点？", "HB-1021 多少钱？", "可以开发票吗？"):
            panel.input.setText(text)
            panel.send()
            n = len(sim.outbox())
            wait_until(lambda n=n: len(sim.outbox()) > n)
        panel.chat.setCurrentIndex(panel.chat.findData("readers"))
        panel.input.setText("店长，这周读书会在哪里？")
        panel.send()
        n = len(sim.outbox())
        wait_until(lambda: len(sim.outbox()) > n)
        sim.inject("wang", "在吗？")
        controller.svc.pause_contact(next(c.contact_id for c in controller.svc.contacts() if c.name == "王五"), 30)
        loads = len(seen_lists)
        controller.refresh_contacts()
        wait_until(lambda: len(seen_lists) > loads)  # the contact list is read off the GUI thread
        controller.window.banner.hide()
        controller.window.show_page("contacts")
        shoot(controller.window, out, "contacts")
        controller.window.show_page("knowledge")
        page = controller.knowledge_page
        page.refresh()
        wait_until(lambda: page.table.rowCount() >= 2)  # the demo shop's files and the bookshop's
        page.query.setText("小熊那套绘本多少钱")
        page.search()
        wait_until(lambda: page.hits_table.rowCount() > 0)
        page.try_box.question.setText("你们店在什么地方呀")
        page.try_box.ask()
        wait_until(lambda: page.try_box.decision is not None)
        shoot(controller.window, out, "knowledge")
        for who, name, question in (("li", "李四🌸", "《长安的荔枝》还有货吗？多少钱？"),
                                    ("zhang", "张三-老客户", "满多少包邮？")):
            controller.svc.set_mode(next(c.contact_id for c in controller.svc.contacts() if c.name == name),
                                    ReplyMode.DRAFT)
            sim.inject(who, question)
        drafts = controller.drafts_page
        # the invoice question above became a draft (no passage answers it); 张三's new question merges into it
        wait_until(lambda: len(drafts.drafts) == 2 and any(len(d.asked) == 2 for d in drafts.drafts),
                   timeout=600)  # two model replies ahead of them on a busy machine
        controller.window.show_page("drafts")
        drafts.list.setCurrentRow(next(i for i, d in enumerate(drafts.drafts) if d.sources))
        shoot(controller.window, out, "drafts")
        controller.window.show_page("conversations")  # the workbench: 张三's thread with the draft waiting in it
        convo = controller.conversations_page
        convo.show_contact(next(c.contact_id for c in controller.svc.contacts() if c.name == "张三-老客户"))
        # the list, the thread and its draft are read off the GUI thread
        wait_until(lambda: convo.items and convo.draft.draft is not None and convo.conversations.rowCount() > 2)
        shoot(controller.window, out, "conversations")
        sim.inject("li", "质量太差了，我要投诉！")  # handed to the owner: the headline counts them
        wait_until(lambda: controller.svc.waiting())
        dashboard = controller.dashboard_page
        dashboard.period.setCurrentIndex(dashboard.period.findData(7))
        dashboard.activity = None
        controller.window.show_page("dashboard")  # opening the page reads its figures off the GUI thread
        wait_until(lambda: dashboard.activity is not None)
        shoot(controller.window, out, "dashboard")
        controller.window.show_page("gaps")  # the invoice question no passage answers is a gap
        wait_until(lambda: controller.gaps_page.gaps)
        shoot(controller.window, out, "gaps")
        controller.svc.apply_settings(controller.svc.settings.replace(daily_summary_hour=21))
        controller.window.show_page("oplog")
        wait_until(lambda: controller.oplog_page.table.rowCount() > 3)
        shoot(controller.window, out, "oplog")
        controller.window.show_page("models")
        models = controller.models_page
        wait_until(lambda: models.fits)  # the GPU fit is measured off the GUI thread
        models.select("bge-small-zh")
        shoot(controller.window, out, "models")
        controller.window.show_page("settings")
        controller.settings_page.show_group(SettingsGroup.REPLIES)  # persona, prefix, new contacts
        shoot(controller.window, out, "settings")
        controller.settings_page.show_group(SettingsGroup.FAQ)
        shoot(controller.window, out, "settings_faq")
        panel.chat.setCurrentIndex(panel.chat.findData("zhang"))
        shoot(panel, out, "demo_phone")
    finally:
        controller.close_now()
        sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
