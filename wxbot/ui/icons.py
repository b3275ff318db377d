"""Icons drawn with QPainter (no binary assets): the tray/status dot by bot state, and the app icon."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPixmap

STATE_COLOURS = {
    "running": "#2aae67",  # WeChat green
    "stopped": "#9e9e9e",
    "paused": "#f0a020",
    "logged_out": "#9e9e9e",
    "error": "#d9453b",
}


def _bubble(size: int, colour: str, badge: str | None) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 64.0
    path = QPainterPath()
    path.addRoundedRect(QRectF(4 * s, 6 * s, 56 * s, 42 * s), 14 * s, 14 * s)
    tail = QPainterPath()
    tail.moveTo(16 * s, 44 * s)
    tail.lineTo(12 * s, 60 * s)
    tail.lineTo(30 * s, 46 * s)
    path = path.united(tail)
    p.fillPath(path, QColor(colour))
    p.setPen(QColor("white"))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(22 * s))
    p.setFont(font)
    p.drawText(QRectF(4 * s, 6 * s, 56 * s, 42 * s), Qt.AlignmentFlag.AlignCenter, "AI")
    if badge:
        p.setBrush(QColor(badge))
        p.setPen(QColor("white"))
        p.drawEllipse(QRectF(40 * s, 38 * s, 22 * s, 22 * s))
    p.end()
    return pix


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128):
        icon.addPixmap(_bubble(size, STATE_COLOURS["running"], None))
    return icon


def state_icon(state: str) -> QIcon:
    """The tray icon for a bot state: the green bubble with a coloured badge (grey bubble when logged out)."""
    colour = STATE_COLOURS.get(state, STATE_COLOURS["error"])
    icon = QIcon()
    for size in (16, 22, 32, 64):
        if state == "logged_out":
            icon.addPixmap(_bubble(size, colour, None))
        else:
            icon.addPixmap(_bubble(size, STATE_COLOURS["running"], colour))
    return icon


def dot(colour: str, size: int = 12) -> QPixmap:
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(colour))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return pix
