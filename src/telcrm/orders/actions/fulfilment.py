"""Orders moved on by their process (ORD-2): the service-task handlers (orders/handlers.py) call these
inside the step's transaction; there is no user, the audit records the system. Each is idempotent: a
step that runs again after a crash finds the order moved already and changes nothing.

- ``order_progress``: submitted → in progress;
- ``order_complete``: 销单入库 — completed, the product inventory (customers.Subscription) created or
  updated, the SIM marked active, the number no longer held by the order;
- ``order_fail``: returned (退单) or given up — failed, the SIM back in stock, a new number quarantined.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from telcrm.customers.models import Customer, Subscription, SubscriptionStatus
from telcrm.platform.auditing import snapshot
from telcrm.platform.events import emit

from ..models import Order, OrderState, OrderType
from .acceptance import AUDIT_FIELDS, _audit, _payload, _pk
from .inventory import order_inventory_extras


def _locked(order) -> Order:
    return Order.objects.select_for_update().select_related("customer").get(pk=_pk(order))


def order_progress(order) -> Order:
    """submitted → in progress (the back office accepted it, or the first system step ran)."""
    row = _locked(order)
    if row.state == OrderState.SUBMITTED:
        before = snapshot(row, AUDIT_FIELDS)
        row.state = OrderState.IN_PROGRESS
        row.save(update_fields=["state", "updated_at"])
        _audit(None, row, "order.progress", before)
        emit("order.in_progress", aggregate=row, payload=_payload(row))
    return row


def _give_back_resources(row: Order) -> None:
    """A returned order gives back what its submission took: the SIM goes back into stock, a new
    line's number into quarantine (an assigned number never returns to the pool directly)."""
    from telcrm.resources.actions import number_quarantine
    from telcrm.resources.models import NumberState
    from telcrm.resources.stock.actions import sim_release
    from telcrm.resources.stock.models import SimCard
    from telcrm.resources.stock.states import ItemState

    for item in row.items.exclude(iccid=""):
        card = SimCard.objects.filter(iccid=item.iccid).values("state", "reference").first()
        if card and card["state"] == ItemState.ALLOCATED and card["reference"] == row.order_no:
            sim_release(row.created_by, item.iccid, reference=row.order_no)
    for item in row.items.filter(holds_number=True).select_related("number"):
        number = item.number
        if number.state == NumberState.ASSIGNED and number.customer_id == row.customer_id:
            number_quarantine(row.created_by, number, reason=f"退单 {row.order_no}")


def order_fail(order, *, reason: str = "") -> Order:
    """The process gave the order back (退单) or could not complete it: the SIM and number it took are
    given back."""
    row = _locked(order)
    if row.state in (OrderState.SUBMITTED, OrderState.IN_PROGRESS):
        before = snapshot(row, AUDIT_FIELDS)
        _give_back_resources(row)
        row.state = OrderState.FAILED
        row.reason = str(reason or "")[:300]
        row.items.filter(holds_number=True).update(holds_number=False)
        row.save(update_fields=["state", "reason", "updated_at"])
        _audit(None, row, "order.fail", before)
        emit("order.failed", aggregate=row, payload=_payload(row))
    return row


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def _apply_to_inventory(row: Order) -> Subscription | None:
    """Create or update the customer's product inventory (Subscription) for a completed order."""
    items = list(row.items.select_related("offering"))
    plan = next(
        (i for i in items if i.offering_id and i.offering.kind in ("plan", "bundle", "broadband")), None
    )
    line = next((i for i in items if i.msisdn or i.iccid), None)
    now = timezone.now()
    if row.order_type in (OrderType.NEW_LINE, OrderType.PORT_IN, OrderType.BROADBAND):
        offering = plan.offering if plan else None
        commitment = getattr(offering, "commitment_months", 0) or 0
        return Subscription.objects.create(
            customer=row.customer,
            account=row.customer.accounts.order_by("id").first(),
            msisdn=(line.msisdn if line and line.msisdn else row.order_no)[:20],
            iccid=(line.iccid if line else "")[:22],
            offer_code=offering.code if offering else "",
            offer_name=(offering.name if offering else row.get_order_type_display())[:100],
            monthly_fee=_yuan(sum(i.recurring_fen for i in items)),
            status=SubscriptionStatus.ACTIVE,
            activated_at=now,
            commitment_end=(now + timezone.timedelta(days=30 * commitment)).date() if commitment else None,
            org_unit=row.org_unit,
            owner=row.owner,
        )
    sub = Subscription.objects.select_for_update().filter(pk=row.subscription_id).first()
    if sub is None:
        return None
    fields = ["updated_at"]
    if row.order_type == OrderType.PLAN_CHANGE and plan is not None:
        sub.offer_code, sub.offer_name = plan.offering.code, plan.offering.name[:100]
        sub.monthly_fee = _yuan(plan.recurring_fen)
        fields += ["offer_code", "offer_name", "monthly_fee"]
    elif row.order_type == OrderType.ADD_ON:
        sub.monthly_fee += _yuan(sum(i.recurring_fen for i in items))
        fields += ["monthly_fee"]
    elif row.order_type == OrderType.SIM_SWAP and line is not None and line.iccid:
        sub.iccid = line.iccid
        fields += ["iccid"]
    elif row.order_type in (OrderType.SUSPEND, OrderType.RESUME, OrderType.TERMINATION):
        sub.status = {
            OrderType.SUSPEND: SubscriptionStatus.SUSPENDED,
            OrderType.RESUME: SubscriptionStatus.ACTIVE,
            OrderType.TERMINATION: SubscriptionStatus.TERMINATED,
        }[row.order_type]
        fields += ["status"]
    elif row.order_type == OrderType.TRANSFER and row.data.get("new_customer"):
        new_owner = Customer.objects.filter(pk=row.data["new_customer"]).first()
        if new_owner is not None and new_owner.accounts.exists():
            sub.customer, sub.account = new_owner, new_owner.accounts.order_by("id").first()
            fields += ["customer", "account"]
    sub.save(update_fields=fields)
    return sub


def order_complete(order) -> Order:
    """销单入库: the order is completed, the product inventory updated, the SIM marked active."""
    from telcrm.resources.stock.actions import sim_activate

    row = _locked(order)
    if row.state not in (OrderState.SUBMITTED, OrderState.IN_PROGRESS):
        return row  # completed already (the step ran again) or cancelled meanwhile
    before = snapshot(row, AUDIT_FIELDS)
    sub = _apply_to_inventory(row)
    order_inventory_extras(row, sub)  # number terms, add-ons (actions/inventory.py)
    line = row.items.exclude(iccid="").first()
    if line is not None and line.msisdn and row.order_type in (OrderType.NEW_LINE, OrderType.PORT_IN):
        sim_activate(row.created_by, line.iccid, msisdn=line.msisdn, reference=row.order_no)
    row.items.filter(holds_number=True).update(holds_number=False)
    row.state = OrderState.COMPLETED
    row.completed_at = timezone.now()
    if sub is not None and row.subscription_id is None:
        row.subscription = sub
    row.save(update_fields=["state", "completed_at", "subscription", "updated_at"])
    _audit(None, row, "order.complete", before)
    emit("order.completed", aggregate=row, payload=_payload(row))
    return row
