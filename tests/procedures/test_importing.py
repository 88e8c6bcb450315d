"""Importing the procedure catalogue: a preview that writes nothing, then all or nothing."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from procedures import importing
from procedures.models import Procedure, ProcedureStep
from tests.procedures.conftest import make_procedure

pytestmark = pytest.mark.django_db

HEADER = [
    "Mã thủ tục",
    "Tên thủ tục",
    "Lĩnh vực",
    "Đơn vị thực hiện",
    "Thời hạn giải quyết",
    "Các bước",
    "Thành phần hồ sơ",
    "Phí, lệ phí",
]


def _row(code, days="3", steps=None, department="A", name=None):
    return [
        code,
        name or f"Thủ tục {code}",
        "Thành lập và hoạt động của doanh nghiệp",
        department,
        days,
        steps or "Tiếp nhận | A | 4h\nThẩm định | A1 | 2\nTrả kết quả | A | 4h",
        "Giấy đề nghị (01 bản chính); *Văn bản ủy quyền (01 bản)",
        "50.000 đồng",
    ]


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv(rows) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_a_good_file_is_previewed_then_imported(manager, org):
    make_procedure(manager, org, code="DN-02", allowances=("4h", 2, "4h"))
    content = _xlsx([HEADER, _row("DN-01"), _row("DN-02", name="Tên mới"), []])
    plan = importing.plan_upload("danh-muc.xlsx", content)
    assert plan.ok and (plan.created, plan.updated, plan.unchanged) == (1, 1, 0)
    assert Procedure.objects.count() == 1  # a preview writes nothing
    token = importing.store_upload(SimpleUploadedFile("danh-muc.xlsx", content))
    importing.apply_stored(actor=manager, token=token)
    created = Procedure.objects.get(code="DN-01")
    assert [s.unit for s in created.steps.all()] == ["hours", "days", "hours"]
    assert [(d.name, d.copies, d.required) for d in created.dossier.all()] == [
        ("Giấy đề nghị", "01 bản chính", True),
        ("Văn bản ủy quyền", "01 bản", False),
    ]
    assert Procedure.objects.get(code="DN-02").name == "Tên mới"
    again = importing.plan_upload("danh-muc.xlsx", content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    with pytest.raises(ValidationError, match="expired"):
        importing.apply_stored(actor=manager, token=token)  # the file is gone once used


def test_every_row_error_is_listed_and_nothing_is_written(manager, org):
    rows = [
        HEADER,
        _row("DN-01"),
        _row("DN-02", days="2"),  # steps take 3 days
        _row("DN-03", department="ZZ"),
        _row("DN-04", steps="Tiếp nhận | A | không"),
        _row("DN-01"),  # twice in the file
        _row("", days="ba"),
    ]
    plan = importing.plan_upload("danh-muc.csv", _csv(rows))
    assert not plan.ok and plan.error_count == 5
    errors = {row.number: " ".join(row.errors) for row in plan.rows if row.errors}
    assert "0.5 + 2 + 0.5 = 3" in errors[3]
    assert "ZZ" in errors[4]
    assert "number above zero" in errors[5]
    assert "twice" in errors[6]
    assert "is empty" in errors[7] and "whole number" in errors[7]
    token = importing.store_upload(SimpleUploadedFile("danh-muc.csv", _csv(rows)))
    with pytest.raises(ValidationError, match="nothing was imported"):
        importing.apply_stored(actor=manager, token=token)
    assert not Procedure.objects.exists() and not ProcedureStep.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("danh-muc.pdf", b"%PDF-1.4", "Excel (.xlsx) or CSV"),
        ("danh-muc.xlsx", b"not a workbook", "cannot be read"),
        ("danh-muc.csv", b"M\xe3 th\xf9 t\xfbc\nDN-01", "UTF-8"),
        ("danh-muc.csv", b"", "empty"),
    ],
)
def test_a_bad_file_says_why(name, content, message):
    try:
        plan = importing.plan_upload(name, content)
    except ValidationError as error:
        assert message in " ".join(error.messages)
    else:
        assert message in " ".join(plan.problems)


def test_missing_columns_are_named():
    plan = importing.plan_upload("x.csv", _csv([["Mã thủ tục", "Tên thủ tục"], ["DN-01", "X"]]))
    assert not plan.ok and "field" in plan.problems[0] and "steps" in plan.problems[0]


def test_a_forged_token_is_refused(manager):
    for token in ("../../settings.py", "0" * 32 + ".xlsx", ""):
        with pytest.raises(ValidationError, match="expired"):
            importing.apply_stored(actor=manager, token=token)


def test_abandoned_previews_are_cleared_after_a_day(settings):
    from datetime import timedelta
    from unittest import mock

    from django.core.files.storage import default_storage
    from django.utils import timezone

    token = importing.store_upload(SimpleUploadedFile("x.csv", b"code\n"))
    importing.clear_abandoned()
    assert default_storage.exists(f"imports/{token}")  # a fresh preview stays
    later = timezone.now() + timedelta(hours=25)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert importing.clear_abandoned() >= 1
    assert not default_storage.exists(f"imports/{token}")
