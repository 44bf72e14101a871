"""Order eligibility (判定, ORD-1 / CUS-6): may this customer place this kind of order now?

One function, one answer, one reason. The rules run in a fixed order and the first refusal is the
answer: the customer's status, the blacklist (of the customer and of the person behind its ID
number), real-name verification, credit level, arrears, and the number of lines per ID number.
A blacklist entry whose effect is "warn" (or "refuse new services" for an order that is not new
business) does not refuse; when nothing else does, the answer is ok with code ``blacklist_warning``
so the clerk sees it. Limits are parameters (customers/parameters.py), not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from telcrm.platform.parameters import REGISTRY, param
from telcrm.platform.queries import dictionary_label

from . import parameters as P
from .models import (
    Account,
    BlacklistEffect,
    BlacklistEntry,
    Customer,
    CustomerStatus,
    Subscription,
    SubscriptionStatus,
)

LINE_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED, SubscriptionStatus.PENDING)


@dataclass(frozen=True)
class Check:
    """The answer: ``ok``, a stable ``code`` for programs, a translated ``reason`` for people."""

    ok: bool
    code: str
    reason: str

    def __bool__(self) -> bool:
        return self.ok


def _codes(key: str) -> set[str]:
    """A JSON-list parameter as a set of codes (the default if an administrator stored something else)."""
    value = param(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        value = REGISTRY[key].default
    return set(value)


def active_blacklist(customer: Customer) -> list[BlacklistEntry]:
    """Blacklist entries in force today for the customer or for its person's ID number."""
    today = timezone.localdate()
    who = Q(customer_id=customer.pk)
    bidx = customer.party.id_number_bidx
    if bidx:
        who |= Q(id_number_bidx=bidx)
    return list(
        BlacklistEntry.objects.filter(who, lifted_at__isnull=True, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("-valid_from", "-id")
    )


def _refuse(code: str, message: str, **params) -> Check:
    return Check(False, code, message % params if params else message)


def order_eligibility(customer: Customer, *, order_type: str = "new_line") -> Check:
    """Whether ``customer`` may place an order of ``order_type`` (an order-type code such as
    new_line, plan_change, add_on, sim_swap, number_port, ownership_transfer, termination,
    broadband). The caller fetched the customer within its user's data scope."""
    customer = (
        Customer.objects.dangerously_unscoped().select_related("party", "merged_into").get(pk=customer.pk)
    )
    party = customer.party

    if customer.status == CustomerStatus.MERGED:
        no = customer.merged_into.customer_no if customer.merged_into_id else ""
        return _refuse(
            "merged", gettext("This customer was merged into %(no)s; take the order on that record."), no=no
        )
    if customer.status == CustomerStatus.CLOSED:
        return _refuse("closed", gettext("This customer is closed."))
    if customer.status == CustomerStatus.SUSPENDED:
        return _refuse("suspended", gettext("This customer is suspended; resume the customer first."))

    warning = None
    for entry in active_blacklist(customer):
        label = dictionary_label("blacklist_reason", entry.reason_code)
        own = entry.customer_id == customer.pk
        if entry.effect == BlacklistEffect.BLOCK_ALL or (
            entry.effect == BlacklistEffect.BLOCK_NEW and order_type in _codes(P.BLOCK_NEW_ORDER_TYPES)
        ):
            if own:
                return _refuse(
                    "blacklisted", gettext("The customer is blacklisted (%(reason)s)."), reason=label
                )
            return _refuse(
                "blacklisted",
                gettext("The person with this ID number is blacklisted under another customer (%(reason)s)."),
                reason=label,
            )
        if warning is None:
            warning = Check(
                True,
                "blacklist_warning",
                gettext("Blacklist warning (%(reason)s): the order may be accepted; take care.")
                % {"reason": label},
            )

    if order_type in _codes(P.REAL_NAME_ORDER_TYPES) and not (party.id_verified_at and party.id_number_bidx):
        return _refuse(
            "real_name_required",
            gettext("The customer's real name is not verified; check the ID document first."),
        )
    if order_type == "new_line":
        minimum = int(param(P.MIN_CREDIT_FOR_NEW_LINE))
        if customer.credit_level < minimum:
            return _refuse(
                "credit_too_low",
                gettext("The credit level %(level)s is below %(min)s, the lowest allowed for a new line."),
                level=customer.credit_level,
                min=minimum,
            )
    arrears = Account.objects.filter(customer=customer).aggregate(total=Sum("arrears"))["total"] or Decimal(0)
    limit = Decimal(param(P.MAX_ARREARS_FOR_ORDER))
    if arrears > limit:
        return _refuse(
            "arrears",
            gettext("The customer owes %(amount)s (more than %(limit)s allowed); settle the arrears first."),
            amount=f"{arrears:.2f}",
            limit=f"{limit:.2f}",
        )
    if order_type in _codes(P.LINE_LIMIT_ORDER_TYPES):
        most = int(param(P.MAX_LINES_PER_ID))
        lines = Subscription.objects.filter(status__in=LINE_STATUSES)
        if party.id_number_bidx:
            lines = lines.filter(customer__party__id_number_bidx=party.id_number_bidx)
        else:
            lines = lines.filter(customer=customer)
        held = lines.count()
        if held >= most:
            return _refuse(
                "line_limit",
                gettext("This ID number already holds %(count)s lines; at most %(max)s are allowed."),
                count=held,
                max=most,
            )
    return warning or Check(True, "ok", gettext("The customer may place this order."))
