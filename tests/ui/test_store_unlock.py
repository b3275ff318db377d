"""Without a system keychain the app asks for the passphrase (never a crash): a new store's twice, in the UI
language, with a strength hint, a too-short or mistyped one refused on the spot; a wrong one asked again; a
cancelled ask leaves a button that asks again (no restart needed); a locked-out store reaches the owner as words."""

from __future__ import annotations

import keyring
from keyring.backends import fail

from tests.ui.flows import PassphraseAnswers
from wxbot.store import Store
from wxbot.store.keys import Strength, keychain_works, passphrase_strength
from wxbot.ui.passphrase import PassphraseFields

PASSPHRASE = "correct horse battery"


def test_no_keychain_asks_for_the_passphrase_and_retries_when_wrong(qtbot, make_app, data_dir):
    keyring.set_keyring(fail.Keyring())
    Store.open(data_dir, passphrase=lambda: PASSPHRASE).close()
    answers = PassphraseAnswers(("wrong passphrase!", ""), (PASSPHRASE, ""))
    app = make_app(with_model=False)
    app.start()
    qtbot.waitUntil(lambda: app.svc.store is not None, timeout=30000)
    assert app.svc.store.key_source == "passphrase"
    assert app.svc.passphrase is None  # dropped once the store is open, not kept for the whole run
    assert len(answers.prompts) == 2 and "Wrong passphrase" in answers.prompts[1]
    assert not answers.last.fields.repeat.isVisibleTo(answers.last)  # an existing passphrase is typed once


def test_a_new_passphrase_is_typed_twice_and_a_short_one_is_asked_again(qtbot, make_app, data_dir):
    keyring.set_keyring(fail.Keyring())
    answers = PassphraseAnswers(("short", "short"), (PASSPHRASE, PASSPHRASE + "!"), (PASSPHRASE, PASSPHRASE))
    app = make_app(with_model=False)
    app.start()
    qtbot.waitUntil(lambda: app.svc.store is not None, timeout=30000)
    assert len(answers.prompts) == 1 and "Choose a passphrase" in answers.prompts[0]
    assert "at least 8" in answers.errors[0] and "differ" in answers.errors[1] and answers.errors[2] == ""
    assert app.svc.store.key_source == "passphrase"
    app.close_now()
    Store.open(data_dir, passphrase=lambda: PASSPHRASE).close()  # the store opens with what was typed


def test_a_cancelled_passphrase_leaves_a_button_that_asks_again(qtbot, make_app, data_dir):
    keyring.set_keyring(fail.Keyring())
    answers = PassphraseAnswers(None)
    app = make_app(with_model=False)
    app.start()
    banner = app.window.banner
    qtbot.waitUntil(lambda: banner.isVisible() and banner.action.isVisible(), timeout=30000)
    assert banner.level == "error" and "passphrase" in banner.label.text() and app.svc.store is None
    answers = PassphraseAnswers((PASSPHRASE, PASSPHRASE))
    banner.action.click()  # 输入口令: no restart needed
    qtbot.waitUntil(lambda: app.svc.store is not None, timeout=30000)
    assert len(answers.prompts) == 1


def test_the_keychain_probe_and_the_strength_hint(qtbot):
    assert keychain_works()  # the tests' in-memory keychain keeps what it is given
    keyring.set_keyring(fail.Keyring())
    assert not keychain_works()
    assert [passphrase_strength(t) for t in ("short", "aaaaaaaa", "horse battery", "correct horse battery 9!")] \
        == [Strength.TOO_SHORT, Strength.WEAK, Strength.FAIR, Strength.STRONG]
    fields = PassphraseFields(new=True)
    qtbot.addWidget(fields)
    fields.passphrase.setText("aaaaaaaa")
    assert fields.strength.text() == "Strength: weak"
    fields.passphrase.setText("correct horse battery 9!")
    assert fields.strength.text() == "Strength: strong"


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
