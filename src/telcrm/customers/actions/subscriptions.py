"""The product inventory below a line (Subscription): its add-ons (附加包) and the terms of a premium
number (靓号: level, monthly minimum spend, deposit).

These are written by the order module when an order completes (销单入库), inside the step's
transaction and without a user (``actor`` is None then; the audit records the system), so each is
safe to run twice: starting an add-on the line already has active answers the one it has, ending
the add-ons of a line that has none changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from telcrm.platform.auditing import audit_write

from ..models import AddOnStatus, Subscription, SubscriptionAddOn


def _locked(subscription) -> Subscription:
    pk = getattr(subscription, "pk", subscription)
    return Subscription.objects.select_for_update().get(pk=pk)


@transaction.atomic
def subscription_addon_start(
    *,
    subscription,
    offer_code: str,
    offer_name: str,
    monthly_fee: Decimal = Decimal("0"),
    order_no: str = "",
    at=None,
    actor=None,
) -> SubscriptionAddOn:
    """Put add-on ``offer_code`` on the line from ``at`` (now); the active one when it has it."""
    sub = _locked(subscription)
    code = str(offer_code or "").strip()[:40]
    if not code:
        raise ValueError("an add-on needs its offer code")
    active = sub.addons.filter(offer_code=code, status=AddOnStatus.ACTIVE).first()
    if active is not None:
        return active
    addon = SubscriptionAddOn.objects.create(
        subscription=sub,
        offer_code=code,
        offer_name=str(offer_name or code)[:100],
        monthly_fee=Decimal(monthly_fee or 0),
        started_at=at or timezone.now(),
        order_no=str(order_no or "")[:20],
    )
    audit_write(
        action="subscription.addon_start",
        actor=actor,
        obj=sub,
        after={"addon": code, "order_no": addon.order_no, "monthly_fee": str(addon.monthly_fee)},
    )
    return addon


@transaction.atomic
def subscription_addons_end(
    *, subscription, reason: str = "", order_no: str = "", at=None, actor=None
) -> int:
    """End every active add-on of the line (it is terminated); the number of add-ons ended."""
    sub = _locked(subscription)
    active = list(sub.addons.filter(status=AddOnStatus.ACTIVE).values_list("offer_code", flat=True))
    if not active:
        return 0
    ended = sub.addons.filter(status=AddOnStatus.ACTIVE).update(
        status=AddOnStatus.ENDED, ended_at=at or timezone.now(), end_reason=str(reason or "")[:100]
    )
    audit_write(
        action="subscription.addons_end",
        actor=actor,
        obj=sub,
        before={"addons": active},
        after={"addons": [], "reason": reason, "order_no": order_no},
    )
    return ended


@transaction.atomic
def subscription_number_terms_set(
    *, subscription, number_level: str, min_spend: Decimal, deposit: Decimal, order_no: str = "", actor=None
) -> Subscription:
    """Record the premium number's terms on its line: the level, the monthly minimum spend the line is
    committed to and the deposit held (yuan)."""
    sub = _locked(subscription)
    before = {"number_level": sub.number_level, "min_spend": str(sub.min_spend), "deposit": str(sub.deposit)}
    sub.number_level = str(number_level or "")[:60]
    sub.min_spend = Decimal(min_spend or 0)
    sub.deposit = Decimal(deposit or 0)
    sub.save(update_fields=["number_level", "min_spend", "deposit", "updated_at"])
    audit_write(
        action="subscription.number_terms",
        actor=actor,
        obj=sub,
        before=before,
        after={
            "number_level": sub.number_level,
            "min_spend": str(sub.min_spend),
            "deposit": str(sub.deposit),
            "order_no": order_no,
        },
    )
    return sub
