"""Helpers of the import tests: write a data book, import it through the command (its last line is JSON)."""

import csv
import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

PERSON_HEADER = ["姓名", "性别", "出生日期", "身份证号", "联系电话", "居住地址", "人员类型", "与户主关系", "标签", "备注"]


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path: Path, kind: str = "persons", user=None, **options) -> dict:
    out = StringIO()
    if user is not None:
        options["user"] = user.username
    call_command("import_registry", str(path), kind=kind, stdout=out, **options)
    return json.loads(out.getvalue().strip().splitlines()[-1])
