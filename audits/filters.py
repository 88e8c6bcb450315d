import django_filters
from django.utils.translation import gettext_lazy as _

from audits.choices import AuditStatus, AuditType
from audits.models import Audit
from qms.filters import ALL, DepartmentChoiceFilter, ListFilterSet, recent_years


class AuditFilter(ListFilterSet):
    year = django_filters.ChoiceFilter(
        label=_("Year"), choices=recent_years, method="by_year", empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            ("done", _("Reported or closed")),
            ("open", _("Not yet reported")),
            *AuditStatus.choices,
        ],
        method="by_status",
        empty_label=ALL,
    )
    audit_type = django_filters.ChoiceFilter(
        label=_("Type"), choices=AuditType.choices, empty_label=ALL
    )
    department = DepartmentChoiceFilter(method="in_department")

    class Meta:
        model = Audit
        fields = ["year", "status", "audit_type", "department"]

    def by_year(self, queryset, name, value):
        return queryset.filter(programme__year=int(value))

    def by_status(self, queryset, name, value):
        done = [AuditStatus.REPORTED, AuditStatus.CLOSED]
        if value == "done":
            return queryset.filter(status__in=done)
        if value == "open":
            return queryset.exclude(status__in=done)
        return queryset.filter(status=value)

    def in_department(self, queryset, name, value):
        from audits.models import Audit

        covering = Audit.objects.filter(scope_departments__path__startswith=value.path).values("pk")
        return queryset.filter(pk__in=covering)
