"""社区底册 in the browser: a 居委干部 registers a household and a person (every field, optional ones included),
reveals the record with a purpose, edits it (a stale version says 已被他人修改), registers a unit with its operator
picked from the registry; a 派单员 links a case's 诉求人 on the case page. Each failed action shows its message;
the registry pages fit a 390×844 phone."""

import pytest

from registry import services
from registry.models import Household, Person, Tag

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


# What sticks out of the phone's viewport, to say in the assertion.
WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)"""


def valid_id(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights, strict=True)) % 11]


def fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"#registry-form [name={name}]").first
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def test_register_reveal_edit_and_link(street, page_as, live_server):
    for name in ("独居老人", "高龄"):
        Tag.objects.get_or_create(name=name)
    cadre = page_as(street.cadre)
    base = live_server.url

    # 登记户: every field; a rental ending before it starts is refused next to its field.
    cadre.goto(f"{base}/registry/households/")
    cadre.click("#new-household")
    fill(cadre, {"address": "上海市静安区愚园路128弄3号501室", "neighbourhood": str(street.neighbourhood.pk),
                 "housing": "rented", "tenant_count": "3", "rental_start": "2026-06-01", "rental_end": "2026-01-01",
                 "notes": "二房东转租,房东电话13600001111"})
    cadre.check("#registry-form [name=crowded_rental]")
    cadre.click("#form-submit")
    cadre.locator("[data-field=rental_end] .field-error", has_text="租赁截止日期不能早于起始日期").wait_for()
    fill(cadre, {"rental_end": "2027-05-31"})
    cadre.click("#form-submit")
    cadre.locator("#household-card").wait_for()
    household = Household.objects.get()
    assert household.crowded_rental and household.tenant_count == 3 and household.neighbourhood == street.neighbourhood
    assert "501" not in cadre.inner_text("#household-card")  # masked for the 居委干部
    screenshot(cadre, "registry-household-desktop")

    # 登记新成员: every field; a wrong check digit is said next to the ID number.
    cadre.click("#add-person-here")
    number = valid_id("31010619500308123")
    fill(cadre, {"name": "张建国", "gender": "male", "birth_date": "1950-03-08", "id_type": "id_card",
                 "id_number": number[:-1] + ("0" if number[-1] != "0" else "1"), "phone": "13812341234",
                 "phone_alt": "021-62481234", "residence": "hukou", "notes": "独居,女儿电话13987654321",
                 "relation": "head"})
    assert cadre.input_value("#registry-form [name=household]") == f"H{household.pk}"
    cadre.check("#registry-form input[name=tags][value=独居老人]")
    cadre.check("#registry-form input[name=tags][value=高龄]")
    cadre.click("#form-submit")
    cadre.locator("[data-field=id_number] .field-error", has_text="校验位").wait_for()
    screenshot(cadre, "registry-person-form-error")
    fill(cadre, {"id_number": number})
    cadre.click("#form-submit")
    cadre.locator("#person-card").wait_for()
    person = Person.objects.get()
    assert person.phone_alt == "02162481234" and sorted(t.name for t in person.tags.all()) == ["独居老人", "高龄"]
    assert "张建国" not in cadre.inner_text("#person-card") and "138****1234" in cadre.inner_text("#person-card")

    # 查看完整信息: without a purpose, then 其他 without a text: both refused, said; then clear once.
    cadre.click("#reveal-submit")
    cadre.locator("#reveal-form .field-error", has_text="请选择查看目的").wait_for()
    cadre.select_option("#reveal-form [name=purpose]", "other")
    cadre.click("#reveal-submit")
    cadre.locator("#reveal-form .field-error", has_text="请写明查看目的").wait_for()
    cadre.select_option("#reveal-form [name=purpose]", "other")
    cadre.fill("#reveal-form [name=purpose_text]", "核对独居老人名单")
    cadre.click("#reveal-submit")
    cadre.locator("#revealed-notice", has_text="核对独居老人名单").wait_for()
    assert "张建国" in cadre.inner_text("#person-card") and number in cadre.inner_text("#person-card")

    # 修改: the values need a purpose first; then every field; a stale version says 已被他人修改.
    cadre.click("#edit-person")
    cadre.select_option("#reveal-form [name=purpose]", "verify")
    cadre.fill("#reveal-form [name=purpose_text]", "入户核实")
    cadre.click("#reveal-submit")
    cadre.locator("#registry-form").wait_for()
    assert cadre.input_value("#registry-form [name=name]") == "张建国"
    services.person_update(actor=street.dispatcher, person=Person.objects.get(), notes="同事刚改过")
    fill(cadre, {"name": "张建国", "gender": "male", "birth_date": "1950-03-08", "id_type": "id_card",
                 "id_number": number, "phone": "13900001111", "phone_alt": "", "residence": "resident",
                 "status": "active", "notes": "已走访"})
    cadre.uncheck("#registry-form input[name=tags][value=高龄]")
    cadre.click("#form-submit")
    cadre.locator("#form-error", has_text="已被他人修改").wait_for()
    cadre.goto(f"{base}/registry/persons/{person.pk}/edit/")
    cadre.select_option("#reveal-form [name=purpose]", "visit")
    cadre.fill("#reveal-form [name=purpose_text]", "")
    cadre.click("#reveal-submit")
    fill(cadre, {"name": "张建国", "gender": "male", "birth_date": "1950-03-08", "id_type": "id_card",
                 "id_number": number, "phone": "13900001111", "phone_alt": "021-62481234", "residence": "resident",
                 "status": "active", "notes": "已走访,身体尚可"})
    cadre.uncheck("#registry-form input[name=tags][value=高龄]")
    cadre.click("#form-submit")
    cadre.locator("#timeline", has_text="139****1111").wait_for()
    person = Person.objects.get()
    assert person.phone == "13900001111" and person.residence == "resident" and person.notes == "已走访,身体尚可"

    # 登记单位: every field, the operator picked from the registry; a wrong credit code is said next to its field.
    cadre.goto(f"{base}/registry/units/new/")
    fill(cadre, {"name": "金坛小吃店", "credit_code": "91310106MA1FL0BA2X", "kind": "restaurant",
                 "address": "愚园路128弄1号", "neighbourhood": str(street.neighbourhood.pk), "phone": "021-62480000",
                 "status": "open", "notes": "油烟净化器已装,负责人电话13900001111"})
    cadre.fill("#registry-form [name=pick_q]", "张建国")
    cadre.click(f"#registry-form [data-pick='P{person.pk}']")
    assert cadre.input_value("#registry-form [name=operator]") == f"P{person.pk}"
    cadre.click("#form-submit")
    cadre.locator("[data-field=credit_code] .field-error").wait_for()
    fill(cadre, {"credit_code": "91310106MA1FL0BA2H"})
    cadre.click("#form-submit")
    cadre.locator("#unit-card").wait_for()
    assert "张**" in cadre.inner_text("#unit-operator") and cadre.inner_text("#unit-notes") == "(有备注,查看完整信息后可见)"

    # The phone layout: no horizontal overflow on the person page.
    phone = page_as(street.cadre, width=390, height=844)
    phone.goto(f"{base}/registry/persons/{person.pk}/")
    phone.locator("#person-card").wait_for()
    screenshot(phone, "registry-person-phone")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    for path in ("/registry/", "/registry/households/", f"/registry/households/{household.pk}/", "/registry/units/"):
        phone.goto(f"{base}{path}")
        wide = phone.evaluate(WIDE_ELEMENTS)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (path, wide)

    # 派单员 links the case's 诉求人 on the case page; a link made meanwhile in another tab is said (409).
    namesake = services.person_create(actor=street.dispatcher, name="张建国")
    case = street.new_case(citizen_phone="13900001111")
    dispatcher = page_as(street.dispatcher)
    dispatcher.goto(f"{base}/cases/{case.pk}/")
    dispatcher.locator(f"#registry-link [data-link='{person.pk}']").wait_for()
    screenshot(dispatcher, "registry-case-link-panel")
    services.case_link_decide(actor=street.dispatcher, case=case, person=namesake, linked=True)
    dispatcher.click(f"#registry-link [data-link='{person.pk}']")
    dispatcher.locator("#link-error", has_text="已关联其他人员").wait_for()
    services.case_link_decide(actor=street.dispatcher, case=case, person=namesake, linked=False)
    dispatcher.reload()
    dispatcher.click(f"#registry-link [data-link='{person.pk}']")
    dispatcher.locator("#link-notice", has_text="已关联该人员").wait_for()
    dispatcher.goto(f"{base}/registry/persons/{person.pk}/")
    dispatcher.locator("#linked-cases", has_text=case.number).wait_for()
    screenshot(dispatcher, "registry-person-desktop")
