"""What every page's layout needs: navigation for the user's roles, the bell count."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from qms.models import Department
from qms.selectors import unread_notification_count
from qms.visibility import AGENCY_NAME_KEY, read_with_user, role_slugs

# Menus already built, per language and access: every page shows one, and building it
# costs ~30 URL reversals and ~20 permission checks. A handful of role combinations exist.
_MENUS: dict[tuple, Menu] = {}


class Menu(list):
    """The sections of a user's menu, and the sidebar's HTML written once from them: the
    template engine spent a third of the layout's time on the sidebar's ~40 entries."""

    def __init__(self, sections: list[dict]) -> None:
        super().__init__(sections)
        # static HTML, or (url, the entry, the entry marked as the page shown)
        self.parts: list[str | tuple[str, str, str]] = []
        self._entries(
            [
                {"label": _("My tasks"), "url": reverse("qms:home"), "icon": "list-check"},
                {
                    "label": _("Notifications"),
                    "url": reverse("qms:notification_list"),
                    "icon": "bell",
                },
            ]
        )
        for section in sections:
            self.parts.append(format_html('\n<h2 class="nav-section">{}</h2>', section["label"]))
            self._entries(section["items"])

    def _entries(self, items: list[dict]) -> None:
        self.parts.append('\n<ul class="nav flex-column">')
        for item in items:
            link = '<li class="nav-item"><a class="nav-link{}" href="{}"{}><i class="bi bi-{}" aria-hidden="true"></i>{}</a></li>'
            self.parts.append(
                (
                    item["url"],
                    format_html(link, "", item["url"], "", item["icon"], item["label"]),
                    format_html(
                        link,
                        " active",
                        item["url"],
                        mark_safe(' aria-current="page"'),  # noqa: S308 - a constant
                        item["icon"],
                        item["label"],
                    ),
                )
            )
        self.parts.append("\n</ul>")

    def sidebar(self, path: str) -> str:
        """The sidebar's HTML with the entry of ``path`` marked as the page shown."""
        return mark_safe(  # noqa: S308 - every part was escaped by format_html
            "".join(
                part if isinstance(part, str) else part[2 if part[0] == path else 1]
                for part in self.parts
            )
        )


def navigation(user) -> Menu:
    """The menu of ``_navigation``, built once per language and set of permissions and roles
    (all it depends on) in each process; read-only, shared by the requests."""
    key = (
        translation.get_language(),
        get_script_prefix(),
        user.is_superuser,
        frozenset(user.get_all_permissions()),
        role_slugs(user),
    )
    menu = _MENUS.get(key)
    if menu is None:
        if len(_MENUS) >= 1000:  # bounded, whatever grants are made
            _MENUS.clear()
        menu = _MENUS[key] = Menu(_navigation(user))
    return menu


