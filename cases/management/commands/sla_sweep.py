from django.core.management.base import BaseCommand

from cases.services import sla_sweep


class Command(BaseCommand):
    help = "超时标记与未签收自动督办(生产环境由 Celery beat 定时运行)"

    def handle(self, *args, **options):
        counts = sla_sweep()
        failed = f",失败 {counts['failed']} 件(详见日志,下次运行重试)" if counts["failed"] else ""
        self.stdout.write(f"超时标记 {counts['overdue']} 件,未签收自动督办 {counts['escalated']} 件{failed}")
