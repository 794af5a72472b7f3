from django.test import Client

from org.services import api_token_create


def api(user) -> Client:
    _, key = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_it_suggests_for_a_text_before_registration(trained):
    response = api(trained.street.intake).post(
        "/api/dispatch/suggest", {"content": "楼上群租,隔断成好几间", "address": "愚园路１２８衖3号"},
        content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["categories"][0]["name"] == "群租" and len(body["categories"]) == 3
    assert "群租" in body["categories"][0]["evidence"]
    assert body["place"] == {"known": True, "how": "address", "matched": "愚园路128弄", "estate": "愚园小区",
                             "neighbourhood_id": trained.street.neighbourhood.pk, "neighbourhood": "金坛居民区",
                             "grid": "金坛1网格"}
    assert body["department"]["lead"]["name"] == "房管办"
    assert [d["name"] for d in body["department"]["co"]] == ["派出所"]
    assert body["reasons"].startswith("类别:群租")
    assert body["classifier_version"] == trained.version.pk


def test_it_suggests_for_a_case_with_its_duplicates(trained):
    street = trained.street
    first = street.new_case(content="愚园路128弄3号楼道内堆放大量纸板杂物,存在消防隐患")
    second = street.new_case(content="128弄3号楼道里堆放大量纸板杂物,有消防隐患,要求处理")
    response = api(street.dispatcher).get(f"/api/dispatch/cases/{second.number}/suggestion")
    assert response.status_code == 200
    body = response.json()
    assert body["categories"][0]["name"] == "楼道堆物"
    assert body["duplicates"][0]["number"] == first.number
    assert body["duplicates"][0]["similarity"] >= 0.5


def test_a_case_out_of_scope_is_not_found(trained):
    case = trained.street.new_case()
    response = api(trained.street.other_grid_user).get(f"/api/dispatch/cases/{case.pk}/suggestion")
    assert response.status_code == 404


def test_handlers_get_no_suggestions(trained):
    response = api(trained.street.handler).post("/api/dispatch/suggest", {"content": "群租"},
                                                content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_an_empty_text_is_refused(trained):
    response = api(trained.street.intake).post("/api/dispatch/suggest", {"content": ""},
                                               content_type="application/json")
    assert response.status_code == 422


def test_it_shows_the_classifier_in_use(trained):
    body = api(trained.street.dispatcher).get("/api/dispatch/classifier").json()
    assert body["id"] == trained.version.pk and body["n_samples"] == 24 and "macro_f1" in body["metrics"]
    assert body["acceptance"]["dispatched"] == 0 and body["acceptance"]["category_accepted_rate"] is None


def test_without_a_classifier_the_endpoint_says_how_to_train(street):
    response = api(street.dispatcher).get("/api/dispatch/classifier")
    assert response.status_code == 404
    assert "train_classifier" in response.json()["message"]
