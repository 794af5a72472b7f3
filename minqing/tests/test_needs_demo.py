from demo.minqing_needs import load_needs
from minqing.models import LakeRecord, Need, NeedEvent
from registry import services as registry_services


def test_the_demo_loads_needs_cases_and_a_lake(street, django_capture_on_commit_callbacks):
    for i in range(40):
        registry_services.household_create(actor=street.dispatcher, address=f"愚园路{100 + i}弄1号{i % 5 + 1}01室")
    with django_capture_on_commit_callbacks(execute=True):
        counts = load_needs(seed=1, count=200, case_share=0.1)
    assert counts["needs"] == Need.objects.count() == 200
    assert counts["cases"] == Need.objects.exclude(case=None).count() > 0
    assert NeedEvent.objects.filter(action="create").count() == 200
    assert counts["lake_records"] == LakeRecord.objects.count() > 2500
    assert LakeRecord.objects.filter(match="household").exists()
