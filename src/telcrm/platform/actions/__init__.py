"""Every write of the platform goes through these functions (ARCHITECTURE §4)."""

from ._base import access, require_perm
from .config import (
    dict_item_save,
    dict_type_create,
    holiday_delete,
    holiday_save,
    parameter_update,
    work_calendar_update,
)
from .jobs import job_cancel, job_result_open, job_retry, job_start
from .notifications import notification_mark_read, notify
from .org import org_unit_create, org_unit_update
from .pii import pii_reveal
from .superuser import user_grant_superuser
from .tokens import api_token_issue, api_token_revoke, api_token_user
from .users import role_update, user_create, user_set_language, user_set_password, user_unlock, user_update

__all__ = [
    "access",
    "api_token_issue",
    "api_token_revoke",
    "api_token_user",
    "dict_item_save",
    "dict_type_create",
    "holiday_delete",
    "holiday_save",
    "job_cancel",
    "job_result_open",
    "job_retry",
    "job_start",
    "notification_mark_read",
    "notify",
    "org_unit_create",
    "org_unit_update",
    "parameter_update",
    "pii_reveal",
    "require_perm",
    "role_update",
    "user_create",
    "user_grant_superuser",
    "user_set_language",
    "user_set_password",
    "user_unlock",
    "user_update",
    "work_calendar_update",
]
