"""Every write of internal audit.

Rules: auditors never audit their own department (impartiality); findings are recorded
during the audit and confirmed at the closing meeting, which raises a nonconformity for
each nonconformity finding (linked both ways); the report is signed by the lead auditor
and frozen; an audit closes only when every nonconformity it raised is closed.
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from audits.choices import AuditStatus, AuditType, ItemResult, ProgrammeStatus
from audits.models import Audit, AuditProgramme, AuditSession, ChecklistItem, Finding
from audits.workflows import AUDIT_FLOW
from qms import attachments, signatures
from qms.history import save_with_history
from qms.models import Department, IsoClause, Signature, User
from qms.notifications import notify
from qms.search import fold
from qms.workflow import check_version

PREFIX = {
    AuditType.INTERNAL: "DGNB",
    AuditType.CERTIFICATION: "DGCN",
    AuditType.SURVEILLANCE: "DGGS",
    AuditType.INSPECTION: "TTKT",
}
NC_RESULTS = (ItemResult.MINOR_NC, ItemResult.MAJOR_NC)


def _require(actor, perm: str) -> None:
    if not (actor and actor.is_active and actor.has_perm(perm)):
        raise PermissionDenied


def is_auditor(user, audit: Audit) -> bool:
    return audit.lead_auditor_id == user.pk or audit.team.filter(pk=user.pk).exists()


# --- Programme ----------------------------------------------------------------------


@transaction.atomic
def programme_save(
    *, actor, programme: AuditProgramme, version: int | None = None
) -> AuditProgramme:
    _require(actor, "audits.manage_audits")
    if programme.pk:
        current = AuditProgramme.objects.select_for_update().get(pk=programme.pk)
        check_version(current, version)
        if current.status == ProgrammeStatus.APPROVED:
            raise ValidationError(_("The programme is approved: it cannot be changed."))
        programme.version = current.version + 1
    return save_with_history(programme, actor=actor, reason=gettext_noop("Audit programme saved"))


def programme_approve(
    *, actor, programme: AuditProgramme, password: str, request=None
) -> AuditProgramme:
    _require(actor, "audits.approve_programme")
    signatures.verify_password(
        signer=actor,
        password=password,
        obj=programme,
        meaning=Signature.Meaning.PROGRAMME_APPROVED,
        request=request,
    )
    with transaction.atomic():
        locked = AuditProgramme.objects.select_for_update().get(pk=programme.pk)
        if locked.status == ProgrammeStatus.APPROVED:
            raise ValidationError(_("The programme is already approved."))
        planned = list(
            locked.audits.order_by("start_date").values_list(
                "reference", "title", "start_date", "end_date"
            )
        )
        if not planned:
            raise ValidationError(_("Plan the year's audits before approving the programme."))
        locked.signature = signatures.sign(
            obj=locked,
            signer=actor,
            password=password,
            meaning=Signature.Meaning.PROGRAMME_APPROVED,
            content_sha256=signatures.content_hash({"year": locked.year, "audits": planned}),
            content_label=str(locked),
            request=request,
        )
        locked.status = ProgrammeStatus.APPROVED
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.version += 1
        return save_with_history(
            locked, actor=actor, reason=gettext_noop("Audit programme approved")
        )


# --- Planning -----------------------------------------------------------------------


def impartiality_problems(auditors: list[User], departments: list[Department]) -> list[str]:
    """Auditors who belong to a department audited (or one of its units)."""
    problems = []
    for auditor in auditors:
        own = auditor.department
        if own is None:
            continue
        for department in departments:
            if own.path.startswith(department.path):
                problems.append(
                    _(
                        "%(name)s belongs to %(department)s, which is audited: an auditor may not audit their own work."
                    )
                    % {"name": auditor, "department": department}
                )
    return problems


def _next_reference(audit_type: str, year: int) -> str:
    stem = f"{PREFIX.get(audit_type, 'DG')}-{year}-"
    taken = Audit.objects.filter(reference__startswith=stem).count()
    return f"{stem}{taken + 1:02d}"


@transaction.atomic
def audit_plan(
    *,
    actor,
    audit: Audit,
    departments: list[Department],
    team: list[User],
    procedures=(),
    clauses=(),
    documents=(),
    legal=(),
    version: int | None = None,
) -> Audit:
    """Plan (or re-plan) an audit: scope, criteria, dates, lead auditor and team."""
    _require(actor, "audits.manage_audits")
    if audit.pk:
        current = Audit.objects.select_for_update().get(pk=audit.pk)
        check_version(current, version)
        if current.status not in (AuditStatus.PLANNED, AuditStatus.PREPARED):
            raise ValidationError(_("The audit has started: its plan cannot change any more."))
        audit.version = current.version + 1
        audit.status = current.status
    joins_programme = audit.programme_id and (
        not audit.pk or current.programme_id != audit.programme_id
    )
    approved = AuditProgramme.objects.filter(pk=audit.programme_id, status=ProgrammeStatus.APPROVED)
    if joins_programme and approved.exists():
        raise ValidationError(
            {"programme": _("This programme is approved as it stands: it takes no new audits.")}
        )
    if not departments:
        raise ValidationError({"scope_departments": _("Choose at least one department to audit.")})
    if audit.end_date < audit.start_date:
        raise ValidationError({"end_date": _("The audit cannot end before it starts.")})
    auditors = [
        audit.lead_auditor,
        *[member for member in team if member.pk != audit.lead_auditor_id],
    ]
    problems = impartiality_problems(auditors, departments)
    if problems:
        raise ValidationError({"team": problems})
    if not audit.reference:
        audit.reference = _next_reference(audit.audit_type, audit.start_date.year)
    audit.search_text = fold(f"{audit.reference} {audit.title}")
    save_with_history(audit, actor=actor, reason=gettext_noop("Audit planned"))
    audit.scope_departments.set(departments)
    audit.team.set([m for m in team if m.pk != audit.lead_auditor_id])
    audit.scope_procedures.set(procedures)
    audit.criteria_clauses.set(clauses)
    audit.criteria_documents.set(documents)
    audit.legal_criteria.set(legal)
    for auditor in auditors:
        if auditor.pk != actor.pk:
            notify(
                recipient=auditor,
                message=gettext_noop("You audit %(reference)s from %(date)s: %(title)s"),
                params={
                    "reference": audit.reference,
                    "date": audit.start_date.isoformat(),
                    "title": audit.title[:120],
                },
                url=audit.get_absolute_url(),
            )
    return audit


@transaction.atomic
def session_add(
    *,
    actor,
    audit: Audit,
    department: Department,
    starts_at: datetime,
    ends_at: datetime,
    topic: str,
) -> AuditSession:
    if not (audit.lead_auditor_id == actor.pk or actor.has_perm("audits.manage_audits")):
        raise PermissionDenied
    if audit.status not in (AuditStatus.PLANNED, AuditStatus.PREPARED, AuditStatus.IN_PROGRESS):
        raise ValidationError(_("The audit plan is closed."))
    if not audit.scope_departments.filter(pk=department.pk).exists():
        raise ValidationError({"department": _("This department is not in the audit's scope.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A session must end after it starts.")})
    session = save_with_history(
        AuditSession(
            audit=audit, department=department, starts_at=starts_at, ends_at=ends_at, topic=topic
        ),
        actor=actor,
        reason=gettext_noop("Session planned"),
    )
    if department.head_id and department.head.is_active:
        notify(
            recipient=department.head,
            message=gettext_noop(
                "Audit %(reference)s meets your department on %(date)s: %(topic)s"
            ),
            params={
                "reference": audit.reference,
                "date": timezone.localtime(starts_at).strftime("%d/%m/%Y %H:%M"),
                "topic": topic[:120],
            },
            url=audit.get_absolute_url(),
        )
    return session


@transaction.atomic
def checklist_generate(*, actor, audit: Audit) -> int:
    """One question per ISO clause of the criteria and department audited, with guidance."""
    if not is_auditor(actor, audit) and not actor.has_perm("audits.manage_audits"):
        raise PermissionDenied
    if audit.status not in (AuditStatus.PLANNED, AuditStatus.PREPARED):
        raise ValidationError(_("The checklist is prepared before the audit starts."))
    position = audit.checklist.aggregate(last=Max("position"))["last"] or 0
    existing = set(audit.checklist.values_list("clause_id", "department_id"))
    created = 0
    for department in audit.scope_departments.all():
        for clause in audit.criteria_clauses.all():
            if (clause.pk, department.pk) in existing:
                continue
            position += 1
            save_with_history(
                ChecklistItem(
                    audit=audit,
                    position=position,
                    clause=clause,
                    department=department,
                    question="",  # worded when shown, in the reader's language
                ),
                actor=actor,
                reason=gettext_noop("Checklist prepared"),
            )
            created += 1
    return created


@transaction.atomic
def checklist_question_save(
    *,
    actor,
    audit: Audit,
    question: str,
    department: Department | None,
    clause: IsoClause | None,
    item: ChecklistItem | None = None,
) -> ChecklistItem:
    """Add a question of the auditor's own, or reword one, before the audit starts."""
    if not is_auditor(actor, audit) and not actor.has_perm("audits.manage_audits"):
        raise PermissionDenied
    if audit.status not in (AuditStatus.PLANNED, AuditStatus.PREPARED):
        raise ValidationError(_("The checklist is prepared before the audit starts."))
    if not question.strip():
        raise ValidationError({"question": _("Write the question.")})
    if department is not None and not audit.scope_departments.filter(pk=department.pk).exists():
        raise ValidationError({"department": _("This department is not in the audit's scope.")})
    if item is None:
        position = audit.checklist.aggregate(last=Max("position"))["last"] or 0
        item = ChecklistItem(audit=audit, position=position + 1)
        reason = gettext_noop("Checklist question added")
    else:
        item = ChecklistItem.objects.select_for_update().get(pk=item.pk, audit=audit)
        reason = gettext_noop("Checklist question changed")
    item.question = question.strip()
    item.department = department
    item.clause = clause
    return save_with_history(item, actor=actor, reason=reason)


