from datetime import timedelta

from chengyun import clock
from dispatch.selectors import duplicate_candidates, place_for, text_similarity


def test_similar_texts_score_high_and_different_ones_low():
    same = text_similarity("愚园路128弄3号楼道内堆放大量纸板杂物", "愚园路128弄楼道里堆放了大量纸板和杂物")
    other = text_similarity("愚园路128弄3号楼道内堆放大量纸板杂物", "饭店油烟直排熏到楼上住户")
    assert same > 0.5 > other


def test_an_open_case_with_similar_text_at_the_same_address_is_offered(street):
    master = street.new_case(content="愚园路128弄3号楼道内堆放大量纸板杂物,存在消防隐患")
    found = duplicate_candidates(content="128弄3号楼道里堆放大量纸板杂物,有消防隐患", address="愚园路128弄3号",
                                 place=place_for("愚园路128弄3号"), user=street.dispatcher)
    assert [d.case for d in found] == [master]
    assert 0.5 < found[0].similarity <= 1


def test_a_different_problem_at_the_same_address_is_not_a_duplicate(street):
    street.new_case(content="愚园路128弄3号楼道内堆放大量纸板杂物,存在消防隐患")
    assert duplicate_candidates(content="楼下饭店油烟直排,窗户都不能开", address="愚园路128弄3号",
                                place=place_for("愚园路128弄3号")) == []


def test_closed_merged_and_old_cases_are_not_offered(street):
    from cases.models import Case, State

    old = street.new_case(content="楼道内堆放大量纸板杂物")
    Case.objects.filter(pk=old.pk).update(registered_at=clock.now() - timedelta(days=40))
    closed = street.new_case(content="楼道内堆放大量纸板杂物")
    Case.objects.filter(pk=closed.pk).update(state=State.CLOSED)
    assert duplicate_candidates(content="楼道内堆放大量纸板杂物", address="愚园路128弄3号",
                                place=place_for("愚园路128弄3号")) == []
    assert len(duplicate_candidates(content="楼道内堆放大量纸板杂物", address="愚园路128弄3号",
                                    place=place_for("愚园路128弄3号"), days=60)) == 1


def test_cases_the_user_may_not_see_are_not_offered(street):
    street.new_case(content="楼道内堆放大量纸板杂物")
    place = place_for("愚园路128弄3号")
    assert duplicate_candidates(content="楼道内堆放大量纸板杂物", address="愚园路128弄3号", place=place,
                                user=street.other_grid_user) == []
    assert len(duplicate_candidates(content="楼道内堆放大量纸板杂物", address="愚园路128弄3号", place=place,
                                    user=street.dispatcher)) == 1
