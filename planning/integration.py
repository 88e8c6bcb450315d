"""Planning's contributions to the platform: My tasks, reminders, search, the nightly
measurement of live objectives."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import DateField, F, IntegerField, Q, Value
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from planning import measures, selectors, services
from planning.choices import Measure, ObjectiveStatus, RiskKind, RiskStatus
from planning.models import Announcement, Objective, Risk, Scope
from qms import home, mytasks, reminders, search
from qms.db import kept_rows

ANNOUNCEMENT_CACHE = "planning:announcement_outdated"


def announcement_outdated_cached() -> bool:
    """Asked on every manager's home page: kept a minute, and forgotten when the scope or
    an announcement is saved (see the signal receivers below)."""
    outdated = cache.get(ANNOUNCEMENT_CACHE)
    if outdated is None:
        outdated = selectors.announcement_outdated()
        cache.set(ANNOUNCEMENT_CACHE, outdated, 60)
    return outdated


def _forget_announcement(sender, **kwargs) -> None:
    cache.delete(ANNOUNCEMENT_CACHE)


post_save.connect(_forget_announcement, sender=Scope, dispatch_uid="planning.scope_saved")
post_save.connect(_forget_announcement, sender=Announcement, dispatch_uid="planning.announced")


def last_closed_period_end(objective_frequency: str, today: date) -> date | None:
    """The last day of the latest period that has ended (None in the year's first one)."""
    start, _end = measures.period_of(today, objective_frequency)
    return start - timedelta(days=1)


def _risks_and_objectives(user_id: int, review_until: date, year: int, last_year: int):
    risks = (
        Risk.objects.filter(owner_id=user_id, status=RiskStatus.OPEN, review_date__lte=review_until)
        .annotate(
            source=Value("risk"),
            label=F("title"),
            detail=F("kind"),
            day=F("review_date"),
            last=Value(None, output_field=DateField()),
            of_year=Value(0, output_field=IntegerField()),
        )
        .values_list("source", "pk", "number", "label", "detail", "day", "last", "of_year")
        .order_by()
    )
    objectives = (
        Objective.objects.filter(
            owner_id=user_id, measure=Measure.MANUAL, year__in=[year, last_year]
        )
        .exclude(status=ObjectiveStatus.WITHDRAWN)
        .annotate(
            source=Value("objective"),
            label=F("indicator"),
            detail=F("frequency"),
            day=Value(None, output_field=DateField()),
            last=F("last_period_end"),
            of_year=F("year"),
        )
        .values_list("source", "pk", "number", "label", "detail", "day", "last", "of_year")
        .order_by()
    )
    return risks.union(objectives, all=True)[:40]


@mytasks.register
def planning_tasks(user, today: date) -> list[mytasks.Task]:
    """Risks of this owner due for review, and manual objectives whose last finished period
    has no value yet: one query for both (a union), the home page is read all day."""
    tasks = []
    kinds = dict(RiskKind.choices)
    rows = kept_rows(
        ("my tasks", "risks and objectives"),
        _risks_and_objectives,
        user.pk,
        today + timedelta(days=14),
        today.year,
        today.year - 1,
    )
    for source, pk, number, label, detail, day, last, of_year in rows:
        if source == "risk":
            tasks.append(
                mytasks.Task(
                    title=_("Review %(kind)s %(number)s: %(title)s")
                    % {
                        "kind": str(kinds.get(detail, detail)).lower(),
                        "number": number,
                        "title": label,
                    },
                    url=reverse("planning:risk_detail", args=[pk]),
                    module=_("Risks"),
                    due=day,
                    today=today,
                )
            )
            continue
        wanted = last_closed_period_end(detail, today)
        if of_year == today.year - 1:
            wanted = date(of_year, 12, 31)
        if wanted.year != of_year or (last and last >= wanted):
            continue
        tasks.append(
            mytasks.Task(
                title=_("Record the value of objective %(number)s for the period ending %(date)s")
                % {"number": number, "date": date_format(wanted, "SHORT_DATE_FORMAT")},
                url=reverse("planning:objective_detail", args=[pk]),
                module=_("Objectives"),
                due=wanted + timedelta(days=5),
                today=today,
            )
        )
    if services.can_manage(user) and announcement_outdated_cached():
        tasks.append(
            mytasks.Task(
                title=_("The QMS scope changed: record a new conformity announcement"),
                url=reverse("planning:scope"),
                module=_("Planning"),
                today=today,
            )
        )
    return tasks


@reminders.register("planning.risk_reviews")
def risk_reviews(today: date) -> Iterator[reminders.Due]:
    """A week before a risk's review date, then once on the day it is overdue."""
    risks = Risk.objects.filter(
        status=RiskStatus.OPEN, review_date__lte=today + timedelta(days=7)
    ).select_related("owner")
    for risk in risks.iterator(chunk_size=500):
        stage = "overdue" if risk.review_date < today else "soon"
        yield reminders.Due(
            key=f"planning.risk:{risk.pk}:{risk.review_date.isoformat()}:{stage}",
            recipient=risk.owner,
            message=gettext_noop("Risk %(number)s is due for review on %(date)s: %(title)s"),
            params={
                "number": risk.number,
                "date": risk.review_date.isoformat(),
                "title": risk.title[:120],
            },
            url=risk.get_absolute_url(),
        )


@reminders.register("planning.objective_values")
def objective_values(today: date) -> Iterator[reminders.Due]:
    """Five days after a period ends without a value, its owner is reminded once."""
    objectives = (
        Objective.objects.filter(measure=Measure.MANUAL, year__in=[today.year, today.year - 1])
        .exclude(status=ObjectiveStatus.WITHDRAWN)
        .select_related("owner")
    )
    for objective in objectives.iterator(chunk_size=500):
        wanted = last_closed_period_end(objective.frequency, today)
        if objective.year == today.year - 1:
            wanted = date(objective.year, 12, 31)
        if wanted.year != objective.year or today < wanted + timedelta(days=5):
            continue
        if objective.last_period_end and objective.last_period_end >= wanted:
            continue
        yield reminders.Due(
            key=f"planning.objective:{objective.pk}:{wanted.isoformat()}",
            recipient=objective.owner,
            message=gettext_noop(
                "Record the value of objective %(number)s for the period ending %(date)s"
            ),
            params={"number": objective.number, "date": wanted.isoformat()},
            url=objective.get_absolute_url(),
        )


def _search_risks(user, folded: str, limit: int) -> list[search.Hit]:
    matches = (
        Risk.objects.visible_to(user)
        .filter(Q(search_text__matches=folded) | Q(number__iexact=folded))
        .select_related("department")
        .only("number", "title", "kind", "department__name")
        .order_by("-score")[:limit]
    )
    return [
        search.Hit(
            title=f"{risk.number} {risk.title}",
            url=risk.get_absolute_url(),
            module=_("Risks"),
            detail=f"{risk.get_kind_display()} · {risk.department}",
        )
        for risk in matches
    ]


search.register("risks", _search_risks)


from planning import dashboard as _dashboard  # noqa: E402, F401  (figures for the dashboards)

POLICY_CACHE = "planning:quality_policy"


def quality_policy() -> dict:
    """The effective quality policy (a controlled document of type "policy"), as shown on
    everyone's home page; kept five minutes and forgotten when a document changes."""
    policy = cache.get(POLICY_CACHE)
    if policy is None:
        from documents.choices import Confidentiality, DocumentStatus, DocumentType
        from documents.models import Document

        document = (
            Document.objects.filter(
                document_type=DocumentType.POLICY, status=DocumentStatus.EFFECTIVE
            )
            .exclude(confidentiality=Confidentiality.RESTRICTED)
            .select_related("effective_revision")
            .order_by("-effective_revision__effective_date", "-pk")
            .first()
        )
        policy = {}
        if document is not None and document.effective_revision is not None:
            revision = document.effective_revision
            # its lines kept (a policy is a few commitments, one a line), spaces tidied
            text = "\n".join(" ".join(line.split()) for line in revision.text.splitlines())
            text = "\n".join(line for line in text.split("\n") if line)
            policy = {
                "code": document.code,
                "title": document.title,
                "url": document.get_absolute_url(),
                "number": revision.label,
                "effective_date": revision.effective_date,
                "excerpt": text[:600] + ("…" if len(text) > 600 else ""),
            }
        cache.set(POLICY_CACHE, policy, 300)
    return policy


def _forget_policy(sender, **kwargs) -> None:
    cache.delete(POLICY_CACHE)


def _connect_policy_cache() -> None:
    from documents.models import Document, Revision

    post_save.connect(_forget_policy, sender=Document, dispatch_uid="planning.policy_document")
    post_save.connect(_forget_policy, sender=Revision, dispatch_uid="planning.policy_revision")


_connect_policy_cache()


@home.register
def policy_block(user) -> dict | None:
    if selectors.staff_q(user) is not None:
        return None
    policy = quality_policy()
    return {"template": "planning/policy_block.html", "policy": policy} if policy else None
