from .attachments import Attachment
from .calendar import CalendarDay
from .evidence import EvidencePack
from .notifications import Notification, Reminder
from .organisation import (
    Department,
    DepartmentGroupObjectPermission,
    DepartmentUserObjectPermission,
    User,
)
from .reference import IsoClause
from .security import SecurityEvent
from .signatures import Signature

__all__ = [
    "Attachment",
    "CalendarDay",
    "Department",
    "EvidencePack",
    "IsoClause",
    "DepartmentGroupObjectPermission",
    "DepartmentUserObjectPermission",
    "Notification",
    "Reminder",
    "SecurityEvent",
    "Signature",
    "User",
]
