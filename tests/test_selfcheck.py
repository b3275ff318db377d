"""`wxbot --self-check` run as the owner runs it (a subprocess), unfrozen; scripts/build_app.py runs the same
check in the frozen app. Each run logs in to the simulator with the real itchat-uos client."""

from __future__ import annotations

import os
import subprocess
import sys

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.assets import REPO
from wxbot.selfcheck import run_self_check

pytestmark = pytest.mark.timeout(300)
CHECKS = ("qt", "store", "model", "login", "reply", "close")


def self_check(data_dir, *args: str) -> tuple[int, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WXBOT_")} | {"WXBOT_DATA_DIR": str(data_dir)}
    proc = subprocess.run([sys.executable, "-m", "wxbot", "--self-check", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=240)
    return proc.returncode, proc.stdout.splitlines()


def marks(lines: list[str]) -> dict[str, str]:
    """check name -> its mark (✓ passed, ✗ failed, - skipped), from the report lines."""
    return {line.split()[1]: line.split()[0] for line in lines if line[:1] in "✓✗-" and len(line.split()) > 1}


@pytest.mark.model
@pytest.mark.slow
def test_passes_with_the_test_model(data_dir, test_model_path):
    code, lines = self_check(data_dir, "--model", test_model_path)
    assert code == 0, "\n".join(lines)
    assert marks(lines) == dict.fromkeys(CHECKS, "✓")
    assert "CPU" in next(line for line in lines if line.startswith("✓ model"))
    assert "model answered" in next(line for line in lines if line.startswith("✓ reply"))
    assert lines[-1] == "self-check passed"
    assert list(data_dir.iterdir()) == []  # the owner's data dir is never touched


@pytest.mark.slow
def test_without_a_model_an_faq_rule_answers(data_dir):
    code, lines = self_check(data_dir)
    assert code == 0, "\n".join(lines)
    assert marks(lines) == {**dict.fromkeys(CHECKS, "✓"), "model": "-"}
    assert "FAQ rule answered" in next(line for line in lines if line.startswith("✓ reply"))


@pytest.mark.slow
def test_a_broken_model_fails_the_check(data_dir, tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(4096))
    code, lines = self_check(data_dir, "--model", str(bad))
    assert code == 1, "\n".join(lines)
    assert marks(lines)["model"] == "✗" and marks(lines)["reply"] == "✗"
    assert marks(lines)["login"] == "✓"
    assert lines[-1] == "self-check FAILED: model, reply"


class RecordingKeyring(KeyringBackend):
    """Stands in for the owner's keychain: the self-check must not write to it, and must give it back."""

    priority = 1
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[tuple[str, str]] = []

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes.append((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.writes.append((service, username))


@pytest.mark.slow
def test_the_owners_keychain_is_never_written(data_dir, capsys):
    owner = RecordingKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(owner)
    try:
        assert run_self_check(None) == 0, capsys.readouterr().out
        assert keyring.get_keyring() is owner
    finally:
        keyring.set_keyring(previous)
    assert owner.writes == []
    assert "✓ store" in capsys.readouterr().out
