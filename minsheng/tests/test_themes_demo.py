from demo.minqing_themes import load_themes
from minsheng.models import Theme
from minsheng.tests import factories


def test_the_demo_clusters_what_exists_and_shapes_a_few(street):
    for text in ["老楼想加装电梯", "加装电梯意见征询", "希望加装电梯", "小区停车位太少", "停车位被占", "停车难"]:
        factories.need(street, text, raised_on=__import__("datetime").date.today())
    result = load_themes(actor=street.leader)
    assert result["status"] == "done" and result["records"] == 6
    assert Theme.objects.filter(is_pinned=True).count() == 1 and Theme.objects.filter(named_by_person=True).exists()
