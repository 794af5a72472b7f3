"""manage.py import_lake FILE --source NAME [--user NAME] [--batch N]

The same import as the data-lake page (minqing/services/lake.py), in this process. The last line of stdout is JSON:
import, source, rows, created, duplicates, matched, unmatched, rejected, seconds, rows_per_second."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from minqing.services.lake import BATCH_SIZE, lake_import_file, summary
from org.models import User
from org.services import system_user


class Command(BaseCommand):
    requires_system_checks = []
    help = "导入数据湖(其他系统的记录:12345历史、房管报修、市场监管投诉…,Excel .xlsx 或 CSV),按地址关联到户/单位"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--source", default="", help="来源系统名称,如 12345历史")
        parser.add_argument("--user", default=None, help="以哪个账号导入(默认:系统账号)")
        parser.add_argument("--batch", type=int, default=BATCH_SIZE, help="每批提交的行数")

    def handle(self, *args, file, source, user, batch, **options):
        if not file:
            raise CommandError("请指定要导入的文件")
        if not source.strip():
            raise CommandError("请用 --source 指定来源系统名称")
        if batch < 1:
            raise CommandError("--batch 至少为 1")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在:{path}")
        actor = self._actor(user)
        started = time.perf_counter()

        def progress(current):
            self.stdout.write(f"  已处理 {current.processed}/{current.total} 行:新增 {current.created},"
                              f"重复 {current.duplicates},匹配 {current.matched},拒绝 {current.rejected}")

        try:
            lake_import = lake_import_file(actor=actor, path=path, source_name=source, batch_size=batch,
                                           progress=progress)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if lake_import.status != lake_import.Status.DONE:
            raise CommandError(f"导入失败:{lake_import.error}")
        seconds = time.perf_counter() - started
        out = summary(lake_import)
        out.pop("error", None)
        out.update(seconds=round(seconds, 2), rows_per_second=round(lake_import.processed / seconds) if seconds else 0)
        self.stdout.write(json.dumps(out, ensure_ascii=False))

    def _actor(self, username: str | None) -> User:
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"账号不存在或已停用:{username}")
            return actor
        return system_user()
