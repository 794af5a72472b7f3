"""The 社区底册 import in the browser (issue 17): a wrong file shows its message; upload → preview (each row labelled)
→ 确认导入 → progress done; a second source's near-duplicate waits in 疑似重复待确认, side by side, and 同一人 is
decided by htmx; a decision that fails (the pair decided meanwhile by someone else) shows its message."""

import csv
import io

import pytest

from registry import import_jobs
from registry.importing import default_profile
from registry.models import LinkCandidate, Person

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
HEADER = ["姓名", "性别", "出生日期", "身份证号", "联系电话", "居住地址", "人员类型", "与户主关系", "标签", "备注"]


def _csv(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _upload(page, name: str, content: bytes, profile_label: str) -> None:
    page.select_option("#id_kind", "persons")
    page.select_option("#id_profile", label=profile_label)
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.click("#upload")


def test_upload_preview_import_and_review(street, page_as, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    profile = default_profile("persons")
    label = f"人员:{profile.name}"
    page = page_as(street.dispatcher, width=1440, height=900)
    page.goto(f"{live_server.url}/registry/import/")
    _upload(page, "错误.csv", "名字,电话\n张三,1\n".encode(), label)
    page.locator(".msg.error", has_text="缺少必需的列").wait_for()

    rows = [["张建国", "男", "1950-03-08", "", "13812341234", "上海市静安区愚园路128弄3号501室", "户籍", "户主", "独居老人", "居委"],
            ["李秀英", "女", "1952-05-01", "", "13900001111", "愚园路128衖3号501室", "户籍", "配偶", "", ""],
            ["王五", "男", "1960-13-45", "", "", "愚园路128弄1号102室", "", "", "", ""]]
    _upload(page, "居委会人员.csv", _csv(rows, encoding="gb18030"), label)
    page.locator("#preview").wait_for()
    labels = [t.strip() for t in page.locator("#preview .preview-label").all_inner_texts()]
    assert labels == ["新增", "新增", "拒绝"]
    assert "出生日期不是有效日期" in page.locator("#preview tr[data-row='4'] .preview-note").inner_text()
    page.click("#start-import")
    page.locator("#progress h2", has_text="已完成").wait_for(timeout=30000)
    assert page.locator("#created").inner_text() == "2" and page.locator("#rejected").inner_text() == "1"

    page.goto(f"{live_server.url}/registry/import/")
    police = [["张建囯", "男", "1950-03-08", "", "13812341234", "愚园路128弄3号", "户籍", "", "", "公安"],
              ["李秀瑛", "女", "1952-05-01", "", "13900001111", "愚园路128弄3号", "常住", "", "", "公安"]]
    _upload(page, "公安人口.csv", _csv(police), label)
    page.locator("#preview").wait_for()
    assert [t.strip() for t in page.locator("#preview .preview-label").all_inner_texts()] == ["疑似重复,待确认"] * 2
    page.click("#start-import")
    page.locator("#progress h2", has_text="已完成").wait_for(timeout=30000)
    assert page.locator("#candidates").inner_text() == "2"
    page.click("#review-link")
    page.locator("#pairs").wait_for()
    screenshot(page, "registry-import-review")
    first, second = LinkCandidate.objects.order_by("row_number")
    pair = page.locator(f"#pair-{first.pk}")
    assert "张建囯" in pair.inner_text() and "张建国" in pair.inner_text() and "电话相同" in pair.inner_text()
    pair.locator("button[data-decision=same]").click()
    pair.locator(".decided", has_text="已确认:同一人").wait_for()
    assert Person.objects.get(name="张建国").notes == "公安"

    # Someone else decides the second pair meanwhile: this page's button fails, and says why.
    import_jobs.candidate_decide(actor=street.dispatcher, candidate_id=second.pk, same=False)
    page.locator(f"#pair-{second.pk} button[data-decision=same]").click()
    # A 4xx fragment swaps into the cell (templates/_head.html's htmx-config): the message shows where one clicked.
    page.locator(f"#pair-{second.pk} [role=alert]", has_text="已由").wait_for()
    screenshot(page, "registry-import-review-conflict")
    assert Person.objects.filter(name="李秀瑛").count() == 1
