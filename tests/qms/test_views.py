"""The administrator's pages, profile, language and passwords, as people use them."""

import time
from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from qms.models import CalendarDay, Department, Notification, SecurityEvent, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _user_form(org, **overrides):
    data = {
        "username": "thu.nguyen",
        "first_name": "Thu",
        "last_name": "Nguyễn Thị",
        "email": "thu.nguyen@agency.example",
        "department": org["a1"].pk,
        "job_title": "Chuyên viên",
        "phone": "0912 345 678",
        "language": "vi",
        "is_active": "on",
        "roles": ["staff", "process_owner"],
    }
    data.update(overrides)
    return data


def test_admin_creates_a_user_who_gets_a_set_password_email(client, admin_user, org):
    client.force_login(admin_user)
    response = client.post("/admin/users/new/", _user_form(org))
    user = User.objects.get(username="thu.nguyen")
    assert response.status_code == 302 and response["Location"] == f"/admin/users/{user.pk}/"
    assert set(user.groups.values_list("name", flat=True)) == {"staff", "process_owner"}
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["thu.nguyen@agency.example"]
    assert "/accounts/reset/" in mail.outbox[0].body
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {"user_created", "roles_changed"} <= kinds
    assert user.history.first().history_user == admin_user


def test_weak_initial_password_is_refused_next_to_the_field(client, admin_user, org):
    client.force_login(admin_user)
    response = client.post("/admin/users/new/", _user_form(org, password="12345678"))
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(username="thu.nguyen").exists()


def test_duplicate_username_or_email_is_refused(client, admin_user, org):
    UserFactory(username="thu.nguyen", email="other@agency.example")
    UserFactory(username="someone", email="thu.nguyen@agency.example")
    client.force_login(admin_user)
    response = client.post("/admin/users/new/", _user_form(org))
    errors = response.context["form"].errors
    assert "username" in errors and "email" in errors


def test_deactivating_and_changing_roles_is_logged(client, admin_user, org):
    user = UserFactory(department=org["a"], roles=["staff"])
    client.force_login(admin_user)
    data = _user_form(org, username=user.username, email=user.email, roles=["qms_manager"])
    data.pop("is_active")
    client.post(f"/admin/users/{user.pk}/edit/", data)
    user.refresh_from_db()
    assert not user.is_active
    assert list(user.groups.values_list("name", flat=True)) == ["qms_manager"]
    roles_event = SecurityEvent.objects.get(kind="roles_changed")
    assert roles_event.details == {"added": ["qms_manager"], "removed": ["staff"]}
    assert SecurityEvent.objects.filter(kind="user_deactivated").count() == 1


def test_an_administrator_cannot_deactivate_themself(client, admin_user, org):
    client.force_login(admin_user)
    data = _user_form(
        org, username=admin_user.username, email=admin_user.email, roles=["administrator"]
    )
    data.pop("is_active")
    response = client.post(f"/admin/users/{admin_user.pk}/edit/", data)
    assert "You cannot deactivate your own account." in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_moving_a_department_moves_its_units(client, admin_user, org):
    client.force_login(admin_user)
    a = org["a"]
    response = client.post(
        f"/departments/{a.pk}/edit/",
        {"code": "A", "name": a.name, "parent": org["b"].pk, "is_active": "on"},
    )
    assert response.status_code == 302
    assert Department.objects.get(code="A").path == "AG/B/A/"
    unit = Department.objects.get(code="A1")
    assert unit.path == "AG/B/A/A1/" and unit.depth == 3
    assert unit.history.first().history_user == admin_user


