"""The Content-Security-Policy (script-src 'self', no inline code) breaks no page: chromium reports no violation on
the main pages of the dispatcher, the intake operator, the admin and a resident, and what those pages do still works
(charts, the 全选 box, the category search, the htmx filters and badge, Swagger UI)."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

# Reports every violation (also the ones chromium does not print) into the page; init scripts are not subject to CSP.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""


def watch(page, violations: list[str]):
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)


def visit(page, url: str, violations: list[str]):
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy, url
    page.wait_for_load_state("load")
    violations += [f"{url}: {v}" for v in page.evaluate("window.__csp || []")]
    return response


def test_main_pages_run_under_the_content_security_policy(street, page_as, live_server, browser):
    case = street.called_back_case("satisfied")
    street.new_case(title="路灯不亮")
    street.new_case(title="井盖松动")
    violations: list[str] = []
    dispatcher = page_as(street.dispatcher)
    watch(dispatcher, violations)
    for path in ("/", "/cases/", f"/cases/{case.pk}/", "/dashboard/", "/dashboard/?wall=1", "/notifications/", "/api/docs"):
        visit(dispatcher, f"{live_server.url}{path}", violations)

    visit(dispatcher, f"{live_server.url}/dashboard/", violations)
    dispatcher.locator("#trend-chart canvas").wait_for()  # ECharts draws, from the static dashboard.js
    dispatcher.locator("#source-chart canvas").wait_for()
    assert dispatcher.evaluate("!!window.chengyunCharts.source.getOption().series.length")

    visit(dispatcher, f"{live_server.url}/", violations)
    select_all = dispatcher.locator("#bulk-dispatch input[data-check-all]")
    select_all.check()
    boxes = dispatcher.locator("#bulk-dispatch input[name=case]")
    assert boxes.count() >= 2 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    select_all.uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    # The notification badge is htmx-driven (hx-get every 30 s): htmx has loaded and processed it.
    assert dispatcher.evaluate("typeof htmx !== 'undefined' && htmx.config.allowEval === false")
    assert dispatcher.evaluate("!!htmx.closest(document.getElementById('notification-badge'), '[hx-get]')")

    visit(dispatcher, f"{live_server.url}/cases/", violations)  # the htmx filters (hx-trigger with from: selectors)
    with dispatcher.expect_response(lambda r: "/cases/" in r.url and "q=" in r.url):
        dispatcher.fill("input[name=q]", "路灯")
        dispatcher.press("input[name=q]", "Enter")
    dispatcher.locator("text=路灯不亮").wait_for()
    assert "井盖松动" not in dispatcher.locator("main").inner_text()

    visit(dispatcher, f"{live_server.url}/api/docs", violations)
    dispatcher.locator("#swagger-ui .info .title").wait_for()  # Swagger UI from our own static files, no CDN

    intake = page_as(street.intake)
    watch(intake, violations)
    visit(intake, f"{live_server.url}/", violations)
    wanted = intake.locator("#id_category option[value]:not([value=''])").last.inner_text().strip()
    intake.fill("#category-search", wanted)  # the category search narrows the select and picks the match
    assert intake.locator("#id_category option:checked").inner_text().strip() == wanted

    admin = page_as(street.admin)
    watch(admin, violations)
    visit(admin, f"{live_server.url}/admin/", violations)

    public = browser.new_page()
    watch(public, violations)
    visit(public, f"{live_server.url}/report/", violations)
    public.close()
    assert violations == []
