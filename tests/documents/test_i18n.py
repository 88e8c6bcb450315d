"""Document pages in Vietnamese and Chinese: no English interface text."""

import pytest
from django.test import Client

from documents import services
from documents.models import Document, ExternalDocument, Revision
from tests.documents.conftest import run_through, start
from tests.qms.test_i18n import _data_values, _is_english_ui, _texts

pytestmark = pytest.mark.django_db


def _document_data() -> set[str]:
    values = _data_values()
    for document in Document.objects.all():
        values |= {document.code, document.title, str(document)}
    for external in ExternalDocument.objects.all():
        values |= {external.number, external.title, external.issuing_body, str(external)}
    from qms.models import Signature

    values |= {f"SHA-256 {h}" for h in Signature.objects.values_list("content_sha256", flat=True)}
    for revision in Revision.objects.select_related("file"):
        values |= {revision.change_summary, revision.file.original_name if revision.file else ""}
    return {v for v in values if v}


@pytest.mark.parametrize("language", ["vi", "zh-hans"])
def test_no_english_on_document_pages(people, org, procedure, language):
    services.distribution_add(actor=people["owner"], document=procedure, department=org["a"])
    first = run_through(people, start(people, procedure))
    second = services.revision_submit(
        actor=people["owner"],
        revision=start(people, procedure, text="Lần 2", summary="Sửa đổi"),
        version=None,
    )
    law = services.external_save(
        actor=people["controller"],
        external=ExternalDocument(
            kind="decree",
            number="61/2018/NĐ-CP",
            title="Nghị định một cửa",
            issuing_body="Chính phủ",
        ),
    )
    urls = [
        "/documents/",
        "/documents/?review=overdue&status=effective",
        f"/documents/{procedure.pk}/",
        f"/documents/{procedure.pk}/edit/",
        f"/documents/{procedure.pk}/distribution/",
        "/documents/new/",
        f"/documents/revisions/{first.pk}/",
        f"/documents/revisions/{second.pk}/",
        f"/documents/revisions/{first.pk}/acknowledgements/",
        "/documents/external/",
        f"/documents/external/{law.pk}/",
        f"/documents/external/{law.pk}/edit/",
        "/documents/types/",
        "/documents/types/form/",
        "/search/?q=quy+trinh",
        "/",
    ]
    leaks = {}
    for who in ("controller", "reviewer"):
        user = people[who]
        for url in urls:
            pages = {}
            for code in ("en", language):
                user.language = code
                user.save()
                client = Client()
                client.force_login(user)
                response = client.get(url)
                pages[code] = (
                    _texts(response.content.decode()) if response.status_code == 200 else set()
                )
            data = _document_data()
            leaked = sorted(t for t in pages["en"] & pages[language] if _is_english_ui(t, data))
            if leaked:
                leaks[(who, url)] = leaked
    assert not leaks, f"English text on {language} pages: {leaks}"
