"""No phone, ID-card number or API key reaches a log: the filter on every handler masks the formatted message."""

from __future__ import annotations

import io
import logging
import types

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from chengyun.logfilters import PersonalDataFilter, install_on_existing_handlers

PHONE = "13812345678"


@pytest.fixture
def console():
    """What the root logger's console handler (settings.LOGGING) and runserver's access-log handler write."""
    handlers = list({id(h): h for h in logging.getLogger().handlers + logging.getLogger("django.server").handlers
                     if isinstance(h, logging.StreamHandler) and not type(h).__module__.startswith("_pytest")
                     and any(isinstance(f, PersonalDataFilter) for f in h.filters)}.values())
    assert len(handlers) >= 2, "settings.LOGGING's handlers carry the PersonalDataFilter"
    out = io.StringIO()
    previous = [h.stream for h in handlers]
    for handler in handlers:
        handler.stream = out
    yield out
    for handler, stream in zip(handlers, previous, strict=True):
        handler.stream = stream


def test_a_warning_with_a_phone_argument_is_masked(console):
    logging.getLogger("notifications").warning("短信发送失败 %s,身份证 %s", PHONE, "31010119900101123X")
    text = console.getvalue()
    assert "138****5678" in text and "310101********123X" in text
    assert PHONE not in text and "19900101" not in text


@pytest.mark.django_db
def test_a_not_found_request_with_a_phone_in_the_path_is_logged_masked(client, console):
    assert client.get(f"/cases/lookup/{PHONE}/?q={PHONE}").status_code == 404
    text = console.getvalue()
    assert "Not Found" in text and "138****5678" in text
    assert PHONE not in text


def test_the_runserver_access_line_masks_the_query_and_the_api_key(console):
    """django.server logs the request line, query string included, exactly as WSGIRequestHandler.log_message does."""
    stand_in = types.SimpleNamespace(request=None, log_date_time_string=lambda: "02/Dec/2026 10:00:00")
    WSGIRequestHandler.log_message(stand_in, '"%s" %s %s',
                                   f"GET /cases/?q={PHONE}&api_key=s3cr3t-k3y HTTP/1.1", "404", "179")
    text = console.getvalue()
    assert "GET /cases/?q=138****5678&api_key=*** HTTP/1.1" in text
    assert PHONE not in text and "s3cr3t" not in text


def test_a_traceback_quoting_a_phone_is_masked(console):
    try:
        raise ValueError(f"号码 {PHONE} 无法解析")
    except ValueError:
        logging.getLogger("cases").exception("处理失败")
    text = console.getvalue()
    assert "ValueError: 号码 138****5678 无法解析" in text and PHONE not in text


def test_handlers_set_up_outside_django_get_the_filter():
    """gunicorn configures its access and error logs before Django loads; OpsConfig.ready adds the filter to them."""
    logger = logging.getLogger("gunicorn.access.test")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        assert install_on_existing_handlers() >= 1
        logger.info('%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": f"GET /open311/v2/requests.json?api_key=k&q={PHONE} HTTP/1.1",
                                             "s": "200"})
    finally:
        logger.removeHandler(handler)
    assert out.getvalue().strip() == '10.0.0.1 "GET /open311/v2/requests.json?api_key=***&q=138****5678 HTTP/1.1" 200'
