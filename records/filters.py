from datetime import timedelta

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qms.filters import ALL, DateInput, DepartmentChoiceFilter, ListFilterSet
from qms.search import fold
from records.choices import Access, Disposition, RecordStatus, Storage
from records.models import Record, RecordType


def visible_types(request):
    return RecordType.objects.visible_to(request.user) if request else RecordType.objects.none()


class RecordFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    record_type = django_filters.ModelChoiceFilter(
        label=_("Record type"), queryset=visible_types, empty_label=ALL
    )
    department = DepartmentChoiceFilter(method="in_department")
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="record_date", lookup_expr="gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="record_date", lookup_expr="lte", widget=DateInput
    )
    retention = django_filters.ChoiceFilter(
        label=_("Retention"),
        choices=[
            ("kept", _("Kept (not disposed of)")),
            ("soon", _("Ends within 90 days")),
            ("ended", _("Ended, not yet disposed of")),
            ("permanent", _("Permanent")),
            ("disposed", _("Disposed of")),
        ],
        method="by_retention",
        empty_label=ALL,
    )
    hold = django_filters.ChoiceFilter(
        label=_("Legal hold"),
        choices=[("yes", _("On hold")), ("no", _("Not on hold"))],
        method="by_hold",
        empty_label=ALL,
    )

    class Meta:
        model = Record
        fields = ["q", "record_type", "department", "date_from", "date_to", "retention", "hold"]

    def search(self, queryset, name, value):
        return queryset.filter(search_text__matches=fold(value))

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)

    def by_retention(self, queryset, name, value):
        today = timezone.localdate()
        active = queryset.filter(status=RecordStatus.ACTIVE)
        return {
            "kept": active,
            "soon": active.filter(
                retention_until__gte=today, retention_until__lte=today + timedelta(days=90)
            ),
            "ended": active.filter(retention_until__lt=today),
            "permanent": active.filter(retention_until__isnull=True),
            "disposed": queryset.filter(status=RecordStatus.DISPOSED),
        }.get(value, queryset)

    def by_hold(self, queryset, name, value):
        from django.db.models import Q

        held = Q(legal_hold=True) | Q(record_type__legal_hold=True)
        return queryset.filter(held) if value == "yes" else queryset.exclude(held)


class RecordTypeFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    storage = django_filters.ChoiceFilter(
        label=_("Where the original is kept"), choices=Storage.choices, empty_label=ALL
    )
    disposition = django_filters.ChoiceFilter(
        label=_("At the end of retention"), choices=Disposition.choices, empty_label=ALL
    )
    access = django_filters.ChoiceFilter(label=_("Access"), choices=Access.choices, empty_label=ALL)

    class Meta:
        model = RecordType
        fields = ["q", "storage", "disposition", "access"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))
