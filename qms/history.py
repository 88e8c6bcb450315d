"""History helpers: every service saves through ``save_with_history``.

django-simple-history writes a row per ``save()``; bulk writes (``update()``,
``bulk_create``) write none, so services on tracked models never use them
(tests/qms/test_conventions.py greps for it).
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from qms.db import kept_rows
from qms.pagination import CompiledRows


def save_with_history(
    obj: models.Model, *, actor=None, reason: str = "", update_fields=None
) -> models.Model:
    """Save ``obj`` so its history row names the acting user and the reason.

    A reason the system writes is an untranslated message id (``gettext_noop``), shown in
    each reader's language; a reason a person types is shown as typed.
    """
    if actor is not None and getattr(actor, "is_authenticated", False):
        obj._history_user = actor
    obj._change_reason = reason
    obj.save(update_fields=update_fields)
    return obj


# --- Reading history ----------------------------------------------------------------

_LABEL_FIELDS = ("code", "title", "username", "name", "original_name", "key")


@functools.cache
def tracked_models() -> list[type[models.Model]]:
    """Every model with simple-history, in a stable order (app label, model name).

    Cached: the set is fixed once the apps are loaded, and each ``Model.history`` access
    builds a new manager class (a third of a millisecond; the activity page needs ~50).
    """
    from simple_history.models import registered_models

    found = [m for m in registered_models.values() if hasattr(m, "history")]
    return sorted(found, key=lambda m: (m._meta.app_label, m._meta.model_name))


@functools.cache
def history_model(model: type[models.Model]) -> type[models.Model]:
    """The historical model of a tracked model (cached, see ``tracked_models``)."""
    return model.history.model


def model_key(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _label_expression(model: type[models.Model]):
    from django.db.models import CharField, F
    from django.db.models.functions import Cast

    names = {f.name for f in model._meta.concrete_fields}
    field = getattr(model, "history_label_field", None) or next(
        (n for n in _LABEL_FIELDS if n in names), "id"
    )
    return Cast(F(field), output_field=CharField())


def activity(
    *,
    user_id: int | None = None,
    app_label: str = "",
    model: str = "",
    object_id: int | None = None,
    date_from=None,
    date_to=None,
) -> CompiledRows | None:
    """Every history table's rows, newest first (a UNION ALL), as dicts: ``history_id``,
    ``history_date``, ``history_type``, ``history_user_id``, ``history_change_reason``,
    ``id``, ``entry_model``, ``entry_label``. None when no tracked model matches.

    Compiling the fifty-table union cost more than running it (a third of the activity
    page's time): it is compiled once per process and filter and kept (the models and
    their fields are fixed once the apps are loaded)."""
    return _compiled_activity(user_id, app_label, model, object_id, date_from, date_to)


@functools.lru_cache(maxsize=256)
def _compiled_activity(user_id, app_label, model, object_id, date_from, date_to):
    from django.db import router

    rows = _activity_queryset(user_id, app_label, model, object_id, date_from, date_to)
    if rows is None:
        return None
    using = router.db_for_read(rows.model)
    sql, params = rows.query.get_compiler(using).as_sql()
    unfiltered = not (user_id or app_label or model or object_id or date_from or date_to)
    return CompiledRows(
        sql, params, using=using, parse={"history_date": _datetime}, constant=unfiltered
    )


def _datetime(value):
    # PostgreSQL hands back an aware datetime; SQLite the naive UTC time it stores (as
    # text or a datetime, depending on the column's declared type)
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _activity_queryset(user_id, app_label, model, object_id, date_from, date_to):
    """One queryset over every history table, newest first (a UNION ALL)."""
    from django.db.models import CharField, Value

    parts = []
    for tracked in tracked_models():
        if app_label and tracked._meta.app_label != app_label:
            continue
        if model and model_key(tracked) != model:
            continue
        rows = history_model(tracked).objects.all()
        if user_id:
            rows = rows.filter(history_user_id=user_id)
        if object_id:
            rows = rows.filter(id=object_id)
        if date_from:
            rows = rows.filter(history_date__date__gte=date_from)
        if date_to:
            rows = rows.filter(history_date__date__lte=date_to)
        parts.append(
            rows.order_by()
            .annotate(
                entry_model=Value(model_key(tracked), output_field=CharField()),
                entry_label=_label_expression(tracked),
            )
            .values(
                "history_id",
                "history_date",
                "history_type",
                "history_user_id",
                "history_change_reason",
                "id",
                "entry_model",
                "entry_label",
            )
        )
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0].order_by("-history_date", "-history_id")
    return parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")


def object_history(obj: models.Model, *, limit: int = 50) -> list[dict]:
    """The object's history rows, newest first, each with the fields it changed."""
    # through ``history_model``: ``obj.history`` builds a manager class at each use
    model = history_model(type(obj))
    records = kept_rows(
        ("history", model._meta.label, limit),
        lambda pk: (
            model._default_manager.filter(**{obj._meta.pk.attname: pk})
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[: limit + 1]
        ),
        obj.pk,
    )
    entries = []
    m2m_names = [f.name for f in obj._meta.many_to_many]
    wanted: dict[type[models.Model], set] = {}
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            # Many-to-many history would cost queries per row; those changes show as
            # "Changed" with the reason, and the object page lists the current values.
            delta = record.diff_against(previous, excluded_fields=m2m_names)
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append({"field": field, "old": change.old, "new": change.new})
                if field.is_relation and field.many_to_one:
                    ids = wanted.setdefault(field.related_model, set())
                    ids.update(v for v in (change.old, change.new) if v is not None)
        entries.append({"record": record, "changes": changes})
    # A save followed by list changes (clauses, legal basis…) writes several rows with the
    # same reason: show the action once.
    entries = [
        entry
        for index, entry in enumerate(entries)
        if not _repeats_previous(entry, entries[index + 1] if index + 1 < len(entries) else None)
    ]
    # Linked objects by name, one query per related model for the whole page.
    names = {model: model._default_manager.in_bulk(ids) for model, ids in wanted.items()}
    # A linked row that points back at this object (a document's revisions, named "code
    # revision n") is named with the object at hand instead of reading it again per row.
    for model, rows in names.items():
        back = [
            field
            for field in model._meta.concrete_fields
            if field.many_to_one and field.related_model is obj._meta.model
        ]
        for row in rows.values():
            for field in back:
                if getattr(row, field.attname) == obj.pk:
                    field.set_cached_value(row, obj)
    for entry in entries:
        for change in entry["changes"]:
            field = change["field"]
            related = names.get(field.related_model) if field.is_relation else None
            for side in ("old", "new"):
                value = change[side]
                if related is not None and value is not None:
                    change[side] = str(related.get(value, f"#{value}"))
                else:
                    change[side] = _display(field, value)
            change["field"] = field.verbose_name
    return entries


def _repeats_previous(entry: dict, older: dict | None) -> bool:
    record = entry["record"]
    if older is None or entry["changes"] or record.history_type != "~":
        return False
    previous = older["record"]
    return (
        record.history_change_reason == previous.history_change_reason
        and record.history_user_id == previous.history_user_id
    )


def _display(field, value):
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            ", ".join(str(i) for i in v) if isinstance(v, list) else str(v) for v in value.values()
        )
    if getattr(field, "choices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        from django.utils.translation import gettext

        return gettext("Yes") if value else gettext("No")
    # dates as the rest of the page writes them (English wrote "8 December 2026" here)
    if isinstance(value, datetime):
        shown = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(shown, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return value