@transaction.atomic
def checklist_answer(
    *, actor, item: ChecklistItem, result: str, notes: str, evidence: str
) -> ChecklistItem:
    audit = item.audit
    if not is_auditor(actor, audit):
        raise PermissionDenied
    if audit.status != AuditStatus.IN_PROGRESS:
        raise ValidationError(_("Checklist answers are recorded while the audit is in progress."))
    if result and result not in ItemResult.values:
        raise ValidationError({"result": _("Choose a result.")})
    item.result = result
    item.notes = notes
    item.evidence = evidence
    item.answered_by = actor
    return save_with_history(item, actor=actor, reason=gettext_noop("Checklist answered"))


@transaction.atomic
def finding_add(*, actor, finding: Finding) -> Finding:
    audit = finding.audit
    if not is_auditor(actor, audit):
        raise PermissionDenied
    if audit.status != AuditStatus.IN_PROGRESS:
        raise ValidationError(_("Findings are recorded while the audit is in progress."))
    _check_finding(finding)
    finding.number = (audit.findings.aggregate(last=Max("number"))["last"] or 0) + 1
    return save_with_history(finding, actor=actor, reason=gettext_noop("Finding recorded"))


FINDING_FIELDS = ("kind", "department", "clause", "requirement", "evidence", "statement")


