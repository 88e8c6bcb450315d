import copy

import django_filters
from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_filters.filters import FilterMethod

from qms import fragments
from qms.models import CalendarDay, Department, SecurityEvent, User
from qms.roles import ROLES
from qms.visibility import is_active_user, kept_access


class ListFilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, made for one request without its two deep copies.

    django-filter deep-copies the class's filters for each filterset, then builds a form
    class from them whose form deep-copies the new fields once more: a tenth of a list
    page's work (the action list: 1,300 copies, choices normalised three times over), for
    objects no other request sees. Here each filter is a shallow copy with its own
    ``extra`` (what a filter changes while it serves a request: its queryset, label, lookup,
    field), and the form takes the fields made for it as they are. Every list's filterset
    is one of these."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _filter_for(self, f) for name, f in self.base_filters.items()}

    def get_form_class(self):
        form_class = super().get_form_class()
        form_class.base_fields = _FieldsOfOneForm(form_class.base_fields)
        return form_class


def _filter_for(filterset: django_filters.FilterSet, base: django_filters.Filter):
    own = copy.copy(base)
    own.extra = dict(base.extra)
    own.__dict__.pop("_field", None)
    if isinstance(own.__dict__.get("filter"), FilterMethod):
        # the method filter names its filter: this copy, not the class's
        own.filter = FilterMethod(own)
    own.model = filterset.queryset.model
    own.parent = filterset
    return own


class _FieldsOfOneForm(dict):
    """The fields of a form class made for one form (``ListFilterSet.get_form_class``):
    Django's form copies its class's fields so that two forms never share one; these
    belong to one form already."""

    def __deepcopy__(self, memo):
        return dict(self)


def visible_departments(request):
    return Department.objects.visible_to(request.user) if request else Department.objects.none()


@fragments.key_for(django_filters.FilterSet)
def filter_bar_key(filterset: django_filters.FilterSet) -> tuple:
    """Everything a list's filter bar shows of its filterset (``includes/filters.html``
    keeps it rendered): the class, the query string but its page, and for each field its
    label, help, widget, value, errors and choices — the choices as the reader's filterset
    offers them (their departments, types or processes), read as the bar would read them."""
    form = filterset.form
    data = form.data
    fields = []
    for bound in form.visible_fields():
        field = bound.field
        widget = field.widget
        choices = getattr(field, "choices", None)
        if isinstance(choices, ModelChoiceIterator):
            # read once, for the key and the bar: the bar then prints these (one query,
            # without Django's count first and its server-side cursor)
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            choices = empty + [choices.choice(row) for row in field.queryset]
            forms.ChoiceField.choices.fset(field, choices)
        fields.append(
            (
                bound.name,
                str(bound.label),
                str(field.help_text),
                field.required,
                field.disabled,
                type(widget),
                tuple((name, str(value)) for name, value in widget.attrs.items()),
                tuple(str(error) for error in bound.errors),
                fragments.signature(bound.value()),
                None if choices is None else _texts(choices),
            )
        )
    return (
        form.is_bound,
        form.prefix,
        tuple((key, tuple(data.getlist(key))) for key in sorted(data) if key != "page"),
        *fields,
    )


def _texts(choices) -> tuple:
    # each choice's value and label as printed; a group's options in it
    return tuple(
        (str(value), _texts(label) if isinstance(label, (list, tuple)) else str(label))
        for value, label in choices
    )


class DepartmentChoiceFilter(django_filters.ModelChoiceFilter):
    """A department the user may see. Its choices are kept with the user's access
    (``qms.visibility.kept_access``, renewed when the tree or their scope changes) instead
    of read and built on every list page: 60 departments were a tenth of a list's work.
    The chosen department is still checked against the departments the user may see."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Department"))
        kwargs.setdefault("queryset", visible_departments)
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            field = super().field
            user = getattr(self.get_request(), "user", None)
            if is_active_user(user):
                kept = kept_access(
                    user,
                    "department_choices",
                    lambda: [(d.pk, field.label_from_instance(d)) for d in field.queryset],
                )
                # Django's own setter: django-filter's would wrap the list in a queryset
                # iterator
                forms.ChoiceField.choices.fset(field, [("", field.empty_label), *kept])
        return self._field


class DateInput(forms.DateInput):
    input_type = "date"


ALL = _("All")


def recent_years() -> list[tuple[str, str]]:
    """Next year and the five before this one, newest first: the years a list offers."""
    from django.utils import timezone

    this_year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this_year + 1, this_year - 6, -1)]


class ActiveFilter(django_filters.ChoiceFilter):
    """Active / inactive, or both — instead of django-filter's "Unknown / Yes / No"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Status"))
        kwargs.setdefault("choices", [("active", _("Active")), ("inactive", _("Inactive"))])
        kwargs.setdefault("empty_label", ALL)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("active", "inactive"):
            return qs.filter(**{self.field_name: value == "active"})
        return qs


class UserFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    department = DepartmentChoiceFilter(method="in_department")
    role = django_filters.ChoiceFilter(
        label=_("Role"),
        choices=[(r.slug, r.name) for r in ROLES],
        field_name="groups__name",
        empty_label=ALL,
    )
    is_active = ActiveFilter(field_name="is_active")

    class Meta:
        model = User
        fields = ["q", "department", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
            | Q(job_title__icontains=value)
        )

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)


class DepartmentFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    is_active = ActiveFilter(field_name="is_active")

    class Meta:
        model = Department
        fields = ["q", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class CalendarFilter(ListFilterSet):
    year = django_filters.NumberFilter(label=_("Year"), field_name="date__year")
    kind = django_filters.ChoiceFilter(
        label=_("Type of day"), choices=CalendarDay.Kind.choices, empty_label=ALL
    )

    class Meta:
        model = CalendarDay
        fields = ["year", "kind"]


class SecurityEventFilter(ListFilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Event"), choices=SecurityEvent.Kind.choices, empty_label=ALL
    )
    username = django_filters.CharFilter(label=_("User name"), lookup_expr="icontains")
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="occurred_at__date", lookup_expr="gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="occurred_at__date", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = SecurityEvent
        fields = ["kind", "username", "date_from", "date_to"]


class ActivityForm(forms.Form):
    """Filters for the activity page (a union over history tables, not one model)."""

    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    module = forms.ChoiceField(label=_("Module"), required=False)
    model = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.IntegerField(
        label=_("Object id"), required=False, min_value=1, max_value=2**63 - 1
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, modules, models, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [("", ALL), *modules]
        self.fields["model"].choices = [("", ALL), *models]