def test_a_department_cannot_go_under_its_own_unit(client, admin_user, org):
    client.force_login(admin_user)
    response = client.post(
        f"/departments/{org['a'].pk}/edit/",
        {"code": "A", "name": "Phòng A", "parent": org["a1"].pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "cannot be placed under itself" in response.content.decode()
    assert Department.objects.get(code="A").path == "AG/A/"


def test_department_code_rules_are_explained(client, admin_user, org):
    client.force_login(admin_user)
    response = client.post("/departments/new/", {"code": "phòng a", "name": "X"})
    assert "Use capital letters" in response.content.decode()
    response = client.post("/departments/new/", {"code": "A", "name": "X"})
    assert "already exists" in response.content.decode()


def test_adding_the_lunar_new_year_skips_its_weekend(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/calendar/new/",
        {"first": "2026-02-14", "last": "2026-02-22", "kind": "holiday", "name": "Tết Nguyên đán"},
    )
    assert response.status_code == 302
    days = list(CalendarDay.objects.values_list("date", flat=True))
    assert days == [date(2026, 2, d) for d in (16, 17, 18, 19, 20)]
    response = client.post(
        "/admin/calendar/new/",
        {"first": "2026-02-20", "kind": "holiday", "name": "Again"},
    )
    assert "Already in the calendar: 2026-02-20." in response.content.decode()
    assert CalendarDay.objects.count() == 5


def test_calendar_range_errors_are_clear(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/calendar/new/",
        {"first": "2026-03-10", "last": "2026-03-01", "kind": "holiday", "name": "X"},
    )
    assert "The last day must not be before the first day." in response.content.decode()
    response = client.post("/admin/calendar/new/", {"first": "31/02/2026", "kind": "holiday"})
    assert response.context["form"].errors["first"]
    assert CalendarDay.objects.count() == 0


def test_language_choice_is_remembered_on_the_account(client, org):
    user = UserFactory(department=org["a"], language="en")
    client.force_login(user)
    client.post("/language/", {"language": "zh-hans", "next": "/"})
    user.refresh_from_db()
    assert user.language == "zh-hans"
    client.logout()
    client.force_login(user)
    response = client.get("/")
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


def test_unknown_language_and_foreign_redirect_are_refused(client, org):
    user = UserFactory(department=org["a"], language="en")
    client.force_login(user)
    response = client.post("/language/", {"language": "klingon", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    user.refresh_from_db()
    assert user.language == "en"


def test_profile_edits_only_the_users_own_details(client, org):
    user = UserFactory(department=org["a"], roles=["staff"])
    client.force_login(user)
    client.post(
        "/accounts/profile/",
        {
            "first_name": "Mai",
            "last_name": "Ngô",
            "email": "mai@agency.example",
            "phone": "0988",
            "job_title": "Công chức",
            "language": "vi",
            "department": org["b"].pk,
            "is_superuser": "on",
        },
    )
    user.refresh_from_db()
    assert (user.first_name, user.phone, user.language) == ("Mai", "0988", "vi")
    assert user.department == org["a"] and not user.is_superuser


def test_password_change_is_validated_and_logged(client, org):
    user = UserFactory(department=org["a"])
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Rice-Field-Lantern-42",
            "new_password2": "Rice-Field-Lantern-42",
        },
    )
    assert response.status_code == 302
    assert SecurityEvent.objects.filter(kind="password_changed", actor=user).exists()


def test_password_reset_by_email_end_to_end(client, org):
    user = UserFactory(department=org["a"], email="lan@agency.example")
    client.post("/accounts/password-reset/", {"email": "lan@agency.example"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link[link.index("/accounts/reset/") :]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "Mekong-Delta-Sunrise-7", "new_password2": "Mekong-Delta-Sunrise-7"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Mekong-Delta-Sunrise-7")
    assert SecurityEvent.objects.filter(kind="password_reset", actor=user).exists()


def test_an_idle_session_ends_but_the_bell_refresh_does_not_keep_it_alive(client, org):
    user = UserFactory(department=org["a"])
    client.force_login(user)
    start = int(time.time())

    def at(seconds):
        from unittest import mock

        return mock.patch("django.utils.timezone.now", return_value=_utc(start + seconds))

    with at(0):
        assert client.get("/").status_code == 200
    idle = settings.SESSION_IDLE_MINUTES * 60
    with at(idle - 60):
        assert client.get("/notifications/badge/").status_code == 200  # background refresh
    with at(idle + 60):
        response = client.get("/departments/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_activity_keeps_the_session_alive(client, org):
    user = UserFactory(department=org["a"])
    client.force_login(user)
    idle = settings.SESSION_IDLE_MINUTES * 60
    from unittest import mock

    for step in range(4):
        moment = _utc(int(time.time()) + step * (idle - 60))
        with mock.patch("django.utils.timezone.now", return_value=moment):
            assert client.get("/").status_code == 200


def _utc(seconds):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, tz=UTC)


def test_notifications_open_and_mark_read(client, org):
    user = UserFactory(department=org["a"])
    other = UserFactory(department=org["a"])
    mine = Notification.objects.create(recipient=user, message="Hello", url="/departments/")
    theirs = Notification.objects.create(recipient=other, message="Private")
    client.force_login(user)
    assert client.get(reverse("qms:notification_open", args=[theirs.pk])).status_code == 404
    response = client.get(reverse("qms:notification_open", args=[mine.pk]))
    assert response["Location"] == "/departments/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    Notification.objects.create(recipient=user, message="Two")
    client.post(reverse("qms:notification_read_all"))
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_bell_refreshes_its_count(client, org):
    user = UserFactory(department=org["a"])
    client.force_login(user)
    assert "unread-count" not in client.get("/notifications/badge/").content.decode()
    Notification.objects.create(recipient=user, message="Hello")
    assert 'data-testid="unread-count">1<' in client.get("/notifications/badge/").content.decode()


def test_home_shows_the_unread_count_and_the_empty_state(client, org):
    user = UserFactory(department=org["a"])
    Notification.objects.create(recipient=user, message="Hello")
    client.force_login(user)
    content = client.get("/").content.decode()
    assert 'data-testid="unread-count">1<' in content
    assert 'data-testid="tasks-empty"' in content


def test_administrator_task_asks_for_missing_holidays(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/")
    titles = [task.title for task in response.context["tasks"]]
    year = response.context["today"].year
    assert f"Enter the public holidays and make-up working days for {year}" in titles


def test_activity_page_filters_by_user_and_module(client, role_users, org):
    admin = role_users["administrator"]
    client.force_login(admin)
    client.post(
        "/admin/calendar/new/", {"first": "2026-09-02", "kind": "holiday", "name": "Quốc khánh"}
    )
    manager = role_users["qms_manager"]
    client.force_login(manager)
    response = client.get("/activity/", {"user": admin.username})
    entries = response.context["entries"]
    assert len(entries) == 1
    assert entries[0]["entry_model"] == "qms.calendarday" and entries[0]["user"] == admin
    response = client.get("/activity/", {"model": "qms.department"})
    assert {e["entry_label"] for e in response.context["entries"]} >= {"A", "B"}
    response = client.get("/activity/", {"date_from": "not a date"})
    assert response.context["form"].errors["date_from"]


def test_activity_pages_newest_first_and_shows_a_change_at_once(client, role_users, org):
    """The activity page's union is compiled once and kept; its rows are read anew."""
    from qms.services import department_save

    manager = role_users["qms_manager"]
    client.force_login(manager)
    for number in range(60):
        department_save(
            actor=role_users["administrator"],
            department=Department(code=f"U{number:02d}", name=f"Unit {number}", parent=org["a"]),
        )
    first = client.get("/activity/", {"model": "qms.department"})
    labels = [entry["entry_label"] for entry in first.context["entries"]]
    assert len(labels) == 50 and labels[0] == "U59" and labels[1] == "U58"
    assert first.context["page_obj"].paginator.num_pages == 2
    dates = [entry["history_date"] for entry in first.context["entries"]]
    assert all(d.tzinfo is not None for d in dates) and dates == sorted(dates, reverse=True)
    second = client.get("/activity/", {"model": "qms.department", "page": 2})
    older = [entry["entry_label"] for entry in second.context["entries"]]
    assert "U00" in older and not set(older) & set(labels)
    # the same filter again, after a change: the kept query reads the new row
    renamed = Department.objects.get(code="U00")
    renamed.name = "Renamed unit"
    department_save(actor=role_users["administrator"], department=renamed, reason="renamed")
    again = client.get("/activity/", {"model": "qms.department"})
    assert again.context["entries"][0]["entry_label"] == "U00"
    assert again.context["entries"][0]["history_type"] == "~"


def test_names_are_written_family_name_first():
    assert User(first_name="Đức", last_name="Trần Minh").get_full_name() == "Trần Minh Đức"
    assert User(first_name="小明", last_name="王").get_full_name() == "王小明"
    assert str(User(username="lan")) == "lan"


def test_an_invited_user_who_lost_the_link_can_use_forgotten_password(client, admin_user, org):
    client.force_login(admin_user)
    client.post("/admin/users/new/", _user_form(org))
    client.logout()
    mail.outbox.clear()
    client.post("/accounts/password-reset/", {"email": "thu.nguyen@agency.example"})
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_production_warns_when_email_is_not_configured(settings):
    from qms.checks import email_is_configured

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert [w.id for w in email_is_configured(None)] == ["qms.W001"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert email_is_configured(None) == []


def test_production_warns_when_the_cache_is_not_shared(settings):
    from qms.checks import cache_is_shared

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in cache_is_shared(None)] == ["qms.W002"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    assert cache_is_shared(None) == []


def test_health_page_needs_no_database_and_no_sign_in(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.status_code == 200 and b"ok" in response.content


def test_the_menu_follows_roles_and_language_at_once(client, org):
    """The menu is built once per language and access (qms.context_processors.navigation);
    a new role or another language shows at the next page."""
    user = UserFactory(username="lan", department=org["a"], roles=["staff"])
    other = UserFactory(username="minh", department=org["a"], roles=["staff"])
    client.force_login(user)
    security_log = f'href="{reverse("qms:security_log")}"'
    page = client.get(reverse("qms:home")).content.decode()
    assert security_log not in page and 'aria-current="page"' in page
    user.groups.add(*Group.objects.filter(name="administrator"))
    page = client.get(reverse("qms:home")).content.decode()
    assert security_log in page
    client.post(reverse("qms:language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("documents:document_list")).content.decode()
    menu = page.split('id="portal-nav"')[1].split("</nav>")[0]
    assert "文件清单" in menu and security_log in menu and "Document register" not in menu
    client.force_login(other)  # same roles, English: not the administrator's menu
    page = client.get(reverse("qms:home")).content.decode()
    assert security_log not in page and "Document register" in page


def test_the_sidebar_marks_the_page_shown_and_only_it(client, org):
    """The sidebar is written from the kept menu (qms.context_processors.Menu): the entry of
    the page shown is the one marked active, with aria-current, in the user's language."""
    user = UserFactory(username="lan", department=org["a"], roles=["staff"])
    client.force_login(user)

    def marked(url: str) -> list[str]:
        menu = client.get(url).content.decode().split('id="portal-nav"')[1].split("</nav>")[0]
        entries = [part.split("</a>")[0] for part in menu.split('<a class="nav-link')[1:]]
        return [entry for entry in entries if 'aria-current="page"' in entry]

    for url in (
        reverse("qms:home"),
        reverse("records:record_list"),
        reverse("qms:notification_list"),
    ):
        (entry,) = marked(url)
        assert entry.startswith(f' active" href="{url}"')
    assert marked(reverse("records:record_create")) == []  # not an entry of the menu
    user.language = "vi"
    user.save()
    (entry,) = marked(reverse("records:record_list"))
    assert "Hồ sơ" in entry
