"""Who may take orders at the counter (ORD-1): granted to the built-in roles by sync_roles (new
databases) and by migration 0003 (existing ones).

- ``view_order``: orders in one's data scope, their receipts;
- ``take_order``: create drafts, add items, choose numbers, record payments, submit and abandon;
- ``reprint_receipt``: print a receipt again (every print is audited).
"""

VIEW_ORDER = "orders.view_order"
TAKE_ORDER = "orders.take_order"
REPRINT_RECEIPT = "orders.reprint_receipt"

ACCEPTANCE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "admin": (VIEW_ORDER,),
    "analyst": (VIEW_ORDER,),
    "branch_manager": (VIEW_ORDER, TAKE_ORDER, REPRINT_RECEIPT),
    "clerk": (VIEW_ORDER, TAKE_ORDER, REPRINT_RECEIPT),
    "account_manager": (VIEW_ORDER, TAKE_ORDER),
    "backoffice": (VIEW_ORDER,),
    "agent": (VIEW_ORDER,),
    "service": (VIEW_ORDER,),
}
