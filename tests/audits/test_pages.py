"""Audit pages: the audit through the pages, who sees what, flat query counts."""

from datetime import timedelta

import pytest

from audits import services
from audits.models import Audit, AuditProgramme, ChecklistItem, Finding
from nonconformities.models import Nonconformity
from qms.models import Attachment, IsoClause, SecurityEvent, Signature
from tests.audits.conftest import TODAY, add_minor_nc, add_ofi, plan, start
from tests.factories import PASSWORD, UserFactory
from tests.permission_matrix import Case, check_list_detail_agree, check_matrix
from tests.querycount import page_queries

pytestmark = pytest.mark.django_db
SEE_ALL = {"qms_manager": 200, "internal_auditor": 200, "top_management": 200}


def _step(client, audit, **data):
    return client.post(f"/audits/{audit.pk}/step/", data)


def _fresh(audit):
    return Audit.objects.get(pk=audit.pk)


def test_an_audit_through_the_pages(client, audit_crew, org):
    client.force_login(audit_crew["manager"])
    clauses = IsoClause.objects.filter(number__in=["7.5", "8.5"])
    response = client.post(
        "/audits/new/",
        {
            "audit_type": "internal",
            "title": "Đánh giá Phòng A",
            "start_date": (TODAY + timedelta(days=2)).isoformat(),
            "end_date": (TODAY + timedelta(days=3)).isoformat(),
            "lead_auditor": audit_crew["lead"].pk,
            "team": [audit_crew["member"].pk],
            "scope_departments": [org["a"].pk],
            "criteria_clauses": [c.pk for c in clauses],
        },
    )
    audit = Audit.objects.get()
    assert response["Location"] == audit.get_absolute_url()
    client.force_login(audit_crew["lead"])
    _step(client, audit, step="checklist")
    assert audit.checklist.count() == 2
    _step(client, audit, step="move", move="prepare", version=_fresh(audit).version)
    _step(client, audit, step="move", move="start", version=_fresh(audit).version)
    assert _fresh(audit).status == "in_progress"
    item = audit.checklist.order_by("position").first()
    client.force_login(audit_crew["member"])
    _step(client, audit, step="answer", item=item.pk, result="minor_nc", notes="", evidence="Sổ")
    _step(
        client,
        audit,
        step="finding",
        item=item.pk,
        **{
            "finding-kind": "minor_nc",
            "finding-department": org["a"].pk,
            "finding-clause": item.clause_id,
            "finding-requirement": "Hồ sơ phải được kiểm soát",
            "finding-evidence": "3/10 hồ sơ thiếu phiếu",
            "finding-statement": "Phiếu kiểm soát không được lưu",
        },
    )
    page = client.get(audit.get_absolute_url())
    assert "Phiếu kiểm soát không được lưu" in page.content.decode()
    client.force_login(audit_crew["lead"])
    _step(client, audit, step="move", move="confirm", version=_fresh(audit).version)
    assert Nonconformity.objects.get().origin == Finding.objects.get()
    response = _step(
        client,
        audit,
        step="report",
        summary="Phòng A áp dụng đúng quy trình",
        conclusion="Phù hợp, trừ một điểm nhỏ",
        password=PASSWORD,
        version=_fresh(audit).version,
    )
    audit = _fresh(audit)
    assert audit.status == "reported"
    # the opportunity for improvement noted becomes an action in the tracker
    _step(
        client,
        audit,
        step="finding",
        **{"finding-kind": "ofi", "finding-department": org["a"].pk},
    )  # too late to record a finding: nothing changes
    assert audit.findings.count() == 1
    signature = Signature.objects.get(meaning="report_signed")
    assert signature.signer == audit_crew["lead"]
    assert Attachment.objects.get(sha256=signature.content_sha256).original_name.endswith(".pdf")
    page = client.get(audit.get_absolute_url()).content.decode()
    assert audit.reference in page and "Phù hợp, trừ một điểm nhỏ" in page
    assert 'data-testid="report-summary"' in page and "Phòng A áp dụng đúng quy trình" in page
    # a correction after signature is a new version; a missing reason changes nothing
    assert 'data-testid="correction-form"' in page
    fields = {
        "correction-summary": "Phòng A áp dụng đúng quy trình",
        "correction-conclusion": "Phù hợp, trừ một điểm nhỏ (đã sửa)",
        "correction-password": PASSWORD,
        "correction-version": audit.version,
    }
    response = _step(client, audit, step="correct", **fields)
    assert response.status_code == 200 and _fresh(audit).report_version == 1
    _step(client, audit, step="correct", **fields, **{"correction-reason": "Sửa kết luận"})
    assert _fresh(audit).report_version == 2
    page = client.get(audit.get_absolute_url()).content.decode()
    assert 'data-testid="report-versions"' in page and "report-v2.pdf" in page
    assert "Sửa kết luận" in page and "(đã sửa)" in page
    client.force_login(audit_crew["member"])
    assert (
        'data-testid="correction-form"' not in client.get(audit.get_absolute_url()).content.decode()
    )


