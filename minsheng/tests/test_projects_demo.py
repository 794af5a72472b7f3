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
