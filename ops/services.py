"""Backups: one archive holding the database (SQLite file copy or pg_dump) and the uploaded files, and its restore.

The archive is a tar (mode 0600 in a 0700 directory; with BACKUP_ENCRYPTION_KEY set, a `.tar.enc` sealed by
ops/backup_crypto.py) with `manifest.json` (vendor, time, row counts, checksum of the database part), `database.*`
and `media/…`. SQLite is copied with SQLite's online backup API, so a running server does not corrupt it;
PostgreSQL with pg_dump's custom format, restored with pg_restore (triggers, sequences and constraints included).
A restore goes only into an empty database unless told to replace, and checks the row counts afterwards.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils import timezone

from core.db import pg_params
from core.errors import DomainError, ValidationFailed
from ops.backup_crypto import EncryptingWriter, decrypt_file, encryption_key, is_encrypted

FORMAT = 1
# Counted into the manifest and checked after a restore: what a lost row would hurt most.
COUNTED_MODELS = ["cases.Case", "cases.CaseEvent", "cases.Attachment", "audit.AuditEntry", "org.User"]


class BackupError(DomainError):
    status = 500
    code = "backup_failed"


@dataclass
class BackupResult:
    path: Path
    vendor: str
    counts: dict[str, int]
    media_files: int


@dataclass
class RestoreResult:
    vendor: str
    counts: dict[str, int]
    media_files: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _row_counts(settings_dict: dict) -> dict[str, int]:
    """Row counts of COUNTED_MODELS, read with a plain DB-API connection to the given database."""
    counts = {}
    with _raw_connection(settings_dict) as conn:
        cursor = conn.cursor()
        for label in COUNTED_MODELS:
            table = apps.get_model(label)._meta.db_table
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[label] = cursor.fetchone()[0]
    return counts


class _raw_connection:
    """A short-lived DB-API connection to a database described like settings.DATABASES[...] (or a test copy)."""

    def __init__(self, settings_dict: dict):
        self.settings_dict = settings_dict

    def __enter__(self):
        if _vendor(self.settings_dict) == "sqlite":
            self.conn = sqlite3.connect(_sqlite_uri(self.settings_dict), uri=True)
        else:
            import psycopg

            self.conn = psycopg.connect(**pg_params(self.settings_dict))
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()


def _vendor(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if "sqlite" in engine:
        return "sqlite"
    if "postgres" in engine:
        return "postgresql"
    raise ValidationFailed(f"不支持的数据库类型:{engine}")


def _sqlite_uri(settings_dict: dict) -> str:
    name = str(settings_dict["NAME"])
    # The test runner's in-memory database is shared by URI; files are opened by path.
    return name if name.startswith("file:") else Path(name).resolve().as_uri()


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    params = pg_params(settings_dict)
    for key, var in (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("password", "PGPASSWORD"),
                     ("dbname", "PGDATABASE")):
        if key in params:
            env[var] = str(params[key])
    return env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 执行失败:{result.stderr.strip()[-500:]}")


def target_settings(database_url: str | None = None, using: str = "default") -> dict:
    """The settings of the database to restore into: the configured one, or the one a URL names."""
    if not database_url:
        return dict(connections[using].settings_dict)
    return dict(dj_database_url.parse(database_url))


def backup_create(*, directory: Path | None = None, using: str = "default", include_media: bool = True) -> BackupResult:
    """备份: write chengyun-<vendor>-<time>.tar into the directory (BACKUP_DIR by default)."""
    connection = connections[using]
    settings_dict = connection.settings_dict
    vendor = _vendor(settings_dict)
    configured = directory is None or Path(directory) == Path(settings.BACKUP_DIR)
    directory = Path(directory or settings.BACKUP_DIR)
    created = not directory.exists()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if created or configured:  # never re-mode a directory someone else named (say /tmp); ours is owner-only
        directory.chmod(0o700)
    key = encryption_key()
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%fZ")
    archive_path = directory / f"chengyun-{vendor}-{stamp}.tar{'.enc' if key else ''}"
    with tempfile.TemporaryDirectory(prefix="chengyun-backup-") as work:
        if vendor == "sqlite":
            database_file = Path(work) / "database.sqlite3"
            source = sqlite3.connect(_sqlite_uri(settings_dict), uri=True)
            target = sqlite3.connect(database_file)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            database_file = Path(work) / "database.pgdump"
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={database_file}"],
                 _pg_env(settings_dict))
        counts = _row_counts({**settings_dict, "NAME": str(database_file)} if vendor == "sqlite" else settings_dict)
        media_root = Path(settings.MEDIA_ROOT)
        media_files = sorted(p for p in media_root.rglob("*") if p.is_file()) if include_media and media_root.exists() else []
        manifest = {
            "format": FORMAT, "vendor": vendor, "created_at": timezone.now().isoformat(),
            "database": database_file.name, "sha256": _sha256(database_file), "counts": counts,
            "media_files": len(media_files),
        }
        partial = archive_path.with_name(archive_path.name + ".partial")
        # Owner-only from the first byte (0600, whatever the umask); encrypted, the tar is streamed through AES-GCM.
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as sink, \
                _archive_writer(sink, key) as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(database_file, arcname=database_file.name)
            for path in media_files:
                archive.add(path, arcname=str(PurePosixPath("media") / path.relative_to(media_root).as_posix()))
        partial.chmod(0o600)
        partial.rename(archive_path)  # a crash mid-write never leaves a file that looks complete
    return BackupResult(path=archive_path, vendor=vendor, counts=counts, media_files=len(media_files))


@contextmanager
def _archive_writer(sink, key: str):
    if not key:
        with tarfile.open(fileobj=sink, mode="w") as archive:
            yield archive
        return
    writer = EncryptingWriter(sink, key)
    with tarfile.open(fileobj=writer, mode="w|") as archive:
        yield archive
    writer.close()


def backup_prune(*, directory: Path | None = None, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives in the directory; returns what was deleted."""
    if keep < 1:
        raise ValidationFailed("至少保留 1 份备份")
    directory = Path(directory or settings.BACKUP_DIR)
    # Names carry the UTC time, so name order is age order (newest last) for one database kind.
    archives = sorted([*directory.glob("chengyun-*.tar"), *directory.glob("chengyun-*.tar.enc")],
                      key=lambda p: p.name.split("-", 2)[-1])
    doomed = archives[:-keep]
    for path in doomed:
        path.unlink()
    return doomed


