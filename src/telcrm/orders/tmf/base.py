"""What TMF622 (productOrder) and TMF637 (product) share: state mapping, money, references.

The TMF conventions (filters, ``?fields=``, paging headers, PATCH parsing, the Error body) are
``customers.tmf.common``'s, reused as they are.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from telcrm.customers.models import SubscriptionStatus
from telcrm.customers.tmf.common import money

from ..models import OrderState

# Order.state → TMF622 ProductOrderStateType. A draft is still being put together at the counter:
# "pending" (waiting for an action before it can progress); submitted orders wait for the back office:
# "acknowledged".
ORDER_STATE = {
    OrderState.DRAFT: "pending",
    OrderState.SUBMITTED: "acknowledged",
    OrderState.IN_PROGRESS: "inProgress",
    OrderState.COMPLETED: "completed",
    OrderState.CANCELLED: "cancelled",
    OrderState.FAILED: "failed",
}
ORDER_STATE_IN = {tmf.lower(): ours for ours, tmf in ORDER_STATE.items()}

# Subscription.status → TMF637 ProductStatusType (and back, for filters and input)
PRODUCT_STATUS = {
    SubscriptionStatus.ACTIVE: "active",
    SubscriptionStatus.SUSPENDED: "suspended",
    SubscriptionStatus.TERMINATED: "terminated",
    SubscriptionStatus.PENDING: "pendingActive",
}
PRODUCT_STATUS_IN = {tmf.lower(): ours for ours, tmf in PRODUCT_STATUS.items()}
PRODUCT_STATUS_IN["created"] = SubscriptionStatus.PENDING

MSISDN, ICCID = "MSISDN", "ICCID"


def order_state_code(value) -> str | None:
    return ORDER_STATE_IN.get(str(value).strip().lower())


def product_status_code(value) -> str | None:
    return PRODUCT_STATUS_IN.get(str(value).strip().lower())


def yuan(fen: int) -> dict:
    return money(Decimal(int(fen or 0)) / 100)


def price(price_type: str, amount: dict, **extra) -> dict:
    """A TMF ``OrderPrice`` / ``ProductPrice``: ``priceType`` oneTime or recurring (per month)."""
    out = {"priceType": price_type}
    if price_type == "recurring":
        out["recurringChargePeriod"] = "month"
    out.update(extra)
    out["price"] = {"taxIncludedAmount": amount}
    return out


def ref(request, url_name: str, pk, *, referred_type: str, name: str = "", role: str = "") -> dict:
    """A reference to one of our TMF resources: id, href, name, role, @referredType."""
    out = {"id": str(pk), "href": request.build_absolute_uri(reverse(url_name, kwargs={"pk": pk}))}
    if name:
        out["name"] = name
    if role:
        out["role"] = role
    out["@referredType"] = referred_type
    return out


def characteristic(name: str, value: str) -> dict:
    return {"name": name, "valueType": "string", "value": value}


def characteristic_value(items, name: str) -> tuple[int, object] | None:
    """(index, value) of the characteristic ``name`` (any letter case) in a parsed list, or None."""
    for i, item in enumerate(items or ()):
        if str(item.get("name", "")).strip().lower() == name.lower():
            return i, item.get("value")
    return None


# --- an order's items as TMF productOrderItems --------------------------------------------------------
ITEM_ACTION = {"add": "add", "modify": "modify", "remove": "delete"}


def item_groups(order) -> list[dict]:
    """The order's items (``order.items.all()``, prefetched) as TMF productOrderItems: a list of
    ``{"id", "action", "items": [OrderItem], "status", "line"}`` (``line``: it carries the line).

    An order taken through TMF622 keeps the client's items in ``data["tmf"]["items"]`` (id, action, the
    offering code it added, whether it carries the line): each of our items goes to the client item that
    named its offering, the number and line items to the client item that carries the line. An order
    taken at the counter shows each of our items on its own, with its row id.
    """
    from ..models import OrderType

    items = list(order.items.all())
    given = ((order.data or {}).get("tmf") or {}).get("items") or []
    if not given:
        out = []
        for item in items:
            action = ITEM_ACTION.get(item.action, "add")
            if order.order_type == OrderType.TERMINATION and item.subscription_id:
                action = "delete"
            line = bool(item.msisdn or item.holds_number)
            out.append({"id": str(item.pk), "action": action, "items": [item], "status": None, "line": line})
        return out
    groups = [
        {
            "id": str(g.get("id", "")),
            "action": g.get("action", "add"),
            "items": [],
            "status": g.get("status"),
            "line": bool(g.get("line")),
        }
        for g in given
    ]
    by_code = {g.get("offering"): k for k, g in enumerate(given) if g.get("offering")}
    line = next((k for k, g in enumerate(given) if g.get("line")), 0)
    for item in items:
        groups[by_code.get(item.offering_code, line) if item.offering_code else line]["items"].append(item)
    return groups


def line_group(order, subscription) -> dict | None:
    """The productOrderItem of ``order`` that concerns ``subscription`` (a line)."""
    groups = item_groups(order)
    for group in groups:
        if any(
            i.subscription_id == subscription.pk or i.msisdn == subscription.msisdn for i in group["items"]
        ):
            return group
    return next((g for g in groups if g["line"]), groups[0] if groups else None)
