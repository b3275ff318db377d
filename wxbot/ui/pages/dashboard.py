"""The Dashboard page (概览), shown first once logged in: its headline is how many customers wait for the owner
(等你处理 N 位客户: handed over, a draft pending, or their last message missed), then what the bot resolved
(confirmed, assumed, not resolved: defined in wxbot/core/resolution.py) and what it did today or in the last 7/30 days,
read from the store on a worker thread, with how long customers waited for the first character of the model's last
replies. Bars are drawn with QPainter: QtCharts comes only in the 59 MB
PySide6-Addons wheel, too much for two bar charts in an app that is downloaded and frozen."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from wxbot.messages import Activity
from wxbot.service import BotService
from wxbot.ui.i18n import N_, tr
from wxbot.ui.tasks import Tasks

PERIODS = ((0, N_("Today")), (7, N_("Last 7 days")), (30, N_("Last 30 days")))
SOURCES = (("faq", N_("FAQ")), ("kb", N_("Knowledge base")), ("model", N_("Model")),
           ("draft", N_("Drafts approved")), ("draft_edited", N_("Drafts I rewrote")),
           ("kb_fallback", N_("Fallback text")), ("away", N_("Away message")),
           ("non_text", N_("Non-text")))
REASONS = {"stale": N_("too old"), "outside_hours": N_("outside service hours"), "daily_cap": N_("daily cap"),
           "loop_guard": N_("loop guard"), "bot_stopped": N_("auto-reply stopped"), "failed": N_("errors"),
           "expired": N_("expired"),
           "degenerate_loop": N_("model output held back"), "persona_echo": N_("model output held back"),
           "risk_warning": N_("risk warning"), "empty_reply": N_("nothing to say")}


RESOLUTION_HELP = N_("Confirmed: the customer thanked or confirmed after the assistant's answer. Assumed: no "
                     "follow-up within 24 hours. Not resolved: handed to you, held as a draft, the fallback text, "
                     "or the customer asked again. Greetings and thanks alone never count.")


FIRST_CHAR_HELP = N_("How long a customer sees nothing before the first character of a reply the local model "
                     "writes: reading the conversation, other customers' replies ahead of it and the model's "
                     "thinking all delay it. DeepSeek-R1 thinks before every answer; set Reasoning to off or brief "
                     "in Settings to shorten the wait. Counted over the model's last replies since wxbot started.")


def first_char_text(a: Activity) -> str:
    f = a.first_visible
    if f is None:
        return tr("Time to first character: no data yet")
    return tr("Time to first character: median %s, 90%% within %s (last %d model replies)") % (
        seconds_text(f.median_seconds), seconds_text(f.p90_seconds), f.replies)


def resolution_text(a: Activity) -> str:
    counted = a.confirmed + a.assumed + a.not_resolved
    if not counted:
        return tr("Resolved: no conversations to count yet")
    rate = round(100 * (a.confirmed + a.assumed) / counted)
    return tr("Resolved %d%% of %d conversations: %d confirmed, %d assumed, %d not resolved") % (
        rate, counted, a.confirmed, a.assumed, a.not_resolved)


def seconds_text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} s" if value < 60 else f"{value / 60:.1f} min"


class BarChart(QWidget):
    """Labelled vertical bars with their values on top."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.bars: list[tuple[str, int]] = []
        self.setMinimumHeight(170)

    def set_bars(self, bars: list[tuple[str, int]]) -> None:
        self.bars = bars
        self.update()

    def empty(self) -> bool:
        return not any(n for _, n in self.bars)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        p.setPen(QColor("#333"))
        p.drawText(QRectF(0, 0, w, 20), Qt.AlignmentFlag.AlignLeft, self.title)
        if self.empty():  # nothing to draw yet: say so rather than show a blank area
            p.setPen(QColor("#999"))
            p.drawText(QRectF(0, 20, w, h - 20), Qt.AlignmentFlag.AlignCenter, tr("No data yet"))
            return
        top, bottom = 38.0, h - 22.0
        slot = w / len(self.bars)
        most = max(1, *(n for _, n in self.bars))
        for i, (label, n) in enumerate(self.bars):
            height = (bottom - top) * n / most
            x = i * slot + slot * 0.15
            p.fillRect(QRectF(x, bottom - height, slot * 0.7, height), QColor("#07c160"))
            p.setPen(QColor("#333"))
            if n:
                p.drawText(QRectF(i * slot, bottom - height - 18, slot, 16), Qt.AlignmentFlag.AlignCenter, str(n))
            p.setPen(QColor("#666"))
            p.drawText(QRectF(i * slot, bottom + 2, slot, 18), Qt.AlignmentFlag.AlignCenter, label)
        p.end()


