"""The customer 360 view (客户全景, CUS-4): everything one screen shows, in a fixed number of queries.

Other modules add their panels (orders, work orders, tickets, campaigns) with ``@section_360("key")``
on ``fn(actor, customer) -> value``; each section must itself cost a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from telcrm.platform.errors import NotFoundInScope

from ..models import (
    Account,
    AccountStatus,
    AddOnStatus,
    BlacklistEffect,
    BlacklistEntry,
    Customer,
    Interaction,
    RequestStatus,
    Subscription,
    SubscriptionAddOn,
    SubscriptionStatus,
    UpdateRequest,
)

RECENT = 20  # subscriptions and interactions shown
RECENT_CREDIT = 10
MAX_ACCOUNTS = 50
MAX_PENDING = 20

_OPEN_ACCOUNTS = [AccountStatus.ACTIVE, AccountStatus.SUSPENDED]

SECTIONS: dict[str, Callable] = {}


def section_360(key: str):
    """Register an extra panel of the 360 view: ``fn(actor, customer)``, fixed query count."""

    def register(fn):
        SECTIONS[key] = fn
        return fn

    return register


def _agg(model, expr, output, **filters):
    """A correlated aggregate over ``model`` rows of the outer customer (0 when there are none)."""
    sub = (
        model.objects.filter(customer=OuterRef("pk"), **filters)
        .order_by()
        .values("customer")
        .annotate(v=expr)
        .values("v")[:1]
    )
    zero = Value(Decimal("0") if isinstance(output, DecimalField) else 0, output_field=output)
    return Coalesce(Subquery(sub, output_field=output), zero, output_field=output)


def _money():
    return DecimalField(max_digits=16, decimal_places=2)


def active_blacklist_q(today=None) -> Q:
    today = today or timezone.localdate()
    return Q(lifted_at__isnull=True, valid_from__lte=today) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )


EFFECT_ORDER = [BlacklistEffect.BLOCK_ALL, BlacklistEffect.BLOCK_NEW, BlacklistEffect.WARN]


# each line's active add-ons (附加包), as ``line.active_addons``: one query for all the lines shown
ACTIVE_ADDONS = Prefetch(
    "addons",
    queryset=SubscriptionAddOn.objects.filter(status=AddOnStatus.ACTIVE).order_by("started_at", "id"),
    to_attr="active_addons",
)


def customer_360(actor, pk, *, recent: int = RECENT) -> dict:
    """Everything the 360 page shows for customer ``pk`` in the actor's scope (else NotFoundInScope).

    Keys: customer, party, contact_media, addresses, contact_people, tags, accounts (first
    MAX_ACCOUNTS), account_count, balance_total, arrears_total, subscriptions (the ``recent`` newest),
    subscription_count, active_subscription_count, monthly_fee_total (active lines), interactions
    (the ``recent`` newest), blacklist (active entries for the customer or the person's ID number),
    blacklist_effect (the strongest active effect or ""), credit_changes (last RECENT_CREDIT),
    update_requests (pending), pending_request_count, parent, member_count, merged_into, sections.
    The number of queries does not depend on how many rows hang off the customer.
    """
    count = IntegerField()
    qs = (
        Customer.objects.restrict(actor)
        .select_related("party", "org_unit", "owner", "account_manager", "parent", "merged_into")
        .annotate(
            account_count=_agg(Account, Count("*"), count),
            balance_total=_agg(Account, Sum("balance"), _money(), status__in=_OPEN_ACCOUNTS),
            arrears_total=_agg(Account, Sum("arrears"), _money()),
            subscription_count=_agg(Subscription, Count("*"), count),
            active_subscription_count=_agg(Subscription, Count("*"), count, status=SubscriptionStatus.ACTIVE),
            monthly_fee_total=_agg(
                Subscription, Sum("monthly_fee"), _money(), status=SubscriptionStatus.ACTIVE
            ),
            pending_request_count=_agg(UpdateRequest, Count("*"), count, status=RequestStatus.PENDING),
            member_count=Coalesce(
                Subquery(
                    Customer.objects.filter(parent=OuterRef("pk"))
                    .live()
                    .order_by()
                    .values("parent")
                    .annotate(v=Count("*"))
                    .values("v")[:1],
                    output_field=count,
                ),
                Value(0),
            ),
        )
    )
    try:
        customer = qs.get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc
    party = customer.party
    blacklist_q = Q(customer=customer)
    if party.id_number_bidx:
        blacklist_q |= Q(id_number_bidx=party.id_number_bidx)
    blacklist = list(
        BlacklistEntry.objects.filter(blacklist_q)
        .filter(active_blacklist_q())
        .select_related("customer", "org_unit")
    )
    effects = {e.effect for e in blacklist}
    data = {
        "customer": customer,
        "party": party,
        "contact_media": list(customer.contact_media.all()),
        "addresses": list(customer.addresses.all()),
        "contact_people": list(customer.contact_people.all()),
        "tags": list(customer.tags.all()),
        "accounts": list(customer.accounts.all()[:MAX_ACCOUNTS]),
        "account_count": customer.account_count,
        "balance_total": customer.balance_total,
        "arrears_total": customer.arrears_total,
        "subscriptions": list(
            customer.subscriptions.select_related("account")
            .prefetch_related(ACTIVE_ADDONS)
            .order_by("-id")[:recent]
        ),
        "subscription_count": customer.subscription_count,
        "active_subscription_count": customer.active_subscription_count,
        "monthly_fee_total": customer.monthly_fee_total,
        "interactions": list(
            Interaction.objects.filter(customer=customer)
            .select_related("owner")
            .order_by("-occurred_at", "-id")[:recent]
        ),
        "blacklist": blacklist,
        "blacklist_effect": next((e for e in EFFECT_ORDER if e in effects), ""),
        "credit_changes": list(customer.credit_changes.select_related("changed_by")[:RECENT_CREDIT]),
        "update_requests": list(
            customer.update_requests.filter(status=RequestStatus.PENDING).order_by("-created_at")[
                :MAX_PENDING
            ]
        ),
        "pending_request_count": customer.pending_request_count,
        "parent": customer.parent,
        "member_count": customer.member_count,
        "merged_into": customer.merged_into,
    }
    data["sections"] = {key: fn(actor, customer) for key, fn in SECTIONS.items()}
    return data
