"""The demo's two XLSForms (demo/data/xlsform/) in Chromium: every field of 户情基础信息 and 民生需求调查 filled on the
phone page, their skip logic, choice filters and constraint/required messages shown, and both stored."""

import pytest
from playwright.sync_api import expect

from demo.minqing_visits import load_forms
from questionnaires.models import Submission
from registry import services as registry_services

from .conftest import screenshot
from .test_qform_in_browser import photo_file

pytestmark = pytest.mark.django_db(transaction=True)


def _open(page, url: str):
    page.goto(url)
    page.wait_for_selector("#qform-submit")


def _send(page):
    page.locator("#qform-submit").scroll_into_view_if_needed()
    page.click("#qform-submit")
    shown = page.evaluate("() => Array.from(document.querySelectorAll('[data-error]'))"
                          ".filter(e => e.textContent).map(e => e.dataset.error + ':' + e.textContent)")
    assert not shown, shown
    expect(page.locator("#qform-flash")).to_contain_text("已收到")


def test_household_basics_every_field(street, page_as, live_server, tmp_path):
    load_forms(actor=street.admin)
    household = registry_services.household_create(actor=street.dispatcher, address="愚园路128弄3号502室")
    page = page_as(street.cadre, width=390, height=844)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _open(page, f"{live_server.url}/questionnaires/household_basics/fill/?household={household.pk}")
    page.click("#qform-submit")  # empty: the required messages, the form's own where it has one
    assert page.locator('[data-error="hh_size"]').inner_text() == "此题必答"
    assert page.locator('[data-error="housing_type"]').inner_text() == "请选择住房类型"
    assert "需要修改" in page.locator("#qform-flash").inner_text()
    page.fill('input[data-path="hh_size"]', "20")
    assert page.locator('[data-error="hh_size"]').inner_text() == "常住人口须在 1 到 15 人之间"
    expect(page.locator('.qf-q[data-path="members_note"]')).to_be_visible()  # 1 member of 20: the calculate says so
    assert page.locator('.qf-q[data-path="lives_alone"]').is_hidden()
    page.fill('input[data-path="hh_size"]', "1")
    page.check('input[data-path="housing_type"][value="public_rent"]')
    page.check('input[data-path="age_bands"][value="80plus"]')
    page.check('input[data-path="lives_alone"][value="yes"]')  # shown now: one person
    page.check('input[data-path="solitary_elderly"][value="yes"]')  # shown: alone and elderly
    page.fill('input[data-path="elderly_count"]', "2")
    assert page.locator('[data-error="elderly_count"]').inner_text() == "老人人数须在 1 到家庭常住人口之间"
    page.fill('input[data-path="elderly_count"]', "1")
    page.check('input[data-path="members[0].m_relation"][value="head"]')
    page.check('input[data-path="members[0].m_age_band"][value="80plus"]')
    page.check('input[data-path="members[0].m_conditions"][value="chronic"]')
    page.check('input[data-path="members[0].m_conditions"][value="subsistence"]')
    expect(page.locator('.qf-q[data-path="members_note"]')).to_be_hidden()
    page.fill('input[data-geo="lat"][data-path="location"]', "31.2231")
    page.fill('input[data-geo="lon"][data-path="location"]', "121.4412")
    page.set_input_files('input[type=file][data-path="door_photo"]', photo_file(tmp_path))
    page.wait_for_selector(".qf-thumb")
    page.fill('textarea[data-path="remarks"]', "老人独居,已登记为重点关注户")
    _send(page)
    screenshot(page, "demo-household-basics")
    stored = Submission.objects.get(form_version__questionnaire__slug="household_basics")
    assert stored.household_id == household.pk and stored.data["member_count"] == 1
    assert stored.data["members"] == [{"m_relation": "head", "m_age_band": "80plus",
                                       "m_conditions": ["chronic", "subsistence"]}]
    assert stored.data["solitary_elderly"] == "yes" and stored.data["location"] == "31.2231 121.4412"
    assert stored.attachments.count() == 1 and not errors


def test_livelihood_needs_every_field(street, page_as, live_server):
    load_forms(actor=street.admin)
    household = registry_services.household_create(actor=street.dispatcher, address="愚园路128弄3号503室")
    page = page_as(street.cadre, width=390, height=844)
    _open(page, f"{live_server.url}/questionnaires/livelihood_needs/fill/?household={household.pk}")
    assert page.locator('.qf-q[data-path="dissatisfied_reason"]').is_hidden()
    page.check('input[data-path="sat_overall"][value="2"]')
    page.check('input[data-path="sat_environment"][value="3"]')
    page.check('input[data-path="sat_property"][value="2"]')
    page.check('input[data-path="sat_safety"][value="4"]')
    page.fill('input[data-path="dissatisfied_reason"]', "停车问题一直没有改善")
    page.check('input[data-path="need_categories"][value="elevator"]')
    page.check('input[data-path="need_categories"][value="other"]')
    # choice_filter: only the ticked categories are offered as the most pressing one, and only its details
    assert page.locator('.qf-q[data-path="top_need"] .qf-option[data-choice="parking"]').is_hidden()
    page.check('input[data-path="top_need"][value="other"]')
    assert page.locator('.qf-q[data-path="need_detail"] .qf-option[data-choice="consult"]').is_hidden()
    page.check('input[data-path="need_detail"][value="other_detail"]')
    page.fill('input[data-path="years_lived"]', "101")
    assert page.locator('[data-error="years_lived"]').inner_text() == "居住年数须在 0 到 100 之间"
    page.fill('input[data-path="years_lived"]', "12")
    page.check('input[data-path="join_council"][value="yes"]')
    page.fill('textarea[data-path="suggestion"]', "希望走访时提前告知时间")
    page.click("#qform-submit")  # 其他 makes 具体情况 required: its message, nothing sent
    assert "具体情况" in page.locator('[data-error="need_text"]').inner_text()
    assert Submission.objects.count() == 0
    page.fill('textarea[data-path="need_text"]', "希望增设快递柜")
    _send(page)
    stored = Submission.objects.get()
    assert stored.data["need_categories"] == ["elevator", "other"] and stored.data["top_need"] == "other"
    assert stored.data["sat_average"] == 2.8 and stored.data["need_text"] == "希望增设快递柜"
