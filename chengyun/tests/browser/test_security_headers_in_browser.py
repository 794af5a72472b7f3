"""The Content-Security-Policy does not break any page: chromium reports no violation on the main pages."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_main_pages_run_under_the_content_security_policy(street, page_as, live_server, browser):
    case = street.called_back_case("satisfied")
    violations: list[str] = []
    dispatcher = page_as(street.dispatcher)
    dispatcher.on("console", lambda message: violations.append(message.text)
                  if "Content Security Policy" in message.text else None)
    for path in ("/", "/cases/", f"/cases/{case.pk}/", "/dashboard/", "/api/docs"):
        response = dispatcher.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
    dispatcher.goto(f"{live_server.url}/dashboard/")
    dispatcher.locator("#trend-chart canvas").wait_for()  # ECharts draws
    dispatcher.goto(f"{live_server.url}/api/docs")
    dispatcher.locator("#swagger-ui .info .title").wait_for()  # Swagger UI from our own static files, no CDN
    public = browser.new_page()
    public.on("console", lambda message: violations.append(message.text)
              if "Content Security Policy" in message.text else None)
    public.goto(f"{live_server.url}/report/")
    public.close()
    assert violations == []
