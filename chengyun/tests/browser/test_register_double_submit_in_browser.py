"""Double-clicking 受理 on the intake desk registers one case (the form's one-time token); a refused submit shows
its message."""

import pytest

from cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


def fill(page, street):
    form = page.locator("#quick-register")
    form.locator("[name=source]").select_option("visit")
    form.locator("[name=hotline_number]").fill("")
    form.locator("[name=title]").fill("楼道堆物")
    form.locator("[name=content]").fill("3号楼楼道堆满纸板,影响通行")
    form.locator("[name=category]").select_option(str(street.category.pk))
    form.locator("[name=address]").fill("愚园路128弄3号")
    form.locator("[name=citizen_name]").fill("王先生")
    form.locator("[name=citizen_phone]").fill("13912345678")
    form.locator("[name=urgency]").select_option("urgent")
    return form


def test_double_click_on_submit_registers_one_case(street, page_as, live_server):
    page = page_as(street.intake)
    page.goto(f"{live_server.url}/")
    form = fill(page, street)
    form.locator("[name=content]").fill("")
    form.locator("button[type=submit]").click()
    page.locator("#quick-register .error", has_text="必填").first.wait_for()
    assert Case.objects.count() == 0
    form = fill(page, street)
    # Two submits in a row, as a double click on a slow line sends them: both requests reach the server.
    page.evaluate("""() => { const f = document.getElementById("quick-register");
        const data = new FormData(f);
        return Promise.all([fetch(f.action, {method: "POST", body: data}), fetch(f.action, {method: "POST", body: data})])
            .then(() => f.requestSubmit()); }""")
    page.locator(".messages, [role=status], body", has_text="已受理").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert Case.objects.count() == 1