def _check_finding(finding: Finding) -> None:
    if finding.kind not in (ItemResult.OBSERVATION, ItemResult.OFI, *NC_RESULTS):
        raise ValidationError({"kind": _("Choose what kind of finding it is.")})
    if not finding.audit.scope_departments.filter(pk=finding.department_id).exists():
        raise ValidationError({"department": _("This department is not in the audit's scope.")})


def _open_finding(actor, finding: Finding, version: int | None) -> Finding:
    """The finding locked for a change by the audit team, before the closing meeting."""
    locked = (
        Finding.objects.select_for_update(of=("self",)).select_related("audit").get(pk=finding.pk)
    )
    if not is_auditor(actor, locked.audit):
        raise PermissionDenied
    check_version(locked, version)
    if locked.audit.status != AuditStatus.IN_PROGRESS:
        raise ValidationError(
            _("Findings are changed only until they are confirmed at the closing meeting.")
        )
    if locked.withdrawn_at:
        raise ValidationError(_("This finding was withdrawn."))
    return locked


@transaction.atomic
def finding_update(*, actor, finding: Finding, version: int | None, **changes) -> Finding:
    """Correct a finding before the closing meeting (kind, clause, wording…)."""
    locked = _open_finding(actor, finding, version)
    for field in FINDING_FIELDS:
        if field in changes:
            setattr(locked, field, changes[field])
    _check_finding(locked)
    locked.version += 1
    return save_with_history(locked, actor=actor, reason=gettext_noop("Finding corrected"))


