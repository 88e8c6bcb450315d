"""List exports: the whole filtered list, formulas neutralised, the export logged."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from qms.exports import Column, neutralise, xlsx_bytes
from qms.models import SecurityEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("dangerous", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_formula_starts_are_neutralised(dangerous):
    assert neutralise(dangerous) == "'" + dangerous


def test_plain_values_pass_unchanged():
    assert neutralise("Phòng A") == "Phòng A"
    assert neutralise(-5) == -5
    assert neutralise(date(2026, 1, 1)) == date(2026, 1, 1)
    assert neutralise(None) == ""


def test_xlsx_cells_hold_no_formula():
    rows = [{"name": '=HYPERLINK("http://evil")'}, {"name": "Tổ ISO"}]
    data = xlsx_bytes(rows, [Column("Name", lambda r: r["name"])])
    sheet = load_workbook(io.BytesIO(data)).active
    values = [cell.value for cell in sheet["A"]]
    assert values == ["Name", '\'=HYPERLINK("http://evil")', "Tổ ISO"]
    assert all(cell.data_type != "f" for cell in sheet["A"])


def test_user_list_exports_the_whole_filtered_list_as_csv(client, role_users, org):
    for i in range(30):
        UserFactory(username=f"dept_b_{i}", department=org["b"], job_title="=cmd|' /C calc'!A0")
    client.force_login(role_users["administrator"])
    response = client.get("/admin/users/", {"department": org["b"].pk, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="users.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 31  # header + every matching user, beyond the 25 on a page
    assert all(row[4].startswith("'=") for row in rows[1:])
    event = SecurityEvent.objects.get(kind="export")
    assert event.actor == role_users["administrator"] and event.target == "users"


def test_user_list_exports_xlsx(client, role_users):
    client.force_login(role_users["administrator"])
    response = client.get("/admin/users/", {"export": "xlsx", "q": "staff"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "User name"
    assert [c.value for c in sheet["A"]][1:] == ["staff"]
