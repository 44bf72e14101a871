"""Customer classification (CUS-5): value tier, loyalty class and behaviour type from the customer's
lines and accounts, with every threshold a system parameter an administrator edits (never code).

- ``classify(customer, subscriptions, accounts)`` is the rule itself: pure, no database.
- ``classify_customer(*, actor, customer)`` recomputes one customer by hand: audited, in history.
- the job ``customers.classify`` (started by ``classify_all_start``) recomputes every customer in
  the starter's scope in batches, with progress; rows whose class changes get a history record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from telcrm.platform.actions import access, job_start, require_perm
from telcrm.platform.auditing import audit_event, audit_write, snapshot
from telcrm.platform.jobs import job_handler
from telcrm.platform.models import AuditKind, Job
from telcrm.platform.parameters import define, param

from .models import (
    Account,
    BehaviourType,
    Customer,
    CustomerType,
    LoyaltyClass,
    Subscription,
    SubscriptionStatus,
    ValueTier,
)

CLASS_FIELDS = ("value_tier", "loyalty_class", "behaviour_type")
BATCH = 1000

# --- parameters (系统参数) -------------------------------------------------------------------------
GROUP = "customers"
define(
    "customers.vip_min_monthly_fee",
    group=GROUP,
    type="decimal",
    default="300",
    min_value=0,
    max_value=1_000_000,
    name="贵宾客户月消费下限（元，个人）",
    name_en="VIP tier: minimum monthly fee (CNY, individuals)",
    description="个人客户在用号码月租合计达到该金额即为贵宾客户。",
    description_en="An individual whose active lines' monthly fees add up to this amount is a VIP.",
)
define(
    "customers.important_min_monthly_fee",
    group=GROUP,
    type="decimal",
    default="100",
    min_value=0,
    max_value=1_000_000,
    name="重要客户月消费下限（元，个人）",
    name_en="Important tier: minimum monthly fee (CNY, individuals)",
    description="个人客户在用号码月租合计达到该金额（未达贵宾）即为重要客户，其余为普通客户。",
    description_en="Individuals from this amount (below the VIP threshold) are important; the rest ordinary.",
)
define(
    "customers.vip_min_monthly_fee_enterprise",
    group=GROUP,
    type="decimal",
    default="10000",
    min_value=0,
    max_value=100_000_000,
    name="贵宾客户月消费下限（元，政企/集团）",
    name_en="VIP tier: minimum monthly fee (CNY, enterprises and groups)",
    description="政企及集团客户在用号码月租合计达到该金额即为贵宾客户。",
    description_en="An enterprise or group customer whose active lines add up to this amount is a VIP.",
)
define(
    "customers.important_min_monthly_fee_enterprise",
    group=GROUP,
    type="decimal",
    default="2000",
    min_value=0,
    max_value=100_000_000,
    name="重要客户月消费下限（元，政企/集团）",
    name_en="Important tier: minimum monthly fee (CNY, enterprises and groups)",
    description="政企及集团客户达到该金额（未达贵宾）即为重要客户。",
    description_en="Enterprise and group customers from this amount (below the VIP threshold) are important.",
)
define(
    "customers.loyal_min_tenure_months",
    group=GROUP,
    type="int",
    default=60,
    min_value=1,
    max_value=600,
    name="忠诚客户最短在网月数",
    name_en="Loyal class: minimum tenure (months)",
    description="在网时长达到该月数且欠费不超过上限的在网客户为忠诚客户。",
    description_en="Customers with lines for at least this many months and arrears within the limit "
    "are loyal.",
)
define(
    "customers.old_min_tenure_months",
    group=GROUP,
    type="int",
    default=12,
    min_value=1,
    max_value=600,
    name="老客户最短在网月数",
    name_en="Long-standing class: minimum tenure (months)",
    description="在网时长达到该月数的在网客户为老客户；不足的为新客户；没有在用号码的为潜在客户。",
    description_en="Customers with lines for at least this many months are long-standing, others new; "
    "customers without an active or suspended line are potential.",
)
define(
    "customers.loyal_max_arrears",
    group=GROUP,
    type="decimal",
    default="0",
    min_value=0,
    max_value=1_000_000,
    name="忠诚客户欠费上限（元）",
    name_en="Loyal class: maximum arrears (CNY)",
    description="欠费超过该金额的客户不评为忠诚客户。",
    description_en="A customer owing more than this is not rated loyal.",
)
define(
    "customers.profit_offer_prefixes",
    group=GROUP,
    type="str",
    default="PROMO,DISC,FREE",
    name="优惠类套餐编码前缀（逗号分隔）",
    name_en="Offer code prefixes of promotional offers (comma-separated)",
    description="编码以这些前缀开头的套餐视为优惠促销套餐，用于判定逐利型客户。",
    description_en="Offers whose code starts with one of these count as promotions (deal-seekers).",
)
define(
    "customers.profit_min_promo_share",
    group=GROUP,
    type="decimal",
    default="0.5",
    min_value=0,
    max_value=1,
    name="逐利型：优惠套餐占比下限",
    name_en="Deal-seeker: minimum share of promotional lines",
    description="在用号码中优惠套餐的比例达到该值（0–1）即为逐利型客户。",
    description_en="Customers with at least this share (0–1) of active lines on promotions are deal-seekers.",
)
define(
    "customers.lighthouse_min_offers",
    group=GROUP,
    type="int",
    default=3,
    min_value=1,
    max_value=100,
    name="灯塔型：在用不同套餐数下限",
    name_en="Lighthouse: minimum number of different offers",
    description="同时使用至少该数量不同套餐、且月消费达到下限的客户为灯塔型（率先尝试新业务）。",
    description_en="Customers using at least this many different offers, with the fee minimum, "
    "are lighthouses.",
)
define(
    "customers.lighthouse_min_monthly_fee",
    group=GROUP,
    type="decimal",
    default="200",
    min_value=0,
    max_value=1_000_000,
    name="灯塔型：月消费下限（元）",
    name_en="Lighthouse: minimum monthly fee (CNY)",
)
define(
    "customers.rational_min_commitment_share",
    group=GROUP,
    type="decimal",
    default="0.5",
    min_value=0,
    max_value=1,
    name="理性型：合约号码占比下限",
    name_en="Rational: minimum share of lines under contract",
    description="在用号码中有效合约期内的比例达到该值（0–1）即为理性型；其余在网客户为跟随型。",
    description_en="Customers with at least this share (0–1) of active lines under a commitment are "
    "rational; other customers with lines are followers.",
)


@dataclass(frozen=True)
class Rules:
    vip_min: Decimal
    important_min: Decimal
    vip_min_enterprise: Decimal
    important_min_enterprise: Decimal
    loyal_min_months: int
    old_min_months: int
    loyal_max_arrears: Decimal
    promo_prefixes: tuple[str, ...]
    profit_min_share: Decimal
    lighthouse_min_offers: int
    lighthouse_min_fee: Decimal
    rational_min_share: Decimal


def current_rules() -> Rules:
    """The thresholds as the parameters say now (read once per batch, not per customer)."""
    prefixes = tuple(p.strip().upper() for p in str(param("customers.profit_offer_prefixes")).split(","))
    return Rules(
        vip_min=param("customers.vip_min_monthly_fee"),
        important_min=param("customers.important_min_monthly_fee"),
        vip_min_enterprise=param("customers.vip_min_monthly_fee_enterprise"),
        important_min_enterprise=param("customers.important_min_monthly_fee_enterprise"),
        loyal_min_months=int(param("customers.loyal_min_tenure_months")),
        old_min_months=int(param("customers.old_min_tenure_months")),
        loyal_max_arrears=param("customers.loyal_max_arrears"),
        promo_prefixes=tuple(p for p in prefixes if p),
        profit_min_share=param("customers.profit_min_promo_share"),
        lighthouse_min_offers=int(param("customers.lighthouse_min_offers")),
        lighthouse_min_fee=param("customers.lighthouse_min_monthly_fee"),
        rational_min_share=param("customers.rational_min_commitment_share"),
    )


# --- the rule ------------------------------------------------------------------------------------


def _months_between(start: dt.date, end: dt.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(0, months)


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def tenure_months(customer, subscriptions, today: dt.date) -> int:
    """Months since the customer's start: ``tenure_start``, else the first activation, else creation."""
    start = _as_date(customer.tenure_start)
    if start is None:
        activations = [_as_date(s.activated_at) for s in subscriptions if s.activated_at]
        start = min(activations) if activations else _as_date(getattr(customer, "created_at", None))
    return _months_between(start, today) if start else 0


