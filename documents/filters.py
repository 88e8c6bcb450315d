from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.choices import (
    Confidentiality,
    DocumentStatus,
    DocumentType,
    ExternalKind,
    LegalStatus,
    RevisionStatus,
)
from documents.models import Document, ExternalDocument
from qms.filters import ALL, DepartmentChoiceFilter, ListFilterSet
from qms.models import IsoClause
from qms.search import fold


class DocumentFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    document_type = django_filters.ChoiceFilter(
        label=_("Type"), choices=DocumentType.choices, empty_label=ALL
    )
    department = DepartmentChoiceFilter(method="in_department")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=DocumentStatus.choices, empty_label=ALL
    )
    clause = django_filters.ModelChoiceFilter(
        label=_("ISO clause"),
        queryset=IsoClause.objects.all(),
        field_name="clauses",
        empty_label=ALL,
    )
    owner = django_filters.CharFilter(label=_("Owner"), method="by_owner")
    review = django_filters.ChoiceFilter(
        label=_("Periodic review"),
        choices=[("overdue", _("Overdue")), ("soon", _("Due within 30 days"))],
        method="by_review",
        empty_label=ALL,
    )
    confidentiality = django_filters.ChoiceFilter(
        label=_("Confidentiality"), choices=Confidentiality.choices, empty_label=ALL
    )
    approval = django_filters.ChoiceFilter(
        label=_("Approval"),
        choices=[("pending", _("A revision is waiting for approval"))],
        method="by_approval",
        empty_label=ALL,
    )
    acknowledgement = django_filters.ChoiceFilter(
        label=_("Acknowledgements"),
        choices=[("outstanding", _("Some readers have not acknowledged"))],
        method="by_acknowledgement",
        empty_label=ALL,
    )

    class Meta:
        model = Document
        fields = [
            "q",
            "document_type",
            "department",
            "status",
            "clause",
            "owner",
            "review",
            "confidentiality",
            "approval",
            "acknowledgement",
        ]

    def search(self, queryset, name, value):
        folded = fold(value)
        return queryset.filter(Q(search_text__matches=folded) | Q(file_text__matches=folded))

    def in_department(self, queryset, name, value):
        return queryset.filter(department__path__startswith=value.path)

    def by_owner(self, queryset, name, value):
        return queryset.filter(
            Q(owner__username__iexact=value)
            | Q(owner__last_name__icontains=value)
            | Q(owner__first_name__icontains=value)
        )

    def by_review(self, queryset, name, value):
        today = timezone.localdate()
        effective = queryset.filter(status=DocumentStatus.EFFECTIVE)
        if value == "overdue":
            return effective.filter(next_review_date__lt=today)
        return effective.filter(
            next_review_date__gte=today, next_review_date__lte=today + timedelta(days=30)
        )

    def by_approval(self, queryset, name, value):
        from documents.models import Revision

        waiting = Revision.objects.filter(status=RevisionStatus.IN_REVIEW).values("document_id")
        return queryset.filter(pk__in=waiting)

    def by_acknowledgement(self, queryset, name, value):
        from documents.models import Acknowledgement

        outstanding = (
            Acknowledgement.objects.outstanding()
            .filter(revision__status=RevisionStatus.EFFECTIVE)
            .values("revision__document_id")
        )
        return queryset.filter(pk__in=outstanding)


class ExternalDocumentFilter(ListFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=ExternalKind.choices, empty_label=ALL
    )
    legal_status = django_filters.ChoiceFilter(
        label=_("Status"), choices=LegalStatus.choices, empty_label=ALL
    )

    class Meta:
        model = ExternalDocument
        fields = ["q", "kind", "legal_status"]

    def search(self, queryset, name, value):
        return queryset.filter(search_text__matches=fold(value))


class AcknowledgementFilter(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", ALL),
            ("done", _("Acknowledged")),
            ("outstanding", _("Not yet")),
            ("withdrawn", _("Request withdrawn")),
        ],
    )
