"""QR login, QR expiry, hot reload, push login, refusal: the real itchat-uos against the simulator."""

from __future__ import annotations

import os
import stat
import threading
import time

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.wechat.conftest import Recorder, qr_login
from wxbot.errors import WeChatError
from wxbot.events import LoginState, QrCode
from wxbot.wechat import SessionFile


class TinyCipher:
    """AES-GCM like the store's cipher (nonce || ciphertext)."""

    def __init__(self) -> None:
        self._aead = AESGCM(AESGCM.generate_key(bit_length=128))

    def encrypt_blob(self, data: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, aad)

    def decrypt_blob(self, blob: bytes, aad: bytes) -> bytes:
        return self._aead.decrypt(blob[:12], blob[12:], aad)


def test_qr_login_scan_confirm(sim, make_channel):
    channel, events = make_channel()
    qr_login(channel, events, sim)
    qr = events.of(QrCode)
    assert len(qr) == 1 and qr[0].png.startswith(b"\x89PNG")
    assert events.states() == ["waiting_scan", "scanned", "logged_in"]
    assert channel.account.nick_name == "小王的店"
    assert channel.account.user_name.startswith("@") and not channel.account.user_name.startswith("@@")
    assert channel.account.user_name == sim.current_user_name("self")


def test_expired_qr_is_replaced_and_the_new_one_logs_in(sim, make_channel):
    channel, events = make_channel()
    done = threading.Thread(target=channel.login, daemon=True)
    done.start()
    events.wait_for(lambda items: len([i for i in items if isinstance(i, QrCode)]) == 1)
    first = sim.expire_qr()
    events.wait_for(lambda items: len([i for i in items if isinstance(i, QrCode)]) == 2)
    second = sim.scan()
    events.wait_for(lambda items: "scanned" in [getattr(i, "state", "") for i in items])
    sim.confirm()
    done.join(15)
    codes = events.of(QrCode)
    assert first == codes[0].uuid and second == codes[1].uuid and first != second
    assert codes[0].png != codes[1].png
    assert events.states() == ["waiting_scan", "expired", "waiting_scan", "scanned", "logged_in"]
    assert channel.account is not None


def test_hot_reload_after_restart_needs_no_qr(sim, make_channel, tmp_path):
    cipher = TinyCipher()
    path = tmp_path / "wechat-session.json"
    first, events = make_channel(SessionFile(path, cipher))
    qr_login(first, events, sim)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"wxsid" not in path.read_bytes()  # encrypted, not plaintext cookies
    before = first.account
    first._drop_login(forget_session=False)  # the app quits without logging out

    second, events2 = make_channel(SessionFile(path, cipher))
    account = second.login()
    assert events2.of(QrCode) == []
    assert events2.states() == ["logged_in"]
    assert account.user_name == before.user_name  # same web session resumed


def test_push_login_when_saved_session_expired(sim, make_channel, tmp_path):
    path = tmp_path / "s.json"
    first, events = make_channel(SessionFile(path))
    qr_login(first, events, sim)
    before = first.account
    first._drop_login(forget_session=False)
    sim.relogin_with_new_usernames(rename={"zhang": "张三丰"})

    second, events2 = make_channel(SessionFile(path))
    result = {}
    thread = threading.Thread(target=lambda: result.update(a=second.login()), daemon=True)
    thread.start()
    events2.wait_for(lambda items: "scanned" in [getattr(i, "state", "") for i in items])
    sim.confirm()
    thread.join(15)
    assert events2.of(QrCode) == []
    assert result["a"].user_name != before.user_name  # a new login: new UserNames
    assert "张三丰" in {c.nick_name for c in second.contacts()}


@pytest.mark.parametrize("garbage", [b"", b"\x80\x81not json", b'{"format": "x"}', b"[1,2,3]"])
def test_garbage_session_file_is_discarded_then_qr_login(sim, make_channel, tmp_path, garbage):
    path = tmp_path / "s.json"
    path.write_bytes(garbage)
    channel, events = make_channel(SessionFile(path, TinyCipher() if garbage else None))
    qr_login(channel, events, sim)
    assert len(events.of(QrCode)) == 1
    assert path.exists() and path.read_bytes() != garbage  # replaced by the new session


