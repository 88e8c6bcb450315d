"""Reference data shared by the modules."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from qms.iso import TITLES


class IsoClause(models.Model):
    """An ISO 9001:2015 clause; titles come from code so they show in every language."""

    number = models.CharField(_("clause"), max_length=10, unique=True)
    position = models.PositiveSmallIntegerField(_("order"), db_index=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("ISO 9001 clause")
        verbose_name_plural = _("ISO 9001 clauses")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def title(self) -> str:
        return str(TITLES.get(self.number, ""))
