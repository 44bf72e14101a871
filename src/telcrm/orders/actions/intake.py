"""A whole order in one call (the REST API's ``POST /api/v1/orders``): the clerk's steps of
acceptance.py run one after the other in one transaction, so a refusal anywhere — the number taken a
moment earlier by another counter, an offering the customer may not have, a short payment — leaves
nothing behind (no draft, no reserved number) and names the field that was refused."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from telcrm.platform.errors import NotFoundInScope, field_error

from ..models import Order
from .acceptance import (
    order_create,
    order_details_set,
    order_item_add,
    order_number_choose,
    order_sim_choose,
    order_submit,
    payment_record,
)


@transaction.atomic
def order_take(
    *,
    actor,
    customer,
    order_type: str,
    subscription=None,
    offerings=(),
    number=None,
    iccid: str = "",
    details: dict | None = None,
    payments=(),
    note: str = "",
    submit: bool = False,
) -> Order:
    """Create an order with its ``offerings`` (``[{"code", "quantity"}]``), ``number``, SIM ``iccid``,
    ``details`` (order_details_set's fields) and ``payments`` (``[{"method", "amount_fen",
    "reference"}]``), and submit it when ``submit``. Each part is checked by its own action."""
    order = order_create(
        actor=actor, customer=customer, order_type=order_type, subscription=subscription, note=note
    )
    if details:
        order_details_set(actor=actor, order=order, **details)
    for offering in offerings or ():
        order_item_add(
            actor=actor, order=order, offering=offering.get("code", ""), quantity=offering.get("quantity", 1)
        )
    if number not in (None, ""):
        try:
            order_number_choose(actor=actor, order=order, number=number)
        except NotFoundInScope as exc:
            raise field_error(
                "number",
                _("Number %(msisdn)s is not in a number pool you may use."),
                "not_found",
                msisdn=str(number)[:20],
            ) from exc
    if iccid:
        order_sim_choose(actor=actor, order=order, iccid=iccid)
    for payment in payments or ():
        payment_record(
            actor=actor,
            order=order,
            method=payment.get("method", ""),
            amount_fen=payment.get("amount_fen"),
            reference=payment.get("reference", ""),
        )
    if submit:
        order = order_submit(actor=actor, order=order)
    order.refresh_from_db()
    return order