@transaction.atomic
def finding_withdraw(*, actor, finding: Finding, reason: str, version: int | None) -> Finding:
    """Withdraw a finding before the closing meeting; it is kept, marked, never deleted."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the finding is withdrawn.")})
    locked = _open_finding(actor, finding, version)
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = actor
    locked.withdrawal_reason = reason.strip()[:300]
    locked.version += 1
    return save_with_history(locked, actor=actor, reason=gettext_noop("Finding withdrawn"))


@transaction.atomic
def finding_action(
    *, actor, finding: Finding, title: str, owner: User, due_date: date, description: str = ""
):
    """An observation or opportunity for improvement becomes an action in the tracker."""
    from nonconformities.choices import ActionKind
    from nonconformities.models import Action
    from nonconformities.services import action_add

    finding = (
        Finding.objects.select_for_update(of=("self",)).select_related("audit").get(pk=finding.pk)
    )
    audit = finding.audit
    if not (audit.lead_auditor_id == actor.pk or actor.has_perm("audits.manage_audits")):
        raise PermissionDenied
    if finding.kind not in (ItemResult.OBSERVATION, ItemResult.OFI):
        raise ValidationError(_("Nonconformities get their actions through their own page."))
    if finding.action_id:
        raise ValidationError(_("This finding already has an action."))
    if finding.withdrawn_at:
        raise ValidationError(_("This finding was withdrawn."))
    if audit.status not in (AuditStatus.FINDINGS_CONFIRMED, AuditStatus.REPORTED):
        raise ValidationError(_("Actions are created from findings once they are confirmed."))
    kind = ActionKind.IMPROVEMENT if finding.kind == ItemResult.OFI else ActionKind.PREVENTIVE
    action = action_add(
        actor=actor,
        action=Action(
            title=title,
            description=description or finding.statement,
            kind=kind,
            owner=owner,
            department=finding.department,
            due_date=due_date,
        ),
        source=finding,
    )
    finding.action = action
    save_with_history(finding, actor=actor, reason=gettext_noop("Action created from finding"))
    return action


def audit_move(*, actor, audit: Audit, move: str, version: int | None = None) -> Audit:
    """Prepare, start, confirm the findings (raising nonconformities) or close."""
    if move == "report":
        raise ValidationError(_("The report is signed with its own form."))

    def guard(locked: Audit) -> None:
        if move == "prepare" and not locked.checklist.exists():
            raise ValidationError(_("Prepare the checklist first."))
        if move == "close":
            from nonconformities.choices import Status

            open_ncs = [
                f.nonconformity.number
                for f in locked.findings.select_related("nonconformity")
                if f.nonconformity and f.nonconformity.status not in (Status.CLOSED, Status.MERGED)
            ]
            if open_ncs:
                raise ValidationError(
                    _("These nonconformities are still open: %(numbers)s.")
                    % {"numbers": ", ".join(open_ncs)}
                )

    with transaction.atomic():
        moved = AUDIT_FLOW.apply(
            audit,
            move,
            actor=actor,
            version=version,
            guard=guard,
            effect=(lambda locked: setattr(locked, "closed_at", timezone.now()))
            if move == "close"
            else None,
        )
        if move == "confirm":
            _raise_nonconformities(moved, actor)
        return moved


def _raise_nonconformities(audit: Audit, actor) -> None:
    from nonconformities.models import Nonconformity
    from nonconformities.services import nonconformity_raise

    source = "internal_audit" if audit.audit_type == AuditType.INTERNAL else "external_audit"
    for finding in (
        audit.findings.current()
        .filter(kind__in=NC_RESULTS, nonconformity__isnull=True)
        .select_related("clause")
    ):
        clause = f"{finding.clause.number} " if finding.clause_id else ""
        nc = nonconformity_raise(
            actor=actor,
            nonconformity=Nonconformity(
                title=f"{audit.reference} F{finding.number:02d}: {finding.statement[:200]}",
                description=f"{clause}{finding.requirement}\n\n{finding.evidence}",
                department=finding.department,
                occurred_on=min(audit.end_date, timezone.localdate()),
                source=source,
            ),
            origin=finding,
        )
        finding.nonconformity = nc
        save_with_history(finding, actor=actor, reason=gettext_noop("Nonconformity raised"))


def report_sign(
    *,
    actor,
    audit: Audit,
    summary: str,
    conclusion: str,
    password: str,
    version: int | None,
    request=None,
) -> Audit:
    """The lead auditor signs the report: the PDF is generated from the data and frozen."""
    if audit.lead_auditor_id != actor.pk:
        raise ValidationError(_("Only the lead auditor signs the report."))
    if not conclusion.strip():
        raise ValidationError(
            {"conclusion": _("Write the conclusion on conformity and effectiveness.")}
        )
    signatures.verify_password(
        signer=actor,
        password=password,
        obj=audit,
        meaning=Signature.Meaning.REPORT_SIGNED,
        request=request,
    )
    with transaction.atomic():
        locked = Audit.objects.select_for_update().get(pk=audit.pk)
        check_version(locked, version)
        if locked.status != AuditStatus.FINDINGS_CONFIRMED:
            raise ValidationError(_("The report is signed once the findings are confirmed."))
        locked.summary = summary
        locked.conclusion = conclusion
        locked.report_version = 1
        _store_signed_report(locked, actor, password, request)
        return AUDIT_FLOW.apply(
            locked,
            "report",
            actor=actor,
            check_permission=False,
            effect=lambda obj: (
                setattr(obj, "summary", summary),
                setattr(obj, "conclusion", conclusion),
                setattr(obj, "report_version", 1),
            ),
        )


def _store_signed_report(audit: Audit, actor, password: str, request, comment: str = "") -> None:
    pdf = report_pdf(audit)
    stored = attachments.attachment_store(
        parent=audit,
        upload=SimpleUploadedFile(
            f"{audit.reference}-report-v{audit.report_version}.pdf",
            pdf,
            content_type="application/pdf",
        ),
        actor=actor,
        description=_("Audit report, version %(number)s") % {"number": audit.report_version},
    )
    signatures.sign(
        obj=audit,
        signer=actor,
        password=password,
        meaning=Signature.Meaning.REPORT_SIGNED,
        content_sha256=stored.sha256,
        content_label=stored.original_name,
        comment=comment,
        request=request,
    )


def report_correct(
    *,
    actor,
    audit: Audit,
    summary: str,
    conclusion: str,
    reason: str,
    password: str,
    version: int | None,
    request=None,
) -> Audit:
    """A signed report is never changed: a correction is a new version, signed again.

    The earlier PDFs and their signatures stay; the new PDF says which version it replaces
    and why.
    """
    if audit.lead_auditor_id != actor.pk:
        raise ValidationError(_("Only the lead auditor signs the report."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is corrected and why.")})
    if not conclusion.strip():
        raise ValidationError(
            {"conclusion": _("Write the conclusion on conformity and effectiveness.")}
        )
    signatures.verify_password(
        signer=actor,
        password=password,
        obj=audit,
        meaning=Signature.Meaning.REPORT_SIGNED,
        request=request,
    )
    with transaction.atomic():
        locked = Audit.objects.select_for_update().get(pk=audit.pk)
        check_version(locked, version)
        if locked.status not in (AuditStatus.REPORTED, AuditStatus.CLOSED):
            raise ValidationError(_("Only a signed report can be corrected."))
        locked.summary = summary
        locked.conclusion = conclusion
        locked.correction_reason = reason.strip()
        locked.report_version += 1
        locked.version += 1
        _store_signed_report(locked, actor, password, request, comment=locked.correction_reason)
        return save_with_history(
            locked,
            actor=actor,
            reason=gettext_noop("Report corrected: a new version was signed"),
        )


def _pdf_context(audit: Audit) -> dict:
    """What the plan and the report both print about the audit."""
    from qms.context_processors import agency_name

    return {
        "audit": audit,
        "departments": list(audit.scope_departments.all()),
        "clauses": list(audit.criteria_clauses.all()),
        "team": list(audit.team.all()),
        "agency_name": agency_name(),
        "today": timezone.localdate(),
    }


def report_pdf(audit: Audit) -> bytes:
    from qms.pdf import render_pdf

    findings = list(
        audit.findings.current()
        .select_related("clause", "department", "nonconformity")
        .order_by("department__name", "clause__position", "number")
    )
    replaced = None
    if audit.report_version > 1:
        replaced = (
            signatures.signatures_of(audit)
            .filter(meaning=Signature.Meaning.REPORT_SIGNED)
            .order_by("-signed_at", "-pk")
            .first()
        )
    return render_pdf(
        "audits/report_pdf.html",
        {**_pdf_context(audit), "findings": findings, "replaced": replaced},
    )


def plan_pdf(audit: Audit) -> bytes:
    """The audit plan to print or send to auditees: scope, criteria, team, sessions."""
    from qms.pdf import render_pdf

    return render_pdf(
        "audits/plan_pdf.html",
        {
            **_pdf_context(audit),
            "procedures": list(audit.scope_procedures.all()),
            "documents": list(audit.criteria_documents.all()),
            "legal": list(audit.legal_criteria.all()),
            "sessions": list(audit.sessions.select_related("department").order_by("starts_at")),
        },
    )


def assign_external_auditor(*, actor, audit: Audit, user: User, granted: bool = True) -> None:
    """An external auditor sees this audit (read-only) and the documents it references."""
    from guardian.shortcuts import assign_perm, remove_perm

    from qms import security_log
    from qms.models import SecurityEvent

    _require(actor, "audits.manage_audits")
    with transaction.atomic():
        if granted:
            assign_perm("audits.view_audit", user, audit)
        else:
            remove_perm("audits.view_audit", user, audit)
        documents = {*audit.scope_procedures.all(), *audit.criteria_documents.all()}
        if not granted:
            # a document another of this auditor's audits references stays readable
            from audits.models import AuditUserObjectPermission

            others = Audit.objects.filter(
                pk__in=AuditUserObjectPermission.objects.filter(
                    user=user, permission__codename="view_audit"
                ).values("content_object_id")
            ).exclude(pk=audit.pk)
            for other in others.prefetch_related("scope_procedures", "criteria_documents"):
                documents -= {*other.scope_procedures.all(), *other.criteria_documents.all()}
        for document in documents:
            (assign_perm if granted else remove_perm)("documents.view_document", user, document)
        security_log.record(
            SecurityEvent.Kind.PERMISSION_CHANGED,
            actor=actor,
            target=f"audits.audit:{audit.pk} {audit.reference}",
            details={"user": user.get_username(), "granted": granted},
        )
