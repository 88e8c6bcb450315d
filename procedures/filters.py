import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.choices import Level, ProcedureStatus, ProcessType
from procedures.models import (
    CaseStatus,
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    Procedure,
    Process,
    ServiceCase,
)
from qms.calendar import WorkingCalendar, working_seconds_per_day
from qms.filters import ALL, DateInput, DepartmentChoiceFilter, ListFilterSet
from qms.search import fold


def _processes(request):
    return Process.objects.filter(is_active=True) if request else Process.objects.none()


def _fields():
    names = Procedure.objects.order_by("field").values_list("field", flat=True).distinct()
    return [(name, name) for name in names]


class ProcedureFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    field = django_filters.ChoiceFilter(label=_("Field"), choices=_fields, empty_label=ALL)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices, empty_label=ALL)
    department = DepartmentChoiceFilter(method="in_department")
    process = django_filters.ModelChoiceFilter(
        label=_("Process"), queryset=_processes, empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProcedureStatus.choices, empty_label=ALL
    )
    review = django_filters.ChoiceFilter(
        label=_("Review"),
        choices=[
            ("needed", _("Review needed (legal basis changed)")),
            ("flagged", _("Flagged for corrective action")),
        ],
        method="by_review",
        empty_label=ALL,
    )

    class Meta:
        model = Procedure
        fields = ["q", "field", "level", "department", "process", "status", "review"]

    def search(self, queryset, name, value):
        return queryset.filter(search_text__matches=fold(value))

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)

    def by_review(self, queryset, name, value):
        if value == "needed":
            return queryset.exclude(review_flag="")
        if value == "flagged":
            return queryset.filter(attention=True)
        return queryset


class ProcessFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    process_type = django_filters.ChoiceFilter(
        label=_("Process type"), choices=ProcessType.choices, empty_label=ALL
    )
    department = DepartmentChoiceFilter(method="in_department")

    class Meta:
        model = Process
        fields = ["q", "process_type", "department"]

    def search(self, queryset, name, value):
        return queryset.filter(search_text__matches=fold(value))

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)


class CaseFilter(ListFilterSet):
    # Names are found by whole words (qms.search.MatchesWords): the box says so
    q = django_filters.CharFilter(
        label=_("Receipt code or applicant"),
        method="search",
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Whole words or a code"),
                "title": _("Whole words of a name, or part of a code"),
            }
        ),
    )
    # A text box, not a list: an agency has hundreds or thousands of procedures
    procedure = django_filters.CharFilter(
        label=_("Procedure (code or name)"), method="by_procedure"
    )
    department = DepartmentChoiceFilter(method="in_department")
    in_charge = DepartmentChoiceFilter(label=_("Department in charge"), method="by_charge")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=CaseStatus.choices, empty_label=ALL
    )
    timing = django_filters.ChoiceFilter(
        label=_("Timing"),
        choices=[
            ("overdue", _("Overdue (open, past due)")),
            ("soon", _("Due within a day")),
            ("late", _("Finished late")),
            ("on_time", _("Finished on time")),
        ],
        method="by_timing",
        empty_label=ALL,
    )
    received_from = django_filters.DateFilter(
        label=_("Received from"),
        field_name="received_at__date",
        lookup_expr="gte",
        widget=DateInput,
    )
    received_to = django_filters.DateFilter(
        label=_("Received to"), field_name="received_at__date", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = ServiceCase
        fields = ["q", "procedure", "department", "in_charge", "status", "timing"]

    def search(self, queryset, name, value):
        return queryset.filter(search_text__matches_words=fold(value))

    def by_procedure(self, queryset, name, value):
        return queryset.filter(procedure__search_text__matches=fold(value))

    def in_department(self, queryset, name, value):
        """Cases of the department in charge, or now at a step of that department."""
        units = value.subtree_ids()
        return queryset.filter(
            Q(department_id__in=units) | Q(current_step__department_id__in=units)
        )

    def by_charge(self, queryset, name, value):
        """Only the cases a unit (or one below it) is in charge of: what its figures count."""
        return queryset.filter(department_id__in=value.subtree_ids())

    def by_timing(self, queryset, name, value):
        now = timezone.now()
        if value == "overdue":
            return queryset.filter(status=CaseStatus.IN_PROGRESS, due_at__lt=now)
        if value == "soon":
            return queryset.filter(
                status=CaseStatus.IN_PROGRESS,
                due_at__gte=now,
                due_at__lt=WorkingCalendar().add_working_time(now, working_seconds_per_day()),
            )
        if value == "late":
            return queryset.filter(on_time=False)
        if value == "on_time":
            return queryset.filter(on_time=True)
        return queryset


class FeedbackFilter(ListFilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=FeedbackKind.choices, empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=FeedbackStatus.choices, empty_label=ALL
    )
    department = DepartmentChoiceFilter(method="in_department")
    overdue = django_filters.ChoiceFilter(
        label=_("Deadline"),
        choices=[("yes", _("Open past the deadline"))],
        method="by_overdue",
        empty_label=ALL,
    )

    class Meta:
        model = Feedback
        fields = ["kind", "status", "department", "overdue"]

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)

    def by_overdue(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(status=FeedbackStatus.OPEN, deadline__lt=timezone.localdate())
        return queryset
