"""Login, logout and the pages around them: Chinese messages, POST-only logout, anonymous users sent to login."""

import pytest
from django.test import Client

from audit.models import AuditEntry
from org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_in_chinese(client, street):
    page = client.get("/login/").content.decode()
    assert "登录城运平台" in page and "用户名" in page and "密码" in page


def test_login_lands_on_the_workbench_with_name_role_and_logout_button(street):
    client = Client()
    response = client.post("/login/", {"username": street.dispatcher.username, "password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/" and "派单台" in page
    assert f'id="user-name">{street.dispatcher.display_name}<' in page and 'id="user-role">派单员<' in page
    assert '<form method="post" action="/logout/"' in page and "退出" in page
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN, actor=street.dispatcher).exists()


def test_wrong_password_is_explained_in_chinese_and_audited(client, street):
    response = client.post("/login/", {"username": street.intake.username, "password": "wrong"})
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED, username=street.intake.username).exists()


def test_login_honours_next(street):
    client = Client()
    response = client.post("/login/", {"username": street.intake.username, "password": PASSWORD, "next": "/cases/new/"})
    assert response["Location"] == "/cases/new/"


def test_logout_is_a_post_that_ends_the_session(street):
    client = Client()
    client.force_login(street.intake)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/cases/")["Location"] == "/login/?next=/cases/"


@pytest.mark.parametrize("url", ["/", "/cases/", "/cases/new/", "/cases/1/"])
def test_anonymous_users_are_sent_to_login(client, street, url):
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert "登录城运平台" in response.content.decode()


def test_anonymous_htmx_request_redirects_the_whole_page(client, street):
    response = client.get("/cases/", {"state": "registered"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/cases/?state=registered")
    assert response["HX-Redirect"] == "/login/?next=/cases/%3Fstate%3Dregistered"


def test_the_nav_offers_registration_only_to_roles_that_may_register(client, street):
    client.force_login(street.intake)
    assert 'href="/cases/new/"' in client.get("/cases/").content.decode()
    client.force_login(street.handler)
    assert 'href="/cases/new/"' not in client.get("/cases/").content.decode()


def test_unknown_url_gets_the_chinese_404_page(client, street):
    client.force_login(street.intake)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "未找到" in response.content.decode()


def test_a_stale_form_without_csrf_token_gets_a_chinese_page(street):
    client = Client(enforce_csrf_checks=True)
    client.force_login(street.intake)
    response = client.post("/cases/new/", {"content": "x"})
    assert response.status_code == 403 and "页面已过期" in response.content.decode()