def classify(
    customer, subscriptions, accounts, *, today: dt.date | None = None, rules: Rules | None = None
) -> dict:
    """{"value_tier", "loyalty_class", "behaviour_type"} of a customer from its lines and accounts.

    Pure: ``subscriptions`` and ``accounts`` are any objects with the model's attributes; the
    thresholds come from ``rules`` (default: the current parameters).
    """
    rules = rules or current_rules()
    today = today or timezone.localdate()
    active = [s for s in subscriptions if s.status == SubscriptionStatus.ACTIVE]
    in_service = [
        s for s in subscriptions if s.status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)
    ]
    fee = sum((Decimal(s.monthly_fee or 0) for s in active), Decimal("0"))
    arrears = sum((Decimal(a.arrears or 0) for a in accounts), Decimal("0"))

    if customer.customer_type == CustomerType.INDIVIDUAL:
        vip_min, important_min = rules.vip_min, rules.important_min
    else:
        vip_min, important_min = rules.vip_min_enterprise, rules.important_min_enterprise
    if active and fee >= vip_min:
        tier = ValueTier.VIP
    elif active and fee >= important_min:
        tier = ValueTier.IMPORTANT
    else:
        tier = ValueTier.ORDINARY

    if not in_service:
        loyalty = LoyaltyClass.POTENTIAL
    else:
        months = tenure_months(customer, subscriptions, today)
        if months >= rules.loyal_min_months and arrears <= rules.loyal_max_arrears:
            loyalty = LoyaltyClass.LOYAL
        elif months >= rules.old_min_months:
            loyalty = LoyaltyClass.OLD
        else:
            loyalty = LoyaltyClass.NEW

    behaviour = ""
    if active:
        n = Decimal(len(active))
        promos = sum(1 for s in active if _is_promo(s.offer_code, rules))
        committed = sum(1 for s in active if s.commitment_end and _as_date(s.commitment_end) >= today)
        offers = {s.offer_code for s in active}
        if promos and promos / n >= rules.profit_min_share:
            behaviour = BehaviourType.PROFIT
        elif len(offers) >= rules.lighthouse_min_offers and fee >= rules.lighthouse_min_fee:
            behaviour = BehaviourType.LIGHTHOUSE
        elif committed and committed / n >= rules.rational_min_share:
            behaviour = BehaviourType.RATIONAL
        else:
            behaviour = BehaviourType.FOLLOWER
    return {"value_tier": str(tier), "loyalty_class": str(loyalty), "behaviour_type": str(behaviour)}


