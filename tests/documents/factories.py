"""Factories for the register's documents and external documents."""

import factory

from documents.models import Document, ExternalDocument
from tests.factories import DepartmentFactory, UserFactory


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    code = factory.Sequence(lambda n: f"QT-{n:02d}")
    title = factory.LazyAttribute(lambda d: f"Tài liệu {d.code}")
    document_type = "procedure"
    department = factory.SubFactory(DepartmentFactory)
    owner = factory.SubFactory(UserFactory)


class ExternalDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalDocument

    kind = "decree"
    number = factory.Sequence(lambda n: f"{n}/2020/NĐ-CP")
    title = "Nghị định"
    issuing_body = "Chính phủ"
