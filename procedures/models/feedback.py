"""Citizens' ratings and complaints, and what the agency does about them.

A rating (1 very dissatisfied … 5 very satisfied) is given once per completed case from
the public lookup. A complaint comes from the public form. A complaint, or a rating of
"dissatisfied" or worse, opens a *feedback item*: an owner, a deadline in working days,
a required call-back to the citizen, and an outcome — rectified, unfounded (with
evidence) or raised as a nonconformity by the QMS manager.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from procedures.models.cases import ServiceCase
from procedures.models.catalogue import Procedure
from qms.links import url_for
from qms.models import Department
from qms.visibility import VisibleQuerySet


class Score(models.IntegerChoices):
    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neither satisfied nor dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


BAD_SCORES = (Score.DISSATISFIED, Score.VERY_DISSATISFIED)


class Rating(models.Model):
    visible_through = "case"

    case = models.OneToOneField(
        ServiceCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="rating"
    )
    score = models.PositiveSmallIntegerField(_("rating"), choices=Score.choices)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.case.receipt_code}: {self.get_score_display()}"


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    RATING = "rating", _("Dissatisfied rating")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RECTIFIED = "rectified", _("Rectified")
    UNFOUNDED = "unfounded", _("Unfounded")


class FeedbackQuerySet(VisibleQuerySet):
    visibility_q = "procedures.selectors.feedback_visibility_q"

    def open(self):
        return self.filter(status=FeedbackStatus.OPEN)


class Feedback(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=FeedbackKind.choices)
    case = models.ForeignKey(
        ServiceCase,
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    citizen_name = models.CharField(_("name"), max_length=200, blank=True)
    citizen_contact = models.CharField(_("phone or e-mail"), max_length=200, blank=True)
    text = models.TextField(_("what happened"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"), db_index=True)
    callback_on = models.DateField(_("citizen called back on"), null=True, blank=True)
    callback_outcome = models.TextField(_("outcome of the call-back"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.OPEN,
        db_index=True,
    )
    resolution = models.TextField(_("what was done"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    nonconformity = models.ForeignKey(
        "nonconformities.Nonconformity",
        verbose_name=_("nonconformity raised"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords()
    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("citizen feedback")
        verbose_name_plural = _("citizen feedback")

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return url_for("procedures:feedback_detail", self.pk)
