"""Every write of network coverage (ARCHITECTURE §4): keyword-only functions, each one transaction
that checks the permission, fetches its target through the data scope, validates (ValidationError
naming the field), changes and audits. The UI, the API, the import job and the demo's callers all use
these; nothing else writes coverage rows.

Network elements and their ports are in ``elements``, covered addresses in ``addresses``; every public
name is importable from here.
"""

from ._common import MANAGE
from .addresses import (
    ADDRESS_FIELDS,
    UPSERT_FIELDS,
    covered_address_create,
    covered_address_retire,
    covered_address_save,
    covered_address_update,
    covered_addresses_save_many,
)
from .elements import (
    CODE_RE,
    EDITABLE_STATUSES,
    ELEMENT_FIELDS,
    element_create,
    element_retire,
    element_update,
    port_release,
    port_take,
)

__all__ = [
    "ADDRESS_FIELDS",
    "CODE_RE",
    "EDITABLE_STATUSES",
    "ELEMENT_FIELDS",
    "MANAGE",
    "UPSERT_FIELDS",
    "covered_address_create",
    "covered_address_retire",
    "covered_address_save",
    "covered_address_update",
    "covered_addresses_save_many",
    "element_create",
    "element_retire",
    "element_update",
    "port_release",
    "port_take",
]
