"""Customer UI views (one operation per view). Routes: customers/urls.py."""

from ._common import phone_info
from .lists import customer_classify_all, customer_export, customer_list, customer_print
from .parts import part_create, part_delete, part_edit, part_list, part_reveal
from .profile import (
    blacklist_add,
    blacklist_lift,
    customer_classification_release,
    customer_classify,
    customer_create,
    customer_credit,
    customer_detail,
    customer_duplicates,
    customer_edit,
    customer_history,
    customer_merge,
    customer_reveal,
    customer_tags,
    customer_unmerge,
    customer_verify,
    interaction_create,
)
from .reviews import duplicates, update_request_list, update_request_review

__all__ = [
    "blacklist_add",
    "blacklist_lift",
    "customer_classification_release",
    "customer_classify",
    "customer_classify_all",
    "customer_create",
    "customer_credit",
    "customer_detail",
    "customer_duplicates",
    "customer_edit",
    "customer_export",
    "customer_history",
    "customer_list",
    "customer_merge",
    "customer_print",
    "customer_reveal",
    "customer_tags",
    "customer_unmerge",
    "customer_verify",
    "duplicates",
    "interaction_create",
    "part_create",
    "part_delete",
    "part_edit",
    "part_list",
    "part_reveal",
    "phone_info",
    "update_request_list",
    "update_request_review",
]
