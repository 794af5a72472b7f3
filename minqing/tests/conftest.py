"""The browser fixtures (chromium at /usr/bin/chromium, a logged-in page per user) for minqing's browser tests are
chengyun's (chengyun/tests/browser/conftest.py), so the apps' browser tests run the same way."""

from chengyun.tests.browser.conftest import browser, page_as  # noqa: F401
