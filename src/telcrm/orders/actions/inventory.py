"""What a completed order adds to the product inventory besides the line itself (called by
``order_complete``, in the step's transaction, safe to run twice):

- a new line on a premium number (靓号) records the number's terms on the Subscription: its level, the
  monthly minimum spend the line is committed to, the deposit held;
- an add-on order — and an add-on bought with a new line — records each add-on on the line
  (customers.SubscriptionAddOn), shown on the customer 360;
- terminating the line (销户) ends its add-ons.
"""

from __future__ import annotations

from decimal import Decimal

from telcrm.customers.actions import (
    subscription_addon_start,
    subscription_addons_end,
    subscription_number_terms_set,
)

from ..models import Order, OrderType

LINE_OPENING = (OrderType.NEW_LINE, OrderType.PORT_IN, OrderType.BROADBAND)


def _yuan(fen) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(Decimal("0.01"))


def _addon_items(order: Order) -> list:
    from telcrm.catalog.models import OfferingKind

    items = [i for i in order.items.select_related("offering") if i.offering_id]
    if order.order_type == OrderType.ADD_ON:
        return items
    return [i for i in items if i.offering.kind == OfferingKind.ADD_ON]


def order_inventory_extras(order: Order, subscription) -> None:
    """Number terms, add-ons started or ended on ``subscription`` (the order's line) for ``order``."""
    if subscription is None:
        return
    if order.order_type == OrderType.TERMINATION:
        subscription_addons_end(subscription=subscription, reason="销户", order_no=order.order_no)
        return
    level = order.data.get("number_level") or {}
    if order.order_type in LINE_OPENING and level:
        subscription_number_terms_set(
            subscription=subscription,
            number_level=level.get("name", ""),
            min_spend=_yuan(level.get("min_spend_fen")),
            deposit=_yuan(level.get("deposit_fen")),
            order_no=order.order_no,
        )
    if order.order_type in (*LINE_OPENING, OrderType.ADD_ON):
        for item in _addon_items(order):
            subscription_addon_start(
                subscription=subscription,
                offer_code=item.offering_code,
                offer_name=item.offering.name if item.offering_id else item.name,
                monthly_fee=_yuan(item.recurring_fen),
                order_no=order.order_no,
            )
