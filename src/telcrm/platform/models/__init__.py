from .audit import AuditKind, AuditLog
from .config import DictItem, DictType, Holiday, HolidayKind, Parameter, ParamType, WorkCalendar
from .fields import EncryptedField, Sealed
from .jobs import Job, JobStatus, WorkerHeartbeat
from .misc import ApiToken, Notification, NotificationLevel
from .org import ALLOWED_CHILDREN, OrgKind, OrgUnit
from .scoped import ScopedModel, ScopedQuerySet, scope_q, subtree_ids
from .users import DataScope, Language, Role, User

__all__ = [
    "ALLOWED_CHILDREN",
    "ApiToken",
    "AuditKind",
    "AuditLog",
    "DataScope",
    "DictItem",
    "DictType",
    "EncryptedField",
    "Holiday",
    "HolidayKind",
    "Job",
    "JobStatus",
    "Language",
    "Notification",
    "NotificationLevel",
    "OrgKind",
    "OrgUnit",
    "ParamType",
    "Parameter",
    "Role",
    "ScopedModel",
    "ScopedQuerySet",
    "Sealed",
    "User",
    "WorkCalendar",
    "WorkerHeartbeat",
    "scope_q",
    "subtree_ids",
]
