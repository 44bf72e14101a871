"""Catalog UI views: browse.py (clerks), offerings.py (product managers), discounts.py (group tariffs)."""

from .browse import catalog_browse, customer_pick
from .discounts import (
    discount_create,
    discount_decide,
    discount_detail,
    discount_edit,
    discount_list,
    discount_submit,
)
from .offerings import (
    category_form,
    category_list,
    member_add,
    member_remove,
    offering_create,
    offering_detail,
    offering_edit,
    offering_lifecycle,
    offering_list,
    price_create,
    price_delete,
    price_edit,
    specification_form,
    specification_list,
)

__all__ = [
    "catalog_browse",
    "category_form",
    "category_list",
    "customer_pick",
    "discount_create",
    "discount_decide",
    "discount_detail",
    "discount_edit",
    "discount_list",
    "discount_submit",
    "member_add",
    "member_remove",
    "offering_create",
    "offering_detail",
    "offering_edit",
    "offering_lifecycle",
    "offering_list",
    "price_create",
    "price_delete",
    "price_edit",
    "specification_form",
    "specification_list",
]
