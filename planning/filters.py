import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planning import matrix
from planning.choices import Measure, ObjectiveStatus, RiskKind, RiskLevel, RiskStatus, Treatment
from planning.models import Objective, Risk
from procedures.models import Process
from qms.filters import ALL, DepartmentChoiceFilter, ListFilterSet, recent_years
from qms.search import fold


def _visible_processes(request):
    return Process.objects.visible_to(request.user if request else None).order_by("code")


class ObjectiveFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    year = django_filters.ChoiceFilter(label=_("Year"), choices=recent_years, empty_label=ALL)
    department = DepartmentChoiceFilter(method="in_department")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ObjectiveStatus.choices, empty_label=ALL
    )
    measure = django_filters.ChoiceFilter(
        label=_("Values come from"), choices=Measure.choices, empty_label=ALL
    )

    class Meta:
        model = Objective
        fields = ["q", "year", "department", "status", "measure"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(statement__icontains=value) | Q(indicator__icontains=value) | Q(number__iexact=value)
        )

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)


class RiskFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=RiskKind.choices, empty_label=ALL)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RiskStatus.choices, empty_label=ALL
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=RiskLevel.choices, method="by_level", empty_label=ALL
    )
    now = django_filters.ChoiceFilter(
        label=_("Level now"),
        choices=[("high", _("High or critical, after treatment where assessed"))],
        method="by_level_now",
        empty_label=ALL,
    )
    department = DepartmentChoiceFilter(method="in_department")
    process = django_filters.ModelChoiceFilter(
        label=_("Process"), queryset=_visible_processes, empty_label=ALL
    )
    treatment = django_filters.ChoiceFilter(
        label=_("Treatment"), choices=Treatment.choices, empty_label=ALL
    )
    review = django_filters.ChoiceFilter(
        label=_("Review"), choices=[("overdue", _("Overdue"))], method="by_review", empty_label=ALL
    )
    likelihood = django_filters.NumberFilter(label=_("Likelihood"), method="by_cell")
    impact = django_filters.NumberFilter(label=_("Impact"), method="by_cell")
    residual = django_filters.ChoiceFilter(
        label=_("Scored"),
        choices=[("yes", _("After treatment"))],
        method="by_cell",
        empty_label=_("Before treatment"),
    )

    class Meta:
        model = Risk
        fields = [
            "q",
            "kind",
            "status",
            "level",
            "now",
            "department",
            "process",
            "treatment",
            "review",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(search_text__matches=fold(value)) | Q(number__iexact=value))

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)

    def by_level(self, queryset, name, value):
        scores = [s for s in range(1, matrix.size() ** 2 + 1) if matrix.level(s) == value]
        return queryset.filter(score__in=scores)

    def by_level_now(self, queryset, name, value):
        high = [
            s for s in range(1, matrix.size() ** 2 + 1) if matrix.level(s) in ("high", "critical")
        ]
        return queryset.filter(
            Q(residual_score__in=high) | Q(residual_score__isnull=True, score__in=high)
        )

    def by_review(self, queryset, name, value):
        return queryset.filter(status=RiskStatus.OPEN, review_date__lt=timezone.localdate())

    def by_cell(self, queryset, name, value):
        """A heat-map cell: likelihood and impact together, before or after treatment."""
        data = self.form.cleaned_data
        prefix = "residual_" if data.get("residual") == "yes" else ""
        lookup = {}
        if data.get("likelihood"):
            lookup[f"{prefix}likelihood"] = data["likelihood"]
        if data.get("impact"):
            lookup[f"{prefix}impact"] = data["impact"]
        if name == "residual" and not lookup:
            return queryset.filter(residual_score__isnull=False)
        return queryset.filter(**lookup) if name != "residual" else queryset