def test_bad_input_changes_nothing(client, audit_crew, org):
    audit = plan(audit_crew, org)
    client.force_login(audit_crew["lead"])
    _step(client, audit, step="checklist")
    other = plan(audit_crew, org, title="Khác")
    _step(client, other, step="checklist")
    foreign_item = other.checklist.first()
    # an item of another audit is not found through this audit
    assert _step(client, audit, step="answer", item=foreign_item.pk, result="ok").status_code == 404
    assert ChecklistItem.objects.get(pk=foreign_item.pk).result == ""
    # an unknown step or move tells the user and changes nothing
    response = _step(client, audit, step="teleport")
    assert response.status_code == 302
    response = _step(client, audit, step="move", move="close", version=audit.version, follow=True)
    assert _fresh(audit).status == "planned"
    # a stale version is refused
    audit = _fresh(audit)
    _step(client, audit, step="move", move="prepare", version=audit.version + 1)
    assert _fresh(audit).status == "planned"
    # the auditee may look but not write
    client.force_login(audit_crew["auditee"])
    assert client.get(audit.get_absolute_url()).status_code == 200
    _step(client, audit, step="move", move="prepare", version=audit.version)
    assert _fresh(audit).status == "planned"
    # a wrong password does not sign
    client.force_login(audit_crew["lead"])
    response = _step(
        client, audit, step="report", conclusion="x", password="wrong", version=audit.version
    )
    assert response.status_code == 200 and not Signature.objects.exists()


def test_form_errors_show_next_to_the_field(client, audit_crew, org):
    client.force_login(audit_crew["manager"])
    response = client.post(
        "/audits/new/",
        {
            "audit_type": "internal",
            "title": "Tự đánh giá",
            "start_date": (TODAY + timedelta(days=5)).isoformat(),
            "end_date": (TODAY + timedelta(days=1)).isoformat(),
            "lead_auditor": audit_crew["lead"].pk,
            "scope_departments": [org["b"].pk],
        },
    )
    assert response.status_code == 200 and not Audit.objects.exists()
    assert "is-invalid" in response.content.decode()


@pytest.fixture
def audits(audit_crew, org):
    in_a = plan(audit_crew, org)
    in_b = plan(
        audit_crew,
        org,
        departments=("b",),
        title="Phòng B",
        lead_auditor=audit_crew["external"],
        team=(),
    )
    return {"a": in_a, "b": in_b}


def test_audit_permission_matrix(role_users, audits, audit_crew):
    a, b = audits["a"], audits["b"]
    programme = AuditProgramme.objects.create(year=TODAY.year)
    check_matrix(
        role_users,
        [
            Case("/audits/", 200, {"external_auditor": 200}),
            Case(f"/audits/{a.pk}/", 200, {"external_auditor": 404}),
            Case(f"/audits/{b.pk}/", 404, SEE_ALL),
            Case("/audits/999999/", 404),
            Case("/audits/new/", 403, {"qms_manager": 200, "internal_auditor": 200}),
            Case("/audits/programmes/", 200),
            Case(f"/audits/programmes/{programme.pk}/", 200, {"external_auditor": 404}),
            Case("/audits/programmes/new/", 403, {"qms_manager": 200, "internal_auditor": 200}),
        ],
    )


