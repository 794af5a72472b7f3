from django.core.management.base import BaseCommand, CommandError

from org.models import User
from org.services import api_token_create


class Command(BaseCommand):
    help = "为用户创建 API 令牌(令牌只显示一次)"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行创建")
        parser.add_argument("--scope", choices=["read", "write"], default="write", help="read=只读令牌,write=读写")

    def handle(self, *args, username, name, scope, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在或已停用")
        _, key = api_token_create(user=user, name=name, scope=scope)
        self.stdout.write(key)
