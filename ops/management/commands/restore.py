from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from ops.services import backup_restore


class Command(BaseCommand):
    help = "从 backup 生成的 tar 或 .tar.enc 文件恢复数据库与上传文件(加密的需同一 BACKUP_ENCRYPTION_KEY);默认只恢复到空库"

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--database-url", default=None, help="恢复到这个库,默认为当前配置的数据库")
        parser.add_argument("--replace", action="store_true", help="目标库非空时覆盖(先删除其中的表)")

    def handle(self, *args, archive, database_url, replace, **options):
        try:
            result = backup_restore(archive_path=Path(archive), database_url=database_url, replace=replace)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        counts = ", ".join(f"{label} {count}" for label, count in result.counts.items())
        self.stdout.write(f"恢复完成({result.vendor}):{counts};附件 {result.media_files} 个")
