from django.core.management.base import BaseCommand

from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "加载演示数据(街道组织架构、演示账号和两年的工单);已加载则跳过"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--cases", type=int, default=5000)

    def handle(self, *args, seed, cases, **options):
        result = demo_load(seed=seed, cases=cases, stdout=self.stdout)
        if result["skipped"]:
            self.stdout.write(f"演示数据已存在({result['cases']} 件工单),跳过加载。")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"演示数据加载完成:{result['cases']} 件工单,超时标记 {result['overdue']} 件,自动督办 {result['escalated']} 件"))
            from dispatch.demo import demo_landmarks_load
            from dispatch.services import classifier_train

            demo_landmarks_load()
            version = classifier_train()  # smart dispatch suggests from the first day
            self.stdout.write(f"智能派单分类模型已训练:{version.n_samples} 件已结案工单,"
                              f"留出集 macro-F1 {version.metrics.get('macro_f1', '—')}")
        self.stdout.write(f"\n演示账号(密码均为 {DEMO_PASSWORD}):")
        for username, display, role, _ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<12} {role.label:<6} {display}")
        from org.models import User

        listed = {username for username, *_ in DEMO_ACCOUNTS}
        others = [u.username for u in User.objects.filter(username__startswith="cadre_").order_by("username")
                  if u.username not in listed]
        if others:  # the 居民区 the org demo left without a 居委干部 get one for the 走访 demo (demo/minqing_visits.py)
            self.stdout.write(f"  其他居民区的居委干部:{'、'.join(others)}")
        from demo.registry import DEMO_RESIDENT_PHONE

        self.stdout.write(f"\n居民登录 /me/:手机号 {DEMO_RESIDENT_PHONE},点“获取验证码”,"
                          "演示环境的验证码写在服务器控制台日志中(sms to 139****0001: …)")