def test_the_external_auditor_sees_only_what_was_assigned(client, audit_crew, audits):
    outsider = UserFactory(username="ext2", department=None, roles=["external_auditor"])
    client.force_login(outsider)
    assert client.get(f"/audits/{audits['a'].pk}/").status_code == 404
    client.force_login(audit_crew["manager"])
    _step(client, audits["a"], step="external", user=outsider.pk)
    client.force_login(outsider)
    assert client.get(f"/audits/{audits['a'].pk}/").status_code == 200
    assert client.get(f"/audits/{audits['b'].pk}/").status_code == 404
    _step(client, audits["a"], step="checklist")  # read-only
    assert audits["a"].checklist.count() == 0


def test_lists_and_pages_agree(role_users, audit_crew, audits):
    users = {**role_users, **{k: audit_crew[k] for k in ("lead", "member", "auditee", "external")}}
    check_list_detail_agree(
        users, "/audits/", lambda a: f"/audits/{a.pk}/", list(Audit.objects.all())
    )


def test_pages_stay_flat_as_audits_grow(client, audit_crew, org):
    first = plan(audit_crew, org)
    client.force_login(audit_crew["lead"])
    _step(client, first, step="checklist")
    client.force_login(audit_crew["manager"])
    small = {url: page_queries(client, url) for url in ("/audits/", f"/audits/{first.pk}/")}
    for n in range(12):
        audit = plan(audit_crew, org, title=f"Đợt {n}")
        client.force_login(audit_crew["lead"])
        _step(client, audit, step="checklist")
    client.force_login(audit_crew["lead"])
    _step(client, first, step="move", move="prepare", version=_fresh(first).version)
    _step(client, first, step="move", move="start", version=_fresh(first).version)
    first = _fresh(first)
    for item in first.checklist.all():
        finding = Finding(
            audit=first,
            kind="observation",
            department=org["a"],
            clause=item.clause,
            requirement="r",
            evidence="e",
            statement=f"s{item.pk}",
        )
        services.finding_add(actor=audit_crew["lead"], finding=finding)
    client.force_login(audit_crew["manager"])
    large = {url: page_queries(client, url) for url in small}
    for url, count in large.items():
        assert count <= small[url] + 1, (url, small[url], count)
        assert count <= 25, (url, count)


def test_an_action_from_an_opportunity_for_improvement(client, audit_crew, org):
    from nonconformities.models import Action
    from tests.audits.test_services import _run_to_confirmed

    audit = _run_to_confirmed(audit_crew, org, plan(audit_crew, org))
    other = _run_to_confirmed(audit_crew, org, plan(audit_crew, org, title="Khác"))
    client.force_login(audit_crew["lead"])
    data = {
        "step": "action",
        "action-title": "Số hóa sổ theo dõi",
        "action-owner": audit_crew["auditee"].pk,
        "action-due_date": (TODAY + timedelta(days=30)).isoformat(),
    }
    foreign = other.findings.get(kind="ofi")
    response = _step(client, audit, **data, **{"action-finding": foreign.pk})
    assert response.status_code == 200 and not Action.objects.exists()
    assert "is-invalid" in response.content.decode()
    ofi = audit.findings.get(kind="ofi")
    response = _step(client, audit, **data, **{"action-finding": ofi.pk})
    action = Action.objects.get()
    assert response.status_code == 302 and action.title == "Số hóa sổ theo dõi"
    page = client.get(audit.get_absolute_url()).content.decode()
    assert action.number in page and 'data-testid="add-action"' not in page


