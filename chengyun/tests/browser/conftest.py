"""Browser tests: Debian's chromium driven by Playwright against a live Django server."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"
# Playwright's sync API runs an event loop in this thread; Django must still allow its ORM calls here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# One Playwright (and one chromium) per test process: an app's tests/conftest.py that imports these fixtures
# (minqing/tests/conftest.py) registers them again, and a second sync Playwright beside a running one fails.
_RUNNING: dict = {"users": 0}


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip("没有找到 /usr/bin/chromium(apt-get install -y chromium),跳过浏览器测试")
    from playwright.sync_api import sync_playwright

    if not _RUNNING["users"]:
        _RUNNING["playwright"] = playwright = sync_playwright().start()
        _RUNNING["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
    _RUNNING["users"] += 1
    yield _RUNNING["browser"]
    _RUNNING["users"] -= 1
    if not _RUNNING["users"]:
        _RUNNING.pop("browser").close()
        _RUNNING.pop("playwright").stop()


@pytest.fixture
def page_as(browser, live_server):
    """page_as(user) → a logged-in page of its own browser context."""
    contexts = []

    def login(user, *, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "chengyun-test-pw")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")  # the role's workbench
        page.goto(f"{live_server.url}/cases/")
        return page

    yield login
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
