"""Every read of the platform goes through these selectors, with the data scope applied."""

from .activity import audit_search, job_get, job_list, notifications_for, unread_count
from .config import (
    calendar_list,
    dict_type_list,
    dictionary,
    dictionary_choices,
    dictionary_label,
    holiday_list,
    invalidate_dictionaries,
    parameter_list,
)
from .directory import org_unit_choices, org_unit_list, role_list, user_by_id_number, user_get, user_list

__all__ = [
    "audit_search",
    "calendar_list",
    "dict_type_list",
    "dictionary",
    "dictionary_choices",
    "dictionary_label",
    "holiday_list",
    "invalidate_dictionaries",
    "job_get",
    "job_list",
    "notifications_for",
    "org_unit_choices",
    "org_unit_list",
    "parameter_list",
    "role_list",
    "unread_count",
    "user_by_id_number",
    "user_get",
    "user_list",
]
