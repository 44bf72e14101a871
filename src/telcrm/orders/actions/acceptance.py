"""Acceptance at the counter (营业受理, ORD-1/ORD-2): every write of orders, items and payments.

The clerk's flow, each step one action (permission, data scope, validation with field errors, one
transaction, audit, and an event where the business changed)::

    order = order_create(actor=clerk, customer=c, order_type="new_line")       # 判定: refused customers
    order_item_add(actor=clerk, order=order, offering="5G-128")                # eligibility + quote
    order_number_choose(actor=clerk, order=order, number="13805710001")        # reserved for the draft
    order_sim_choose(actor=clerk, order=order, iccid="8986…")
    payment_record(actor=clerk, order=order, method="cash", amount_fen=12800)
    order_submit(actor=clerk, order=order)      # number assigned, SIM allocated, process started
    order_abandon(actor=clerk, order=order)     # a draft: reservations released, cancelled

The process then moves the order on with ``order_progress``, ``order_complete`` and ``order_fail``
(actions/fulfilment.py) from its service-task handlers (orders/handlers.py). Item amounts are net of
the discount (``discount_fen`` is what was taken off); the order's ``one_off_fen`` is what is due now.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.customers.actions._common import insert_numbered
from telcrm.customers.checks import order_eligibility
from telcrm.customers.models import Account, AddOnStatus, Customer, Subscription, SubscriptionStatus
from telcrm.platform.actions import access, require_perm
from telcrm.platform.auditing import audit_write, snapshot
from telcrm.platform.errors import NotFoundInScope, field_error
from telcrm.platform.events import emit

from ..acceptance_permissions import TAKE_ORDER
from ..models import (
    ItemAction,
    Order,
    OrderItem,
    OrderState,
    OrderType,
    Payment,
    PaymentMethod,
)

ORDER_PREFIX = "OD"
PROCESS_KEYS = {
    OrderType.NEW_LINE: "order.new_line",
    OrderType.PLAN_CHANGE: "order.plan_change",
    OrderType.ADD_ON: "order.add_on",
    OrderType.SIM_SWAP: "order.sim_swap",
    OrderType.SUSPEND: "order.suspend_resume",
    OrderType.RESUME: "order.suspend_resume",
    OrderType.TRANSFER: "order.transfer",
    OrderType.PORT_IN: "order.port_in",
    OrderType.TERMINATION: "order.termination",
    OrderType.BROADBAND: "order.broadband",
}
# the order-type codes of customers.checks.order_eligibility
CHECK_CODES = {OrderType.PORT_IN: "number_port", OrderType.TRANSFER: "ownership_transfer"}
# order types that work on a line the customer holds
LINE_TYPES = {
    OrderType.PLAN_CHANGE,
    OrderType.ADD_ON,
    OrderType.SIM_SWAP,
    OrderType.SUSPEND,
    OrderType.RESUME,
    OrderType.TRANSFER,
    OrderType.TERMINATION,
}
# order types whose items are offerings (the others have no catalog item, or an optional one)
OFFERING_TYPES = {
    OrderType.NEW_LINE,
    OrderType.PLAN_CHANGE,
    OrderType.ADD_ON,
    OrderType.PORT_IN,
    OrderType.BROADBAND,
}
NUMBER_TYPES = {OrderType.NEW_LINE}
SIM_TYPES = {OrderType.NEW_LINE, OrderType.SIM_SWAP, OrderType.PORT_IN}
AUDIT_FIELDS = ["state", "one_off_fen", "recurring_fen", "discount_fen", "paid_fen", "reason"]
LIVE_LINES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)


def _pk(obj):
    return getattr(obj, "pk", obj)


def _payload(order: Order) -> dict:
    return {
        "orderNo": order.order_no,
        "orderType": order.order_type,
        "state": order.state,
        "customerId": order.customer_id,
        "oneOffFen": order.one_off_fen,
        "recurringFen": order.recurring_fen,
    }


def _audit(actor, order: Order, action: str, before: dict | None = None) -> None:
    audit_write(action=action, actor=actor, obj=order, before=before, after=snapshot(order, AUDIT_FIELDS))


def _draft(actor, order) -> Order:
    """The order locked for update, if the actor may take orders and sees it, and it is a draft."""
    require_perm(actor, TAKE_ORDER)
    row = access(Order.objects.select_related("customer"), actor, _pk(order), for_update=True)
    if row.state != OrderState.DRAFT:
        raise field_error(
            "order",
            _("Order %(no)s is %(state)s; only a draft can be changed."),
            "not_draft",
            no=row.order_no,
            state=row.get_state_display(),
        )
    return row


def _customer_check(customer: Customer, order_type: str, field: str = "customer") -> None:
    verdict = order_eligibility(customer, order_type=CHECK_CODES.get(order_type, order_type))
    if not verdict.ok:
        raise field_error(
            field, _("The order cannot be taken: %(reason)s"), verdict.code, reason=verdict.reason
        )


# --- create ---------------------------------------------------------------------------------------
@transaction.atomic
def order_create(
    *,
    actor,
    customer,
    order_type: str,
    subscription=None,
    channel: str = "counter",
    note: str = "",
    data=None,
) -> Order:
    """A draft order of ``order_type`` for ``customer`` (in the actor's data scope), taken at the actor's
    branch. Customers that may not order (closed, blacklisted, arrears, …) are refused with the reason;
    order types that work on a line need ``subscription``, a live line of that customer."""
    require_perm(actor, TAKE_ORDER)
    if order_type not in OrderType.values:
        raise field_error("order_type", _("Choose an order type from the list."), "invalid_choice")
    try:
        cust = access(Customer.objects.select_related("party"), actor, _pk(customer))
    except NotFoundInScope as exc:
        raise field_error("customer", _("Choose a customer within your data scope."), "out_of_scope") from exc
    _customer_check(cust, order_type)
    line = None
    if order_type in LINE_TYPES:
        if subscription in (None, ""):
            raise field_error("subscription", _("Choose the line this order is for."), "required")
        line = Subscription.objects.filter(pk=_pk(subscription), customer=cust).first()
        if line is None:
            raise field_error("subscription", _("This line does not belong to the customer."), "invalid")
        if line.status not in LIVE_LINES:
            raise field_error("subscription", _("This line is terminated."), "terminated")
    if actor.org_unit_id is None:
        raise field_error("order", _("Your user has no branch; orders are taken at a branch."), "no_unit")
    order = Order(
        customer=cust,
        order_type=order_type,
        subscription=line,
        channel=str(channel or "counter")[:16],
        note=str(note or "")[:500],
        data=dict(data or {}),
        org_unit_id=actor.org_unit_id,
        owner=actor,
        created_by=actor,
    )
    insert_numbered(order, "order_no", ORDER_PREFIX)
    _audit(actor, order, "order.create")
    emit("order.created", aggregate=order, payload=_payload(order), actor=actor)
    return order


ADDRESS_PARTS = ("province", "city", "district", "street")
DETAIL_KEYS = {*ADDRESS_PARTS, "msisdn", "reason", "new_customer", "bandwidth_mbps"}


def _address(row: Order) -> dict | None:
    """The installation address as the coverage check reads it (province, city, district, street)."""
    parts = row.data.get("address_parts")
    return parts if isinstance(parts, dict) and parts.get("street") else None


@transaction.atomic
def order_details_set(*, actor, order, **fields) -> Order:
    """Set details of a draft kept in ``order.data``: the installation address (province, city,
    district, street), the number to port in (``msisdn``), a reason, the new owner of a transfer."""
    row = _draft(actor, order)
    unknown = set(fields) - DETAIL_KEYS
    if unknown:
        raise field_error(
            "order", _("Unknown order details: %(names)s."), "invalid", names=", ".join(sorted(unknown))
        )
    before = dict(row.data)
    clean = {k: "" if v is None else " ".join(str(v).split())[:100] for k, v in fields.items()}
    if clean.get("msisdn") and not (clean["msisdn"].isdigit() and len(clean["msisdn"]) == 11):
        raise field_error("msisdn", _("Enter an 11-digit mobile number."), "invalid")
    if clean.get("new_customer"):
        scoped = Customer.objects.restrict(actor).select_related("party")
        value = clean["new_customer"]
        new_owner = scoped.filter(customer_no=value).first()
        if new_owner is None and value.isdigit() and len(value) < 12:
            new_owner = scoped.filter(pk=int(value)).first()
        if new_owner is None or new_owner.pk == row.customer_id:
            raise field_error(
                "new_customer", _("Choose the new owner, another customer in your data scope."), "invalid"
            )
        _customer_check(new_owner, OrderType.NEW_LINE, field="new_customer")
        clean["new_customer"] = str(new_owner.pk)
    parts = {k: clean.pop(k) for k in ADDRESS_PARTS if k in clean}
    if parts:
        merged = {**(row.data.get("address_parts") or {}), **parts}
        if not (merged.get("city") and merged.get("street")):
            raise field_error(
                "street", _("Enter at least the city and the street of the address."), "required"
            )
        row.data["address_parts"] = merged
        row.data["address"] = "".join(merged.get(k, "") for k in ADDRESS_PARTS)
    row.data.update(clean)
    row.save(update_fields=["data", "updated_at"])
    audit_write(action="order.details", actor=actor, obj=row, before=before, after=row.data)
    return row


# --- items ----------------------------------------------------------------------------------------
def _recalculate(order: Order) -> None:
    items = list(order.items.all())
    order.one_off_fen = sum(i.one_off_fen for i in items)
    order.recurring_fen = sum(i.recurring_fen for i in items)
    order.discount_fen = sum(i.discount_fen for i in items)
    order.save(update_fields=["one_off_fen", "recurring_fen", "discount_fen", "updated_at"])


def _price(item: OrderItem, line) -> None:
    item.one_off_fen = line.net_one_off_fen
    item.recurring_fen = line.net_recurring_fen
    item.discount_fen = line.discount_fen
    item.tariff = line.tariff
    item.why = (line.why or "")[:200]


def _verdict_error(code: str, verdict) -> ValidationError:
    reasons = "; ".join(str(r.message) for r in verdict.blocking) or str(_("not on sale"))
    return field_error(
        "offering",
        _("%(offering)s cannot be taken: %(reasons)s"),
        "ineligible",
        offering=code,
        reasons=reasons,
    )


def _check_not_on_line(row: Order, code: str) -> None:
    """An add-on order cannot add what the line has active already (its add-ons are on the line's
    inventory, customers.SubscriptionAddOn)."""
    if row.order_type != OrderType.ADD_ON or not row.subscription_id:
        return
    if row.subscription.addons.filter(offer_code=code, status=AddOnStatus.ACTIVE).exists():
        raise field_error(
            "offering",
            _("%(offering)s is already active on line %(msisdn)s."),
            "on_line",
            offering=code,
            msisdn=row.subscription.msisdn,
        )


@transaction.atomic
def order_item_add(*, actor, order, offering, quantity: int = 1) -> OrderItem:
    """Add ``offering`` (a code or a version row) to a draft: the catalog's eligibility verdict must
    allow it (the blocking reasons are the field error), the price is the quote for this customer."""
    from telcrm.catalog import eligibility, pricing
    from telcrm.catalog.models import ProductOffering

    row = _draft(actor, order)
    if row.order_type not in OFFERING_TYPES:
        raise field_error("offering", _("This order type has no offerings to add."), "no_offerings")
    code = offering.code if isinstance(offering, ProductOffering) else str(offering or "").strip()
    if not code:
        raise field_error("offering", _("Choose an offering."), "required")
    try:
        quantity = int(quantity)
    except (TypeError, ValueError) as exc:
        raise field_error("quantity", _("Enter a whole number of 1 or more."), "invalid") from exc
    if not 1 <= quantity <= 99:
        raise field_error("quantity", _("Enter a whole number of 1 or more."), "invalid")
    cart = list(row.items.exclude(offering_code="").values_list("offering_code", flat=True))
    if code in cart:
        raise field_error("offering", _("%(offering)s is already in the order."), "duplicate", offering=code)
    _check_not_on_line(row, code)
    verdict = eligibility.check(row.customer, code, cart=cart, channel=row.channel, address=_address(row))
    if not verdict.ok:
        raise _verdict_error(code, verdict)
    found = verdict.offering or offering
    line = pricing.quote(row.customer, [(found, quantity)]).lines[0]
    item = OrderItem(
        order=row,
        action=ItemAction.MODIFY if row.order_type == OrderType.PLAN_CHANGE else ItemAction.ADD,
        offering=found,
        offering_code=found.code,
        name=found.name[:100],
        subscription=row.subscription,
        quantity=quantity,
    )
    _price(item, line)
    item.save()
    _recalculate(row)
    audit_write(
        action="order.item_add",
        actor=actor,
        obj=row,
        after={"offering": found.code, "version": found.version},
    )
    return item


@transaction.atomic
def order_item_remove(*, actor, order, item) -> Order:
    """Take an offering item out of a draft (the number item goes with :func:`order_number_choose`)."""
    row = _draft(actor, order)
    found = row.items.filter(pk=_pk(item), number__isnull=True).first()
    if found is None:
        raise field_error("item", _("This item is not in the order."), "invalid")
    code = found.offering_code
    found.delete()
    _recalculate(row)
    audit_write(action="order.item_remove", actor=actor, obj=row, before={"offering": code})
    return row


# --- number and SIM -------------------------------------------------------------------------------
def _number_item(order: Order) -> OrderItem | None:
    return order.items.filter(number__isnull=False, holds_number=True).select_related("number").first()


def _release_number(actor, order: Order, item: OrderItem, *, keep: bool = False) -> None:
    """End this order's reservation of the item's number (it may have expired meanwhile) and drop its
    level's charges; the item is dropped, or kept as history (``keep``) no longer holding the number."""
    from telcrm.resources.actions import number_release
    from telcrm.resources.models import NumberState

    number = item.number
    number.refresh_from_db(fields=["state", "reservation_ref"])
    if number.state == NumberState.RESERVED and number.reservation_ref == order.order_no:
        number_release(actor, number, reference=order.order_no)
    _drop_level(order, item)
    if keep:
        item.holds_number = False
        item.one_off_fen = 0
        item.save(update_fields=["holds_number", "one_off_fen"])
    else:
        item.delete()


# --- the number's level (靓号): price, deposit, monthly minimum spend --------------------------------
# The level's price is the one-off fee of the number's item; its deposit an item of its own that
# points at the number without holding it and has no MSISDN (so it is never taken for the line); the
# terms — with the monthly minimum spend the line commits to — are kept in order.data["number_level"]
# for the page, the receipt, billing entry (计费入帐) and the Subscription at completion.
def _deposit_items(order: Order, number_id):
    return order.items.filter(number_id=number_id, holds_number=False, msisdn="")


def _level_terms(number) -> dict | None:
    level = number.level if number.level_id else None
    if level is None or not (level.price_fen or level.deposit_fen or level.min_spend_fen):
        return None
    return {
        "code": level.code,
        "name": level.name,
        "name_en": level.name_en,
        "msisdn": number.msisdn,
        "price_fen": level.price_fen,
        "deposit_fen": level.deposit_fen,
        "min_spend_fen": level.min_spend_fen,
    }


def _apply_level(order: Order, item: OrderItem) -> None:
    """Charge the number item's level on the draft (again at submission: the level may have changed)."""
    number = item.number
    terms = _level_terms(number)
    item.one_off_fen = terms["price_fen"] if terms else 0
    values = {"msisdn": number.msisdn, "level": terms["name"] if terms else ""}
    if terms:
        item.name = str(_("Number %(msisdn)s (%(level)s)") % values)[:100]
    else:
        item.name = str(_("Number %(msisdn)s") % values)[:100]
    item.save(update_fields=["one_off_fen", "name"])
    deposits = _deposit_items(order, number.pk)
    if terms and terms["deposit_fen"]:
        name = str(_("Deposit of number %(msisdn)s (%(level)s)") % values)[:100]
        deposit = deposits.first()
        if deposit is None:
            OrderItem.objects.create(
                order=order,
                action=ItemAction.ADD,
                number=number,
                holds_number=False,
                msisdn="",
                name=name,
                one_off_fen=terms["deposit_fen"],
            )
        else:
            deposits.exclude(pk=deposit.pk).delete()
            deposit.name, deposit.one_off_fen = name, terms["deposit_fen"]
            deposit.save(update_fields=["name", "one_off_fen"])
    else:
        deposits.delete()
    if terms:
        order.data["number_level"] = terms
    else:
        order.data.pop("number_level", None)
    order.save(update_fields=["data", "updated_at"])


def _drop_level(order: Order, item: OrderItem) -> None:
    """The released number's level charges leave the draft: its deposit, its terms."""
    _deposit_items(order, item.number_id).delete()
    if (order.data.get("number_level") or {}).get("msisdn") == item.number.msisdn:
        order.data.pop("number_level", None)
        order.save(update_fields=["data", "updated_at"])


@transaction.atomic
def order_number_choose(*, actor, order, number) -> OrderItem:
    """Reserve ``number`` (a Number, id or MSISDN) for this draft, releasing the one chosen before.
    Someone faster (another draft holds it) gets the number pool's field error on ``number``."""
    from telcrm.resources.actions import number_reserve

    row = _draft(actor, order)
    if row.order_type not in NUMBER_TYPES:
        raise field_error("number", _("This order type does not take a new number."), "no_number")
    old = _number_item(row)
    if old is not None:
        if str(number) in (old.msisdn, str(old.number_id)) or _pk(number) == old.number_id:
            return old
        _release_number(actor, row, old)
    reserved = number_reserve(actor, number, reference=row.order_no, customer=row.customer)
    item = OrderItem(
        order=row,
        action=ItemAction.ADD,
        number=reserved,
        holds_number=True,
        msisdn=reserved.msisdn,
        iccid=(old.iccid if old else ""),
    )
    item.save()
    _apply_level(row, item)
    _recalculate(row)
    terms = row.data.get("number_level") or {}
    audit_write(
        action="order.number_choose",
        actor=actor,
        obj=row,
        before={"msisdn": old.msisdn} if old else None,
        after={
            "msisdn": reserved.msisdn,
            **{k: terms[k] for k in ("code", "price_fen", "deposit_fen", "min_spend_fen") if k in terms},
        },
    )
    return item


@transaction.atomic
def order_sim_choose(*, actor, order, iccid: str) -> Order:
    """The SIM card (ICCID) for the line: kept on the draft, taken from stock when it is submitted."""
    from telcrm.resources.stock.models import SimCard
    from telcrm.resources.stock.states import ItemState

    row = _draft(actor, order)
    if row.order_type not in SIM_TYPES:
        raise field_error("iccid", _("This order type does not take a SIM card."), "no_sim")
    iccid = "".join(str(iccid or "").split())
    card = SimCard.objects.restrict(actor).filter(iccid=iccid).first() if iccid else None
    if card is None:
        raise field_error("iccid", _("No SIM card %(iccid)s in your stock."), "not_found", iccid=iccid)
    if card.state != ItemState.IN_STOCK:
        raise field_error("iccid", _("SIM card %(iccid)s is not in stock."), "not_in_stock", iccid=iccid)
    before = row.data.get("iccid", "")
    row.data["iccid"] = iccid
    row.save(update_fields=["data", "updated_at"])
    audit_write(
        action="order.sim_choose", actor=actor, obj=row, before={"iccid": before}, after={"iccid": iccid}
    )
    return row


# --- payment --------------------------------------------------------------------------------------
@transaction.atomic
def payment_record(*, actor, order, method: str, amount_fen, reference: str = "") -> Payment:
    """A payment taken for a draft (cash, card, mobile pay, or charged to the billing account)."""
    row = _draft(actor, order)
    if method not in PaymentMethod.values:
        raise field_error("method", _("Choose a payment method from the list."), "invalid_choice")
    try:
        amount = int(amount_fen)
    except (TypeError, ValueError) as exc:
        raise field_error("amount", _("Enter an amount greater than zero."), "invalid") from exc
    if amount <= 0:
        raise field_error("amount", _("Enter an amount greater than zero."), "invalid")
    reference = str(reference or "").strip()
    if method in (PaymentMethod.CARD, PaymentMethod.MOBILE_PAY) and not reference:
        raise field_error("reference", _("Enter the transaction reference of the payment."), "required")
    if len(reference) > 64:
        raise field_error(
            "reference", _("The reference is at most %(limit)d characters long."), "max_length", limit=64
        )
    payment = Payment.objects.create(
        order=row, method=method, amount_fen=amount, reference=reference, received_by=actor
    )
    before = snapshot(row, AUDIT_FIELDS)
    row.paid_fen += amount
    row.save(update_fields=["paid_fen", "updated_at"])
    _audit(actor, row, "order.payment", before)
    emit("order.payment_recorded", aggregate=row, payload={**_payload(row), "amountFen": amount}, actor=actor)
    return payment


# --- submit and abandon ---------------------------------------------------------------------------
def _recheck(row: Order) -> None:
    """Eligibility and prices once more at submission: the catalog or the customer may have changed."""
    from telcrm.catalog import eligibility, pricing

    items = [i for i in row.items.select_related("offering") if i.offering_id]
    if row.order_type in OFFERING_TYPES and not items:
        raise field_error("offering", _("Add at least one offering."), "required")
    codes = [i.offering_code for i in items]
    for item in items:
        _check_not_on_line(row, item.offering_code)
        verdict = eligibility.check(
            row.customer,
            item.offering_code,
            cart=[c for c in codes if c != item.offering_code],
            channel=row.channel,
            address=_address(row),
        )
        if not verdict.ok:
            raise _verdict_error(item.offering_code, verdict)
    if items:
        quote = pricing.quote(row.customer, [(i.offering_code, i.quantity) for i in items])
        for item, line in zip(items, quote.lines, strict=True):
            _price(item, line)
            item.offering = line.offering
            item.save(
                update_fields=["one_off_fen", "recurring_fen", "discount_fen", "tariff", "why", "offering"]
            )
    number_item = _number_item(row)
    if number_item is not None:
        _apply_level(row, number_item)
    _recalculate(row)


def _require_details(row: Order) -> None:
    if row.order_type in NUMBER_TYPES and _number_item(row) is None:
        raise field_error("number", _("Choose a number for the new line."), "required")
    if row.order_type in SIM_TYPES and not row.data.get("iccid"):
        raise field_error("iccid", _("Choose the SIM card."), "required")
    if row.order_type == OrderType.PORT_IN and not row.data.get("msisdn"):
        raise field_error("msisdn", _("Enter the number to port in."), "required")
    if row.order_type == OrderType.TRANSFER and not row.data.get("new_customer"):
        raise field_error("new_customer", _("Choose the new owner."), "required")
    if (
        row.order_type == OrderType.TRANSFER
        and not Account.objects.filter(customer_id=row.data["new_customer"]).exists()
    ):
        raise field_error("new_customer", _("The new owner has no billing account."), "no_account")
    if row.order_type == OrderType.BROADBAND and not row.data.get("address"):
        raise field_error("address", _("Enter the installation address."), "required")
    opens_line = row.order_type in (OrderType.NEW_LINE, OrderType.PORT_IN, OrderType.BROADBAND)
    if opens_line and not row.customer.accounts.exists():
        raise field_error("customer", _("The customer has no billing account."), "no_account")


def _line_item(row: Order) -> OrderItem:
    """The item that carries the line's number and SIM (the number item of a new line)."""
    item = _number_item(row)
    if item is None:
        item = OrderItem.objects.create(
            order=row,
            action=ItemAction.MODIFY if row.subscription_id else ItemAction.ADD,
            subscription=row.subscription,
            msisdn=row.data.get("msisdn") or (row.subscription.msisdn if row.subscription_id else ""),
            name=row.get_order_type_display()[:100],
        )
    return item


def _process_data(row: Order, line: OrderItem) -> dict:
    plan = next((i for i in row.items.all() if i.offering_id), None)
    return {
        "order_no": row.order_no,
        "order_type": row.order_type,
        "customer_no": row.customer.customer_no,
        "msisdn": line.msisdn,
        "iccid": line.iccid,
        "offering": plan.offering_code if plan else "",
        "action": "suspend" if row.order_type == OrderType.SUSPEND else "resume",
        "address": row.data.get("address", ""),
        "facts": {"offering": plan.offering_code if plan else "", "live_lines": 1},
    }


@transaction.atomic
def order_submit(*, actor, order) -> Order:
    """Submit a draft: the customer and each offering are checked again and priced again, the payments
    must cover the one-off due (unless charged to the account), the number is assigned, the SIM taken
    from stock, and the order type's process started (it runs after commit)."""
    from telcrm.resources.actions import number_assign
    from telcrm.resources.stock.actions import sim_allocate

    from .process import process_start

    row = _draft(actor, order)
    before = snapshot(row, AUDIT_FIELDS)
    _customer_check(row.customer, row.order_type)
    _recheck(row)
    _require_details(row)
    on_account = row.payments.filter(method=PaymentMethod.ACCOUNT).exists()
    if row.paid_fen < row.one_off_fen and not on_account:
        raise field_error(
            "payment",
            _("Payment short: %(due)s yuan due, %(paid)s yuan paid."),
            "short",
            due=f"{row.one_off_fen / 100:.2f}",
            paid=f"{row.paid_fen / 100:.2f}",
        )
    line = _line_item(row)
    if line.number_id:
        number_assign(actor, line.number, customer=row.customer, reference=row.order_no)
    iccid = row.data.get("iccid", "")
    if iccid:
        sim_allocate(actor, iccid, reference=row.order_no)
        line.iccid = iccid
        line.save(update_fields=["iccid"])
    row.process = process_start(
        key=PROCESS_KEYS[row.order_type],
        actor=actor,
        subject=row,
        data=_process_data(row, line),
        org_unit=row.org_unit,
        business_key=row.order_no,
    )
    row.state = OrderState.SUBMITTED
    row.submitted_at = timezone.now()
    row.save(update_fields=["state", "submitted_at", "process", "updated_at"])
    _audit(actor, row, "order.submit", before)
    emit("order.submitted", aggregate=row, payload=_payload(row), actor=actor)
    return row


@transaction.atomic
def order_abandon(*, actor, order, reason: str = "") -> Order:
    """Cancel a draft: the numbers it reserved go back to the pool, their level's charges leave it."""
    row = _draft(actor, order)
    before = snapshot(row, AUDIT_FIELDS)
    for item in list(row.items.filter(holds_number=True).select_related("number")):
        _release_number(actor, row, item, keep=True)
    _recalculate(row)
    row.state = OrderState.CANCELLED
    row.cancelled_at = timezone.now()
    row.reason = str(reason or "")[:300]
    row.save(update_fields=["state", "cancelled_at", "reason", "updated_at"])
    _audit(actor, row, "order.abandon", before)
    emit("order.cancelled", aggregate=row, payload=_payload(row), actor=actor)
    return row
