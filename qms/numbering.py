"""Numbers people quote (NC-2026-0001, HD-2026-0042, PA-2026-0003): the next of the year,
saved with a retry when two are taken at the same moment (the unique constraint decides)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from qms.history import save_with_history


def next_number(model: type[models.Model], prefix: str, today: date, field: str = "number") -> str:
    stem = f"{prefix}-{today.year}-"
    # longest first: past 9999 in a year, "…-10000" sorts before "…-9999" as text
    last = (
        model.objects.filter(**{f"{field}__startswith": stem})
        .order_by(Length(field).desc(), f"-{field}")
        .values_list(field, flat=True)
        .first()
    )
    return f"{stem}{(int(last.rsplit('-', 1)[-1]) + 1) if last else 1:04d}"


def save_numbered(obj: models.Model, prefix: str, *, actor=None, reason: str):
    """Number ``obj`` (its ``number`` field) and save it with history, retrying on a clash."""
    model = type(obj)
    for _attempt in range(5):
        obj.number = next_number(model, prefix, timezone.localdate())
        try:
            with transaction.atomic():
                return save_with_history(obj, actor=actor, reason=reason)
        except IntegrityError:
            obj.pk = None
            continue
    raise ValidationError(_("Please try again: many reports are being saved at this moment."))
