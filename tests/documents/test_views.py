"""Document pages as people use them: register, revise, decide, read, download."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from documents import services
from documents.choices import RevisionStatus
from documents.models import ApprovalStep, Document, Revision
from qms.models import Signature
from tests.documents.conftest import pdf_upload, run_through, start
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _register_form(people, org, **overrides):
    data = {
        "document_type": "procedure",
        "code": "",
        "title": "Quy trình tiếp nhận hồ sơ",
        "department": org["a"].pk,
        "owner": people["owner"].pk,
        "confidentiality": "internal",
        "review_interval_months": 12,
        "clauses": [],
    }
    data.update(overrides)
    return data


def test_register_page_creates_a_document_with_the_next_code(client, people, org):
    client.force_login(people["controller"])
    response = client.post(reverse("documents:document_create"), _register_form(people, org))
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == document.get_absolute_url()
    assert document.code == "QT-01"
    response = client.post(
        reverse("documents:document_create"), _register_form(people, org, code="QT-01")
    )
    assert response.status_code == 200
    assert "already used" in response.content.decode()
    assert Document.objects.count() == 1


def test_code_suggestion_follows_the_type(client, people, procedure):
    client.force_login(people["controller"])
    response = client.get(reverse("documents:code_suggestion"), {"document_type": "procedure"})
    assert "QT-02" in response.content.decode()


def test_start_submit_decide_through_the_pages(client, people, procedure):
    client.force_login(people["owner"])
    response = client.post(
        reverse("documents:revision_create", args=[procedure.pk]),
        {
            "file": pdf_upload(),
            "change_summary": "Ban hành lần đầu",
            "reviewer_1": people["reviewer"].pk,
            "approver_1": people["approver"].pk,
        },
    )
    revision = Revision.objects.get()
    assert response["Location"] == revision.get_absolute_url()
    client.post(
        reverse("documents:revision_submit", args=[revision.pk]), {"version": revision.version}
    )
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.IN_REVIEW

    reviewer_step = ApprovalStep.objects.get(revision=revision, role="reviewer")
    client.force_login(people["reviewer"])
    page = client.get(revision.get_absolute_url()).content.decode()
    assert 'data-testid="decision-form"' in page
    response = client.post(
        reverse("documents:step_decide", args=[reviewer_step.pk]),
        {"decision": "approved", "password": "wrong", "version": revision.version},
        follow=True,
    )
    assert "The password is not correct" in response.content.decode()
    client.post(
        reverse("documents:step_decide", args=[reviewer_step.pk]),
        {"decision": "approved", "password": PASSWORD, "version": revision.version},
    )
    approver_step = ApprovalStep.objects.get(revision=revision, role="approver")
    revision.refresh_from_db()
    client.force_login(people["approver"])
    client.post(
        reverse("documents:step_decide", args=[approver_step.pk]),
        {"decision": "approved", "password": PASSWORD, "version": revision.version},
    )
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.EFFECTIVE
    assert Signature.objects.count() == 2
    page = client.get(revision.get_absolute_url()).content.decode()
    assert 'data-testid="signature-valid"' in page


def test_a_stale_form_is_refused_and_says_why(client, people, procedure):
    revision = start(people, procedure)
    client.force_login(people["owner"])
    stale = revision.version
    client.post(reverse("documents:revision_submit", args=[revision.pk]), {"version": stale})
    response = client.post(
        reverse("documents:revision_submit", args=[revision.pk]), {"version": stale}, follow=True
    )
    assert "Someone else changed this" in response.content.decode()


def test_effective_pdf_download_is_stamped_as_a_controlled_copy(client, people, procedure):
    revision = run_through(people, start(people, procedure))
    client.force_login(people["reader"])
    response = client.get(reverse("documents:revision_file", args=[revision.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "QT-01" in text and "revision 01" in text
    assert "Controlled copy" in text and str(people["reader"]) in text
    assert f"Approved by: {people['approver']}" in text
    viewer = client.get(reverse("documents:revision_file", args=[revision.pk]), {"view": "1"})
    assert viewer["Content-Disposition"].startswith("inline")


def test_superseded_revision_is_stamped_and_only_for_controllers(client, people, procedure):
    first = run_through(people, start(people, procedure))
    run_through(people, start(people, procedure, text="Lần 2", summary="Sửa đổi"))
    client.force_login(people["reader"])
    assert client.get(reverse("documents:revision_file", args=[first.pk])).status_code == 404
    # a link to it (a notification, a bookmark) takes the reader to the document as it is
    response = client.get(first.get_absolute_url(), follow=True)
    assert response.redirect_chain == [(procedure.get_absolute_url(), 302)]
    assert "That revision is no longer current" in response.content.decode()
    client.force_login(people["controller"])
    response = client.get(reverse("documents:revision_file", args=[first.pk]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "SUPERSEDED" in text


def test_acknowledge_from_the_page_and_the_owner_sees_who(client, people, org, procedure):
    services.distribution_add(actor=people["owner"], document=procedure, department=org["a1"])
    revision = run_through(people, start(people, procedure))
    client.force_login(people["reader"])
    assert 'data-testid="acknowledge"' in client.get(procedure.get_absolute_url()).content.decode()
    client.post(reverse("documents:acknowledge", args=[revision.pk]))
    # the page's summary counts the reader's answer at once, and asks them no more
    assert (
        'data-testid="acknowledge"' not in client.get(procedure.get_absolute_url()).content.decode()
    )
    asked = revision.acknowledgements.count()
    client.force_login(people["owner"])
    assert f"1 of {asked} acknowledged" in client.get(procedure.get_absolute_url()).content.decode()
    response = client.get(
        reverse("documents:acknowledgement_list", args=[revision.pk]), {"state": "done"}
    )
    assert [a.user for a in response.context["page_obj"]] == [people["reader"]]
    export = client.get(
        reverse("documents:acknowledgement_list", args=[revision.pk]), {"export": "csv"}
    )
    assert str(people["reader"]) in b"".join(export.streaming_content).decode("utf-8-sig")
    client.force_login(people["reader"])
    assert (
        client.get(reverse("documents:acknowledgement_list", args=[revision.pk])).status_code == 403
    )


def test_register_filters_and_exports(client, people, org, procedure):
    run_through(people, start(people, procedure))
    client.force_login(people["controller"])
    response = client.get(reverse("documents:document_list"), {"q": "tiep nhan ho so"})
    assert list(response.context["page_obj"]) == []
    response = client.get(reverse("documents:document_list"), {"q": "kiem soat"})
    assert [d.code for d in response.context["page_obj"]] == ["QT-01"]
    response = client.get(
        reverse("documents:document_list"), {"status": "effective", "export": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_global_search_finds_documents_without_diacritics(client, people, procedure):
    run_through(people, start(people, procedure))
    client.force_login(people["reader"])
    response = client.get(reverse("qms:search"), {"q": "quy trinh kiem soat"})
    hits = response.context["results"]["documents"]
    assert [hit.title for hit in hits] == ["QT-01 Quy trình kiểm soát tài liệu"]
    client.force_login(people["outsider"])
    response = client.get(reverse("qms:search"), {"q": "kiem soat"})
    assert "documents" in response.context["results"]  # effective and internal: all staff


def test_search_shows_documents_titled_with_the_words_before_those_whose_file_holds_them(
    client, people, org
):
    """The query is folded ("quy trinh"), the titles keep their accents ("Quy trình"): a
    title match still comes first, whatever the codes' order."""
    from documents.models import Document
    from qms.search import fold

    def register(title, file_text=""):
        document = services.document_register(
            actor=people["controller"],
            document=Document(
                title=title, document_type="procedure", department=org["a"], owner=people["owner"]
            ),
        )
        if file_text:  # as if its effective revision's file held these words
            Document.objects.filter(pk=document.pk).update(file_text=fold(file_text))
        return document.code

    in_file = register("Biểu mẫu báo cáo tháng", "Theo quy trình tiếp nhận hồ sơ, bước 2")
    in_title = register("Quy trình tiếp nhận hồ sơ")
    assert in_file < in_title
    client.force_login(people["controller"])
    hits = client.get(reverse("qms:search"), {"q": "quy trình tiếp nhận"}).context["results"]
    assert [hit.title.split()[0] for hit in hits["documents"]] == [in_title, in_file]


