"""Printing the receipt (受理单) of an order: every print is recorded, a reprint needs its own
permission and is audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import access, require_perm
from telcrm.platform.auditing import audit_write
from telcrm.platform.errors import AccessDenied, field_error

from ..acceptance_permissions import REPRINT_RECEIPT, VIEW_ORDER
from ..models import Order, OrderState, ReceiptPrint


@transaction.atomic
def receipt_print(*, actor, order) -> tuple[ReceiptPrint, bytes]:
    """The receipt PDF of ``order`` (in the actor's scope, not a cancelled draft) and the print record:
    copy 1 is the original, later copies are reprints (permission ``orders.reprint_receipt``)."""
    from ..receipts import render_receipt

    require_perm(actor, VIEW_ORDER)
    row = access(
        Order.objects.select_related("customer__party", "org_unit", "created_by"),
        actor,
        getattr(order, "pk", order),
        for_update=True,
    )
    if row.state == OrderState.CANCELLED:
        raise field_error(
            "order", _("Order %(no)s was cancelled; it has no receipt."), "cancelled", no=row.order_no
        )
    copy_no = row.prints.count() + 1
    if copy_no > 1 and not actor.has_perm(REPRINT_RECEIPT):
        raise AccessDenied(_("Reprinting a receipt needs the reprint permission."))
    pdf = render_receipt(row, copy_no=copy_no)
    printed = ReceiptPrint.objects.create(order=row, copy_no=copy_no, printed_by=actor)
    audit_write(
        action="order.receipt_reprint" if copy_no > 1 else "order.receipt_print",
        actor=actor,
        obj=row,
        after={"copy": copy_no},
    )
    return printed, pdf