def _is_empty(settings_dict: dict) -> bool:
    vendor = _vendor(settings_dict)
    try:
        with _raw_connection(settings_dict) as conn:
            cursor = conn.cursor()
            if vendor == "sqlite":
                cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            else:
                cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
            return cursor.fetchone()[0] == 0
    except sqlite3.OperationalError:
        return True


def backup_restore(*, archive_path: Path, database_url: str | None = None, using: str = "default",
                   replace: bool = False, media_root: Path | None = None) -> RestoreResult:
    """恢复: load an archive of backup_create into an empty database (or, with replace, over an existing one)."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise ValidationFailed(f"备份文件不存在:{archive_path}")
    target = target_settings(database_url, using)
    vendor = _vendor(target)
    with tempfile.TemporaryDirectory(prefix="chengyun-restore-") as work, _open_archive(archive_path, Path(work)) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise ValidationFailed("备份文件格式不受支持")
        if manifest["vendor"] != vendor:
            raise ValidationFailed(f"备份来自 {manifest['vendor']},不能恢复到 {vendor} 数据库")
        if not replace and not _is_empty(target):
            raise ValidationFailed("目标数据库不是空库;确需覆盖请加 --replace")
        database_file = Path(work) / manifest["database"]
        with archive.extractfile(manifest["database"]) as source, database_file.open("wb") as sink:
            shutil.copyfileobj(source, sink)
        if _sha256(database_file) != manifest["sha256"]:
            raise ValidationFailed("备份文件校验失败(数据库部分已损坏)")
        if vendor == "sqlite":
            backup = sqlite3.connect(database_file)
            destination = sqlite3.connect(_sqlite_uri(target), uri=True)
            try:
                backup.backup(destination)
            finally:
                destination.close()
                backup.close()
        else:
            command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                       f"--dbname={target['NAME']}"]
            if replace:
                command[1:1] = ["--clean", "--if-exists"]
            _run([*command, str(database_file)], _pg_env(target))
        counts = _row_counts(target)
        if counts != manifest["counts"]:
            raise BackupError(f"恢复后的行数与备份不符:{counts} ≠ {manifest['counts']}")
        media_files = _restore_media(archive, Path(media_root or settings.MEDIA_ROOT))
    if not database_url:  # Django's own connection may have cached the schema that was just replaced
        connections[using].close()
    return RestoreResult(vendor=vendor, counts=counts, media_files=media_files)


@contextmanager
def _open_archive(archive_path: Path, work: Path):
    """The tar, decrypted first into the (owner-only) work directory when it is a .tar.enc."""
    if is_encrypted(archive_path):
        clear = work / "archive.tar"
        decrypt_file(archive_path, clear, encryption_key())
        archive_path = clear
    try:
        archive = tarfile.open(archive_path, "r")
    except tarfile.TarError as exc:
        raise ValidationFailed("不是有效的备份文件(not a backup archive)") from exc
    with archive:
        yield archive


def _restore_media(archive: tarfile.TarFile, media_root: Path) -> int:
    restored = 0
    root = media_root.resolve()
    for member in archive.getmembers():
        if not member.name.startswith("media/") or not member.isfile():
            continue
        relative = PurePosixPath(member.name).relative_to("media")
        destination = (root / relative).resolve()
        if root not in destination.parents:  # never write outside MEDIA_ROOT, whatever the archive says
            raise ValidationFailed(f"备份中的文件路径不安全:{member.name}")
        destination.parent.mkdir(parents=True, exist_ok=True)
        with archive.extractfile(member) as source, destination.open("wb") as sink:
            shutil.copyfileobj(source, sink)
        restored += 1
    return restored
