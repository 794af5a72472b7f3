"""manage.py import_registry FILE --kind persons|households|units [--profile NAME] [--user NAME]

The same import as the web page (registry/import_jobs.py). The last line of stdout is JSON with the counts:
created, updated, unchanged, rejected, duplicates, candidates (pairs waiting for a person's decision)."""

import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from org.models import User
from org.services import system_user
from registry.import_jobs import BATCH_SIZE, import_job_create, import_job_run
from registry.models import ImportKind, RegistryImportProfile


class Command(BaseCommand):
    requires_system_checks = []  # a data command: the checks (every URL module imported) cost seconds per run
    help = "导入社区底册(人员/户/单位,Excel .xlsx 或 CSV),按身份证号、地址、信用代码去重,疑似重复待人工确认"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--kind", default=None, help="persons(人员)/ households(户)/ units(单位)")
        parser.add_argument("--profile", default=None, help="导入格式名称,默认使用该类的默认格式")
        parser.add_argument("--user", default=None, help="以哪个账号导入(默认:系统账号)")
        parser.add_argument("--batch", type=int, default=BATCH_SIZE, help="每批提交的行数")

    def handle(self, *args, file, kind, profile, user, batch, **options):
        if not file:
            raise CommandError("请指定要导入的文件")
        if kind not in ImportKind.values:
            raise CommandError(f"--kind 须为 persons(人员)、households(户)或 units(单位),收到:{kind or '未指定'}")
        if batch < 1:
            raise CommandError("--batch 至少为 1")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在:{path}")
        chosen = None
        if profile:
            chosen = RegistryImportProfile.objects.filter(name=profile).first()
            if chosen is None:
                raise CommandError(f"导入格式不存在:{profile}")
        actor = self._actor(user)
        try:
            with open(path, "rb") as handle:
                job = import_job_create(actor=actor, upload=File(handle, name=path.name), kind=kind, profile=chosen)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"开始导入 {path.name}:约 {job.total_rows} 行(任务 {job.pk})")

        def progress(current):
            self.stdout.write(f"  已处理至第 {current.last_row} 行({current.percent}%)新增 {current.created_count},"
                              f"更新 {current.updated_count},拒绝 {current.rejected_count},"
                              f"待确认 {current.candidate_count}")

        job = import_job_run(job.pk, batch_size=batch, progress=progress)
        if job.status != job.Status.DONE:
            raise CommandError(f"导入失败:{job.error}")
        self.stdout.write(json.dumps({"job": job.pk, "kind": kind, **job.counts()}, ensure_ascii=False))

    def _actor(self, username: str | None) -> User:
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"账号不存在或已停用:{username}")
            return actor
        return system_user()
