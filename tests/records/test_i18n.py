"""Records pages in Vietnamese and Chinese: no English interface text."""

from datetime import date

import pytest
from django.test import Client

from records import services
from records.models import Record, RecordType
from tests.qms.test_i18n import _data_values, _is_english_ui, _texts
from tests.records.conftest import make_type, register

pytestmark = pytest.mark.django_db


def _record_data() -> set[str]:
    values = _data_values()
    for record_type in RecordType.objects.all():
        values |= {record_type.code, record_type.name, str(record_type), record_type.location}
    for record in Record.objects.all():
        values |= {record.title, record.reference, str(record), record.physical_location}
        values |= {record.legal_hold_reason}
        values |= set(record.history.values_list("history_change_reason", flat=True))
    from qms.models import Signature

    values |= {f"SHA-256 {h}" for h in Signature.objects.values_list("content_sha256", flat=True)}
    return {v for v in values if v}


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_no_english_on_records_pages(cast, org, language):
    meetings = make_type(cast, org)
    old = register(cast, org, meetings, date(2018, 1, 5))
    held = register(cast, org, meetings, date(2018, 2, 5))
    services.hold_set(actor=cast["manager"], target=held, held=True, reason="Thanh tra")
    batch = services.disposal_propose()
    manager = cast["manager"]
    urls = [
        "/records/",
        "/records/?retention=ended&hold=no",
        "/records/new/",
        f"/records/{old.pk}/",
        f"/records/{held.pk}/",
        f"/records/{old.pk}/correct/",
        "/records/types/",
        f"/records/types/{meetings.pk}/",
        f"/records/types/{meetings.pk}/edit/",
        "/records/types/new/",
        "/records/disposal/",
        f"/records/disposal/{batch.pk}/",
    ]
    from tests.factories import PASSWORD

    approved = {}
    leaks = {}
    for url in urls + ["approved"]:
        pages = {}
        for code in ("en", language):
            manager.language = code
            manager.save()
            client = Client()
            client.force_login(manager)
            if url == "approved":
                if not approved:
                    services.batch_approve(
                        actor=manager, batch=batch, password=PASSWORD, version=batch.version
                    )
                    approved["batch"] = True
                target = f"/records/disposal/{batch.pk}/"
            else:
                target = url
            response = client.get(target)
            pages[code] = (
                _texts(response.content.decode()) if response.status_code == 200 else set()
            )
        data = _record_data()
        leaked = sorted(t for t in pages["en"] & pages[language] if _is_english_ui(t, data))
        if leaked:
            leaks[url] = leaked
    assert not leaks, f"English text on {language} pages: {leaks}"
