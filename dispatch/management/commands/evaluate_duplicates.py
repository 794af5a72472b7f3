import json

from django.core.management.base import BaseCommand

from dispatch.evaluation import duplicates_evaluate


class Command(BaseCommand):
    help = "在本街道历史工单上评估重复件识别:各相似度阈值下的准确率、召回率和 F1(最后一行 JSON)"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="时间窗(天)")

    def handle(self, *args, days, **options):
        result = duplicates_evaluate(days=days)
        self.stdout.write(f"候选对 {result['pairs']} 个,其中重复件 {result['duplicates']} 个")
        for row in result["by_threshold"]:
            self.stdout.write(f"  阈值 {row['threshold']:.2f}  准确率 {row['precision']:.3f}  召回率 {row['recall']:.3f}"
                              f"  F1 {row['f1']:.3f}  提示 {row['offered']} 个")
        self.stdout.write(json.dumps({k: result[k] for k in ("pairs", "duplicates", "days", "best")}, ensure_ascii=False))
