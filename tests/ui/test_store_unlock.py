"""Without a system keychain the app asks for the passphrase (never a crash), asks again when it is wrong,
and a locked-out store reaches the owner as words in the window."""

from __future__ import annotations

import keyring
from keyring.backends import fail
from PySide6.QtWidgets import QInputDialog

from wxbot.store import Store


def test_no_keychain_asks_for_the_passphrase_and_retries_when_wrong(qtbot, make_app, data_dir, monkeypatch):
    keyring.set_keyring(fail.Keyring())
    Store.open(data_dir, passphrase=lambda: "correct horse battery").close()
    answers = iter([("wrong passphrase!", True), ("correct horse battery", True)])
    prompts = []

    def fake_get_text(parent, title, label, echo):
        prompts.append(label)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(fake_get_text))
    app = make_app(with_model=False)
    app.start()
    qtbot.waitUntil(lambda: app.svc.store is not None, timeout=30000)
    assert app.svc.store.key_source == "passphrase"
    assert app.svc.passphrase is None  # dropped once the store is open, not kept for the whole run
    assert len(prompts) == 2 and "Wrong passphrase" in prompts[1]


def test_cancelled_passphrase_is_explained_in_the_banner(qtbot, make_app, monkeypatch):
    keyring.set_keyring(fail.Keyring())
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a: ("", False)))
    app = make_app(with_model=False)
    app.start()
    qtbot.waitUntil(lambda: app.window.banner.isVisible(), timeout=30000)
    assert app.window.banner.level == "error" and "passphrase" in app.window.banner.label.text()
    assert app.svc.store is None



def test_a_data_dir_that_is_a_file_is_shown_in_words(qtbot, tmp_path, monkeypatch):
    """The window can't start on a data dir that is a file: a dialog in both languages, exit code 2."""
    from PySide6.QtWidgets import QMessageBox

    from wxbot.ui.app import run_app

    not_a_dir = tmp_path / "data"
    not_a_dir.write_text("I am a file")
    monkeypatch.setenv("WXBOT_DATA_DIR", str(not_a_dir))
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text)))
    assert run_app([]) == 2
    assert len(shown) == 1 and "不是文件夹" in shown[0] and "is not a folder" in shown[0]
