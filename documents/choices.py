"""Statuses and types of document control, with the colour each status shows in."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocumentType(models.TextChoices):
    MANUAL = "manual", _("Quality manual")
    POLICY = "policy", _("Policy")
    PROCEDURE = "procedure", _("Procedure")
    WORK_INSTRUCTION = "instruction", _("Work instruction")
    FORM = "form", _("Form or template")
    PLAN = "plan", _("Plan")
    OTHER = "other", _("Other internal document")


DEFAULT_PREFIX = {
    DocumentType.MANUAL: "STCL",
    DocumentType.POLICY: "CS",
    DocumentType.PROCEDURE: "QT",
    DocumentType.WORK_INSTRUCTION: "HD",
    DocumentType.FORM: "BM",
    DocumentType.PLAN: "KH",
    DocumentType.OTHER: "TL",
}


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    RESTRICTED = "restricted", _("Restricted (named readers)")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Not yet issued")
    EFFECTIVE = "effective", _("Effective")
    WITHDRAWN = "withdrawn", _("Withdrawn (obsolete)")


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved, not yet effective")
    EFFECTIVE = "effective", _("Effective")
    SUPERSEDED = "superseded", _("Superseded")
    OBSOLETE = "obsolete", _("Obsolete")
    DISCARDED = "discarded", _("Discarded draft")


REVISION_COLOURS = {
    RevisionStatus.DRAFT: "secondary",
    RevisionStatus.IN_REVIEW: "warning",
    RevisionStatus.APPROVED: "info",
    RevisionStatus.EFFECTIVE: "success",
    RevisionStatus.SUPERSEDED: "dark",
    RevisionStatus.OBSOLETE: "danger",
    RevisionStatus.DISCARDED: "light",
}
DOCUMENT_COLOURS = {
    DocumentStatus.DRAFT: "secondary",
    DocumentStatus.EFFECTIVE: "success",
    DocumentStatus.WITHDRAWN: "danger",
}


class StepRole(models.TextChoices):
    REVIEWER = "reviewer", _("Reviewer")
    APPROVER = "approver", _("Approver")


class StepDecision(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", pgettext_lazy("step decision", "Approved")
    CHANGES_REQUESTED = "changes", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Not needed any more")


class ReviewOutcome(models.TextChoices):
    STILL_VALID = "valid", _("Still valid")
    NEEDS_REVISION = "revise", _("Needs revision")
    WITHDRAW = "withdraw", _("Withdraw")


class ReviewFlag(models.TextChoices):
    NEEDS_REVISION = "revise", _("Periodic review: needs revision")
    LEGAL_AMENDED = "legal_amended", _("Legal basis amended")
    LEGAL_REPEALED = "legal_repealed", _("Legal basis repealed")


class ExternalKind(models.TextChoices):
    LAW = "law", _("Law")
    DECREE = "decree", _("Decree")
    CIRCULAR = "circular", _("Circular")
    DECISION = "decision", _("Decision")
    STANDARD = "standard", _("Standard")
    OTHER = "other", _("Other")


class LegalStatus(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    AMENDED = "amended", _("Amended")
    REPEALED = "repealed", _("Repealed")