def test_each_finding_names_its_department_clause_and_what_it_raised(client, audit_crew, org):
    """The finding's row shows what it names (read as columns of the findings' query), the
    nonconformity's and action's status in the reader's language, and who withdrew one."""
    from django.utils import translation

    from nonconformities.models import Action

    audit = start(audit_crew, plan(audit_crew, org))
    item = audit.checklist.exclude(clause=None).first()
    nc_finding = add_minor_nc(audit_crew["member"], audit, org["a"], item)
    ofi = add_ofi(audit_crew["lead"], audit, org["a"])
    repeat = add_ofi(audit_crew["lead"], audit, org["a"], statement="Trùng lặp")
    services.finding_withdraw(
        actor=audit_crew["lead"], finding=repeat, version=repeat.version, reason="Trùng với F02"
    )
    audit = services.audit_move(actor=audit_crew["lead"], audit=audit, move="confirm")
    client.force_login(audit_crew["lead"])
    _step(
        client,
        audit,
        step="action",
        **{
            "action-finding": ofi.pk,
            "action-title": "Số hóa sổ theo dõi",
            "action-owner": audit_crew["auditee"].pk,
            "action-due_date": (TODAY + timedelta(days=30)).isoformat(),
        },
    )
    nc, action = Nonconformity.objects.get(), Action.objects.get()
    reader = audit_crew["lead"]
    for code in ("vi", "zh-hans", "en"):
        reader.language = code
        reader.save()
        client.force_login(reader)
        rows = (
            client.get(audit.get_absolute_url())
            .content.decode()
            .split('<li class="list-group-item')
        )
        nc_row = next(r for r in rows if f'data-testid="finding-{nc_finding.number}"' in r)
        action_row = next(r for r in rows if f'data-testid="finding-{ofi.number}"' in r)
        withdrawn_row = next(r for r in rows if f'data-testid="finding-{repeat.number}"' in r)
        with translation.override(code):
            assert org["a"].name in nc_row and nc_finding.clause.number in nc_row, code
            assert f'<a href="/nonconformities/{nc.pk}/">{nc.number}</a>' in nc_row, code
            assert nc.get_status_display() in nc_row, code
            assert f'<a href="/nonconformities/actions/{action.pk}/">{action.number}</a>' in (
                action_row
            ), code
            assert action.get_status_display() in action_row, code
            assert str(audit_crew["lead"]) in withdrawn_row and "Trùng với F02" in withdrawn_row
            # the reason is part of the sentence: no space after a Chinese colon
            assert ("撤回：Trùng với F02" in withdrawn_row) == (code == "zh-hans")
            assert "text-decoration-line-through" in withdrawn_row
            assert "text-decoration-line-through" not in nc_row + action_row


