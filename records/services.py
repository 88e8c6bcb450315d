"""Every write of the records module.

Rules: a registered record is never edited in place or deleted — a correction is a new
version with a reason; nothing is disposed of before its retention ends or while a legal
hold stands; disposal happens only through a batch approved with the QMS manager's
e-signature, keeps every record's metadata, deletes stored files only where the type says
"destroy", and leaves a disposal certificate that is itself a permanent record.
"""

from __future__ import annotations

import calendar
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from qms import attachments, security_log, signatures
from qms.history import save_with_history
from qms.models import Department, SecurityEvent, Signature, User
from qms.notifications import notify
from qms.search import fold
from qms.visibility import department_scope_q
from qms.workflow import check_version
from records.choices import Access, BatchStatus, Disposition, RecordStatus, Storage
from records.models import DisposalBatch, DisposalItem, Record, RecordType

CERTIFICATE_TYPE_CODE = "HS-HUY"


def _require(actor, perm: str) -> None:
    if not (actor and actor.is_active and actor.has_perm(perm)):
        raise PermissionDenied


def can_manage(user) -> bool:
    return bool(user.is_active and user.has_perm("records.manage_records"))


def add_years(day: date, years: int) -> date:
    year = day.year + years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def retention_until(record_type: RecordType, record_date: date) -> date | None:
    if record_type.permanent:
        return None
    return add_years(record_date, record_type.retention_years or 0)


def _search_text(record: Record) -> str:
    return fold(
        f"{record.reference} {record.title} {record.record_type.code} {record.record_type.name}"
    )


# --- Record types -------------------------------------------------------------------


@transaction.atomic
def record_type_save(*, actor, record_type: RecordType, version: int | None = None) -> RecordType:
    """Define or change a record type; a new retention applies to its records still kept."""
    _require(actor, "records.manage_records")
    if not record_type.permanent and not record_type.retention_years:
        raise ValidationError(
            {"retention_years": _("Give the retention in years, or mark the type permanent.")}
        )
    previous = None
    if record_type.pk:
        previous = RecordType.objects.select_for_update().get(pk=record_type.pk)
        check_version(previous, version)
        record_type.version = previous.version + 1
    save_with_history(record_type, actor=actor, reason=gettext_noop("Record type saved"))
    retention_changed = previous is not None and (
        previous.permanent != record_type.permanent
        or previous.retention_years != record_type.retention_years
    )
    if retention_changed:
        kept = record_type.records.filter(status=RecordStatus.ACTIVE).select_related("record_type")
        for record in kept.iterator(chunk_size=500):
            record.retention_until = retention_until(record_type, record.record_date)
            save_with_history(
                record, actor=actor, reason=gettext_noop("Retention of the record type changed")
            )
    return record_type


# --- Registering and correcting -----------------------------------------------------


def can_register_in(user, department: Department) -> bool:
    if can_manage(user):
        return True
    from qms.models import Department as D

    return D.objects.filter(department_scope_q(user, field=""), pk=department.pk).exists()


def _check_record_fields(actor, record: Record) -> None:
    if (
        not RecordType.objects.visible_to(actor)
        .filter(pk=record.record_type_id, is_active=True)
        .exists()
    ):
        raise ValidationError({"record_type": _("Choose a record type that is in use.")})
    if record.record_date > timezone.localdate():
        raise ValidationError({"record_date": _("A record cannot be dated in the future.")})
    if not can_register_in(actor, record.department):
        raise ValidationError(
            {
                "department": _(
                    "You can register records only for your own department and its units."
                )
            }
        )


@transaction.atomic
def record_register(*, actor, record: Record, uploads: list[UploadedFile] = ()) -> Record:
    """Register a record with its files (or where the paper original is kept)."""
    _check_record_fields(actor, record)
    record_type = RecordType.objects.get(pk=record.record_type_id)
    if record_type.storage == Storage.PORTAL and not uploads:
        raise ValidationError(
            {"files": _("This type of record is kept in the portal: attach its file.")}
        )
    if record_type.storage != Storage.PORTAL and not (
        record.physical_location or record_type.location
    ):
        raise ValidationError(
            {"physical_location": _("Say where the original is kept (room, shelf, box or system).")}
        )
    record.registered_by = actor
    record.retention_until = retention_until(record_type, record.record_date)
    record.search_text = _search_text(record)
    save_with_history(record, actor=actor, reason=gettext_noop("Record registered"))
    for upload in uploads:
        attachments.attachment_store(parent=record, upload=upload, actor=actor)
    return record