def test_session_from_another_key_is_discarded(sim, make_channel, tmp_path):
    path = tmp_path / "s.json"
    first, events = make_channel(SessionFile(path, TinyCipher()))
    qr_login(first, events, sim)
    first._drop_login(forget_session=False)
    assert SessionFile(path, TinyCipher()).load() is None
    assert not path.exists()


def test_login_refused_1203_is_a_wechat_error_in_words(sim, make_channel):
    sim.refuse_login()
    channel, events = make_channel()
    errors = []

    def run():
        try:
            channel.login()
        except WeChatError as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    events.wait_for(lambda items: any(isinstance(i, QrCode) for i in items))
    sim.scan()
    sim.confirm()
    thread.join(15)
    assert len(errors) == 1
    assert "不能登录网页微信" in errors[0].zh and "1203" in errors[0].en
    failed = [s for s in events.of(LoginState) if s.state == "failed"]
    assert failed and failed[0].risk


def test_login_can_be_cancelled(sim, make_channel):
    channel, events = make_channel()
    cancel = threading.Event()
    errors = []
    thread = threading.Thread(target=lambda: _catch(errors, channel.login, cancel=cancel), daemon=True)
    thread.start()
    events.wait_for(lambda items: any(isinstance(i, QrCode) for i in items))
    cancel.set()
    thread.join(10)
    assert not thread.is_alive() and errors and "cancel" in errors[0].en


def _catch(errors, fn, **kwargs):
    try:
        fn(**kwargs)
    except WeChatError as exc:
        errors.append(exc)


def test_hot_reload_delivers_what_came_while_away_and_not_older(sim, make_channel, tmp_path):
    path = tmp_path / "s.json"
    first, events = make_channel(SessionFile(path))
    qr_login(first, events, sim)
    got_first = Recorder()
    first.start_receiving(got_first)
    seen = sim.inject("张三", "before the restart")
    got_first.wait_for(lambda items: len(items) == 1)
    first._drop_login(forget_session=False)  # the app is killed; the saved position is after "seen"
    away = sim.inject("张三", "while the app was closed")

    second, events2 = make_channel(SessionFile(path))
    second.login()
    got = Recorder()
    second.start_receiving(got)
    got.wait_for(lambda items: len(items) >= 1)
    time.sleep(1.0)  # an older message re-delivered would arrive in the same or the next sync round
    assert [m.msg_id for m in got.items] == [away] and seen not in [m.msg_id for m in got.items]


def test_demo_phone_logs_in_by_itself(tmp_path):
    from tests.wechat.conftest import FAST
    from wxbot.settings import Settings
    from wxbot.sim import Simulator
    from wxbot.wechat import WeChatChannel

    with Simulator(hold_seconds=0.5, auto_login_seconds=0.3) as sim:
        events = Recorder()
        channel = WeChatChannel(Settings(wechat_base_url=sim.base_url), None, events, timeouts=FAST)
        assert channel.login().nick_name == "小王的店"
        assert events.states() == ["waiting_scan", "scanned", "logged_in"]
        channel.logout()


def test_a_message_only_in_memory_is_delivered_again_after_a_restart_though_later_ones_were_saved(
        sim, make_channel, tmp_path):
    """N2: the sync position covers every message before it, so while the consumer holds one it could not
    commit, neither a later batch nor close() saves the position."""
    path = tmp_path / "s.json"
    first, events = make_channel(SessionFile(path))
    qr_login(first, events, sim)
    got_first = Recorder()
    held: list[str] = []

    def on_message(msg):
        got_first(msg)
        if held:
            return True  # committed
        held.append(msg.msg_id)
        return False  # the store refused it: it is only in memory

    first.start_receiving(on_message, lambda: bool(held))
    refused = sim.inject("张三", "refused by the store")
    got_first.wait_for(lambda items: len(items) == 1)
    later = sim.inject("张三", "committed in a later batch")
    got_first.wait_for(lambda items: len(items) == 2)
    first.close()  # the app quits while the first is still only in memory

    second, events2 = make_channel(SessionFile(path))
    second.login()
    got = Recorder()
    second.start_receiving(got)
    got.wait_for(lambda items: {refused, later} <= {m.msg_id for m in items})
