from django.conf import settings
from django.core.management.base import BaseCommand

from privacy.services import personal_data_anonymise_expired


class Command(BaseCommand):
    help = "匿名化结案超过保存期限(PERSONAL_DATA_RETENTION_DAYS)的工单中的诉求人个人信息(生产环境由 Celery beat 每日运行)"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将被匿名化的工单,不修改")

    def handle(self, *args, dry_run: bool = False, **options):
        numbers = personal_data_anonymise_expired(dry_run=dry_run)
        verb = "将匿名化" if dry_run else "已匿名化"
        self.stdout.write(f"保存期限 {settings.PERSONAL_DATA_RETENTION_DAYS} 天:{verb} {len(numbers)} 件工单")
        for number in numbers:
            self.stdout.write(f"  {number}")
