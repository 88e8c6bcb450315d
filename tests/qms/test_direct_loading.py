"""The portal's models are made from their rows directly (``qms.db.install_direct_loading``):
the same objects Django's ``Model.from_db`` makes — the same values, deferred columns,
related rows and state — that save, refresh and load what was left out as before."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.signals import post_init

from documents.models import Document
from qms.apps import PORTAL_APPS
from qms.db import _from_row
from qms.models import Attachment, Department, User
from tests.documents.factories import DocumentFactory
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

DJANGOS_OWN = classmethod(models.Model.from_db.__func__)


def _contents(obj) -> dict:
    state = obj._state
    values = {k: v for k, v in vars(obj).items() if k != "_state"}
    cached = {name: _contents(related) for name, related in state.fields_cache.items()}
    return {"values": values, "adding": state.adding, "db": state.db, "related": cached}


def test_every_model_of_the_portal_and_its_history_is_made_directly():
    portal = [m for m in apps.get_models() if m._meta.app_label in PORTAL_APPS]
    assert len(portal) > 100  # the models and their history models
    assert [m.__name__ for m in portal if m.from_db.__func__ is not _from_row] == []
    assert Document.history.model.from_db.__func__ is _from_row


@pytest.mark.parametrize(
    "read",
    [
        lambda: Document.objects.order_by("pk"),
        lambda: (
            Document.objects.only("code", "title", "department__name", "owner__username")
            .select_related("department", "owner")
            .order_by("pk")
        ),
        lambda: Document.objects.defer("title").order_by("pk"),
        lambda: User.objects.select_related("department__parent").order_by("pk"),
        lambda: Document.history.order_by("history_id"),
        lambda: Document.objects.raw("SELECT id, code FROM documents_document ORDER BY id"),
    ],
    ids=["whole rows", "some columns and related", "deferred", "two levels", "history", "raw"],
)
def test_rows_are_the_objects_django_makes(org, monkeypatch, read):
    owner = UserFactory(department=org["a1"], roles=["process_owner"])
    DocumentFactory(code="QT-01", title="Quy trình tiếp nhận", department=org["a"], owner=owner)
    DocumentFactory(code="QT-02", title="受理程序", department=org["b"], owner=owner)
    ours = [_contents(obj) for obj in read()]
    for model in (Document, Department, User, Document.history.model):
        monkeypatch.setattr(model, "from_db", DJANGOS_OWN)
    theirs = [_contents(obj) for obj in read()]
    assert ours == theirs
    assert ours and all(row["adding"] is False and row["db"] == "default" for row in ours)


def test_a_loaded_row_saves_refreshes_and_reads_what_was_left_out(org):
    department = DepartmentFactory(code="KH", name="Phòng Kế hoạch", parent=org["a"])
    loaded = Department.objects.only("code").get(pk=department.pk)
    assert loaded.name == "Phòng Kế hoạch"  # a deferred column, read when asked for
    loaded.name = "Phòng Kế hoạch – Tài chính"
    loaded.save()
    assert Department.objects.filter(code="KH").count() == 1  # an update, not a new row
    assert Department.objects.get(pk=department.pk).name == "Phòng Kế hoạch – Tài chính"
    assert department.history.first().history_type == "~"
    loaded.refresh_from_db()
    assert loaded.parent_id == org["a"].pk and loaded.parent.code == "A"


def test_a_file_column_reads_as_a_file(org):
    uploader = UserFactory(department=org["a"])
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(Department),
        object_id=org["a"].pk,
        original_name="bien-ban.pdf",
        size=5,
        sha256="0" * 64,
        mime_type="application/pdf",
        uploaded_by=uploader,
    )
    attachment.file.save("bien-ban.pdf", ContentFile(b"%PDF-"), save=False)
    attachment.save()
    loaded = Attachment.objects.get(pk=attachment.pk)
    assert loaded.file.name == attachment.file.name
    assert loaded.file.open("rb").read() == b"%PDF-"


def test_with_a_post_init_receiver_rows_are_made_by_django(org):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Department)
    try:
        loaded = list(Department.objects.filter(pk=org["a"].pk))
    finally:
        post_init.disconnect(receiver, sender=Department)
    assert seen == [org["a"].pk] and loaded[0].code == "A"
