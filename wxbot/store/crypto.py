"""AES-256-GCM for personal text: one cipher object per data key, a fresh nonce per value, and
associated data that pins every ciphertext to its table, row and column (or to a named blob)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wxbot.errors import StoreError, WrongKeyError

KEY_BYTES = 32
NONCE_BYTES = 12  # 96 bits, as NIST SP 800-38D recommends for random nonces
FORMAT = b"\x01"  # first byte of every sealed value; bound into the AAD too
_VERIFIER_TEXT = b"wxbot-key-check-v1"
_BODY = 1 + NONCE_BYTES  # format byte, nonce, then ciphertext and 16-byte tag
_MIN_SEALED = _BODY + 16


def _subkey(data_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=b"wxbot/1 " + purpose).derive(data_key)


def seal_many(aead: AESGCM, items: Sequence[tuple[bytes, bytes]]) -> list[bytes]:
    """Seal (plaintext, aad) pairs, each under its own random nonce (drawn in one urandom call)."""
    nonces = os.urandom(NONCE_BYTES * len(items))
    enc = aead.encrypt
    out = []
    for start, (plaintext, aad) in zip(range(0, len(nonces), NONCE_BYTES), items, strict=True):
        nonce = nonces[start:start + NONCE_BYTES]
        out.append(FORMAT + nonce + enc(nonce, plaintext, FORMAT + aad))
    return out


def seal(aead: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    return seal_many(aead, [(plaintext, aad)])[0]


def open_sealed(aead: AESGCM, blob: bytes, aad: bytes) -> bytes:
    """Raises InvalidTag on a wrong key, a tampered value or a value from another place."""
    if len(blob) < _MIN_SEALED or blob[:1] != FORMAT:
        raise InvalidTag()
    return aead.decrypt(blob[1:_BODY], blob[_BODY:], FORMAT + aad)


def field_aad(table: str, row: str, column: str) -> bytes:
    # Length prefixes keep the parts unambiguous whatever characters a row key holds.
    return f"field|{len(table)}|{table}|{len(row)}|{row}|{column}".encode()


class FieldCipher:
    """Encrypts database fields and standalone blobs with sub-keys derived from the store's data key."""

    def __init__(self, data_key: bytes) -> None:
        if len(data_key) != KEY_BYTES:
            raise WrongKeyError("密钥长度不正确", "the data key has the wrong length")
        self._aead = AESGCM(_subkey(data_key, b"field-aead"))
        self._mac_key = _subkey(data_key, b"name-mac")

    # ------------------------------------------------------------------ fields
    def encrypt(self, table: str, row: str, column: str, text: str) -> bytes:
        return seal(self._aead, text.encode("utf-8"), field_aad(table, row, column))

    def encrypt_many(self, table: str, column: str, items: Sequence[tuple[str, str]]) -> list[bytes]:
        """``encrypt`` for many (row, text) pairs of one column: bulk inserts."""
        return seal_many(self._aead, [(text.encode("utf-8"), field_aad(table, row, column)) for row, text in items])

    def decrypt(self, table: str, row: str, column: str, blob: bytes) -> str:
        return self.decrypt_many(table, column, [(row, blob)])[0]

    def decrypt_many(self, table: str, column: str, items: Sequence[tuple[str, bytes]]) -> list[str]:
        """Decrypt (row, blob) pairs of one column; StoreError names the first row that fails."""
        aead, out = self._aead, []
        for row, blob in items:
            try:
                out.append(open_sealed(aead, blob, field_aad(table, row, column)).decode("utf-8"))
            except InvalidTag:
                raise StoreError(f"数据库中 {table}.{column}（行 {row}）的数据已损坏或被篡改",
                                 f"{table}.{column} of row {row} is damaged or was tampered with") from None
        return out

    def name_mac(self, kind: str, column: str, name: str) -> bytes:
        """A keyed hash of a contact name, so exact look-ups work without decrypting every row."""
        msg = json.dumps([kind, column, name], ensure_ascii=False).encode("utf-8")
        return hmac.new(self._mac_key, msg, hashlib.sha256).digest()

    # ------------------------------------------------------------------ blobs (the WeChat session file)
    def encrypt_blob(self, data: bytes, aad: bytes) -> bytes:
        return seal(self._aead, data, b"blob|" + aad)

    def decrypt_blob(self, blob: bytes, aad: bytes) -> bytes:
        """Raises WrongKeyError when the blob does not open with this key (tampered, or another store's)."""
        try:
            return open_sealed(self._aead, blob, b"blob|" + aad)
        except InvalidTag:
            raise WrongKeyError("加密文件无法用当前密钥解开（密钥不符或文件被篡改）",
                                "the encrypted file does not open with this key (wrong key or tampered file)") from None

    # ------------------------------------------------------------------ key check
    def make_verifier(self) -> bytes:
        return seal(self._aead, _VERIFIER_TEXT, b"verifier")

    def check_verifier(self, blob: bytes) -> bool:
        try:
            return open_sealed(self._aead, blob, b"verifier") == _VERIFIER_TEXT
        except InvalidTag:
            return False