def test_the_printable_audit_plan(client, audit_crew, org):
    import io

    from pypdf import PdfReader

    audit = plan(audit_crew, org)
    client.force_login(audit_crew["lead"])
    client.post(
        f"/audits/{audit.pk}/step/",
        {
            "step": "session",
            "session-department": org["a"].pk,
            "session-starts_at": f"{audit.start_date.isoformat()}T08:30",
            "session-ends_at": f"{audit.start_date.isoformat()}T11:00",
            "session-topic": "Họp khai mạc",
        },
    )
    client.force_login(audit_crew["auditee"])
    response = client.get(f"/audits/{audit.pk}/plan.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert audit.reference in text and "Họp khai mạc" in text and "08:30" in text
    client.force_login(audit_crew["external"])
    assert client.get(f"/audits/{audit.pk}/plan.pdf").status_code == 404


def test_auditors_add_and_reword_questions_before_the_audit(client, audit_crew, org):
    audit = plan(audit_crew, org)
    client.force_login(audit_crew["lead"])
    _step(client, audit, step="checklist")
    first = audit.checklist.order_by("position").first()
    _step(
        client,
        audit,
        step="question",
        **{"question-department": org["a"].pk, "question-question": "Sổ theo dõi hồ sơ trễ hạn?"},
    )
    added = audit.checklist.order_by("position").last()
    assert added.position == 3 and added.clause is None and added.department == org["a"]
    _step(
        client,
        audit,
        step="question",
        item=first.pk,
        **{
            "question-department": org["a"].pk,
            "question-clause": first.clause_id,
            "question-question": "Kiểm tra 10 hồ sơ ngẫu nhiên",
        },
    )
    first.refresh_from_db()
    assert first.question == "Kiểm tra 10 hồ sơ ngẫu nhiên" and first.clause_id
    # outside the scope, empty, or once the audit has started: refused, nothing changes
    response = _step(
        client,
        audit,
        step="question",
        **{"question-department": org["b"].pk, "question-question": "?"},
    )
    assert response.status_code == 200 and audit.checklist.count() == 3
    _step(client, audit, step="move", move="prepare", version=_fresh(audit).version)
    _step(client, audit, step="move", move="start", version=_fresh(audit).version)
    _step(client, audit, step="question", **{"question-question": "Muộn"})
    assert audit.checklist.count() == 3
    client.force_login(audit_crew["auditee"])
    assert audit.checklist.filter(question="Muộn").count() == 0


def test_generated_questions_read_in_each_reader_language(client, audit_crew, org):
    from django.utils import translation

    from qms.iso import guidance_for

    audit = plan(audit_crew, org)
    client.force_login(audit_crew["lead"])
    _step(client, audit, step="checklist")
    item = audit.checklist.select_related("clause").order_by("position").first()
    assert item.question == ""
    for code in ("vi", "zh-hans", "en"):
        reader = audit_crew["auditee"]
        reader.language = code
        reader.save()
        client.force_login(reader)
        with translation.override(code):
            expected = item.display_question
            guidance = guidance_for(item.clause.number)
        page = client.get(audit.get_absolute_url()).content.decode()
        assert expected in page and guidance in page, code
    with translation.override("vi"):
        assert "show how" not in item.display_question
        assert "Check that" not in guidance_for("7.5")


def test_correcting_and_withdrawing_findings_on_the_page(client, audit_crew, org):
    from tests.audits.test_services import _in_progress_with_findings

    audit, (nc_finding, ofi) = _in_progress_with_findings(audit_crew, org)
    client.force_login(audit_crew["member"])
    page = client.get(audit.get_absolute_url()).content.decode()
    assert 'data-testid="edit-finding-1"' in page and 'data-testid="edit-finding-form"' not in page
    page = client.get(f"{audit.get_absolute_url()}?edit={nc_finding.pk}").content.decode()
    assert (
        'data-testid="edit-finding-form"' in page
        and f'name="edit-{nc_finding.pk}-statement"' in page
    )
    prefix = f"edit-{nc_finding.pk}"
    fields = {
        f"{prefix}-kind": "minor_nc",
        f"{prefix}-department": org["a"].pk,
        f"{prefix}-requirement": "Hồ sơ phải được kiểm soát",
        f"{prefix}-evidence": "3/10 hồ sơ",
        f"{prefix}-version": nc_finding.version,
    }
    response = _step(client, audit, step="finding_edit", finding=nc_finding.pk, **fields)
    assert response.status_code == 200  # the statement is missing: shown again, nothing saved
    assert 'data-testid="edit-finding-form"' in response.content.decode()
    assert Finding.objects.get(pk=nc_finding.pk).version == nc_finding.version
    fields[f"{prefix}-statement"] = "Phiếu kiểm soát lưu không đầy đủ"
    _step(client, audit, step="finding_edit", finding=nc_finding.pk, **fields)
    assert Finding.objects.get(pk=nc_finding.pk).statement == "Phiếu kiểm soát lưu không đầy đủ"
    _step(client, audit, step="finding_withdraw", finding=ofi.pk, version=ofi.version, reason="")
    assert Finding.objects.get(pk=ofi.pk).withdrawn_at is None
    _step(
        client, audit, step="finding_withdraw", finding=ofi.pk, version=ofi.version, reason="Trùng"
    )
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "text-decoration-line-through" in page and "Trùng" in page
    assert 'data-testid="edit-finding-2"' not in page  # withdrawn: no more changes
    # another audit's finding id through this audit's URL is not found
    other, _ = _in_progress_with_findings(audit_crew, org)
    foreign = other.findings.first()
    response = _step(client, audit, step="finding_withdraw", finding=foreign.pk, reason="x")
    assert response.status_code == 404 and Finding.objects.get(pk=foreign.pk).withdrawn_at is None


def test_the_manager_withdraws_an_external_auditor(client, audit_crew, audits):
    outsider = UserFactory(username="ext3", department=None, roles=["external_auditor"])
    client.force_login(audit_crew["manager"])
    _step(client, audits["a"], step="external", user=outsider.pk)
    page = client.get(f"/audits/{audits['a'].pk}/").content.decode()
    assert f'data-testid="remove-external-{outsider.pk}"' in page
    assert "---------" not in page and "Choose an external auditor" in page
    _step(client, audits["a"], step="external_remove", user=outsider.pk)
    client.force_login(outsider)
    assert client.get(f"/audits/{audits['a'].pk}/").status_code == 404
    assert SecurityEvent.objects.filter(kind="permission_changed").count() == 2


def test_the_plan_lists_come_from_one_query_in_the_models_order(
    audit_crew, org, django_assert_num_queries
):
    """The audit's page reads its team and six criteria lists in one query; each list
    holds what the related manager gives, in the model's own order, and names itself the
    same (a missing field would cost a query per object)."""
    from audits.selectors import plan_lists
    from tests.documents.factories import DocumentFactory, ExternalDocumentFactory

    audit = plan(audit_crew, org, departments=("a1", "a"))
    audit.team.add(audit_crew["external"])
    documents = [
        DocumentFactory(code=code, department=org["a"], owner=audit_crew["lead"])
        for code in ("QT-02", "BM-09", "QT-01")
    ]
    legal = [
        ExternalDocumentFactory(number=number, issued_on=TODAY - timedelta(days=days))
        for number, days in (("30/2020/NĐ-CP", 900), ("45/2020/NĐ-CP", 800), ("01/2024/NĐ-CP", 10))
    ]
    audit.scope_procedures.set(documents[:2])
    audit.criteria_documents.set(documents)
    audit.legal_criteria.set(legal)
    audit.criteria_clauses.set(IsoClause.objects.filter(number__in=["10.2", "4.1", "7.5"]))
    with django_assert_num_queries(1):
        lists = plan_lists(audit)
        shown = {name: [(item.pk, str(item)) for item in items] for name, items in lists.items()}
    for name in shown:
        expected = [(item.pk, str(item)) for item in getattr(audit, name).all()]
        assert shown[name] == expected, name
        assert len(expected) >= 2, name
    # the newest decree first, as the register of external documents orders them
    assert shown["legal_criteria"][0][1].startswith("01/2024/NĐ-CP")


def test_the_activity_page_opens_each_entry_on_its_own_page(client, audit_crew, org):
    """A finding's address needs its audit and an attachment's its uuid: the activity
    page linked the finding nowhere and the file to a made-up uuid (a 404)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qms.attachments import attachment_store

    audit = start(audit_crew, plan(audit_crew, org))
    finding = add_ofi(audit_crew["member"], audit, org["a"])
    attachment = attachment_store(
        parent=audit,
        upload=SimpleUploadedFile(
            "bien-ban.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"
        ),
        actor=audit_crew["lead"],
    )
    client.force_login(audit_crew["manager"])
    opened = {}
    for model in ("audits.finding", "qms.attachment"):
        entries = client.get("/activity/", {"model": model}).context["entries"]
        assert entries and all(entry["url"] for entry in entries), model
        opened[model] = client.get(entries[0]["url"])
    assert opened["audits.finding"].status_code == 302
    assert opened["audits.finding"]["Location"] == f"/audits/{audit.pk}/#finding-{finding.number}"
    assert opened["qms.attachment"]["Location"] == f"/attachments/{attachment.uuid}/download/"
    download = client.get(opened["qms.attachment"]["Location"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # an id of no object, or of a kind the activity page does not list: not found
    entry = client.get("/activity/", {"model": "audits.finding"}).context["entries"][0]
    assert client.get(entry["url"].replace(f"/{finding.pk}/", "/987654/")).status_code == 404
    assert client.get(f"/activity/open/987654/{finding.pk}/").status_code == 404
    # who may not read the activity may not open it either
    client.force_login(audit_crew["auditee"])
    assert client.get(entry["url"]).status_code == 403
