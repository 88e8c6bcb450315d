"""The platform's pages in a real browser: sign-in, language, administration, keyboard use.

Each test asserts what a person at the screen would notice, not the HTML behind it.
"""

from __future__ import annotations

import re
import warnings
from functools import cache
from pathlib import Path

import pytest
from django.utils.translation import to_locale
from playwright.sync_api import Page, expect

from qms.models import CalendarDay, Department, User
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = pytest.mark.browser

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
LOGIN_URL = re.compile(r"/accounts/login/(\?.*)?$")


# --- helpers ------------------------------------------------------------------------


@cache
def _catalogue(language: str) -> dict[str, str]:
    """msgid -> msgstr of the language's .po file as it is on disk right now."""
    import polib

    po_path = LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"
    if not po_path.exists():
        return {}
    return {
        entry.msgid: entry.msgstr
        for entry in polib.pofile(str(po_path))
        if not entry.obsolete and not entry.msgctxt and "fuzzy" not in entry.flags
    }


def expect_translated(locator, language: str, msgid: str) -> None:
    """The element shows the catalogue's translation of ``msgid`` and not the English.

    While a string is still untranslated in the catalogue Django shows the English, so only
    that can be asserted; the test then warns instead of pretending to check a translation.
    """
    translated = _catalogue(language).get(msgid, "").strip()
    if not translated:
        warnings.warn(
            f"locale/{to_locale(language)}: {msgid!r} is not translated yet; "
            "only the page language is checked",
            stacklevel=2,
        )
        return
    expect(
        locator,
        f"{msgid!r} should read {translated!r} in {language} "
        "(if the .po has it, is the .mo compiled? python scripts/translations.py compile)",
    ).to_have_text(translated)


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()


def open_user_menu(page: Page) -> None:
    page.locator("#user-menu").click()
    expect(page.locator("[aria-labelledby=user-menu]")).to_be_visible()


def sign_out(page: Page) -> None:
    open_user_menu(page)
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(LOGIN_URL)


