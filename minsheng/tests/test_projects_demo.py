from demo.minqing_projects import load_projects
from minsheng.models import Echo, EchoCallback, Project

from .factories import household_with_head, need_of


def test_demo_projects_load_at_various_stages(street):
    for i in range(12):
        household, person = household_with_head(street, address=f"愚园路1{i:02d}弄3号201室", name=f"居民{i}",
                                                phone=f"139000011{i:02d}")
        need_of(street, household, text="希望加装电梯")
    result = load_projects()
    assert result["projects"] == 20
    statuses = set(Project.objects.filter(year=2025).values_list("status", flat=True))
    assert {"done", "in_progress", "delayed"} <= statuses
    assert Project.objects.get(year=2025, rank=1).needs.count() == 12
    assert Echo.objects.exists() and EchoCallback.objects.count() <= Echo.objects.filter(in_callback_sample=True).count()
    assert load_projects()["skipped"]


def test_each_demo_project_answers_the_theme_about_it_and_tells_its_progress(street):
    from minsheng.services.themes import theme_counts_refresh

    from .factories import member, theme

    leak, lift = theme("楼上漏水", score=9.0), theme("加装电梯", score=1.0)  # the leak ranks first
    for i in range(6):
        household, _ = household_with_head(street, address=f"愚园路2{i:02d}弄3号201室", name=f"住户{i}",
                                           phone=f"139000022{i:02d}")
        member(leak, need_of(street, household, text="楼上漏水,卫生间天花板发霉"))
        member(lift, need_of(street, household, text="老人上下楼困难,希望加装电梯"))
    theme_counts_refresh([leak.pk, lift.pk])
    load_projects()
    project = Project.objects.get(year=2025, rank=1)  # 老旧小区加装电梯
    assert project.theme_id == lift.pk
    assert all("电梯" in text for text in project.needs.values_list("text", flat=True))
    first = Echo.objects.filter(project=project, milestone__order=project.milestones.order_by("order")[0].order)
    assert first.exists() and all("总体进度0%" not in e.text for e in first)