def _is_promo(offer_code: str, rules: Rules) -> bool:
    return bool(rules.promo_prefixes) and (offer_code or "").upper().startswith(rules.promo_prefixes)


# --- one customer by hand ------------------------------------------------------------------------


@transaction.atomic
def classify_customer(*, actor, customer) -> Customer:
    """Recompute one customer's classes now (audited; ``classified_at`` set even when unchanged)."""
    require_perm(actor, "customers.change_customer")
    customer = access(Customer.objects, actor, customer.pk, for_update=True)
    result = classify(customer, list(customer.subscriptions.all()), list(customer.accounts.all()))
    result = {k: v for k, v in result.items() if k not in customer.classification_manual}
    fields = [*CLASS_FIELDS, "classified_at"]
    before = snapshot(customer, fields)
    for key, value in result.items():
        setattr(customer, key, value)
    customer.classified_at = timezone.now()
    customer.save(update_fields=[*fields, "updated_at"])
    audit_write(
        action="customer.classify", actor=actor, obj=customer, before=before, after=snapshot(customer, fields)
    )
    return customer


@transaction.atomic
def classification_release(*, actor, customer) -> Customer:
    """Hand the classes set by hand back to the automatic classification, and recompute them."""
    require_perm(actor, "customers.set_credit")
    customer = access(Customer.objects, actor, customer.pk, for_update=True)
    before = snapshot(customer, ["classification_manual"])
    customer.classification_manual = []
    customer.save(update_fields=["classification_manual", "updated_at"])
    audit_write(
        action="customer.classification_release",
        actor=actor,
        obj=customer,
        before=before,
        after=snapshot(customer, ["classification_manual"]),
    )
    return classify_customer(actor=actor, customer=customer)


