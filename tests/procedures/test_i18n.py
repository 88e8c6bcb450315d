"""Procedure pages in Vietnamese and Chinese: no English interface text."""

import pytest
from django.test import Client

from procedures.models import DossierItem, Procedure, ProcedureStep, Process
from tests.procedures.conftest import make_procedure, make_process
from tests.qms.test_i18n import _data_values, _is_english_ui, _texts

pytestmark = pytest.mark.django_db


def _data() -> set[str]:
    values = _data_values()
    for procedure in Procedure.objects.all():
        values |= {procedure.code, procedure.name, procedure.field, str(procedure)}
        values |= set(procedure.history.values_list("history_change_reason", flat=True))
    for process in Process.objects.all():
        values |= {process.code, process.name, str(process)}
    values |= set(ProcedureStep.objects.values_list("name", flat=True))
    values |= set(DossierItem.objects.values_list("name", flat=True))
    from procedures.models import Feedback, ServiceCase

    for item in Feedback.objects.all():
        values |= {item.number, item.text, str(item)}
    for case in ServiceCase.objects.all():
        values |= {case.receipt_code, case.applicant_name, case.applicant_phone, str(case)}
    return {v for v in values if v}


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_no_english_on_procedure_pages(manager, org, language):
    from procedures import services
    from tests.procedures.conftest import APPLICANT

    procedure = make_procedure(manager, org)
    process = make_process(manager, org)
    case = services.case_receive(actor=manager, procedure=procedure, applicant=APPLICANT)
    feedback = services.complaint_submit(text="Phải chờ quá lâu tại quầy", procedure=procedure)
    urls = [
        "/procedures/performance/",
        "/procedures/feedback/",
        f"/procedures/feedback/{feedback.pk}/",
        "/public/",
        "/public/cases/",
        "/public/complaints/",
        "/procedures/cases/",
        "/procedures/cases/receive/",
        f"/procedures/cases/receive/?procedure={procedure.pk}",
        f"/procedures/cases/{case.pk}/",
        "/procedures/",
        f"/procedures/{procedure.pk}/",
        f"/procedures/{procedure.pk}/edit/",
        "/procedures/new/",
        "/procedures/import/",
        "/procedures/processes/",
        "/procedures/processes/map/",
        f"/procedures/processes/{process.pk}/",
        f"/procedures/processes/{process.pk}/edit/",
        "/public/procedures/",
        f"/public/procedures/{procedure.pk}/",
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
            assert response.status_code == 200, url
            pages[code] = _texts(response.content.decode())
        leaked = sorted(t for t in pages["en"] & pages[language] if _is_english_ui(t, _data()))
        if leaked:
            leaks[url] = leaked
    assert not leaks, f"English text on {language} pages: {leaks}"
