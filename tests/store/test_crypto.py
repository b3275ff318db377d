"""Field cipher: fresh nonces, associated data that pins each value to its place, sealed blobs."""

from __future__ import annotations

import os

import pytest

from wxbot.errors import StoreError, WrongKeyError
from wxbot.store.crypto import FieldCipher


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(os.urandom(32))


def test_round_trip_and_fresh_nonce(cipher):
    a = cipher.encrypt("messages", "1:c_x", "text", "你好 hello")
    b = cipher.encrypt("messages", "1:c_x", "text", "你好 hello")
    assert a != b and a[1:13] != b[1:13]  # a new 96-bit nonce per value
    assert cipher.decrypt("messages", "1:c_x", "text", a) == "你好 hello"
    assert "你好".encode() not in a


@pytest.mark.parametrize("place", [("messages", "2:c_x", "text"), ("messages", "1:c_y", "text"),
                                   ("messages", "1:c_x", "sender"), ("contacts", "1:c_x", "text")])
def test_value_does_not_open_in_another_place(cipher, place):
    blob = cipher.encrypt("messages", "1:c_x", "text", "secret")
    with pytest.raises(StoreError, match="tampered"):
        cipher.decrypt(*place, blob)


def test_tampered_or_foreign_values_fail(cipher):
    blob = bytearray(cipher.encrypt("settings", "persona", "value", "x"))
    blob[-1] ^= 1
    with pytest.raises(StoreError):
        cipher.decrypt("settings", "persona", "value", bytes(blob))
    other = FieldCipher(os.urandom(32))
    with pytest.raises(StoreError):
        other.decrypt("settings", "persona", "value", cipher.encrypt("settings", "persona", "value", "x"))


def test_blob_seal(cipher):
    sealed = cipher.encrypt_blob(b'{"cookie": "v"}', b"wxbot-wechat-session/1")
    assert cipher.decrypt_blob(sealed, b"wxbot-wechat-session/1") == b'{"cookie": "v"}'
    with pytest.raises(WrongKeyError):
        cipher.decrypt_blob(sealed, b"other")
    with pytest.raises(WrongKeyError):
        cipher.decrypt_blob(sealed[:-1] + bytes([sealed[-1] ^ 1]), b"wxbot-wechat-session/1")
    with pytest.raises(WrongKeyError):
        FieldCipher(os.urandom(32)).decrypt_blob(sealed, b"wxbot-wechat-session/1")
    # a blob is never accepted as a database field, nor the other way round
    with pytest.raises(StoreError):
        cipher.decrypt("blob", "wxbot-wechat-session/1", "", sealed)


def test_verifier_and_name_mac(cipher):
    assert cipher.check_verifier(cipher.make_verifier())
    assert not FieldCipher(os.urandom(32)).check_verifier(cipher.make_verifier())
    assert not cipher.check_verifier(b"")
    assert cipher.name_mac("friend", "nick", "张三") == cipher.name_mac("friend", "nick", "张三")
    assert cipher.name_mac("friend", "nick", "张三") != cipher.name_mac("friend", "remark", "张三")
    assert cipher.name_mac("friend", "nick", "张三") != FieldCipher(os.urandom(32)).name_mac("friend", "nick", "张三")