# --- every customer, as a job ----------------------------------------------------------------------


def classify_all_start(*, actor) -> Job:
    """Queue the recomputation of every customer in the actor's scope; returns the job to follow."""
    require_perm(actor, "customers.change_customer")
    return job_start(actor=actor, kind="customers.classify", title=_("Recompute customer classification"))


_SUB_FIELDS = ("customer_id", "status", "monthly_fee", "offer_code", "activated_at", "commitment_end")


@job_handler("customers.classify")
def run_classify_all(job, progress):
    actor = job.owner
    base = Customer.objects.restrict(actor) if actor is not None else Customer.objects.dangerously_unscoped()
    base = base.live()
    rules = current_rules()
    today = timezone.localdate()
    progress.set(0, base.count())
    checked = changed = 0
    last = 0
    while True:
        batch = list(base.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            break
        last = batch[-1].pk
        ids = [c.pk for c in batch]
        subs = defaultdict(list)
        for row in Subscription.objects.filter(customer_id__in=ids).values(*_SUB_FIELDS):
            subs[row["customer_id"]].append(SimpleNamespace(**row))
        arrears = dict(
            Account.objects.filter(customer_id__in=ids)
            .order_by()
            .values("customer_id")
            .annotate(total=Sum("arrears"))
            .values_list("customer_id", "total")
        )
        now = timezone.now()
        updated = []
        for c in batch:
            accounts = [SimpleNamespace(arrears=arrears.get(c.pk) or Decimal("0"))]
            result = classify(c, subs.get(c.pk, []), accounts, today=today, rules=rules)
            result = {k: v for k, v in result.items() if k not in c.classification_manual}
            if any(getattr(c, k) != v for k, v in result.items()):
                for k, v in result.items():
                    setattr(c, k, v)
                c.classified_at = now
                c.updated_at = now
                updated.append(c)
        if updated:
            with transaction.atomic():
                bulk_update_with_history(
                    updated,
                    Customer,
                    [*CLASS_FIELDS, "classified_at", "updated_at"],
                    default_user=actor,
                    default_change_reason="customers.classify",
                    default_date=now,
                )
        checked += len(batch)
        changed += len(updated)
        progress.step(len(batch))
    audit_event(
        kind=AuditKind.WRITE,
        action="customer.classify_all",
        actor=actor,
        object_type="platform.job",
        object_id=str(job.pk),
        object_repr=job.title,
        after={"checked": checked, "changed": changed},
    )
    return {
        "result": {"checked": checked, "changed": changed},
        "message": _("%(checked)s customers checked, %(changed)s reclassified.")
        % {"checked": checked, "changed": changed},
    }
