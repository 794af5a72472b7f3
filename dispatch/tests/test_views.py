from dispatch.models import DispatchOutcome


def test_the_intake_panel_shows_the_suggestion_while_typing(client, trained):
    client.force_login(trained.street.intake)
    html = client.get("/dispatch/suggest/", {"content": "楼上群租,隔断成好几间", "address": "愚园路128弄3号"}).content.decode()
    assert "智能建议" in html and "群租" in html and "「群租」" in html
    assert "金坛居民区" in html and "建议主办:房管办" in html and "派出所" in html


def test_the_intake_panel_warns_about_an_unknown_address(client, trained):
    client.force_login(trained.street.intake)
    html = client.get("/dispatch/suggest/", {"content": "楼上群租,隔断成好几间", "address": "火星路1号"}).content.decode()
    assert "地址未能识别" in html


def test_the_intake_form_asks_for_the_panel(client, trained):
    client.force_login(trained.street.intake)
    html = client.get("/").content.decode()
    assert 'id="dispatch-suggestion"' in html and "/dispatch/suggest/" in html


def test_handlers_cannot_use_the_panel(client, trained):
    client.force_login(trained.street.handler)
    assert client.get("/dispatch/suggest/", {"content": "群租"}).status_code == 403


def test_the_dispatcher_desk_shows_suggestions_with_reasons(client, trained):
    case = trained.street.new_case(content="楼上群租,隔断成很多小间,住了十几个人", category=None)
    client.force_login(trained.street.dispatcher)
    html = client.get("/").content.decode()
    assert case.number in html
    assert "智能建议" in html and "→ 房管办" in html and "类别:群租 0." in html


def test_bulk_dispatch_by_suggestion_sets_category_and_departments_and_records_the_outcome(client, trained):
    case = trained.street.new_case(content="楼上群租,隔断成很多小间,住了十几个人", category=None)
    client.force_login(trained.street.dispatcher)
    client.post("/work/dispatch/", {"case": [case.pk], "lead_department": "suggestion"})
    case.refresh_from_db()
    assert case.state == "dispatched" and case.category == trained.categories["群租"]
    assert case.lead_department == trained.housing
    assert set(case.assignments.filter(role="co").values_list("department__name", flat=True)) == {"派出所"}
    outcome = DispatchOutcome.objects.get(case=case)
    assert not outcome.category_overridden and not outcome.department_overridden


def test_the_case_page_shows_the_suggestion_and_preselects_the_dispatch_form(client, trained):
    case = trained.street.new_case(content="楼上群租,隔断成很多小间,住了十几个人", category=None)
    client.force_login(trained.street.dispatcher)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="smart-dispatch"' in html and "建议主办:房管办" in html and "采用" not in html
    form = html[html.index('data-action="dispatch"'):]
    form = form[:form.index("</form>")]
    assert f'<option value="{trained.housing.pk}" selected>房管办</option>' in form
    assert f'<option value="{trained.categories["群租"].pk}" selected>' in form


def test_a_handler_sees_no_suggestion_on_the_case_page(client, trained):
    case = trained.street.dispatched_case(content="楼上群租,隔断成很多小间")
    client.force_login(trained.street.handler)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="smart-dispatch"' not in html


def test_the_merge_form_is_preselected_with_the_most_similar_open_case(client, trained):
    street = trained.street
    first = street.new_case(content="愚园路128弄3号楼道内堆放大量纸板杂物,存在消防隐患")
    second = street.new_case(content="128弄3号楼道里堆放大量纸板杂物,有消防隐患,要求处理")
    client.force_login(street.dispatcher)
    html = client.get(f"/cases/{second.pk}/").content.decode()
    form = html[html.index('data-action="merge"'):]
    form = form[:form.index("</form>")]
    assert f'value="{first.number}"' in form
    assert "疑似重复件" in html and "相似度" in html
