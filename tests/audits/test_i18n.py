"""Audit pages in Vietnamese and Chinese: no English interface text."""

import pytest
from django.test import Client

from audits import services
from audits.models import Audit, AuditProgramme, ChecklistItem, Finding
from tests.audits.conftest import plan
from tests.qms.test_i18n import _data_values, _is_english_ui, _texts

pytestmark = pytest.mark.django_db


def _audit_data() -> set[str]:
    values = _data_values()
    for audit in Audit.objects.all():
        values |= {audit.reference, audit.title, str(audit), audit.summary, audit.conclusion}
        values |= set(audit.history.values_list("history_change_reason", flat=True))
    for item in ChecklistItem.objects.all():
        values |= {item.question, item.notes, item.evidence}
    for finding in Finding.objects.all():
        values |= {finding.requirement, finding.evidence, finding.statement}
    return {v for v in values if v}


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_no_english_on_audit_pages(audit_crew, org, language):
    planned = plan(audit_crew, org)
    started = plan(audit_crew, org, title="Đang đánh giá")
    services.checklist_generate(actor=audit_crew["lead"], audit=started)
    started = services.audit_move(actor=audit_crew["lead"], audit=started, move="prepare")
    started = services.audit_move(actor=audit_crew["lead"], audit=started, move="start")
    programme = AuditProgramme.objects.create(year=2030)
    manager = audit_crew["manager"]
    lead = audit_crew["lead"]
    pages_of = {
        manager: [
            "/audits/",
            "/audits/new/",
            f"/audits/{planned.pk}/",
            f"/audits/{planned.pk}/edit/",
            "/audits/programmes/",
            "/audits/programmes/new/",
            f"/audits/programmes/{programme.pk}/",
        ],
        lead: [f"/audits/{started.pk}/", "/"],
    }
    leaks = {}
    for user, urls in pages_of.items():
        for url in urls:
            pages = {}
            for code in ("en", language):
                user.language = code
                user.save()
                client = Client()
                client.force_login(user)
                response = client.get(url)
                assert response.status_code == 200, url
                pages[code] = _texts(response.content.decode())
            data = _audit_data()
            leaked = sorted(t for t in pages["en"] & pages[language] if _is_english_ui(t, data))
            if leaked:
                leaks[url] = leaked
    assert not leaks, f"English text on {language} pages: {leaks}"
