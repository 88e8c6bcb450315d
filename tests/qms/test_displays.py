"""The portal's get_<field>_display (qms/displays.py) shows what Django's method shows, for
every field with choices of every portal model, in the three languages."""

from functools import partialmethod

from django.apps import apps
from django.db import models
from django.utils import translation

from qms.apps import PORTAL_APPS
from qms.displays import _display


def _fields_with_choices():
    for model in apps.get_models():
        if model._meta.app_label in PORTAL_APPS:
            for field in model._meta.fields:
                if field.choices:
                    yield model, field


def test_every_choice_field_of_the_portal_has_the_quick_method():
    fields = list(_fields_with_choices())
    assert len(fields) > 40
    quick = 0
    for model, field in fields:
        name = f"get_{field.name}_display"
        method = next(cls.__dict__[name] for cls in model.__mro__ if name in cls.__dict__)
        if isinstance(method, partialmethod):  # not a model's own method
            assert method.func is _display, (model, field)
            quick += 1
    assert quick > 40


def test_the_same_labels_as_django_in_every_language():
    compared = 0
    for language in ("en", "vi", "zh-hans"):
        with translation.override(language):
            for model, field in _fields_with_choices():
                for value in [value for value, _label in field.flatchoices] + ["not-a-choice"]:
                    instance = model()
                    setattr(instance, field.attname, value)
                    quick = getattr(instance, f"get_{field.name}_display")()
                    assert quick == models.Model._get_FIELD_display(instance, field)
                    compared += 1
    with translation.override("vi"):
        from nonconformities.models import Nonconformity

        shown = Nonconformity(status="closed").get_status_display()
    with translation.override("en"):
        assert shown != Nonconformity(status="closed").get_status_display() == "Closed"
    assert compared > 500
