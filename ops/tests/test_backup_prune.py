"""`backup --keep N` leaves the N newest archives and deletes the older ones, nothing else."""

import io

import pytest
from django.core.management import call_command

from core.errors import ValidationFailed
from ops.services import backup_prune

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_the_newest_archives_are_kept(tmp_path):
    names = [f"chengyun-sqlite-20261120T0{h}0000000000Z.tar" for h in range(5)]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a backup")
    deleted = backup_prune(directory=tmp_path, keep=2)
    assert sorted(p.name for p in deleted) == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[3:], "notes.txt"])
    with pytest.raises(ValidationFailed):
        backup_prune(directory=tmp_path, keep=0)


def test_the_command_prunes_after_a_successful_backup(street, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    old = tmp_path / "backups" / "chengyun-sqlite-20200101T000000000000Z.tar"
    old.parent.mkdir()
    old.write_bytes(b"x")
    out = io.StringIO()
    call_command("backup", "--dir", str(old.parent), "--keep", "1", "--no-media", stdout=out)
    archives = list(old.parent.glob("chengyun-*.tar"))
    assert len(archives) == 1 and archives[0] != old
    assert "已删除旧备份" in out.getvalue()
