"""`backup` then `restore` into an empty database gives back every row of every table, and the uploaded files."""

from __future__ import annotations

import io
import secrets
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from cases import services
from cases.models import Attachment, Case, CaseEvent
from core.errors import ValidationFailed
from core.testing import tiny_pdf
from ops.services import _raw_connection, backup_create, backup_restore

pytestmark = pytest.mark.django_db(transaction=True)

PDF = tiny_pdf()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def empty_database(tmp_path):
    """(settings dict, URL) of a new, empty database of the same kind as the test database."""
    source = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield {**source, "NAME": str(path)}, f"sqlite:///{path}"
        return
    name = f"chengyun_secb_restore_{secrets.token_hex(4)}"
    with _raw_connection({**source, "NAME": "postgres"}) as admin:
        admin.autocommit = True
        admin.execute(f'CREATE DATABASE "{name}"')
    user = source.get("USER") or "postgres"
    password = f":{source['PASSWORD']}" if source.get("PASSWORD") else ""
    url = f"postgres://{user}{password}@{source.get('HOST') or '127.0.0.1'}:{source.get('PORT') or 5432}/{name}"
    yield {**source, "NAME": name}, url
    with _raw_connection({**source, "NAME": "postgres"}) as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def every_table(settings_dict: dict) -> dict[str, list[tuple]]:
    tables = connection.introspection.table_names()
    rows = {}
    with _raw_connection(settings_dict) as conn:
        cursor = conn.cursor()
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            rows[table] = [tuple(row) for row in cursor.fetchall()]
    return rows


def a_street_with_history(street) -> None:
    street.called_back_case(satisfaction="unsatisfied")
    street.handled_case(title="共享单车乱停放", content="静安寺地铁站出口共享单车堆积")
    case = street.signed_case(citizen_name="李梅", citizen_phone="13900001111")
    services.case_attach(actor=street.handler, case=case, upload=SimpleUploadedFile("整改报告.pdf", PDF), note="报告")
    street.new_case(title="路灯不亮")


def test_restore_into_an_empty_database_gives_every_case_and_event_back(street, empty_database, tmp_path):
    a_street_with_history(street)
    source_rows = every_table(connection.settings_dict)
    assert len(source_rows["cases_case"]) == Case.objects.count() == 4
    assert len(source_rows["cases_caseevent"]) == CaseEvent.objects.count() > 10
    backup = backup_create(directory=tmp_path / "backups")
    assert backup.counts["cases.Case"] == 4 and backup.media_files == 1

    target, url = empty_database
    attachment = Attachment.objects.get()
    original_bytes = Path(attachment.file.path).read_bytes()
    Path(attachment.file.path).unlink()  # the files are lost too
    result = backup_restore(archive_path=backup.path, database_url=url)

    assert result.counts == backup.counts
    assert every_table(target) == source_rows
    assert Path(attachment.file.path).read_bytes() == original_bytes


def test_the_commands_back_up_and_refuse_to_restore_over_a_non_empty_database(street, empty_database, tmp_path):
    a_street_with_history(street)
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path / "backups"), stdout=out)
    archive = out.getvalue().strip().splitlines()[-1]
    assert archive.endswith(".tar") and "备份完成" in out.getvalue()
    with pytest.raises(CommandError, match="不是空库"):
        call_command("restore", archive, stdout=io.StringIO())  # the configured database is full
    target, url = empty_database
    out = io.StringIO()
    call_command("restore", archive, "--database-url", url, stdout=out)
    assert "恢复完成" in out.getvalue()
    assert every_table(target)["cases_caseevent"] == every_table(connection.settings_dict)["cases_caseevent"]


def test_a_damaged_archive_is_refused_and_the_target_stays_empty(street, empty_database, tmp_path):
    a_street_with_history(street)
    backup = backup_create(directory=tmp_path / "backups", include_media=False)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(backup.path) as source, tarfile.open(damaged, "w") as sink:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("database."):
                data = data[: len(data) // 2] + b"\x00" * (len(data) - len(data) // 2)
            member.size = len(data)
            sink.addfile(member, io.BytesIO(data))
    target, url = empty_database
    with pytest.raises(ValidationFailed, match="校验失败"):
        backup_restore(archive_path=damaged, database_url=url)
    with _raw_connection(target) as conn:
        cursor = conn.cursor()
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")
        else:
            cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
        assert cursor.fetchone()[0] == 0
