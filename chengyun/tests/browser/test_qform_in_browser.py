"""问卷 in Chromium: the expression corpus run by static/js/xlsform.js, a form filled with every field type, the
inline required/constraint messages, a server refusal shown, and an offline submission sent once when back online."""

import json
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from questionnaires.models import Submission
from questionnaires.services import questionnaire_load
from questionnaires.tests.test_expressions import CORPUS, same
from questionnaires.tests.xlsforms import BASIC_CHOICES, BASIC_SURVEY, xlsform_bytes
from registry import services as registry_services

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
JS = Path(__file__).resolve().parents[3] / "static" / "js" / "xlsform.js"


def test_the_corpus_in_chromium(browser):
    page = browser.new_page()
    try:
        page.set_content("<html><body></body></html>")
        page.add_script_tag(content=JS.read_text("utf-8"))
        results = page.evaluate("""(corpus) => {
          const norm = (v) => typeof v === 'number' ? (isNaN(v) ? null : (isFinite(v) ? v : (v > 0 ? 'Infinity' : '-Infinity'))) : v;
          const cases = corpus.cases.map((c) => {
            try {
              return {ok: true, value: norm(XLSFormExpr.evaluate(c.expr, {answers: c.answers, current: c.value,
                instance: c.instance || null, choice: c.choice || null, today: corpus.today, now: corpus.now,
                labels: c.labels || {}}))};
            } catch (e) { return {ok: false, value: String(e.message)}; }
          });
          const errors = corpus.errors.map((t) => { try { XLSFormExpr.parse(t); return false; } catch (e) { return true; } });
          return {cases, errors};
        }""", CORPUS)
    finally:
        page.close()
    wrong = [(c["expr"], r["value"], c["expected"]) for c, r in zip(CORPUS["cases"], results["cases"], strict=True)
             if not r["ok"] or not same(r["value"], c["expected"])]
    assert not wrong, wrong
    assert all(results["errors"]), [t for t, ok in zip(CORPUS["errors"], results["errors"], strict=True) if not ok]


def photo_file(tmp_path) -> str:
    path = tmp_path / "door.png"
    Image.new("RGB", (40, 30), (200, 30, 30)).save(path)
    return str(path)


def _load(street):
    return questionnaire_load(actor=street.admin, content=xlsform_bytes(BASIC_SURVEY, BASIC_CHOICES),
                              filename="hh.xlsx")[0]


