"""The scorecard (weighted criteria per unit) and the annual QMS report (PDF, XLSX)."""

from collections import Counter
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.cache import cache
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfReader

from planning.models import ScorecardCriterion
from planning.scorecard import score_unit, value
from tests.nonconformities.conftest import crew, triaged  # noqa: F401
from tests.planning.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_values_points_and_the_criteria_left_out():
    counts = Counter(
        cases_on_time=45, cases_completed=50, procedures_public=10, procedures_active=10
    )
    assert value("on_time", counts) == 90.0 and value("publicity", counts) == 100.0
    assert value("satisfaction", counts) is None  # no rating in the period
    criteria = [
        ScorecardCriterion(
            name="Đúng hạn", metric="on_time", weight=Decimal(30), target=Decimal(95)
        ),
        ScorecardCriterion(
            name="Công khai", metric="publicity", weight=Decimal(10), target=Decimal(100)
        ),
        ScorecardCriterion(
            name="Hài lòng", metric="satisfaction", weight=Decimal(60), target=Decimal(90)
        ),
    ]
    scored = score_unit(None, counts, criteria)
    on_time, publicity, satisfaction = scored.lines
    assert on_time.points == pytest.approx(30 * 90 / 95, abs=0.01) and publicity.points == 10
    assert satisfaction.points is None
    # satisfaction is left out: the maximum is 40, not 100
    assert scored.score == pytest.approx(100 * (30 * 90 / 95 + 10) / 40, abs=0.1)


def test_scorecard_page_and_criteria(org, role_users, crew):
    manager = Client()
    manager.force_login(role_users["qms_manager"])
    response = manager.post(
        "/planning/scorecard/",
        {
            "criterion-name": "x",
            "criterion-metric": "on_time",
            "criterion-weight": "0",
            "criterion-target": "95",
            "criterion-position": "1",
            "criterion-is_active": "on",
        },
    )
    assert response.status_code == 200 and not ScorecardCriterion.objects.exists()
    response = manager.post(
        "/planning/scorecard/",
        {
            "criterion-name": "Khắc phục SKPH",
            "criterion-metric": "nc_closed",
            "criterion-weight": "20",
            "criterion-target": "80",
            "criterion-position": "1",
            "criterion-is_active": "on",
        },
    )
    assert response.status_code == 302 and ScorecardCriterion.objects.count() == 1
    triaged(crew, org)
    cache.clear()  # the figures are kept a minute: the failed form above computed them
    html = manager.get("/planning/scorecard/").content.decode()
    assert "Khắc phục SKPH" in html and org["a"].name in html and org["b"].name in html
    workbook = load_workbook(BytesIO(manager.get("/planning/scorecard/?export=xlsx").content))
    rows = list(workbook.active.values)
    assert rows[0][1] == "Khắc phục SKPH"
    assert any(r[0] == org["a"].name and r[1] == 0.0 for r in rows)  # raised, none closed yet
    staff = Client()
    staff.force_login(role_users["staff"])
    assert staff.get("/planning/scorecard/").status_code == 403
    assert staff.post("/planning/scorecard/", {"criterion-name": "x"}).status_code == 403


def test_annual_report(org, role_users, crew):
    triaged(crew, org, severity="major")
    client = Client()
    client.force_login(role_users["top_management"])
    html = client.get(f"/planning/annual-report/?year={TODAY.year}").content.decode()
    assert 'data-testid="input-nonconformities"' in html
    pdf = client.get(f"/planning/annual-report/?year={TODAY.year}&export=pdf")
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf.content)).pages
    )
    assert f"{TODAY.year}" in text and "Nonconformities and corrective actions" in text
    workbook = load_workbook(
        BytesIO(client.get(f"/planning/annual-report/?year={TODAY.year}&export=xlsx").content)
    )
    assert len(workbook.sheetnames) == 8
    ncs = {row[0]: row[1] for row in workbook[workbook.sheetnames[3]].values if row}
    assert ncs["Open, major"] == 1
    staff = Client()
    staff.force_login(role_users["staff"])
    assert staff.get("/planning/annual-report/").status_code == 403
