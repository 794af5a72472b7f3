"""Backups are owner-only (0600 in a 0700 directory) and, with BACKUP_ENCRYPTION_KEY, encrypted end to end."""

from __future__ import annotations

import io
import os
import stat
import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.errors import ValidationFailed
from ops.services import backup_create, backup_prune, backup_restore
from ops.tests import test_backup_restore as plain

empty_database = plain.empty_database  # the fixture: a new, empty database of the test database's kind
a_street_with_history, every_table = plain.a_street_with_history, plain.every_table

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "correct horse battery staple 城运"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "var" / "backups"


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_archive_is_0600_and_the_backup_directory_0700_whatever_the_umask(street, settings):
    a_street_with_history(street)
    settings.BACKUP_DIR.mkdir(parents=True, mode=0o755)
    settings.BACKUP_DIR.chmod(0o755)
    previous = os.umask(0o000)
    try:
        backup = backup_create()
    finally:
        os.umask(previous)
    assert backup.path.name.endswith(".tar") and mode(backup.path) == 0o600
    assert mode(settings.BACKUP_DIR) == 0o700


def test_an_encrypted_backup_holds_no_phone_and_round_trips(street, settings, empty_database, tmp_path):
    settings.BACKUP_ENCRYPTION_KEY = KEY
    a_street_with_history(street)  # a case with citizen_phone 13900001111
    source_rows = every_table(connection.settings_dict)
    backup = backup_create()
    assert backup.path.name.endswith(".tar.enc") and mode(backup.path) == 0o600
    data = backup.path.read_bytes()
    assert b"13900001111" not in data and "李梅".encode() not in data and b"SQLite format" not in data
    if connection.vendor == "sqlite":  # the control: unencrypted, the same street's archive holds it in clear
        assert b"13900001111" in _clear_copy(street, settings, tmp_path)  # (pg_dump's custom format compresses)
    assert not list(settings.BACKUP_DIR.glob("*.partial"))
    with pytest.raises(tarfile.TarError):
        tarfile.open(backup.path)

    target, url = empty_database
    result = backup_restore(archive_path=backup.path, database_url=url)
    assert result.counts == backup.counts and result.media_files == 1
    assert every_table(target) == source_rows


def _clear_copy(street, settings, tmp_path) -> bytes:
    settings.BACKUP_ENCRYPTION_KEY = ""
    clear = backup_create(directory=tmp_path / "clear")
    settings.BACKUP_ENCRYPTION_KEY = KEY
    return clear.path.read_bytes()


def test_restore_without_or_with_a_wrong_key_says_so_and_touches_nothing(street, settings, empty_database):
    settings.BACKUP_ENCRYPTION_KEY = KEY
    a_street_with_history(street)
    archive = backup_create().path
    target, url = empty_database
    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(CommandError, match="BACKUP_ENCRYPTION_KEY"):
        call_command("restore", str(archive), "--database-url", url, stdout=io.StringIO())
    settings.BACKUP_ENCRYPTION_KEY = "not the key"
    with pytest.raises(CommandError, match="密钥不对"):
        call_command("restore", str(archive), "--database-url", url, stdout=io.StringIO())
    assert not _has_tables(target)


def _has_tables(settings_dict) -> bool:
    from ops.services import _is_empty

    return not _is_empty(settings_dict)


@pytest.mark.parametrize("damage", ["truncate", "flip", "append"])
def test_a_damaged_encrypted_archive_is_refused(street, settings, empty_database, tmp_path, damage, monkeypatch):
    settings.BACKUP_ENCRYPTION_KEY = KEY
    chunk = 64 * 1024
    monkeypatch.setattr("ops.backup_crypto.CHUNK", chunk)  # several chunks from a small database
    a_street_with_history(street)
    data = bytearray(backup_create().path.read_bytes())
    assert len(data) > 3 * chunk
    if damage == "truncate":
        data = data[: 8 + 16 + 8 + 2 * (4 + chunk + 16)]  # two whole chunks: the final one is missing
    elif damage == "flip":
        data[len(data) // 2] ^= 1
    else:
        data += b"\x00\x00\x00\x10" + b"x" * 16
    broken = tmp_path / "broken.tar.enc"
    broken.write_bytes(bytes(data))
    target, url = empty_database
    with pytest.raises(ValidationFailed, match="密钥不对或文件已损坏"):
        backup_restore(archive_path=broken, database_url=url)
    assert not _has_tables(target)


def test_the_command_writes_an_encrypted_archive_and_prune_counts_it(street, settings, monkeypatch):
    settings.BACKUP_ENCRYPTION_KEY = KEY
    old = settings.BACKUP_DIR / "chengyun-sqlite-20200101T000000000000Z.tar.enc"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"x")
    out = io.StringIO()
    call_command("backup", "--keep", "1", "--no-media", stdout=out)
    assert out.getvalue().strip().splitlines()[-1].endswith(".tar.enc")
    assert not old.exists()
    assert len(backup_prune(keep=1)) == 0