def test_chinese_titles_are_found_by_substring_and_word_files_stream(client, people, org):
    from documents.models import Document
    from tests.documents.conftest import docx_upload

    document = services.document_register(
        actor=people["controller"],
        document=Document(
            title="文件控制程序",
            document_type="procedure",
            department=org["a"],
            owner=people["owner"],
        ),
    )
    revision = run_through(
        people, start(people, document, upload=docx_upload("受控文件的编制与审批"))
    )
    client.force_login(people["reader"])
    hits = client.get(reverse("qms:search"), {"q": "控制"}).context["results"]["documents"]
    assert [hit.url for hit in hits] == [document.get_absolute_url()]
    hits = client.get(reverse("qms:search"), {"q": "编制与审批"}).context["results"]["documents"]
    assert len(hits) == 1
    response = client.get(reverse("documents:revision_file", args=[revision.pk]))
    assert response.streaming and response["Content-Disposition"].startswith("attachment")


def test_no_second_revision_while_one_is_in_progress(client, people, procedure):
    open_revision = start(people, procedure)
    client.force_login(people["owner"])
    page = client.get(procedure.get_absolute_url()).content.decode()
    assert 'data-testid="open-revision"' in page
    assert reverse("documents:revision_create", args=[procedure.pk]) not in page
    response = client.get(reverse("documents:revision_create", args=[procedure.pk]))
    assert response["Location"] == open_revision.get_absolute_url()


def test_a_wrong_password_keeps_what_was_typed(client, people, procedure):
    revision = services.revision_submit(
        actor=people["owner"], revision=start(people, procedure), version=None
    )
    step = ApprovalStep.objects.get(revision=revision, role="reviewer")
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("documents:step_decide", args=[step.pk]),
        {
            "decision": "approved",
            "comment": "Đồng ý, lưu ý mục 4",
            "password": "nope",
            "version": revision.version,
        },
    )
    assert response.status_code == 200
    form = response.context["decision_form"]
    assert (
        form["comment"].value() == "Đồng ý, lưu ý mục 4" and form["decision"].value() == "approved"
    )
    assert "The password is not correct" in str(form.errors["password"])
    step.refresh_from_db()
    assert step.decision == "pending"
