"""Nonconformity pages in Vietnamese and Chinese: no English interface text."""

import pytest
from django.test import Client

from nonconformities import services
from nonconformities.models import Action, Nonconformity
from tests.nonconformities.conftest import add_action, report, triaged
from tests.qms.test_i18n import _data_values, _is_english_ui, _texts

pytestmark = pytest.mark.django_db


def _nc_data() -> set[str]:
    values = _data_values()
    for nc in Nonconformity.objects.all():
        values |= {nc.number, nc.title, nc.description, str(nc), nc.root_cause, nc.correction}
        values |= set(nc.five_whys)
        for causes in (nc.fishbone or {}).values():
            values |= set(causes)
        values |= set(nc.history.values_list("history_change_reason", flat=True))
    for action in Action.objects.all():
        values |= {
            action.number,
            action.title,
            str(action),
            action.source_label,
            action.description,
        }
    return {v for v in values if v}


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_no_english_on_nonconformity_pages(crew, org, language):
    fresh = report(crew, org)
    nc = triaged(crew, org, severity="major")
    nc = services.start_analysis(actor=crew["owner"], nc=nc, version=nc.version)
    nc = services.save_analysis(
        actor=crew["owner"],
        nc=nc,
        five_whys=["Vì sao"],
        fishbone={"people": ["Thiếu đào tạo"]},
        root_cause="Chưa đào tạo",
        version=nc.version,
    )
    action = add_action(crew, nc)
    checking = triaged(crew, org)
    checking = services.start_analysis(actor=crew["owner"], nc=checking, version=checking.version)
    done = add_action(crew, checking, title="Xong")
    services.action_move(actor=crew["owner"], action=done, move="complete")
    manager = crew["manager"]
    urls = [
        "/nonconformities/",
        "/nonconformities/?status=open&severity=major",
        "/nonconformities/board/",
        "/nonconformities/report/",
        f"/nonconformities/{fresh.pk}/",
        f"/nonconformities/{nc.pk}/",
        f"/nonconformities/{checking.pk}/",
        "/nonconformities/actions/",
        "/nonconformities/actions/?overdue=yes",
        f"/nonconformities/actions/{action.pk}/",
        "/nonconformities/actions/new/",
        "/",
    ]
    leaks = {}
    for url in urls:
        pages = {}
        for code in ("en", language):
            manager.language = code
            manager.save()
            client = Client()
            client.force_login(manager)
            response = client.get(url)
            pages[code] = (
                _texts(response.content.decode()) if response.status_code == 200 else set()
            )
        data = _nc_data()
        leaked = sorted(t for t in pages["en"] & pages[language] if _is_english_ui(t, data))
        if leaked:
            leaks[url] = leaked
    assert not leaks, f"English text on {language} pages: {leaks}"
