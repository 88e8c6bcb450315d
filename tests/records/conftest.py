import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from records import services
from records.choices import Access, Disposition, Storage
from records.models import Record, RecordType
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="bien-ban.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def cast(org, role_users):
    return {
        "manager": role_users["qms_manager"],
        "auditor": role_users["internal_auditor"],
        "clerk": UserFactory(username="clerk", department=org["a"], roles=["staff"]),
        "unit_clerk": UserFactory(username="unit_clerk", department=org["a1"], roles=["staff"]),
        "other": UserFactory(username="other", department=org["b"], roles=["staff"]),
    }


def make_type(cast, org, code="BB-HOP", years=5, **extra):
    defaults = {
        "code": code,
        "name": "Biên bản họp giao ban",
        "department": org["a"],
        "storage": Storage.PORTAL,
        "retention_years": years,
        "disposition": Disposition.DESTROY,
        "access": Access.DEPARTMENT,
    }
    defaults.update(extra)
    return services.record_type_save(actor=cast["manager"], record_type=RecordType(**defaults))


def register(
    cast,
    org,
    record_type,
    when,
    actor="clerk",
    department="a",
    title="Biên bản họp tháng",
    files=None,
):
    record = Record(
        record_type=record_type,
        title=title,
        reference=services.next_reference(record_type, when.year),
        record_date=when,
        department=org[department],
    )
    return services.record_register(
        actor=cast[actor], record=record, uploads=files if files is not None else [pdf()]
    )
