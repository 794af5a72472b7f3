"""/cases/new/: the registration form for roles that may 受理; service errors shown next to the fields."""

import pytest

from cases.models import Case, Source, State

pytestmark = pytest.mark.django_db

VALID = {
    "source": Source.WALK_IN, "content": "愚园路128弄5号门口窨井盖缺失,夜间有人险些踩空", "address": "愚园路128弄5号",
    "citizen_name": "赵敏", "citizen_phone": "13700001111", "urgency": "urgent",
}


@pytest.mark.parametrize("role", ["intake", "dispatcher", "grid_user", "cadre", "admin"])
def test_roles_that_register_get_the_form(client, street, role):
    client.force_login(getattr(street, role))
    response = client.get("/cases/new/")
    page = response.content.decode()
    assert response.status_code == 200 and "登记工单" in page and 'name="citizen_phone"' in page
    assert f'<optgroup label="{street.category.parent.name}">' in page  # 小类 grouped under 大类


@pytest.mark.parametrize("role", ["handler", "callback", "leader"])
def test_other_roles_get_a_403_page_naming_who_may_register(client, street, role):
    client.force_login(getattr(street, role))
    for response in (client.get("/cases/new/"), client.post("/cases/new/", VALID)):
        page = response.content.decode()
        assert response.status_code == 403 and "受理员" in page and "派单员" in page and "网格员" in page
    assert not Case.objects.exists()


def test_intake_registers_a_case_and_lands_on_its_detail(client, street):
    client.force_login(street.intake)
    response = client.post("/cases/new/", {**VALID, "category": street.category.pk})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.state == State.REGISTERED and case.created_by == street.intake and case.urgency == "urgent"
    assert case.neighbourhood == street.neighbourhood and case.category == street.category
    assert case.title == VALID["content"][:30]
    assert case.events.get().action == "register"
    page = client.get(response["Location"]).content.decode()
    assert f"工单 {case.number} 已受理" in page


def test_grid_patrollers_case_belongs_to_their_grid(client, street):
    client.force_login(street.grid_user)
    client.post("/cases/new/", {**VALID, "source": Source.PATROL, "address": "无名路1号"})
    assert Case.objects.get().grid == street.grid


@pytest.mark.parametrize("change,field,message", [
    ({"source": Source.HOTLINE}, "hotline_number", "12345热线工单须填写热线工单号"),
    ({"citizen_phone": "12345"}, "citizen_phone", "联系电话格式不正确"),
    ({"content": ""}, "content", "这个字段是必填项"),
    ({"source": "pigeon"}, "source", "选择一个有效的选项"),
])
def test_invalid_input_is_explained_next_to_its_field_with_422(client, street, change, field, message):
    client.force_login(street.intake)
    response = client.post("/cases/new/", {**VALID, **change})
    page = response.content.decode()
    assert response.status_code == 422 and message in page
    at = page.index(f'name="{field}"')
    block = page[page.rindex('<div class="field', 0, at):]
    assert block.startswith('<div class="field has-error') and message in block[:block.index("</div>\n    </div>")]
    assert not Case.objects.exists()


def test_a_big_category_alone_is_refused(client, street):
    client.force_login(street.intake)
    response = client.post("/cases/new/", {**VALID, "category": street.category.parent_id})
    assert response.status_code == 422 and "选择一个有效的选项" in response.content.decode()
    assert not Case.objects.exists()


def test_what_was_typed_is_kept_after_an_error(client, street):
    client.force_login(street.intake)
    page = client.post("/cases/new/", {**VALID, "citizen_phone": "12345"}).content.decode()
    assert "愚园路128弄5号门口窨井盖缺失" in page and 'value="赵敏"' in page


def test_anonymous_user_is_sent_to_login(client, street):
    response = client.get("/cases/new/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/cases/new/"
