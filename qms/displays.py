"""``get_<field>_display`` for the portal's models without Django's cost per call.

Django's method builds a dict of every choice of the field on each call, hashing each lazy
label — a translation per choice, per call: the nonconformity list's 25 rows (status,
category, severity…) translated ~600 labels per request, 15 % of its rendering. Here each
field's choices are read once into a dict of value → label. The labels stay lazy, so each
is translated when shown, in the reader's language; a value that is not a choice shows as
itself, as with Django's method. A model that writes its own ``get_<field>_display`` keeps it.
"""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def _labels(field) -> dict:
    labels = field.__dict__.get("_qms_labels")
    if labels is None:
        labels = field._qms_labels = {
            make_hashable(value): label for value, label in field.flatchoices
        }
    return labels


def _display(self, *, field):
    value = getattr(self, field.attname)
    return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


def choice_label(model: type[models.Model], name: str, value) -> str:
    """What ``get_<name>_display`` shows for ``value``, for a value read as a column of
    another row (an annotation) rather than with its own object."""
    field = model._meta.get_field(name)
    return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


def install(app_labels: set[str]) -> int:
    """Give the models of these apps the quick method; returns how many fields have it."""
    installed = 0
    for model in apps.get_models():
        if model._meta.app_label not in app_labels:
            continue
        for field in model._meta.fields:
            name = f"get_{field.name}_display"
            current = model.__dict__.get(name)
            # only Django's own method: not a model's override, nor choices computed at
            # run time (a callable)
            if (
                isinstance(current, partialmethod)
                and current.func is models.Model._get_FIELD_display
                and isinstance(field.choices, (list, tuple))
            ):
                setattr(model, name, partialmethod(_display, field=field))
                installed += 1
    return installed
