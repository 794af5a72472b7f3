from django.test import Client

from questionnaires.summary import version_summary

from .test_exports import submit, version


def test_summary_numbers_on_a_known_set(street):
    v = version(street)
    submit(street, v, {"size": 2, "elderly": "yes", "needs": ["care"], "other": "x",
                       "members": [{"mname": "a", "age": 10}]}, 1)
    submit(street, v, {"size": 4, "elderly": "no", "needs": ["care", "lift"]}, 2)
    submit(street, v, {"size": 9, "elderly": "yes"}, 3)
    submit(street, v, {"size": 1}, 4, neighbourhood=street.other_neighbourhood)
    result = version_summary(street.dispatcher, v)
    by = {q.name: q for q in result.questions}
    assert result.submissions == 4
    assert by["size"].stats == {"mean": 4.0, "median": 3.0, "min": 1.0, "max": 9.0}
    assert [(r["label"], r["count"], r["percent"]) for r in by["elderly"].rows] == [("是", 2, 66.7), ("否", 1, 33.3)]
    assert [(r["label"], r["count"]) for r in by["needs"].rows] == [("养老", 2), ("电梯", 1)]
    assert (by["other"].answered, by["other"].total) == (1, 4)
    assert (by["age"].repeat, by["age"].stats["mean"]) == ("members", 10.0)
    assert version_summary(street.cadre, v).submissions == 3  # its 居民区 only


def test_results_page_and_api(street):
    v = version(street)
    submit(street, v, {"elderly": "yes"}, 1)
    client = Client()
    client.force_login(street.leader)
    html = client.get(f"/questionnaires/results/{v.pk}/").content.decode()
    assert "有无老人" in html and 'id="result-charts"' in html and "vendor/echarts.min.js" in html
    body = client.get(f"/api/questionnaires/versions/{v.pk}/summary").json()
    assert body["submissions"] == 1
    client.force_login(street.auditor)
    assert client.get(f"/questionnaires/results/{v.pk}/").status_code == 403
