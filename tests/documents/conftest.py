"""Document control fixtures: a procedure with an owner, a reviewer and an approver."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.choices import DocumentType
from documents.models import Document
from tests.factories import UserFactory


def pdf_bytes(text: str = "Quy trình kiểm soát tài liệu") -> bytes:
    from qms.pdf import html_to_pdf

    return html_to_pdf(f"<h1>{text}</h1><p>Nội dung: {text}</p>")


_PDF_CACHE: dict[str, bytes] = {}


def pdf_upload(text: str = "Quy trình kiểm soát tài liệu", name: str = "quy-trinh.pdf"):
    if text not in _PDF_CACHE:
        _PDF_CACHE[text] = pdf_bytes(text)
    return SimpleUploadedFile(name, _PDF_CACHE[text], content_type="application/pdf")


def docx_upload(text: str, name: str = "quy-trinh.docx"):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def people(org, role_users):
    """The document's cast: owner/drafter in A, a reviewer, an approver, a reader in A1."""
    return {
        "controller": role_users["document_controller"],
        "manager": role_users["qms_manager"],
        "owner": UserFactory(username="owner", department=org["a"], roles=["process_owner"]),
        "reviewer": UserFactory(username="reviewer", department=org["a"], roles=["process_owner"]),
        "approver": UserFactory(
            username="approver", department=org["agency"], roles=["top_management"]
        ),
        "reader": UserFactory(username="reader", department=org["a1"], roles=["staff"]),
        "outsider": UserFactory(username="outsider", department=org["b"], roles=["staff"]),
    }


@pytest.fixture
def procedure(people, org):
    document = Document(
        title="Quy trình kiểm soát tài liệu",
        document_type=DocumentType.PROCEDURE,
        department=org["a"],
        owner=people["owner"],
    )
    return services.document_register(actor=people["controller"], document=document)


def plan(people, reviewers=("reviewer",), approvers=("approver",)):
    return services.StepPlan(
        reviewers=[people[r] for r in reviewers], approvers=[people[a] for a in approvers]
    )


def start(people, document, text="Quy trình kiểm soát tài liệu", **kwargs):
    return services.revision_start(
        actor=kwargs.pop("actor", people["owner"]),
        document=document,
        upload=kwargs.pop("upload", None) or pdf_upload(text),
        change_summary=kwargs.pop("summary", "Ban hành lần đầu"),
        plan=kwargs.pop("plan", None) or plan(people),
        **kwargs,
    )


def run_through(people, revision):
    """Submit, review and approve a revision with the right passwords."""
    from documents.models import ApprovalStep
    from tests.factories import PASSWORD

    revision = services.revision_submit(actor=people["owner"], revision=revision, version=None)
    for step in ApprovalStep.objects.filter(revision=revision, decision="pending").order_by(
        "position"
    ):
        services.step_decide(actor=step.user, step=step, decision="approved", password=PASSWORD)
    revision.refresh_from_db()
    return revision