def can_correct(user, record: Record) -> bool:
    return record.status == RecordStatus.ACTIVE and (
        record.registered_by_id == user.pk or can_manage(user)
    )


@transaction.atomic
def record_correct(
    *,
    actor,
    record: Record,
    reason: str,
    version: int | None,
    uploads: list[UploadedFile] = (),
) -> Record:
    """A correction is a new version with a reason; the earlier version stays in history."""
    current = Record.objects.select_for_update().get(pk=record.pk)
    if not can_correct(actor, current):
        raise PermissionDenied
    check_version(current, version)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the record is corrected.")})
    _check_record_fields(actor, record)
    record.retention_until = retention_until(record.record_type, record.record_date)
    record.version_number = current.version_number + 1
    record.version = current.version + 1
    record.search_text = _search_text(record)
    for protected in ("status", "registered_by_id", "legal_hold", "disposal_batch_id"):
        setattr(record, protected, getattr(current, protected))
    save_with_history(record, actor=actor, reason=reason)
    for upload in uploads:
        attachments.attachment_store(parent=record, upload=upload, actor=actor)
    return record


# --- Legal hold ---------------------------------------------------------------------


@transaction.atomic
def hold_set(*, actor, target: Record | RecordType, held: bool, reason: str = "") -> None:
    """Place or lift a legal hold on one record or on every record of a type."""
    _require(actor, "records.manage_records")
    if held and not reason.strip():
        raise ValidationError(
            {"reason": _("Say why the hold is placed (for example the inspection).")}
        )
    locked = type(target).objects.select_for_update().get(pk=target.pk)
    if isinstance(locked, Record) and locked.status != RecordStatus.ACTIVE:
        raise ValidationError(_("This record is already disposed of."))
    locked.legal_hold = held
    locked.legal_hold_reason = reason if held else ""
    locked.version += 1
    save_with_history(
        locked,
        actor=actor,
        reason=reason if held else gettext_noop("Legal hold lifted"),
    )


# --- Disposal -----------------------------------------------------------------------


def eligible_for_disposal(today: date):
    """Records kept past their retention, not on hold, not already in an open batch."""
    in_open_batch = DisposalItem.objects.filter(
        batch__status=BatchStatus.PROPOSED, excluded=False
    ).values("record_id")
    return (
        Record.objects.filter(
            status=RecordStatus.ACTIVE,
            retention_until__lt=today,
            legal_hold=False,
            record_type__legal_hold=False,
        )
        .exclude(pk__in=in_open_batch)
        .select_related("record_type")
    )


def _why_not_disposable(record: Record, today: date) -> str:
    if record.status != RecordStatus.ACTIVE:
        return gettext_noop("Already disposed of")
    if record.legal_hold or record.record_type.legal_hold:
        return gettext_noop("Under legal hold")
    if record.retention_until is None or record.retention_until >= today:
        return gettext_noop("Retention has not ended")
    return ""


def _next_batch_number(today: date) -> str:
    stem = f"TH-{today:%Y%m}-"
    taken = DisposalBatch.objects.filter(number__startswith=stem).count()
    return f"{stem}{taken + 1:02d}"


