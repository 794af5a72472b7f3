from datetime import date

from django.core.management import call_command
from docx import Document

from minqing.models import Visit
from minsheng.models import Echo
from minsheng.services import echo as echo_services
from minsheng.services import projects as services

from .factories import household_with_head, need_of, project


def _visit(street, household, outcome, on=date(2026, 2, 1)):
    return Visit.objects.create(visited_on=on, household=household, neighbourhood=household.neighbourhood,
                                outcome=outcome, created_at=street.leader.date_joined, created_by=street.cadre)


def test_the_report_has_the_years_figures_and_no_personal_data(street, tmp_path):
    household, person = household_with_head(street, name="王秀英", phone="13900001111")
    other, _ = household_with_head(street, address="康定路900弄2号101室", name="赵六", phone="13900002222",
                                   neighbourhood=street.other_neighbourhood)
    _visit(street, household, "met")
    _visit(street, household, "absent")
    _visit(street, other, "met")
    _visit(street, other, "met", on=date(2025, 5, 1))  # last year: not counted
    p = project(street)
    p.needs.add(need_of(street, household))
    milestone = p.milestones.order_by("order").first()
    services.milestone_complete(actor=street.leader, milestone=milestone, done_on=date(2026, 3, 30))
    echo_services.echo_send(actor=street.leader, project=p, milestone=milestone)
    echo_services.echo_callback_record(actor=street.callback, echo=Echo.objects.get(), satisfaction="satisfied")
    call_command("minsheng_report", "--year", "2026", "--out", str(tmp_path))
    assert (tmp_path / "minsheng-2026.pdf").read_bytes().startswith(b"%PDF")
    document = Document(str(tmp_path / "minsheng-2026.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "全年入户走访3次,覆盖2户,其中见面2次。" in text
    assert "全年登记群众需求1条" in text
    assert "确定十大民生项目1项" in text
    assert "满意率(满意与基本满意占接通户数)100.0%" in text
    assert "老旧小区加装电梯" in cells and "完成方案设计" in cells and "金坛居民区" in cells
    everything = text + "".join(cells)
    for secret in ("王秀英", "赵六", "13900001111", "愚园路120弄", "老人上下楼困难"):
        assert secret not in everything
