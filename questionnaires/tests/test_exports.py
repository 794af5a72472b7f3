import io

import openpyxl
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from questionnaires.models import FormVersion, Questionnaire, Submission
from registry import services as registry_services

SPEC = {"questions": [
    {"type": "group", "name": "basic", "label": "基本情况", "children": [
        {"type": "integer", "name": "size", "label": "家庭人口"},
        {"type": "select_one", "name": "elderly", "label": "有无老人",
         "choices": [{"name": "yes", "label": "是"}, {"name": "no", "label": "否"}]},
        {"type": "select_multiple", "name": "needs", "label": "需求",
         "choices": [{"name": "care", "label": "养老"}, {"name": "lift", "label": "电梯"}]},
        {"type": "text", "name": "other", "label": "其他需求"},
    ]},
    {"type": "note", "name": "n1", "label": "说明"},
    {"type": "repeat", "name": "members", "label": "成员", "children": [
        {"type": "text", "name": "mname", "label": "姓名"}, {"type": "integer", "name": "age", "label": "年龄"}]},
]}


def version(street):
    q = Questionnaire.objects.create(slug="hh", title="户情", created_at=timezone.now(), created_by=street.admin)
    return FormVersion.objects.create(questionnaire=q, number=1, title="户情", spec=SPEC, source=b"", sha256="0",
                                      loaded_at=timezone.now(), loaded_by=street.admin)


def submit(street, v, data, n, household=None, neighbourhood=None):
    return Submission.objects.create(form_version=v, instance_id=f"uuid:{n}", digest=str(n), data=data,
                                     household=household, neighbourhood=neighbourhood or street.neighbourhood,
                                     received_at=timezone.now(), submitted_by=street.cadre)


def sheets(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                             else response.content))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_export_has_chinese_columns_choice_columns_repeats_and_neutralised_formulas(street):
    v = version(street)
    household = registry_services.household_create(actor=street.dispatcher, address="愚园路120弄3号201室",
                                                   neighbourhood=street.neighbourhood)
    submit(street, v, {"size": 3, "elderly": "yes", "needs": ["care", "lift"], "other": "=HYPERLINK(\"x\")",
                       "members": [{"mname": "张三", "age": 70}, {"mname": "李四", "age": 40}]}, 1, household)
    client = Client()
    client.force_login(street.dispatcher)
    book = sheets(client.get(f"/questionnaires/results/{v.pk}/export/"))
    answers = book["答卷"]
    assert answers[0] == ["实例编号", "收到时间", "填写方式", "居民区", "户地址", "家庭人口", "有无老人", "需求",
                          "需求/养老", "需求/电梯", "其他需求"]
    row = answers[1]
    assert row[0] == "uuid:1" and row[4] == "愚园路120弄3号201室"
    assert row[5:] == [3, "是", "养老、电梯", 1, 1, "'=HYPERLINK(\"x\")"]
    assert book["成员"] == [["实例编号", "序号", "姓名", "年龄"], ["uuid:1", 1, "张三", 70], ["uuid:1", 2, "李四", 40]]
    assert AuditEntry.objects.filter(action="export", object_type="questionnaires.FormVersion").exists()


def test_export_is_masked_for_the_leader_and_scoped_for_the_cadre(street):
    v = version(street)
    household = registry_services.household_create(actor=street.dispatcher, address="愚园路120弄3号201室",
                                                   neighbourhood=street.neighbourhood)
    submit(street, v, {"other": "请联系13912345678"}, 1, household)
    submit(street, v, {"other": "别处"}, 2, neighbourhood=street.other_neighbourhood)
    client = Client()
    client.force_login(street.leader)
    rows = sheets(client.get(f"/questionnaires/results/{v.pk}/export/"))["答卷"]
    assert len(rows) == 3
    assert "13912345678" not in str(rows) and "愚园路120弄3号201室" not in str(rows)
    client.force_login(street.cadre)
    rows = sheets(client.get(f"/questionnaires/results/{v.pk}/export/"))["答卷"]
    assert [r[0] for r in rows[1:]] == ["uuid:1"]
    client.force_login(street.handler)
    assert client.get(f"/questionnaires/results/{v.pk}/export/").status_code == 403
