"""Every read of customers goes through these selectors, starting from ``Customer.objects.restrict(actor)``:
a row outside the actor's data scope is never returned (ARCHITECTURE §4, decision 0002)."""

from .duplicates import DuplicateReason, find_duplicates
from .history import FieldChange, customer_history
from .lookup import (
    CUSTOMER_SORTS,
    LIST_MAX_MATCHES,
    MATCH_ORDER,
    MAX_RESULTS,
    customer_get,
    customer_list,
    customer_search,
    customers_by_phone,
    name_filter,
)
from .overview import active_blacklist_q, customer_360, section_360

__all__ = [
    "CUSTOMER_SORTS",
    "LIST_MAX_MATCHES",
    "MATCH_ORDER",
    "MAX_RESULTS",
    "DuplicateReason",
    "FieldChange",
    "active_blacklist_q",
    "customer_360",
    "customer_get",
    "customer_history",
    "customer_list",
    "customer_search",
    "customers_by_phone",
    "find_duplicates",
    "name_filter",
    "section_360",
]
