"""The first-run guide: shown once at the first start, every step skippable, a .gguf from disk becomes the model,
a passphrase choice makes a passphrase store, and it opens again from Settings."""

from __future__ import annotations

import json

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.ui.flows import PassphraseAnswers
from wxbot.errors import WrongKeyError
from wxbot.llm.catalog import GpuFit, catalog_fit, find_model, recommended_model
from wxbot.llm.vram import UNKNOWN_GPU, GpuInfo
from wxbot.settings import Settings
from wxbot.store import keys
from wxbot.store.store import Store
from wxbot.ui.app import greet
from wxbot.ui.guide import FirstRunGuide, apply_choices

GIB = 1 << 30
PASSPHRASE = "correct horse battery"


def drive(seen: list[str], *actions) -> None:
    """Once the modal guide is up, do ``actions`` ("next", "later" or a callable on the guide) in order.
    Anything else that comes up modal is recorded and closed, so a wrong dialog fails the test, not hangs it."""

    def run() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(50, run)
            return
        seen.append(type(widget).__name__)
        if not isinstance(widget, FirstRunGuide):
            widget.close()
            return
        for action in actions:
            if action == "next":
                widget.next_button.click()
            elif action == "later":
                widget.later_button.click()
            else:
                action(widget)
        if widget.isVisible():  # actions that did not finish it: leave the rest for later
            seen.append(f"left at {widget.step()}")
            widget.reject()

    QTimer.singleShot(50, run)


def test_the_guide_appears_on_the_first_start_and_not_on_the_second(qtbot, make_app, data_dir):
    seen: list[str] = []
    first = make_app(risk_acknowledged=False)
    drive(seen, "next", "later", "later", "next")  # I understand, keychain later, model later, Finish
    assert greet(first) is True
    assert seen == ["FirstRunGuide"]
    saved = json.loads((data_dir / "settings.json").read_text())
    assert saved["guide_done"] is True and saved["risk_acknowledged"] is True
    assert first.window.current_page() == "login"  # the guide ends at the QR login
    first.close_now()

    seen.clear()
    second = make_app()  # guide_done comes from the first start's settings.json
    QTimer.singleShot(300, lambda: seen.append(type(QApplication.activeModalWidget()).__name__))
    assert greet(second) is True
    qtbot.wait(400)
    assert seen == ["NoneType"]  # nothing modal came up


def test_each_step_can_be_skipped(qtbot):
    guide = FirstRunGuide(Settings(), None)
    qtbot.addWidget(guide)
    assert guide.steps == ["risk", "key", "model", "login"]
    for step in ("risk", "key", "model"):
        assert guide.step() == step
        guide.later_button.click()
    assert guide.step() == "login"
    guide.next_button.click()
    assert guide.result() == FirstRunGuide.DialogCode.Accepted
    assert (guide.choices.risk_acknowledged, guide.choices.passphrase, guide.choices.model_path) == (False, None,
                                                                                                      None)
    before = Settings(model_path="/models/kept.gguf")
    after = apply_choices(before, guide.choices)
    assert after.guide_done and not after.risk_acknowledged and after.model_path == "/models/kept.gguf"


def test_back_returns_to_the_step_before_with_what_was_entered(qtbot, data_dir, test_model_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *_args: (test_model_path, "")))
    guide = FirstRunGuide(Settings(data_dir=str(data_dir)), None)
    qtbot.addWidget(guide)
    assert guide.step() == "risk" and not guide.back_button.isEnabled()
    guide.next_button.click()
    guide.passphrase_radio.setChecked(True)
    guide.key_fields.passphrase.setText(PASSPHRASE)
    guide.key_fields.repeat.setText(PASSPHRASE)
    guide.next_button.click()
    assert guide.step() == "model"
    guide.browse_button.click()
    chosen = guide.model_chosen.text()
    assert test_model_path.rsplit("/", 1)[-1] in chosen

    guide.back_button.click()  # the key step as it was left
    assert guide.step() == "key" and guide.passphrase_radio.isChecked() and guide.key_fields.isEnabled()
    assert (guide.key_fields.passphrase.text(), guide.key_fields.repeat.text()) == (PASSPHRASE, PASSPHRASE)
    guide.back_button.click()
    assert guide.step() == "risk" and not guide.back_button.isEnabled()
    guide.next_button.click()
    guide.next_button.click()  # the passphrase typed before is taken again
    assert guide.step() == "model" and guide.model_chosen.text() == chosen
    guide.next_button.click()
    guide.back_button.click()
    assert guide.step() == "model" and guide.choices.model_path == test_model_path
    guide.next_button.click()
    guide.next_button.click()  # Finish
    assert guide.result() == FirstRunGuide.DialogCode.Accepted
    assert (guide.choices.risk_acknowledged, guide.choices.passphrase, guide.choices.model_path) == \
        (True, PASSPHRASE, test_model_path)


def test_a_skipped_risk_step_still_asks_before_the_bot_starts(qtbot, make_app):
    seen: list[str] = []
    app = make_app(risk_acknowledged=False)
    drive(seen, "later", "later", "later", "next")
    QTimer.singleShot(600, lambda: drive(seen))  # the risk notice comes next: recorded and closed (= Quit)
    assert greet(app) is False
    assert seen == ["FirstRunGuide", "QMessageBox"]
    assert app.svc.settings.guide_done and not app.svc.settings.risk_acknowledged


