import numpy as np
from sklearn.metrics import adjusted_rand_score

from minsheng import clustering
from minsheng.tests.planted import generate


def test_it_finds_the_planted_themes():
    records, planted = generate(6000, seed=3, themes=20)
    result = clustering.cluster(records, clustering.Params(workers=1))
    assert adjusted_rand_score(planted, result.labels) >= 0.8
    assert all(theme.keywords for theme in result.themes)


def test_it_is_deterministic():
    records, _ = generate(2000, seed=5, themes=10)
    first = clustering.cluster(records, clustering.Params(workers=1))
    second = clustering.cluster(records, clustering.Params(workers=1))
    assert np.array_equal(first.labels, second.labels)


def test_two_workers_segment_as_one_does():
    clauses = [f"楼道堆物{i}号楼电动车飞线充电" for i in range(50)] + ["加装电梯意见征询"]
    assert clustering.segment_clauses(clauses, workers=2, parallel_above=10) == clustering.segment_clauses(clauses)


def test_theme_words_leave_out_boilerplate_and_numbers():
    matrix, vocabulary, distinct = clustering.term_matrix(["居民反映愚园路128弄3号楼道堆物,希望尽快处理"],
                                                          clustering.Params(workers=1))
    assert "楼道" in vocabulary and "希望" not in vocabulary and not any(ch.isdigit() for w in vocabulary for ch in w)


def test_an_empty_period_gives_no_theme():
    assert clustering.cluster([]).n_themes == 0


def test_a_theme_name_reads_category_and_keywords():
    assert clustering.theme_name(["电梯", "加装"], "加装电梯") == "加装电梯·电梯·加装"
    assert clustering.theme_name([], "") == "未命名主题"