def _navigation(user) -> list[dict]:
    """Sections and entries the user's roles may open (modules add theirs here)."""
    sections = []
    documents = [
        {
            "label": _("Document register"),
            "url": reverse("documents:document_list"),
            "icon": "journal-text",
        },
        {
            "label": _("External documents"),
            "url": reverse("documents:external_list"),
            "icon": "bank",
        },
    ]
    if user.has_perm("documents.manage_register"):
        documents.append(
            {
                "label": _("Document types"),
                "url": reverse("documents:type_settings"),
                "icon": "sliders",
            }
        )
    if "external_auditor" not in role_slugs(user) or user.has_perm("documents.view_all_documents"):
        sections.append({"label": _("Documents"), "items": documents})
    if "external_auditor" not in role_slugs(user) or len(role_slugs(user)) > 1:
        sections.append(
            {
                "label": _("Service delivery"),
                "items": [
                    {
                        "label": _("Service cases"),
                        "url": reverse("procedures:case_list"),
                        "icon": "inboxes",
                    },
                    {
                        "label": _("Receive a case"),
                        "url": reverse("procedures:case_receive"),
                        "icon": "inbox",
                    },
                    {
                        "label": _("Citizen feedback"),
                        "url": reverse("procedures:feedback_list"),
                        "icon": "chat-left-text",
                    },
                    {
                        "label": _("On-time figures"),
                        "url": reverse("procedures:performance"),
                        "icon": "speedometer2",
                    },
                    {
                        "label": _("Procedures"),
                        "url": reverse("procedures:procedure_list"),
                        "icon": "card-checklist",
                    },
                    {
                        "label": _("Process map"),
                        "url": reverse("procedures:process_map"),
                        "icon": "diagram-3",
                    },
                    {
                        "label": _("Public catalogue"),
                        "url": reverse("public:catalogue"),
                        "icon": "globe2",
                    },
                ],
            }
        )
    audits = [
        {"label": _("Audits"), "url": reverse("audits:audit_list"), "icon": "clipboard-check"},
        {
            "label": _("Audit programmes"),
            "url": reverse("audits:programme_list"),
            "icon": "calendar-range",
        },
        {
            "label": _("My evidence packs"),
            "url": reverse("qms:evidence_list"),
            "icon": "file-earmark-zip",
        },
    ]
    if role_slugs(user) == {"external_auditor"}:
        # a certification body's auditor sees the audits assigned to them, not the
        # agency's internal programme
        audits = [item for item in audits if item["icon"] != "calendar-range"]
        sections.append({"label": _("Assigned audits"), "items": audits})
    else:
        sections.append({"label": _("Internal audit"), "items": audits})
    improvement = [
        {
            "label": _("Report a problem"),
            "url": reverse("nonconformities:report"),
            "icon": "exclamation-octagon",
        },
        {
            "label": _("Nonconformities"),
            "url": reverse("nonconformities:nc_list"),
            "icon": "exclamation-triangle",
        },
        {"label": _("Board"), "url": reverse("nonconformities:board"), "icon": "kanban"},
        {
            "label": _("Actions"),
            "url": reverse("nonconformities:action_list"),
            "icon": "check2-square",
        },
    ]
    if "external_auditor" not in role_slugs(user):
        sections.append({"label": _("Improvement"), "items": improvement})
        steering = []
        if user.has_perm("qms.view_dashboard") or "process_owner" in role_slugs(user):
            steering.append(
                {"label": _("Dashboard"), "url": reverse("qms:dashboard"), "icon": "speedometer"}
            )
        steering += [
            {
                "label": _("Quality objectives"),
                "url": reverse("planning:objective_list"),
                "icon": "bullseye",
            },
            {
                "label": _("Risks and opportunities"),
                "url": reverse("planning:risk_list"),
                "icon": "grid-3x3",
            },
        ]
        if user.has_perm("reviews.view_all_reviews") or user.has_perm("reviews.manage_reviews"):
            steering.append(
                {
                    "label": _("Management reviews"),
                    "url": reverse("reviews:review_list"),
                    "icon": "people",
                }
            )
        steering.append(
            {"label": _("QMS scope"), "url": reverse("planning:scope"), "icon": "bounding-box"}
        )
        if user.has_perm("qms.view_dashboard"):
            steering += [
                {"label": _("Scorecard"), "url": reverse("planning:scorecard"), "icon": "trophy"},
                {
                    "label": _("Annual QMS report"),
                    "url": reverse("planning:annual_report"),
                    "icon": "journal-richtext",
                },
            ]
        # the QMS manager and the agency head steer from here: first in their menu
        position = 0 if user.has_perm("qms.view_dashboard") else len(sections)
        sections.insert(position, {"label": _("Quality management"), "items": steering})
    records = [
        {"label": _("Records"), "url": reverse("records:record_list"), "icon": "archive"},
        {"label": _("Record types"), "url": reverse("records:type_list"), "icon": "card-list"},
    ]
    if user.has_perm("records.manage_records") or user.has_perm("records.view_all_records"):
        records.append(
            {"label": _("Disposal"), "url": reverse("records:batch_list"), "icon": "trash3"}
        )
    if "external_auditor" not in role_slugs(user) or user.has_perm("records.view_all_records"):
        sections.append({"label": _("Records"), "items": records})
    organisation = [
        {"label": _("Departments"), "url": reverse("qms:department_list"), "icon": "diagram-3"},
    ]
    if user.has_perm("qms.view_user"):
        organisation.append(
            {"label": _("Users"), "url": reverse("qms:user_list"), "icon": "people"}
        )
    if user.has_perm("qms.view_calendarday"):
        organisation.append(
            {
                "label": _("Holidays and working days"),
                "url": reverse("qms:calendar_list"),
                "icon": "calendar3",
            }
        )
    sections.append({"label": _("Organisation"), "items": organisation})
    oversight = []
    if user.has_perm("qms.view_activity"):
        oversight.append(
            {"label": _("Activity"), "url": reverse("qms:activity"), "icon": "clock-history"}
        )
    if user.has_perm("qms.view_securityevent"):
        oversight.append(
            {"label": _("Security log"), "url": reverse("qms:security_log"), "icon": "shield-lock"}
        )
    if oversight:
        sections.append({"label": _("Oversight"), "items": oversight})
    return sections


def agency_name(departments: list | None = None, user=None) -> str:
    """The configured name, else the root of the department tree (cached for a minute).
    A page that has already read the active tree passes it, saving the query; the layout
    passes the signed-in user, with whom the cached name was read."""
    if settings.QMS_AGENCY_NAME:
        return settings.QMS_AGENCY_NAME
    name = read_with_user(user, AGENCY_NAME_KEY) if user is not None else None
    if name is None:
        name = cache.get(AGENCY_NAME_KEY)
    if name is None:
        if departments is not None:
            roots = sorted((d for d in departments if d.parent_id is None), key=lambda d: d.pk)
            name = roots[0].name if roots else ""
        else:
            root = Department.objects.filter(parent__isnull=True, is_active=True).order_by("pk")
            name = root.values_list("name", flat=True).first() or ""
        cache.set(AGENCY_NAME_KEY, name, 60)
    return name


def portal(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    context = {
        "agency_name": agency_name(user=user if signed_in else None),
        "portal_languages": settings.LANGUAGES,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    if signed_in:
        context["navigation"] = navigation(user)
        context["unread_count"] = unread_notification_count(user)
    return context
