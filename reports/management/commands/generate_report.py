"""python manage.py generate_report --month 2026-10 --out DIR: the monthly 情况分析 as Word and PDF."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from org.services import system_user
from reports.selectors import parse_month
from reports.services import report_generate, report_request


class Command(BaseCommand):
    help = "生成月度情况分析报告(Word 和 PDF),并存入报告归档"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="月份,如 2026-10")
        parser.add_argument("--out", required=True, help="输出目录(不存在则创建)")

    def handle(self, *args, month: str, out: str, **options):
        try:
            report = report_request(actor=system_user(), month=parse_month(month))
            report = report_generate(report.pk)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        for relative in (report.docx_path, report.pdf_path):
            copied = shutil.copy2(Path(settings.MEDIA_ROOT) / relative, target / Path(relative).name.split("-", 1)[1])
            self.stdout.write(f"已生成 {copied}")
        self.stdout.write(report.summary)
