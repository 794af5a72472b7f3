"""Encrypted backups: AES-256-GCM over the tar in 1 MiB chunks, with a key derived from BACKUP_ENCRYPTION_KEY.

File format (`.tar.enc`), all integers big-endian:
    header  = b"CYBKENC1" | salt (16 bytes) | nonce prefix (8 bytes)
    chunk*  = length of the ciphertext (4 bytes) | AES-GCM(plain chunk) with its 16-byte tag
The key is scrypt(passphrase, salt, n=2**15, r=8, p=1, 32 bytes). Chunk i is sealed with the nonce
prefix | i (4 bytes) and the associated data header | i | final flag (1 for the last chunk, else 0), so chunks
cannot be reordered, swapped between files or cut off at the end without the tag check failing. The tar is
streamed through the writer: no clear copy of the database is written next to the archive.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from django.conf import settings

from core.errors import ValidationFailed

MAGIC = b"CYBKENC1"
CHUNK = 1 << 20
_HEADER = len(MAGIC) + 16 + 8


def _aead(passphrase: str, salt: bytes):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return AESGCM(Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode()))


def encryption_key() -> str:
    return getattr(settings, "BACKUP_ENCRYPTION_KEY", "") or ""


def is_encrypted(path: Path) -> bool:
    with Path(path).open("rb") as handle:
        return handle.read(len(MAGIC)) == MAGIC


class EncryptingWriter:
    """A write-only file object for tarfile's stream mode ("w|"): buffers, seals full chunks, seals the last on close."""

    def __init__(self, sink, passphrase: str):
        self._sink = sink
        salt, self._prefix = os.urandom(16), os.urandom(8)
        self._header = MAGIC + salt + self._prefix
        self._aead = _aead(passphrase, salt)
        self._buffer = bytearray()
        self._index = 0
        sink.write(self._header)

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte back: the last chunk is sealed as final
            self._seal(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        self._seal(bytes(self._buffer), final=True)
        self._buffer.clear()

    def _seal(self, plain: bytes, *, final: bool) -> None:
        index = struct.pack(">I", self._index)
        sealed = self._aead.encrypt(self._prefix + index, plain, self._header + index + bytes([final]))
        self._sink.write(struct.pack(">I", len(sealed)) + sealed)
        self._index += 1


def decrypt_file(source: Path, target: Path, passphrase: str) -> None:
    """Decrypt an archive of EncryptingWriter into target (mode 0600); a wrong key or a damaged file is a 422."""
    from cryptography.exceptions import InvalidTag

    if not passphrase:
        raise ValidationFailed("这是加密的备份,请设置 BACKUP_ENCRYPTION_KEY 为备份时的密钥"
                               "(encrypted backup: set BACKUP_ENCRYPTION_KEY to the key used for the backup)")
    wrong = ValidationFailed("备份解密失败:密钥不对或文件已损坏(wrong BACKUP_ENCRYPTION_KEY or damaged file)")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with Path(source).open("rb") as handle, os.fdopen(fd, "wb") as sink:
        header = handle.read(_HEADER)
        if len(header) != _HEADER or not header.startswith(MAGIC):
            raise wrong
        aead = _aead(passphrase, header[len(MAGIC):len(MAGIC) + 16])
        prefix, index, final = header[-8:], 0, False
        while not final:
            length = handle.read(4)
            if len(length) != 4:
                raise wrong  # cut off before the final chunk
            sealed = handle.read(struct.unpack(">I", length)[0])
            packed = struct.pack(">I", index)
            # The last chunk is the one with nothing after it; its tag only checks with the final flag set.
            final = handle.peek(1)[:1] == b"" if hasattr(handle, "peek") else False
            try:
                sink.write(aead.decrypt(prefix + packed, sealed, header + packed + bytes([final])))
            except InvalidTag:
                raise wrong from None
            index += 1