def switch_language(page: Page, code: str) -> None:
    open_user_menu(page)
    page.locator(f'#user-menu + .dropdown-menu button[data-language="{code}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def nav_link(page: Page, href: str):
    return page.locator(f'nav.portal-sidebar a[href="{href}"]')


# --- tests --------------------------------------------------------------------------


def test_sign_in_see_my_tasks_and_sign_out(page: Page, roles):
    user = UserFactory(username="lan", first_name="Lan", last_name="Trần Thị", roles=["staff"])

    sign_in(page, "lan")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#tasks-title")).to_have_text("My tasks")
    expect(nav_link(page, "/")).to_have_text("My tasks")
    empty = page.get_by_test_id("tasks-empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("Nothing is waiting for you.")
    expect(page.locator("#user-menu")).to_contain_text(user.get_full_name())
    # The portal's styles and icon font arrived: a coloured header bar and real icons.
    header = page.locator("header.portal-header").evaluate(
        "el => [getComputedStyle(el).backgroundImage, getComputedStyle(el).backgroundColor]"
    )
    assert header[0] != "none" or header[1] not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    icon_font_loaded = page.evaluate(
        """async () => { await document.fonts.ready;
           return [...document.fonts].some(
             f => f.family.includes('bootstrap-icons') && f.status === 'loaded'); }"""
    )
    assert icon_font_loaded, "the Bootstrap Icons font did not load: icons show as blanks"

    sign_out(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("#id_username")).to_be_visible()


def test_wrong_password_shows_the_error_and_stays_on_sign_in(page: Page, roles):
    UserFactory(username="lan", roles=["staff"])

    sign_in(page, "lan", password="not-the-password")

    expect(page).to_have_url(LOGIN_URL)
    alert = page.locator("main .alert-danger[role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("The user name or password is not correct.")
    expect(page.locator("#id_username")).to_have_value("lan")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("#user-menu")).to_have_count(0)  # not signed in


def test_language_switch_is_kept_on_the_account(page: Page, roles):
    user = UserFactory(username="lan", language="en", roles=["staff"])
    sign_in(page, "lan")
    expect(nav_link(page, "/")).to_have_text("My tasks")

    switch_language(page, "vi")

    expect_translated(nav_link(page, "/"), "vi", "My tasks")
    expect_translated(page.locator("#tasks-title"), "vi", "My tasks")
    if _catalogue("vi").get("My tasks"):
        expect(page.get_by_text("My tasks", exact=True)).to_have_count(0)

    # Another page is Vietnamese as well.
    page.goto("/notifications/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect_translated(nav_link(page, "/"), "vi", "My tasks")
    user.refresh_from_db()
    assert user.language == "vi"

    # Stored on the account, not only in the browser: forget every cookie, sign in again.
    sign_out(page)
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the browser says English
    sign_in(page, "lan")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect_translated(nav_link(page, "/"), "vi", "My tasks")

    switch_language(page, "zh-hans")

    open_user_menu(page)
    logout = page.get_by_test_id("logout")
    expect(logout).to_be_visible()
    expect_translated(logout, "zh-hans", "Sign out")
    if _catalogue("zh-hans").get("Sign out"):
        expect(logout).not_to_contain_text("Sign out")
    user.refresh_from_db()
    assert user.language == "zh-hans"


def test_administrator_adds_a_department_and_a_holiday_run(page: Page, roles):
    home = DepartmentFactory(code="VP", name="Văn phòng Sở")
    UserFactory(username="quantri", department=home, roles=["administrator"])
    sign_in(page, "quantri")
    expect(page).to_have_url(re.compile(r"/$"))

    # A department, through the portal's own form.
    page.goto("/departments/new/")
    page.fill("#id_code", "VP-ISO")
    page.fill("#id_name", "Tổ ISO và Cải cách hành chính")
    page.select_option("#id_parent", label="Văn phòng Sở")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/departments/\d+/$"))
    expect(page.locator("main .alert-success")).to_contain_text("The department was saved.")
    expect(page.locator("main h1")).to_have_text("Tổ ISO và Cải cách hành chính")
    created = Department.objects.get(code="VP-ISO")
    assert created.parent == home

    page.goto("/departments/")
    row = page.locator("main table tbody tr", has_text="Tổ ISO và Cải cách hành chính")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("VP-ISO")
    expect(row.get_by_role("link")).to_have_attribute("href", f"/departments/{created.pk}/")

    # A public holiday run (National Day, Monday and Tuesday).
    page.goto("/admin/calendar/new/")
    page.fill("#id_first", "2030-09-02")
    page.fill("#id_last", "2030-09-03")
    page.select_option("#id_kind", value=CalendarDay.Kind.HOLIDAY)
    page.fill("#id_name", "Quốc khánh")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/admin/calendar/\?year=2030$"))
    expect(page.locator("main .alert-success")).to_contain_text("2 days added.")
    rows = page.locator("main table tbody tr", has_text="Quốc khánh")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Monday")

    page.goto("/admin/calendar/")
    expect(page.locator("main table tbody tr", has_text="Quốc khánh")).to_have_count(2)
    expect(page.locator("main nav .nav-pills").get_by_role("link", name="2030")).to_be_visible()
    assert CalendarDay.objects.filter(name="Quốc khánh").count() == 2


def test_skip_link_is_the_first_thing_the_keyboard_reaches(page: Page, roles):
    UserFactory(username="lan", roles=["staff"])
    sign_in(page, "lan")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/")  # a fresh document: focus starts at the top

    skip = page.locator("a.skip-link")
    expect(skip).not_to_be_in_viewport()  # hidden until focused

    page.keyboard.press("Tab")

    focused_text = page.evaluate("document.activeElement.textContent.trim()")
    assert focused_text == "Skip to main content"
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # it becomes visible

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    assert page.evaluate("document.activeElement.id") == "main"


def test_users_language_is_used_from_the_first_page(page: Page, roles):
    """A user who chose Vietnamese gets it right after signing in on an English browser."""
    UserFactory(username="hoa", language="vi", roles=["staff"])
    sign_in(page, "hoa")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect_translated(
        page.get_by_test_id("tasks-empty").locator("p").first, "vi", "Nothing is waiting for you."
    )
    assert User.objects.get(username="hoa").language == "vi"
