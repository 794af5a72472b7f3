"""The 12345 import page in the browser (issue 16): a wrong file shows its message; a re-import's preview labels
each row with what will happen (已导入(跳过) with the existing case number, 新增, 拒绝, a phone 待核实); 确认导入 runs
it; the rejected-rows workbook downloads with each row's data and reason."""

import csv
import io
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cases.models import Case
from hotline.services import default_profile

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
HEADER = ["工单编号", "来电时间", "诉求人", "联系电话", "诉求地址", "诉求内容", "诉求分类", "要求办结时间", "工单类型"]


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _row(number: str, **overrides) -> list[str]:
    row = {"工单编号": number, "来电时间": "2026-11-03 09:15:00", "诉求人": "李秀英", "联系电话": "13912345678",
           "诉求地址": "愚园路128弄3号", "诉求内容": f"楼道内堆放纸板杂物,堵塞消防通道({number})", "诉求分类": "楼道堆物",
           "要求办结时间": "2026-11-06 17:00:00", "工单类型": "投诉"}
    row.update(overrides)
    return [row[h] for h in HEADER]


def test_reimport_preview_confirm_and_rejected_rows_download(street, page_as, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    default_profile()
    known = street.new_case(source="hotline", hotline_number="HL-0001")
    page = page_as(street.intake, width=1440, height=900)
    page.goto(f"{live_server.url}/hotline/")
    # A wrong file first: its message is on the page, nothing is created.
    page.set_input_files("input[name=file]", files=[{"name": "错误.csv", "mimeType": "text/csv",
                                                     "buffer": "编号,内容\n1,x\n".encode()}])
    page.select_option("select[name=profile]", label=default_profile().name)
    page.click("form.card button[type=submit]")
    page.locator(".msg.error", has_text="缺少必需的列").wait_for()
    # The file again with what the hotline sends a second time, every field filled.
    rows = [_row("HL-0001"), _row("HL-0002"), _row("HL-0003", 联系电话="1391234"), _row("HL-0004", 诉求内容=""),
            _row("HL-0002")]
    page.set_input_files("input[name=file]", files=[{"name": "11月12345.csv", "mimeType": "text/csv",
                                                     "buffer": _csv(rows)}])
    page.select_option("select[name=profile]", label=default_profile().name)
    page.click("form.card button[type=submit]")
    page.locator("#preview").wait_for()
    labels = [text.strip() for text in page.locator("#preview .preview-label").all_inner_texts()]
    assert labels == [f"已导入(跳过) {known.number}", "新增", "新增", "拒绝", "文件内重复(跳过)"]
    assert "待核实" in page.locator("#preview tr[data-row='4'] .preview-note").inner_text()
    assert "缺少诉求内容" in page.locator("#preview tr[data-row='5'] .preview-note").inner_text()
    screenshot(page, "hotline-import")
    page.click("#start-import")
    page.locator("#progress h2", has_text="已完成").wait_for(timeout=30000)
    assert page.locator("#created").inner_text() == "2"
    with page.expect_download() as download:
        page.click("text=下载未导入行清单(Excel)")
    sheet = load_workbook(BytesIO(open(download.value.path(), "rb").read())).active
    data = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert data[0] == ["行号", "原因", *HEADER] and data[1][:3] == [5, "缺少诉求内容", "HL-0004"]
    assert data[1][2 + HEADER.index("诉求人")] == "李秀英"
    screenshot(page, "hotline-import-done")
    flagged = Case.objects.get(hotline_number="HL-0003")
    assert flagged.citizen_phone_unverified and Case.objects.filter(hotline_number="HL-0001").count() == 1
