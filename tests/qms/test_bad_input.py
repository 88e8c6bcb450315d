"""Hostile values in addresses get a page, never a server error (found by crawling every
page the demo agency's people reach and sending each of its parameters bad values)."""

import pytest

from qms.views.generic import posted_int

pytestmark = pytest.mark.django_db

NUL = "a\x00b"  # PostgreSQL refuses it in any text value


def test_a_whole_number_is_ascii_or_unicode_digits_only():
    assert posted_int("12") == 12
    assert posted_int("１２") == 12  # full-width digits, as a Chinese keyboard types them
    assert posted_int("²") is None  # a digit for str.isdigit, not for int()
    assert posted_int("-1") is None and posted_int("") is None and posted_int(None) is None


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/procedures/performance/", {"department": "²"}),
        ("/planning/annual-report/", {"year": "²"}),
        ("/search/", {"q": NUL}),
        ("/activity/", {"object_id": "99999999999999999999"}),
        ("/documents/new/", {"parent": "²"}),
        ("/records/new/", {"type": "²"}),
        ("/audits/new/", {"programme": "²"}),
        ("/procedures/cases/receive/", {"procedure": "²"}),
        ("/public/complaints/", {"procedure": "²"}),
    ],
)
def test_signed_in_pages_refuse_bad_values_quietly(client, role_users, path, params):
    client.force_login(role_users["qms_manager"])
    response = client.get(path, params)
    assert response.status_code in (200, 404), (path, params, response.status_code)


def test_the_activity_page_says_an_id_is_too_large(client, role_users):
    client.force_login(role_users["qms_manager"])
    response = client.get("/activity/", {"object_id": "99999999999999999999"})
    assert response.status_code == 200
    assert response.context["form"].errors["object_id"]
    assert response.context["entries"] == []


@pytest.mark.parametrize("path", ["/public/", "/public/procedures/"])
def test_public_pages_ignore_a_nul_in_the_search(client, path):
    response = client.get(path, {"q": NUL, "field": NUL})
    assert response.status_code == 200
