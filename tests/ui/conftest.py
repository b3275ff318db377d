"""UI fixtures: the app controller on the real simulator, real store (in-memory keyring) and real model."""

from __future__ import annotations

import pytest

from wxbot.settings import load_settings
from wxbot.ui.controller import AppController

FAST = dict(typing_delay_base=0.0, typing_delay_per_char=0.0, min_seconds_between_replies=0.0,
            aggregate_seconds=0.0, max_reply_tokens=24, stale_message_seconds=3600, loop_guard_exchanges=0,
            max_replies_per_minute=0, max_replies_per_day=0, temperature=0.0, risk_acknowledged=True)


@pytest.fixture
def make_app(qtbot, data_dir, sim, test_model_path, monkeypatch):
    """make_app(with_model=True, tray=True, lang="en", **settings) -> an AppController (not started) on the
    simulator (the UI language's translators installed by the caller)."""
    made: list[AppController] = []

    def make(with_model: bool = True, tray: bool = True, lang: str = "en", **overrides) -> AppController:
        if with_model:
            monkeypatch.setenv("WXBOT_MODEL", test_model_path)
        settings = load_settings().replace(wechat_base_url=sim.base_url, **{**FAST, **overrides})
        controller = AppController(settings, lang, use_tray=tray)
        qtbot.addWidget(controller.window)
        controller.svc.acquire_instance()
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.close_now()