class DashboardPage(QWidget):
    error = Signal(object)
    shown = Signal(object)  # the Activity now on screen

    def __init__(self, svc: BotService, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.svc = svc
        self.tasks = tasks
        self.activity: Activity | None = None
        self.period = QComboBox()
        for days, label in PERIODS:
            self.period.addItem(tr(label), days)
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        refresh = QPushButton(tr("Refresh"))
        refresh.clicked.connect(self.refresh)
        head = QHBoxLayout()
        title = QLabel(tr("What the assistant did"))
        title.setStyleSheet("font-size: 16px; font-weight: 600;")
        head.addWidget(title, 1)
        head.addWidget(self.period)
        head.addWidget(refresh)

        self.headline = QLabel()
        self.headline.setStyleSheet("font-size: 20px; font-weight: 600; color: #8a1f17;")
        self.resolved = QLabel()
        self.resolved.setWordWrap(True)
        self.resolved.setToolTip(tr(RESOLUTION_HELP))

        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        names = (("replied", tr("Replies sent")), ("customers", tr("Customers answered")),
                 ("median", tr("Median reply time")), ("p95", tr("95% of replies within")),
                 ("missed", tr("Messages missed")), ("takeovers", tr("Your own replies (takeovers)")),
                 ("drafts", tr("Drafts waiting")))
        for i, (key, label) in enumerate(names):
            value = QLabel("—")
            value.setStyleSheet("font-size: 22px; font-weight: 600; color: #1d4f73;")
            caption = QLabel(label)
            caption.setStyleSheet("color: #666;")
            box = QVBoxLayout()
            box.addWidget(value)
            box.addWidget(caption)
            grid.addLayout(box, i // 4, i % 4)
            self.figures[key] = value
        self.first_char = QLabel()
        self.first_char.setWordWrap(True)
        self.first_char.setToolTip(tr(FIRST_CHAR_HELP))
        self.missed_why = QLabel()
        self.missed_why.setWordWrap(True)
        self.missed_why.setStyleSheet("color: #8a1f17;")
        self.by_source = BarChart(tr("Replies by source"))
        self.by_hour = BarChart(tr("Replies by hour of the day"))

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.headline)
        layout.addWidget(self.resolved)
        layout.addLayout(grid)
        layout.addWidget(self.first_char)
        layout.addWidget(self.missed_why)
        layout.addWidget(self.by_source, 1)
        layout.addWidget(self.by_hour, 1)

    def refresh(self) -> None:
        if self.svc.store is None:  # not open yet: nothing to count
            return
        days = self.period.currentData()
        self.tasks.run("dashboard", lambda: self.svc.activity(days), self.show_activity, self.error.emit)

    def show_activity(self, a: Activity) -> None:
        self.activity = a
        missed = sum(a.missed.values())
        values = {"replied": a.replied, "customers": a.customers, "median": seconds_text(a.median_seconds),
                  "p95": seconds_text(a.p95_seconds), "missed": missed, "takeovers": a.takeovers,
                  "drafts": a.drafts_pending}
        for key, value in values.items():
            self.figures[key].setText(str(value))
        self.headline.setText(tr("Waiting for you: %d customers") % a.waiting_for_you if a.waiting_for_you
                              else tr("Nobody is waiting for you"))
        self.headline.setStyleSheet(f"font-size: 20px; font-weight: 600; color: "
                                    f"{'#8a1f17' if a.waiting_for_you else '#07c160'};")
        self.resolved.setText(resolution_text(a))
        self.first_char.setText(first_char_text(a))
        why = "，".join(f"{tr(REASONS[r]) if r in REASONS else r} {n}" for r, n in sorted(a.missed.items()))
        self.missed_why.setText(tr("Missed: %s") % why if why else "")
        shown = [(tr(label), a.replies.get(key, 0)) for key, label in SOURCES]
        self.by_source.set_bars([bar for bar in shown[:4]] + [bar for bar in shown[4:] if bar[1]])
        self.by_hour.set_bars([(str(h) if h % 3 == 0 else "", n) for h, n in enumerate(a.per_hour)])
        self.shown.emit(a)
