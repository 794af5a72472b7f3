from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from hotline.models import ImportJob, ImportProfile
from hotline.services import BATCH_SIZE, default_profile, import_job_create, import_job_run
from org.models import User


class Command(BaseCommand):
    help = "导入12345热线工单(Excel .xlsx 或 CSV),按工单编号去重,分批提交,可断点续导"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?")
        parser.add_argument("--resume", type=int, default=None, metavar="JOB",
                            help="继续一个中断的导入任务(从最后提交的行之后开始)")
        parser.add_argument("--profile", default=None, help="导入格式名称,默认使用默认格式")
        parser.add_argument("--user", default="intake", help="以哪个账号受理")
        parser.add_argument("--batch", type=int, default=BATCH_SIZE, help="每批提交的行数(续导时沿用任务首次的批次)")
        parser.add_argument("--writers", type=int, default=None,
                            help="同时写入的数据库连接数(默认 HOTLINE_IMPORT_WRITERS;SQLite 固定为 1)")

    def handle(self, *args, file, profile, user, batch, resume, writers, **options):
        if writers is not None and writers < 1:
            raise CommandError("--writers 至少为 1")
        if batch < 1:
            raise CommandError("--batch 至少为 1")
        if resume is not None:
            job = ImportJob.objects.filter(pk=resume).first()
            if job is None:
                raise CommandError(f"导入任务不存在:{resume}")
            self.stdout.write(f"继续导入 {job.original_name}:从第 {job.last_row + 1} 行开始")
            return self._run(job, batch, writers)
        if not file:
            raise CommandError("请指定要导入的文件,或用 --resume 继续一个中断的任务")
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在:{path}")
        chosen = ImportProfile.objects.filter(name=profile).first() if profile else default_profile()
        if chosen is None:
            raise CommandError(f"导入格式不存在:{profile}")
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"账号不存在或已停用:{user}")
        try:
            with open(path, "rb") as handle:
                job = import_job_create(actor=actor, upload=File(handle, name=path.name), profile=chosen)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"开始导入 {path.name}:约 {job.total_rows} 行(任务 {job.pk})")
        self._run(job, batch, writers)

    def _run(self, job: ImportJob, batch: int, writers: int | None) -> None:
        def progress(current):
            self.stdout.write(f"  已处理至第 {current.last_row} 行({current.percent}%)新建 {current.created_count},"
                              f"跳过 {current.skipped_count},拒绝 {current.rejected_count}")

        job = import_job_run(job.pk, batch_size=batch, writers=writers, progress=progress)
        if job.status == job.Status.RUNNING:
            raise CommandError(f"导入任务 {job.pk} 正由另一个进程执行(已提交至第 {job.last_row} 行),本进程已停止")
        if job.status != job.Status.DONE:
            raise CommandError(f"导入失败:{job.error}(已提交的批次保留,用 --resume {job.pk} 从第 {job.last_row + 1} 行继续)")
        self.stdout.write(self.style.SUCCESS(
            f"导入完成:新建 {job.created_count},已存在跳过 {job.skipped_count},拒绝 {job.rejected_count}"))
