"""Users and the department tree."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from qms.links import url_for
from qms.visibility import VisibleQuerySet

PATH_SEPARATOR = "/"

department_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9_.-]*$",
    _("Use capital letters, digits, dots, dashes or underscores (for example VP or TTHC-01)."),
)


class DepartmentQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        """Administrators and managers see the whole tree; others their own scope."""
        from qms.visibility import department_scope_q, has_global_view

        if has_global_view(user, "qms.view_department"):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(department_scope_q(user, field=""))


class Department(models.Model):
    """A unit of the agency: the tree runs from the agency down to teams and desks.

    `path` caches the codes from the root (``SO/VP/MC/``) so that "this unit and all
    below it" is one indexed prefix filter instead of a recursive query.
    """

    code = models.CharField(
        _("code"), max_length=30, unique=True, validators=[department_code_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head of department"),
        on_delete=models.PROTECT,
        related_name="headed_departments",
        null=True,
        blank=True,
    )
    path = models.CharField(_("path"), max_length=500, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("level"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("functions and duties"), blank=True)

    history = HistoricalRecords()
    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        permissions = [
            ("manage_department", _("Can manage the department tree")),
            ("view_dashboard", _("Can see the dashboards of the whole agency")),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return url_for("qms:department_detail", self.pk)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.code}{PATH_SEPARATOR}"

    @property
    def indent(self) -> range:
        return range(self.depth)

    def subtree_ids(self) -> list[int]:
        """Ids of this unit and every unit below it. Large tables filter on
        ``department_id IN (…)`` rather than joining the tree on ``path``: PostgreSQL then
        estimates the rows from the column's statistics and can use its indexes."""
        return list(
            Department.objects.filter(path__startswith=self.path)
            .order_by()
            .values_list("pk", flat=True)
        )


class DepartmentUserObjectPermission(UserObjectPermissionBase):
    """A user granted scope over a department (and its subtree) outside their own."""

    content_object = models.ForeignKey(Department, on_delete=models.CASCADE)


class DepartmentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Department, on_delete=models.CASCADE)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def default_language() -> str:
    return settings.LANGUAGE_CODE


class UserQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        from qms.visibility import department_scope_q, has_global_view

        if has_global_view(user, "qms.view_user"):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(department_scope_q(user) | models.Q(pk=user.pk))


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    """Django's user manager (create_user, create_superuser) over our queryset."""


class User(AbstractUser):
    """A civil servant, auditor or administrator who signs in to the portal.

    Users are deactivated, never deleted: history rows and signatures point at them.
    """

    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=default_language,
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = UserManager()

    #: a person's page asks this permission besides seeing them (``openable_ids``)
    page_permission = "qms.view_user"

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_user", _("Can manage user accounts and roles"))]
        indexes = [models.Index(fields=["department", "is_active"])]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return url_for("qms:user_detail", self.pk)

    def get_full_name(self) -> str:
        """Family name first, as Vietnamese and Chinese names are written (Trần Minh Đức)."""
        family, given = self.last_name.strip(), self.first_name.strip()
        if family and given and _is_cjk(family[-1]) and _is_cjk(given[0]):
            return family + given  # 王小明, without a space
        return f"{family} {given}".strip()
