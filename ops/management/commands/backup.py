from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengyun.errors import DomainError
from ops.services import backup_create


class Command(BaseCommand):
    help = "备份数据库与上传文件到一个 tar 文件(SQLite 或 PostgreSQL)"

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="备份目录,默认 BACKUP_DIR(var/backups)")
        parser.add_argument("--no-media", action="store_true", help="不包含上传的附件")

    def handle(self, *args, dir, no_media, **options):
        try:
            result = backup_create(directory=Path(dir) if dir else None, include_media=not no_media)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        counts = ", ".join(f"{label} {count}" for label, count in result.counts.items())
        self.stdout.write(f"备份完成({result.vendor}):{counts};附件 {result.media_files} 个")
        self.stdout.write(str(result.path))