@transaction.atomic
def disposal_propose(*, today: date | None = None, actor=None) -> DisposalBatch | None:
    """The monthly sweep: put every record whose retention ended into the open batch."""
    if actor is not None:
        _require(actor, "records.manage_records")
    today = today or timezone.localdate()
    records = list(eligible_for_disposal(today))
    if not records:
        return None
    batch = DisposalBatch.objects.select_for_update().filter(status=BatchStatus.PROPOSED).first()
    created = batch is None
    if created:
        batch = save_with_history(
            DisposalBatch(number=_next_batch_number(today), proposed_on=today),
            actor=actor,
            reason=gettext_noop("Disposal proposed"),
        )
    for record in records:
        save_with_history(
            DisposalItem(batch=batch, record=record),
            actor=actor,
            reason=gettext_noop("Retention ended"),
        )
    if created:
        for manager in User.objects.filter(groups__name="qms_manager", is_active=True):
            notify(
                recipient=manager,
                message=gettext_noop(
                    "Disposal batch %(number)s lists the records whose retention has ended "
                    "(%(count)s): please review and approve it."
                ),
                params={"number": batch.number, "count": len(records)},
                url=batch.get_absolute_url(),
            )
    return batch


@transaction.atomic
def item_exclude(*, actor, item: DisposalItem, reason: str) -> DisposalItem:
    _require(actor, "records.manage_records")
    if item.batch.status != BatchStatus.PROPOSED:
        raise ValidationError(_("This batch is already decided."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this record is kept.")})
    item.excluded = True
    item.exclusion_reason = reason
    return save_with_history(item, actor=actor, reason=reason)


def _batch_content(batch: DisposalBatch, items: list[DisposalItem]) -> list[dict]:
    """What the approver signs: exactly these records, with the method for each."""
    return [
        {
            "batch": batch.number,
            "record": item.record_id,
            "type": item.record.record_type.code,
            "title": item.record.title,
            "reference": item.record.reference,
            "date": item.record.record_date.isoformat(),
            "kept_until": item.record.retention_until.isoformat()
            if item.record.retention_until
            else None,
            "method": item.record.record_type.disposition,
        }
        for item in items
    ]


def batch_approve(*, actor, batch: DisposalBatch, password: str, version: int | None, request=None):
    """Approve with an e-signature and carry the disposal out (see the module docstring)."""
    _require(actor, "records.manage_records")
    signatures.verify_password(
        signer=actor,
        password=password,
        obj=batch,
        meaning=Signature.Meaning.DISPOSAL_APPROVED,
        request=request,
    )
    with transaction.atomic():
        return _batch_approve(
            actor=actor, batch=batch, password=password, version=version, request=request
        )


def _batch_approve(*, actor, batch, password, version, request) -> DisposalBatch:
    locked = DisposalBatch.objects.select_for_update().get(pk=batch.pk)
    check_version(locked, version)
    if locked.status != BatchStatus.PROPOSED:
        raise ValidationError(_("This batch is already decided."))
    today = timezone.localdate()
    items = list(
        locked.items.filter(excluded=False).select_related("record", "record__record_type")
    )
    kept = []
    for item in items:
        reason = _why_not_disposable(
            Record.objects.select_related("record_type").get(pk=item.record_id), today
        )
        if reason:
            item.excluded = True
            item.exclusion_reason = reason
            save_with_history(item, actor=actor, reason=reason)
        else:
            kept.append(item)
    if not kept:
        raise ValidationError(_("No record in this batch can be disposed of any more."))
    content = _batch_content(locked, kept)
    locked.signature = signatures.sign(
        obj=locked,
        signer=actor,
        password=password,
        meaning=Signature.Meaning.DISPOSAL_APPROVED,
        content_sha256=signatures.content_hash(content),
        content_label=_("Disposal batch %(number)s (%(count)s)")
        % {"number": locked.number, "count": len(kept)},
        request=request,
    )
    for item in kept:
        _dispose(item.record, locked, actor, today)
    locked.status = BatchStatus.APPROVED
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    locked.version += 1
    save_with_history(locked, actor=actor, reason=gettext_noop("Disposal approved and carried out"))
    locked.certificate = _certificate(locked, kept, actor)
    save_with_history(locked, actor=actor, reason=gettext_noop("Disposal certificate issued"))
    security_log.record(
        SecurityEvent.Kind.DISPOSAL,
        actor=actor,
        request=request,
        target=f"records.disposalbatch:{locked.pk} {locked.number}",
        details={"records": [item.record_id for item in kept], "signature": locked.signature_id},
    )
    return locked


def _dispose(record: Record, batch: DisposalBatch, actor, today: date) -> None:
    record = (
        Record.objects.select_for_update(of=("self",))
        .select_related("record_type")
        .get(pk=record.pk)
    )
    method = record.record_type.disposition
    record.status = RecordStatus.DISPOSED
    record.disposed_on = today
    record.disposal_method = method
    record.disposal_batch = batch
    record.version += 1
    save_with_history(record, actor=actor, reason=gettext_noop("Disposed of by an approved batch"))
    if method == Disposition.DESTROY:
        for attachment in attachments.attachments_of(record):
            attachments.attachment_destroy(
                attachment=attachment,
                actor=actor,
                reason=gettext_noop("File destroyed at disposal"),
            )


def certificate_type(department: Department) -> RecordType:
    """The permanent record type of disposal certificates (created the first time, named
    in the portal's main language like every other record type)."""
    found = RecordType.objects.filter(code=CERTIFICATE_TYPE_CODE).first()
    if found:
        return found
    with translation.override(settings.LANGUAGE_CODE):
        return _new_certificate_type(department)


def _new_certificate_type(department: Department) -> RecordType:
    return save_with_history(
        RecordType(
            code=CERTIFICATE_TYPE_CODE,
            name=_("Disposal certificate"),
            department=department,
            storage=Storage.PORTAL,
            permanent=True,
            disposition=Disposition.REVIEW,
            access=Access.RESTRICTED,
        ),
        reason=gettext_noop("Record type saved"),
    )


def _certificate(batch: DisposalBatch, items: list[DisposalItem], actor) -> Record:
    from django.template.loader import render_to_string

    from qms.context_processors import agency_name
    from qms.pdf import html_to_pdf

    root = Department.objects.filter(parent__isnull=True).order_by("pk").first() or actor.department
    methods = [item.record.record_type.disposition for item in items]
    html = render_to_string(
        "records/disposal_certificate.html",
        {
            "batch": batch,
            "items": items,
            "left_out": batch.items.filter(excluded=True).select_related("record"),
            "summary": {m: methods.count(m) for m in ("destroy", "transfer", "review")},
            "approver": actor,
            "agency_name": agency_name(),
            "signature": batch.signature,
        },
    )
    pdf = SimpleUploadedFile(
        f"{batch.number}.pdf", html_to_pdf(html), content_type="application/pdf"
    )
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Disposal certificate %(number)s") % {"number": batch.number}
    record = Record(
        record_type=certificate_type(root),
        title=title,
        reference=batch.number,
        record_date=timezone.localdate(),
        department=root,
        registered_by=actor,
    )
    record.retention_until = None
    record.search_text = _search_text(record)
    save_with_history(record, actor=actor, reason=gettext_noop("Disposal certificate issued"))
    attachments.attachment_store(parent=record, upload=pdf, actor=actor)
    return record


@transaction.atomic
def batch_cancel(*, actor, batch: DisposalBatch, reason: str, version: int | None) -> DisposalBatch:
    _require(actor, "records.manage_records")
    locked = DisposalBatch.objects.select_for_update().get(pk=batch.pk)
    check_version(locked, version)
    if locked.status != BatchStatus.PROPOSED:
        raise ValidationError(_("This batch is already decided."))
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    locked.status = BatchStatus.CANCELLED
    locked.note = reason
    locked.version += 1
    return save_with_history(locked, actor=actor, reason=reason)


def next_reference(record_type: RecordType, year: int) -> str:
    """A suggested reference: TYPE-YEAR-NNNN, the next number of the type in that year."""
    stem = f"{record_type.code}-{year}-"
    last = Record.objects.filter(record_type=record_type, reference__startswith=stem).aggregate(
        last=Max("reference")
    )["last"]
    number = int(last.rsplit("-", 1)[-1]) + 1 if last and last.rsplit("-", 1)[-1].isdigit() else 1
    return f"{stem}{number:04d}"
