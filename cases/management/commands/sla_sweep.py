from django.core.management.base import BaseCommand

from cases.services import sla_sweep


class Command(BaseCommand):
    help = "超时标记与未签收自动督办(生产环境由 Celery beat 定时运行)"

    def handle(self, *args, **options):
        counts = sla_sweep()
        self.stdout.write(f"超时标记 {counts['overdue']} 件,未签收自动督办 {counts['escalated']} 件")
