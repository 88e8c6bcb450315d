"""ISO 9001:2015 clauses: the reference every module links to (documents, audits, findings)."""

from django.utils.translation import gettext_lazy as _

CLAUSES: list[tuple[str, str]] = [
    ("4.1", _("Understanding the organization and its context")),
    ("4.2", _("Understanding the needs and expectations of interested parties")),
    ("4.3", _("Determining the scope of the quality management system")),
    ("4.4", _("Quality management system and its processes")),
    ("5.1", _("Leadership and commitment")),
    ("5.2", _("Policy")),
    ("5.3", _("Organizational roles, responsibilities and authorities")),
    ("6.1", _("Actions to address risks and opportunities")),
    ("6.2", _("Quality objectives and planning to achieve them")),
    ("6.3", _("Planning of changes")),
    ("7.1", _("Resources")),
    ("7.2", _("Competence")),
    ("7.3", _("Awareness")),
    ("7.4", _("Communication")),
    ("7.5", _("Documented information")),
    ("8.1", _("Operational planning and control")),
    ("8.2", _("Requirements for products and services")),
    ("8.3", _("Design and development of products and services")),
    ("8.4", _("Control of externally provided processes, products and services")),
    ("8.5", _("Production and service provision")),
    ("8.6", _("Release of products and services")),
    ("8.7", _("Control of nonconforming outputs")),
    ("9.1", _("Monitoring, measurement, analysis and evaluation")),
    ("9.2", _("Internal audit")),
    ("9.3", _("Management review")),
    ("10.1", _("Improvement: general")),
    ("10.2", _("Nonconformity and corrective action")),
    ("10.3", _("Continual improvement")),
]
TITLES = dict(CLAUSES)


def sort_key(number: str) -> int:
    major, minor = number.split(".")
    return int(major) * 100 + int(minor)
