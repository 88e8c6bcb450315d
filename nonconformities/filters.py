from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nonconformities.choices import (
    OPEN_ACTION_STATUSES,
    OPEN_STATUSES,
    ActionKind,
    ActionStatus,
    Category,
    Severity,
    Source,
    Status,
)
from nonconformities.models import Action, Nonconformity
from qms.filters import ALL, DepartmentChoiceFilter, ListFilterSet
from qms.search import fold


class NonconformityFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("All open")), *Status.choices],
        method="by_status",
        empty_label=ALL,
    )
    severity = django_filters.ChoiceFilter(
        label=_("Severity"), choices=Severity.choices, empty_label=ALL
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices, empty_label=ALL)
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=ALL
    )
    department = DepartmentChoiceFilter(method="in_department")
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"),
        choices=[("yes", _("Past its due date"))],
        method="by_overdue",
        empty_label=ALL,
    )
    age = django_filters.ChoiceFilter(
        label=_("Reported"),
        choices=[
            ("30", _("Up to 30 days")),
            ("90", _("31–90 days")),
            ("old", _("More than 90 days")),
        ],
        method="by_age",
        empty_label=ALL,
    )

    class Meta:
        model = Nonconformity
        fields = ["q", "status", "severity", "source", "category", "department", "overdue", "age"]

    def search(self, queryset, name, value):
        return queryset.filter(search_text__matches=fold(value))

    def by_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)

    def by_overdue(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())

    def by_age(self, queryset, name, value):
        today = timezone.localdate()
        if value == "30":
            return queryset.filter(reported_at__date__gte=today - timedelta(days=30))
        if value == "90":
            return queryset.filter(
                reported_at__date__lt=today - timedelta(days=30),
                reported_at__date__gte=today - timedelta(days=90),
            )
        return queryset.filter(reported_at__date__lt=today - timedelta(days=90))


class ActionFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("All open")), *ActionStatus.choices],
        method="by_status",
        empty_label=ALL,
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type of action"), choices=ActionKind.choices, empty_label=ALL
    )
    owner = django_filters.CharFilter(label=_("Owner"), method="by_owner")
    department = DepartmentChoiceFilter(method="in_department")
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"),
        choices=[("yes", _("Past its due date"))],
        method="by_overdue",
        empty_label=ALL,
    )
    mine = django_filters.ChoiceFilter(
        label=_("Mine only"), choices=[("yes", _("Yes"))], method="by_mine", empty_label=_("No")
    )

    class Meta:
        model = Action
        fields = ["q", "status", "kind", "owner", "department", "overdue", "mine"]

    def search(self, queryset, name, value):
        return queryset.filter(search_text__matches=fold(value))

    def by_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_ACTION_STATUSES)
        return queryset.filter(status=value)

    def by_owner(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(owner__username__iexact=value)
            | Q(owner__last_name__icontains=value)
            | Q(owner__first_name__icontains=value)
        )

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)

    def by_overdue(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=timezone.localdate())

    def by_mine(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if self.request else queryset
