"""Reads of orders (营业受理) through the data scope: lists and the statistics per branch, clerk, type
and day (ORD-1)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Order, OrderState, OrderType


def order_list(user, *, state: str = "", order_type: str = "", q: str = "", mine: bool = False):
    """Orders the user may see, newest first; ``q`` is an order number or a customer number/name."""
    qs = Order.objects.restrict(user).select_related("customer", "org_unit", "created_by")
    if state in OrderState.values:
        qs = qs.filter(state=state)
    if order_type in OrderType.values:
        qs = qs.filter(order_type=order_type)
    if mine:
        qs = qs.filter(created_by=user)
    q = (q or "").strip()[:40]
    if q:
        qs = qs.filter(Q(order_no=q) | Q(customer__customer_no=q) | Q(customer__name__startswith=q))
    return qs.order_by("-id")


def failed_order_list(user):
    """Orders in the user's scope whose process failed (not the returned ones), newest failure first,
    with their process (the failed step and its error)."""
    return (
        Order.objects.restrict(user)
        .filter(state=OrderState.FAILED, data__has_key="failure")
        .select_related("customer", "org_unit", "process")
        .order_by("-updated_at", "-id")
    )


def _group(qs, *fields):
    return list(
        qs.values(*fields)
        .annotate(
            orders=Count("id"),
            completed=Count("id", filter=Q(state=OrderState.COMPLETED)),
            cancelled=Count("id", filter=Q(state=OrderState.CANCELLED)),
            paid_fen=Sum("paid_fen"),
        )
        .order_by(*fields)
    )


def order_statistics(user, *, days: int = 30, today: dt.date | None = None) -> dict:
    """Orders taken in the last ``days`` days within the user's scope, counted per branch, clerk,
    order type and day (drafts included; cancelled and completed counted apart), one query each."""
    today = today or timezone.localdate()
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=max(1, days) - 1), dt.time()))
    qs = Order.objects.restrict(user).filter(created_at__gte=since).order_by()
    labels = dict(OrderType.choices)
    by_type = _group(qs, "order_type")
    for row in by_type:
        row["label"] = labels.get(row["order_type"], row["order_type"])
    return {
        "since": since.date(),
        "total": qs.count(),
        "by_branch": _group(qs, "org_unit__code", "org_unit__name"),
        "by_clerk": _group(qs, "created_by__username"),
        "by_type": by_type,
        "by_day": _group(qs.annotate(day=TruncDate("created_at")), "day"),
    }


def number_terms(order: Order) -> dict | None:
    """The premium number's terms on ``order`` (靓号: the level's price and deposit charged in the order,
    the monthly minimum spend the line commits to), amounts in fen; None for an ordinary number."""
    from telcrm.platform.models.base import english_ui

    terms = order.data.get("number_level") if isinstance(order.data, dict) else None
    if not terms:
        return None
    return {
        "msisdn": terms.get("msisdn", ""),
        "level": (terms.get("name_en") if english_ui() else "") or terms.get("name", ""),
        "price_fen": int(terms.get("price_fen") or 0),
        "deposit_fen": int(terms.get("deposit_fen") or 0),
        "min_spend_fen": int(terms.get("min_spend_fen") or 0),
    }
