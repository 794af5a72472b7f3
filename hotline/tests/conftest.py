import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


HEADER = ["工单编号", "来电时间", "诉求人", "联系电话", "诉求地址", "诉求内容", "诉求分类", "派单时间", "要求办结时间", "工单类型"]


def hotline_row(i: int, **overrides) -> list[str]:
    row = {"工单编号": f"2026110{i:06d}", "来电时间": "2026-11-03 09:15:00", "诉求人": "李秀英", "联系电话": "13912345678",
           "诉求地址": f"愚园路128弄{i % 20 + 1}号", "诉求内容": f"楼道内堆放纸板杂物,堵塞消防通道({i})", "诉求分类": "楼道堆物",
           "派单时间": "2026-11-03 10:00:00", "要求办结时间": "2026-11-10 17:00:00", "工单类型": "投诉"}
    row.update(overrides)
    return [row[h] for h in HEADER]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload_job(street, content: bytes, name: str = "export.csv"):
    """An uploaded export, as the intake clerk's 上传 leaves it (header checked, rows counted, not started)."""
    from hotline import services

    return services.import_job_create(actor=street.intake, upload=SimpleUploadedFile(name, content),
                                      profile=services.default_profile())
