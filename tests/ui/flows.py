"""Moves the UI tests share: logging in through the window with the simulated phone."""

from __future__ import annotations

from wxbot.sim import Simulator
from wxbot.ui.controller import AppController


def log_in(qtbot, controller: AppController, sim: Simulator, timeout: int = 60000) -> None:
    """Start the app, wait for its QR code, scan and confirm on the simulated phone, wait until logged in."""
    with qtbot.waitSignal(controller.bridge.qr_code, timeout=timeout):
        controller.start()
    with qtbot.waitSignal(controller.bridge.login_state, timeout=timeout,
                          check_params_cb=lambda state: state.state == "logged_in"):
        sim.scan()
        sim.confirm()
