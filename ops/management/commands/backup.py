from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from ops.services import backup_create, backup_prune


class Command(BaseCommand):
    help = "备份数据库与上传文件到一个 tar 文件(SQLite 或 PostgreSQL;设置 BACKUP_ENCRYPTION_KEY 时加密为 .tar.enc)"

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="备份目录,默认 BACKUP_DIR(var/backups)")
        parser.add_argument("--no-media", action="store_true", help="不包含上传的附件")
        parser.add_argument("--keep", type=int, default=None, help="备份完成后只保留最新的 N 份,删除更早的")

    def handle(self, *args, dir, no_media, keep, **options):
        directory = Path(dir) if dir else None
        try:
            result = backup_create(directory=directory, include_media=not no_media)
            pruned = backup_prune(directory=directory, keep=keep) if keep is not None else []
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        counts = ", ".join(f"{label} {count}" for label, count in result.counts.items())
        self.stdout.write(f"备份完成({result.vendor}):{counts};附件 {result.media_files} 个")
        for path in pruned:
            self.stdout.write(f"已删除旧备份:{path.name}")
        self.stdout.write(str(result.path))