def test_fill_every_field_type_with_messages_and_a_refusal(street, page_as, live_server, tmp_path):
    _load(street)
    household = registry_services.household_create(actor=street.dispatcher, address="愚园路128弄3号501室")
    page = page_as(street.cadre, width=400, height=800)
    logs = []
    page.on("console", lambda m: logs.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: logs.append(str(e)))
    page.goto(f"{live_server.url}/questionnaires/hh/fill/?household={household.pk}&paper=1")
    page.wait_for_selector("#qform-submit")
    # submit empty: required messages inline
    page.click("#qform-submit")
    assert page.locator('[data-error="size"]').inner_text() == "此题必答"
    assert "请填写纸质表的填写日期" in page.locator('[data-error="_paper.filled_on"]').inner_text()
    assert "需要修改" in page.locator("#qform-flash").inner_text()
    # constraint message inline while typing
    page.fill('input[data-path="size"]', "25")
    assert page.locator('[data-error="size"]').inner_text() == "人口须在1到19之间"
    page.fill('input[data-path="size"]', "3")
    assert page.locator('[data-error="size"]').inner_text() == ""
    page.fill("#paper-filled-on", "2026-01-05")
    page.fill("#paper-visitor", "王阿姨")
    # skip logic: needs appear only for elderly = yes, 其他需求 only when 其他 is ticked
    assert page.locator('.qf-q[data-path="needlist"]').is_hidden()
    page.check('input[data-path="elderly"][value="yes"]')
    assert page.locator('.qf-q[data-path="needlist"]').is_visible()
    page.check('input[data-path="needlist"][value="care"]')
    page.check('input[data-path="needlist"][value="other"]')
    page.fill('input[data-path="other"]', "需要送餐")
    # choice_filter: 小区 options follow 区域
    page.check('input[data-path="area"][value="n"]')
    assert page.locator('.qf-q[data-path="sub"] .qf-option[data-choice="y"]').is_hidden()
    page.check('input[data-path="sub"][value="x"]')
    # repeat: add a second member, fill both, remove nothing
    page.fill('input[data-path="members[0].mname"]', "李四")
    page.fill('input[data-path="members[0].birthday"]', "1950-03-01")
    page.click('button.qf-add[data-repeat="members"]')
    page.fill('input[data-path="members[1].mname"]', "王五")
    page.fill('input[data-path="members[1].birthday"]', "2018-06-01")
    page.fill('input[data-geo="lat"][data-path="location"]', "31.22")
    page.fill('input[data-geo="lon"][data-path="location"]', "121.44")
    page.set_input_files('input[type=file][data-path="photo"]', photo_file(tmp_path))
    page.wait_for_selector(".qf-thumb")
    page.fill('input[data-path="income"]', "3500.5")
    assert page.evaluate("() => XLSForm.page.state()")["errors"] == {}
    page.locator("#qform-submit").scroll_into_view_if_needed()
    page.click("#qform-submit")
    shown = page.evaluate("() => Array.from(document.querySelectorAll('[data-error]'))"
                          ".filter(e => e.textContent).map(e => e.dataset.error + ':' + e.textContent)")
    assert not shown, shown
    expect(page.locator("#qform-flash")).to_contain_text("已收到")
    expect(page.locator("#qform-status")).to_contain_text("已全部上传")
    screenshot(page, "qform-filled")
    stored = Submission.objects.get()
    assert stored.channel == "paper" and "王阿姨" in stored.paper_note and stored.household_id == household.pk
    assert stored.data["double"] == 6 and stored.data["needlist"] == ["care", "other"]
    assert [m["mname"] for m in stored.data["members"]] == ["李四", "王五"]
    assert stored.data["location"] == "31.22 121.44" and stored.attachments.count() == 1
    # a refusal from the server is shown, not swallowed: the version changed under a stale page
    page.goto(f"{live_server.url}/questionnaires/hh/fill/?household={household.pk}")
    page.wait_for_selector("#qform-submit")
    page.fill('input[data-path="size"]', "2")
    page.check('input[data-path="elderly"][value="no"]')
    # answers the page itself would stop (size 30) put straight into the outbox: the server keeps its rule
    page.evaluate("""async () => {
      const cfg = JSON.parse(document.getElementById('qform-config').textContent);
      await XLSForm.outbox.put({id: 'uuid:tampered-0001', url: cfg.submit_url, title: '篡改', photos: {}, status: 'pending',
        message: '', payload: {instance_id: 'uuid:tampered-0001', version: cfg.version, household: cfg.household,
        data: {size: 30, elderly: 'no'}, channel: 'online'}});
      window.dispatchEvent(new Event('online'));
    }""")
    page.wait_for_selector('.refused[data-instance="uuid:tampered-0001"]')
    assert "人口须在1到19之间" in page.locator('.refused[data-instance="uuid:tampered-0001"]').inner_text()
    assert "未被接收 1 份" in page.locator("#qform-status").inner_text()
    assert Submission.objects.count() == 1


def test_offline_submission_is_sent_once_when_back_online(street, page_as, live_server):
    version = _load(street)
    page = page_as(street.cadre, width=400, height=800)
    page.goto(f"{live_server.url}/questionnaires/hh/fill/")
    page.wait_for_selector("#qform-submit")
    instance = page.get_attribute("#qform", "data-instance")
    assert instance.startswith("uuid:")
    page.context.set_offline(True)
    page.fill('input[data-path="size"]', "4")
    page.check('input[data-path="elderly"][value="no"]')
    page.fill('input[data-path="members[0].mname"]', "赵六")
    page.click("#qform-submit")
    expect(page.locator("#qform-status")).to_contain_text("待上传 1 份")
    assert "已保存在手机上" in page.locator("#qform-flash").inner_text()
    assert not Submission.objects.exists()
    page.context.set_offline(False)
    expect(page.locator("#qform-status")).to_contain_text("已全部上传", timeout=30000)
    stored = Submission.objects.get()
    assert stored.instance_id == instance and stored.channel == "offline" and stored.data["size"] == 4
    # the same instance sent again (a phone that did not hear the answer) is stored once
    answer = page.evaluate("""async (args) => {
      const body = new FormData();
      body.append('payload', JSON.stringify({instance_id: args.id, version: args.version,
        data: {size: 4, elderly: 'no', members: [{mname: '赵六'}]}, channel: 'offline'}));
      const m = /csrftoken=([^;]+)/.exec(document.cookie);
      const r = await fetch('/questionnaires/hh/submit/', {method: 'POST', body,
        headers: {'X-CSRFToken': m ? m[1] : document.getElementById('qform-csrf').value}});
      return {status: r.status, body: await r.json()};
    }""", {"id": instance, "version": version.pk})
    assert answer["status"] == 200 and "已收到" in answer["body"]["message"], json.dumps(answer, ensure_ascii=False)
    assert Submission.objects.count() == 1
