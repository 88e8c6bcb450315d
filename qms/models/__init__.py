from .attachments import Attachment
from .calendar import CalendarDay
from .notifications import Notification, Reminder
from .organisation import (
    Department,
    DepartmentGroupObjectPermission,
    DepartmentUserObjectPermission,
    User,
)
from .security import SecurityEvent

__all__ = [
    "Attachment",
    "CalendarDay",
    "Department",
    "DepartmentGroupObjectPermission",
    "DepartmentUserObjectPermission",
    "Notification",
    "Reminder",
    "SecurityEvent",
    "User",
]
