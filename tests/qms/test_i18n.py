"""Every page in Vietnamese and Chinese: no English interface text leaks through.

A text node (or aria-label/title/placeholder) that is plain English in the English page and
appears unchanged in the Vietnamese or Chinese page is a leak, unless it is data (names,
codes, e-mail addresses) or one of the few words that are the same in every language.
"""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from qms.models import Attachment, CalendarDay, Department, Notification, User

pytestmark = pytest.mark.django_db

SAME_IN_EVERY_LANGUAGE = {"CSV", "Excel", "PDF", "#", "ISO", "SHA-256", "IP", "English", "—"}
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


class _TextCollector(HTMLParser):
    ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

    def __init__(self):
        super().__init__()
        self.texts: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self._skip += 1
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.texts.add(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.texts.add(text)


def _texts(html: str) -> set[str]:
    parser = _TextCollector()
    parser.feed(html)
    return parser.texts


def _data_values() -> set[str]:
    values: set[str] = set()
    for user in User.objects.all():
        values |= {user.username, user.email, user.first_name, user.last_name, str(user)}
        values |= {user.job_title, user.get_full_name()}
    for department in Department.objects.all():
        values |= {department.code, department.name}
    values |= set(CalendarDay.objects.values_list("name", flat=True))
    values |= set(Attachment.objects.values_list("original_name", flat=True))
    return {v for v in values if v}


def _is_english_ui(text: str, data: set[str]) -> bool:
    if text in data or text in SAME_IN_EVERY_LANGUAGE:
        return False
    if not ENGLISH_WORD.search(text) or not text.isascii():
        return False
    stripped = text
    for value in sorted(data, key=len, reverse=True):
        stripped = stripped.replace(value, "")
    return bool(ENGLISH_WORD.search(stripped))


def _pages(org, users):
    admin = users["administrator"]
    day = CalendarDay.objects.create(date="2026-09-02", name="Quốc khánh")
    Notification.objects.create(
        recipient=admin,
        message="Welcome to the quality management portal. Your tasks appear on the home page.",
        url="/",
    )
    return [
        "/",
        "/notifications/",
        "/accounts/profile/",
        "/accounts/password/",
        "/departments/",
        f"/departments/{org['a'].pk}/",
        "/departments/new/",
        f"/departments/{org['a'].pk}/edit/",
        "/admin/users/",
        "/admin/users/?is_active=active&role=staff",
        "/admin/users/new/",
        f"/admin/users/{users['staff'].pk}/",
        f"/admin/users/{users['staff'].pk}/edit/",
        "/admin/calendar/",
        "/admin/calendar/new/",
        f"/admin/calendar/{day.pk}/edit/",
        "/activity/",
        "/admin/security-log/?verify=1",
        "/departments/999999/",
    ]


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_no_english_on_signed_in_pages(role_users, org, language):
    admin = role_users["administrator"]
    leaks = {}
    for url in _pages(org, role_users):
        pages = {}
        for code in ("en", language):
            admin.language = code
            admin.save()
            client = Client()
            client.force_login(admin)
            response = client.get(url)
            assert response.status_code in (200, 404), url
            pages[code] = _texts(response.content.decode())
        data = _data_values()
        leaked = sorted(t for t in pages["en"] & pages[language] if _is_english_ui(t, data))
        if leaked:
            leaks[url] = leaked
    assert not leaks, f"English text on {language} pages: {leaks}"


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_no_english_on_public_pages(db, language):
    leaks = {}
    for url in ["/accounts/login/", "/accounts/password-reset/", "/accounts/password-reset/sent/"]:
        english = _texts(Client(headers={"accept-language": "en"}).get(url).content.decode())
        other = _texts(Client(headers={"accept-language": language}).get(url).content.decode())
        leaked = sorted(t for t in english & other if _is_english_ui(t, set()))
        if leaked:
            leaks[url] = leaked
    assert not leaks, f"English text on {language} pages: {leaks}"
