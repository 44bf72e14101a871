"""Every write of the number pool (ARCHITECTURE §4). The order module calls the transitions:

    number_reserve(actor, number, *, reference="", customer=None, minutes=None) -> Number
    number_release(actor, number, *, reference="") -> Number
    number_assign(actor, number, *, customer, reference="") -> Number
    number_quarantine(actor, number, *, reason="") -> Number

``number`` is a Number, its id or its 11-digit MSISDN. Refusals are ValidationErrors naming the
field (``number`` when the number is not available or someone else was faster), AccessDenied for a
missing permission, NotFoundInScope for a number outside the actor's regions.
"""

from .levels import (
    level_create,
    level_delete,
    level_update,
    levels_recompute,
    recompute_free_levels,
    rule_create,
    rule_delete,
    rule_update,
)
from .numbers import (
    number_assign,
    number_freeze,
    number_quarantine,
    number_release,
    number_reserve,
    number_unfreeze,
)
from .ranges import generate_numbers, range_create, range_delete, range_generate, range_update
from .scheduled import quarantine_finish, reservations_expire

__all__ = [
    "generate_numbers",
    "level_create",
    "level_delete",
    "level_update",
    "levels_recompute",
    "number_assign",
    "number_freeze",
    "number_quarantine",
    "number_release",
    "number_reserve",
    "number_unfreeze",
    "quarantine_finish",
    "range_create",
    "range_delete",
    "range_generate",
    "range_update",
    "recompute_free_levels",
    "reservations_expire",
    "rule_create",
    "rule_delete",
    "rule_update",
]
