from datetime import timedelta

from core import clock
from dispatch.selectors import duplicate_candidates, duplicate_score, place_for, text_similarity


def test_similar_texts_score_high_and_different_ones_low():
    same = text_similarity("愚园路128弄3号楼道内堆放大量纸板杂物", "愚园路128弄楼道里堆放了大量纸板和杂物")
    other = text_similarity("愚园路128弄3号楼道内堆放大量纸板杂物", "饭店油烟直排熏到楼上住户")
    assert same > 0.5 > other


def test_an_open_case_with_similar_text_at_the_same_address_is_offered(street):
    master = street.new_case(content="愚园路128弄3号楼道内堆放大量纸板杂物,存在消防隐患")
    found = duplicate_candidates(content="128弄3号楼道里堆放大量纸板杂物,有消防隐患", address="愚园路128弄3号",
                                 place=place_for("愚园路128弄3号"), category_id=street.category.pk,
                                 user=street.dispatcher)
    assert [d.case for d in found] == [master]
    assert 0.65 <= found[0].similarity <= 1 and 0.4 < found[0].text_similarity < 1


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
    place = place_for("愚园路128弄3号")
    assert duplicate_candidates(content="楼道内堆放大量纸板杂物", address="愚园路128弄3号", place=place) == []
    assert len(duplicate_candidates(content="楼道内堆放大量纸板杂物", address="愚园路128弄3号", place=place,
                                    days=60)) == 1


def test_cases_the_user_may_not_see_are_not_offered(street):
    street.new_case(content="楼道内堆放大量纸板杂物")
    place = place_for("愚园路128弄3号")
    assert duplicate_candidates(content="楼道内堆放大量纸板杂物", address="愚园路128弄3号", place=place,
                                user=street.other_grid_user) == []
    assert len(duplicate_candidates(content="楼道内堆放大量纸板杂物", address="愚园路128弄3号", place=place,
                                    user=street.dispatcher)) == 1


def test_the_score_weighs_text_place_and_category():
    assert duplicate_score(text=1.0, same_house=True, same_lane=True, same_category=True) == 1.0
    assert duplicate_score(text=0.5, same_house=True, same_lane=True, same_category=True) == 0.8
    # Same text one lane further on is still offered; a different problem at the same house is not.
    assert duplicate_score(text=0.9, same_house=False, same_lane=True, same_category=True) >= 0.65
    assert duplicate_score(text=0.1, same_house=True, same_lane=True, same_category=False) < 0.65


def test_a_same_lane_report_with_the_same_text_is_offered(street):
    master = street.new_case(content="楼道内堆放大量纸板杂物,存在消防隐患", address="愚园路128弄3号")
    found = duplicate_candidates(content="楼道内堆放大量纸板杂物,存在消防隐患", address="愚园路128弄5号",
                                 place=place_for("愚园路128弄5号"), category_id=street.category.pk)
    assert [d.case for d in found] == [master]


def test_the_evaluation_finds_merged_duplicates_and_reports_each_threshold(street, trained):
    from cases import services as cs
    from dispatch.evaluation import duplicates_evaluate

    master = street.new_case(content="愚园路128弄3号楼道内堆放大量纸板杂物,存在消防隐患")
    again = street.new_case(content="愚园路128弄3号楼道里堆满纸板杂物,消防隐患")
    street.new_case(content="饭店油烟直排,熏到楼上", address="愚园路150弄1号")
    cs.case_merge(actor=street.dispatcher, case=again, master=master)
    result = duplicates_evaluate()
    assert result["duplicates"] == 1
    at = {row["threshold"]: row for row in result["by_threshold"]}
    assert at[0.65]["recall"] == 1.0
    assert result["best"]["f1"] > 0
