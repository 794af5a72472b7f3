"""python manage.py minsheng_report --year 2026 --out DIR: the annual 民生 report as Word and PDF."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minsheng.report import report_write


class Command(BaseCommand):
    help = "生成年度民生报告(Word 和 PDF)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True, help="输出目录")
        parser.add_argument("--kind", choices=("docx", "pdf", "both"), default="both")

    def handle(self, *args, year: int, out: str, kind: str, **options) -> None:
        if not 2000 <= year <= 2100:
            raise CommandError("年度不正确")
        kinds = ("docx", "pdf") if kind == "both" else (kind,)
        paths = report_write(year=year, out_dir=Path(out), kinds=kinds)
        for path in paths.values():
            self.stdout.write(f"已生成 {path}")
        self.stdout.write(json.dumps({"year": year, **{k: str(v) for k, v in paths.items()}}, ensure_ascii=False))
