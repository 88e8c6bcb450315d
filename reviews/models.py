"""Management review (ISO 9001 clause 9.3): the meeting, its inputs compiled from live
data as a frozen snapshot, the minutes signed by the agency head, the decisions that
become actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qms.models import Signature
from qms.visibility import VisibleQuerySet
from reviews.choices import DecisionKind, ReviewStatus


class ReviewQuerySet(VisibleQuerySet):
    visibility_q = "reviews.selectors.review_visibility_q"


class ManagementReview(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=300)
    meeting_date = models.DateField(_("meeting date"), db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    period_start = models.DateField(
        _("reviewing from"), help_text=_("Usually the date of the previous review.")
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chaired by"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The agency head, who signs the minutes."),
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("participants"), blank=True, related_name="+"
    )
    other_participants = models.TextField(_("other participants"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ReviewStatus.choices,
        default=ReviewStatus.PLANNED,
        db_index=True,
    )
    inputs = models.JSONField(_("inputs"), default=dict, blank=True, editable=False)
    inputs_as_of = models.DateField(_("inputs as of"), null=True, blank=True)
    inputs_compiled_at = models.DateTimeField(_("inputs compiled at"), null=True, blank=True)
    external_providers = models.TextField(_("performance of external providers"), blank=True)
    resources = models.TextField(_("adequacy of resources"), blank=True)
    issues = models.TextField(_("changes in external and internal issues"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    conclusion = models.TextField(
        _("conclusion on the suitability, adequacy and effectiveness of the QMS"), blank=True
    )
    signature = models.ForeignKey(
        Signature,
        verbose_name=_("signature"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("scheduled at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(m2m_fields=[participants])
    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting_date", "-pk"]
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        permissions = [
            ("manage_reviews", _("Can schedule management reviews and record their minutes")),
            ("view_all_reviews", _("Can see every management review")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:review_detail", args=[self.pk])


class Decision(models.Model):
    """An output of the review; each becomes an action in the tracker."""

    visible_through = "review"

    review = models.ForeignKey(
        ManagementReview,
        verbose_name=_("management review"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DecisionKind.choices)
    text = models.TextField(_("decision"))
    action = models.ForeignKey(
        "nonconformities.Action",
        verbose_name=_("action"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.review.number}: {self.text[:80]}"

    def get_absolute_url(self) -> str:
        return self.review.get_absolute_url()