def test_choosing_a_gguf_from_disk_sets_the_model(qtbot, make_app, data_dir, test_model_path, monkeypatch):
    asked: list[str] = []

    def pick(_parent, _title, _start, name_filter):
        asked.append(name_filter)
        return test_model_path, name_filter

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(pick))
    app = make_app(with_model=False)
    seen: list[str] = []

    def browse(guide: FirstRunGuide) -> None:
        assert guide.step() == "model"
        guide.browse_button.click()

    drive(seen, "next", "later", browse, "next", "next")
    assert greet(app) is True
    assert "*.gguf" in asked[0]
    assert app.svc.settings.model_path == test_model_path
    assert json.loads((data_dir / "settings.json").read_text())["model_path"] == test_model_path


def test_the_passphrase_choice_makes_a_passphrase_store(qtbot, make_app, data_dir):
    app = make_app()
    seen: list[str] = []
    errors: list[str] = []

    def choose(guide: FirstRunGuide) -> None:
        fields = guide.key_fields
        guide.passphrase_radio.setChecked(True)
        fields.passphrase.setText("short")
        fields.repeat.setText("short")
        guide.next_button.click()
        errors.append(fields.error.text())
        fields.passphrase.setText(PASSPHRASE)
        fields.repeat.setText(PASSPHRASE + "!")
        guide.next_button.click()
        errors.append(fields.error.text())
        fields.repeat.setText(PASSPHRASE)
        guide.next_button.click()

    drive(seen, "next", choose, "later", "next")
    assert greet(app) is True
    assert "8" in errors[0] and "differ" in errors[1]  # a short or mistyped passphrase does not get past the step
    app.svc.open_store()
    assert app.svc.store.key_source == "passphrase"
    assert keyring.get_password(keys.SERVICE, keys.keyring_user(data_dir)) is None  # the keychain holds no key
    app.close_now()
    with pytest.raises(WrongKeyError):
        Store.open(data_dir, passphrase=lambda: "not the passphrase")
    Store.open(data_dir, passphrase=lambda: PASSPHRASE).close()

    answers = PassphraseAnswers((PASSPHRASE, ""))
    again = make_app(with_model=False)  # the next start asks for it, though a keychain is usable
    again.start()
    qtbot.waitUntil(lambda: again.svc.store is not None, timeout=30000)
    assert again.svc.store.key_source == "passphrase"
    assert len(answers.prompts) == 1 and "No system keychain" not in answers.prompts[0]


def test_without_a_working_keychain_the_guide_recommends_a_passphrase(qtbot, make_app, data_dir):
    """The probe (write, read back, delete) fails: the keychain can't be chosen, the passphrase is preselected."""
    keyring.set_keyring(fail.Keyring())
    app = make_app(with_model=False)
    seen: list[str] = []
    shown: list[tuple[bool, bool, bool]] = []

    def look(guide: FirstRunGuide) -> None:
        assert guide.step() == "key"
        shown.append((guide.keychain_radio.isEnabled(), guide.passphrase_radio.isChecked(),
                      guide.key_fields.isEnabled()))
        guide.key_fields.passphrase.setText(PASSPHRASE)
        guide.key_fields.repeat.setText(PASSPHRASE)

    drive(seen, "next", look, "next", "later", "next")
    assert greet(app) is True
    assert shown == [(False, True, True)]
    app.svc.open_store()
    assert app.svc.store.key_source == "passphrase"


def test_the_guide_opens_again_from_settings(qtbot, make_app, test_model_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *_a: (test_model_path, "")))
    app = make_app(with_model=False)
    app.svc.open_store()
    seen: list[str] = []
    steps: list[list[str]] = []

    def browse(guide: FirstRunGuide) -> None:
        steps.append(list(guide.steps))
        guide.browse_button.click()

    drive(seen, "later", browse, "next", "next")
    app.window.show_page("settings")
    app.settings_page.guide_button.click()
    qtbot.waitUntil(lambda: app.svc.settings.model_path == test_model_path, timeout=30000)
    assert seen == ["FirstRunGuide"]
    assert steps == [["risk", "model", "login"]]  # the store exists: its key cannot move here


def test_the_recommended_model_is_the_largest_that_fits_this_pc(qtbot):
    seven, fourteen = find_model("r1-qwen-7b"), find_model("r1-qwen-14b")
    card = GpuInfo("RTX 3060", 12 * GIB, 10 * GIB, "CUDA")
    assert catalog_fit(seven, card) is GpuFit.FULL
    assert catalog_fit(fourteen, card) is GpuFit.PARTIAL
    assert catalog_fit(seven, GpuInfo("small", 2 * GIB, 1 * GIB, "CUDA")) is GpuFit.CPU
    assert catalog_fit(seven, None) is GpuFit.CPU and catalog_fit(seven, UNKNOWN_GPU) is GpuFit.CPU
    assert recommended_model(None).key == "r1-qwen-1.5b"  # without a GPU the others answer too slowly
    assert recommended_model(GpuInfo("RTX 4090", 24 * GIB, 23 * GIB, "CUDA")).key == "r1-qwen-14b"
    guide = FirstRunGuide(Settings(), card)
    qtbot.addWidget(guide)
    assert recommended_model(card).key == "r1-llama-8b"
    assert "DeepSeek-R1-Distill-Llama-8B" in guide.card.title.text()
    assert "fits on your GPU" in guide.card.facts.text() and guide.card.button.text() == "Download"
