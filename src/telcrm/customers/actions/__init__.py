"""Every write of the customers module (ARCHITECTURE §4): keyword-only functions, each one
transaction that checks the permission, fetches its target through the data scope, validates
(ValidationError naming the field), changes, and audits. Views, the API, imports and tasks all
call these; nothing else writes customer rows."""

from .bulk import Numbering, customers_create_many, customers_prepare_many, customers_write_prepared
from .care import blacklist_add, blacklist_lift, credit_set, interaction_record
from .contacts import (
    account_create,
    address_delete,
    address_save,
    contact_medium_delete,
    contact_medium_save,
    contact_person_delete,
    contact_person_save,
)
from .customer import customer_set_tags, customer_update, real_name_verify, tag_save
from .merge import MERGE_RELATIONS, customer_merge, customer_unmerge, register_merge_relation
from .registration import customer_create
from .requests import update_request_preview, update_request_review, update_request_submit
from .subscriptions import (
    subscription_addon_start,
    subscription_addons_end,
    subscription_number_terms_set,
)

__all__ = [
    "MERGE_RELATIONS",
    "Numbering",
    "account_create",
    "address_delete",
    "address_save",
    "blacklist_add",
    "blacklist_lift",
    "contact_medium_delete",
    "contact_medium_save",
    "contact_person_delete",
    "contact_person_save",
    "credit_set",
    "customer_create",
    "customer_merge",
    "customer_set_tags",
    "customer_unmerge",
    "customer_update",
    "customers_create_many",
    "customers_prepare_many",
    "customers_write_prepared",
    "interaction_record",
    "real_name_verify",
    "register_merge_relation",
    "subscription_addon_start",
    "subscription_addons_end",
    "subscription_number_terms_set",
    "tag_save",
    "update_request_preview",
    "update_request_review",
    "update_request_submit",
]
