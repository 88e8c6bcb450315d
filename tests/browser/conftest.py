"""Real-browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live_server.

* Never run ``playwright install`` here: the tests launch the system Chromium
  (``/usr/bin/chromium``, Debian package ``chromium``).
* Without that browser the tests are skipped with a loud reason, except on CI (the ``CI``
  environment variable is set), where a missing browser is a failure.
* A failing test leaves a full-page screenshot in ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("QMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 900}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEFAULT_TIMEOUT_MS = 10_000


def _browser_missing_reason() -> str | None:
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not installed: apt-get install chromium (looked for {CHROMIUM})"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright not installed: pip install -r requirements-dev.txt"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    reason = _browser_missing_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests cannot run on CI: {reason}", pytrace=False)
        pytest.skip(f"!!! BROWSER TESTS SKIPPED !!! {reason}")

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser_locale() -> str:
    """The browser's language (Accept-Language); override with parametrize or a fixture."""
    return "en"


@pytest.fixture
def page(browser, browser_locale, live_server, request):
    """A fresh browser context per test (no cookies carried over), 1366×900."""
    context = browser.new_context(
        viewport=VIEWPORT,
        locale=browser_locale,
        base_url=live_server.url,
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    try:
        yield tab
    finally:
        if _failed(request):
            _screenshot(tab, _artifact_name(request))
        context.close()


def _failed(request) -> bool:
    report = getattr(request.node, "rep_call", None)
    return report is not None and report.failed


def _artifact_name(request, suffix: str = "") -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:] + suffix


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    try:
        page.screenshot(path=str(target), full_page=True)
        print(f"\nScreenshot: {target}  (url: {page.url})")
    except Exception as exc:  # noqa: BLE001  (never hide the real failure)
        print(f"\nCould not save a screenshot: {exc}")


HOME_URL = re.compile(r"/$")


def sign_in(page, username: str, password: str | None = None) -> None:
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(HOME_URL)
    expect(page.locator("#user-menu")).to_be_visible()


def success_message(page):
    return page.locator(".messages .alert-success")


@pytest.fixture
def open_as(browser, live_server, request):
    """``open_as("name")``: a fresh browser context (own cookies) signed in as that user.

    Several people act in one test, each in their own context; every context is closed at
    the end, and on failure each one leaves a screenshot.
    """
    pages = []

    def _open(username: str):
        context = browser.new_context(
            viewport=VIEWPORT,
            locale="en",
            base_url=live_server.url,
            timezone_id="Asia/Ho_Chi_Minh",
            accept_downloads=True,
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page = context.new_page()
        pages.append((username, page))
        sign_in(page, username)
        return page

    yield _open

    for username, page in pages:
        if _failed(request):
            _screenshot(page, _artifact_name(request, f"_{username}"))
        page.context.close()


@pytest.fixture
def roles(transactional_db):
    """The role groups. A transactional test's flush drops them; re-sync (idempotent)."""
    from qms.roles import sync_roles

    sync_roles()
