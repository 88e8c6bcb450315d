import django_filters
from django.utils.translation import gettext_lazy as _

from procedures.choices import Level, ProcedureStatus, ProcessType
from procedures.models import Procedure, Process
from qms.filters import ALL, visible_departments
from qms.search import fold


def _processes(request):
    return Process.objects.filter(is_active=True) if request else Process.objects.none()


def _fields():
    names = Procedure.objects.order_by("field").values_list("field", flat=True).distinct()
    return [(name, name) for name in names]


class ProcedureFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    field = django_filters.ChoiceFilter(label=_("Field"), choices=_fields, empty_label=ALL)
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices, empty_label=ALL)
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=visible_departments, method="in_department", empty_label=ALL
    )
    process = django_filters.ModelChoiceFilter(
        label=_("Process"), queryset=_processes, empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProcedureStatus.choices, empty_label=ALL
    )
    review = django_filters.ChoiceFilter(
        label=_("Review"),
        choices=[("needed", _("Review needed (legal basis changed)"))],
        method="by_review",
        empty_label=ALL,
    )

    class Meta:
        model = Procedure
        fields = ["q", "field", "level", "department", "process", "status", "review"]

    def search(self, queryset, name, value):
        return queryset.filter(search_text__contains=fold(value))

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)

    def by_review(self, queryset, name, value):
        return queryset.exclude(review_flag="") if value == "needed" else queryset


class ProcessFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    process_type = django_filters.ChoiceFilter(
        label=_("Process type"), choices=ProcessType.choices, empty_label=ALL
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=visible_departments, method="in_department", empty_label=ALL
    )

    class Meta:
        model = Process
        fields = ["q", "process_type", "department"]

    def search(self, queryset, name, value):
        return queryset.filter(search_text__contains=fold(value))

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)
