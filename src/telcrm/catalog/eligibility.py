"""May this customer buy this offering here and now — and if not, why not.

``check(customer, offering, cart=…, channel=…, at=…, address=…)`` is what the order module and the
clerk's catalog page call; ``channel`` is one of the catalog's sales channels (``SalesChannel``), the
same codes an offering's ``channels`` lists and a decision table's ``channel`` column tests, and
``address`` (optional) the installation address, whose coverage gives the ``access_technology`` fact.

The catalog's own rules come first (the offering is active and valid at ``at``,
sold in the channel, an add-on goes with a held or carted plan it applies to, a bundle's members are
on sale), then the administrator's decision tables (``telcrm.catalog.rules.engine.evaluate``) on the
facts of :func:`facts_for`: a *deny* blocks with its message, a *require* blocks unless one of its
offering codes is held or in the cart, a *warn* is a reason that does not block.

A check is a fixed number of queries (the customer's facts are read once, the address's coverage at
most once; :func:`check_many` checks many offerings for one customer with the same few queries).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Min, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from telcrm.customers.classification import _months_between
from telcrm.customers.models import (
    AddOnStatus,
    CustomerStatus,
    CustomerType,
    Subscription,
    SubscriptionAddOn,
    SubscriptionStatus,
)
from telcrm.platform.models import OrgKind, OrgUnit

from .models import BundledOffering, LifecycleStatus, OfferingKind, ProductOffering, SalesChannel

LIVE_LINES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED, SubscriptionStatus.PENDING)
FACT_KEYS = (
    "customer_type",
    "value_tier",
    "credit_level",
    "age",
    "region",
    "live_lines",
    "tenure_months",
    "offering",
    "offering_kind",
    "held",
    "cart",
    "channel",
    "access_technology",
)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    blocking: bool = True
    table: str = ""
    rule: str = ""

    def __str__(self) -> str:
        return self.message


@dataclass
class Verdict:
    ok: bool
    reasons: list[Reason] = field(default_factory=list)
    offering: ProductOffering | None = None

    @property
    def blocking(self) -> list[Reason]:
        return [r for r in self.reasons if r.blocking]

    @property
    def warnings(self) -> list[Reason]:
        return [r for r in self.reasons if not r.blocking]

    def __bool__(self) -> bool:
        return self.ok


def evaluate_rules(facts: dict) -> list:
    """The administrator's decision tables on ``facts``; no outcome when the rules module is absent."""
    try:
        from telcrm.catalog.rules import engine
    except ImportError:
        return []
    evaluate = getattr(engine, "evaluate", None)
    return list(evaluate(facts)) if evaluate is not None else []


# --- facts ----------------------------------------------------------------------------------------
@dataclass
class CustomerFacts:
    customer_type: str
    value_tier: str
    credit_level: int
    age: int | None
    region: str
    live_lines: int
    tenure_months: int
    held: list[str]
    status: str


def _age(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _region(org_unit_id) -> str:
    """Code of the city unit above (or at) the customer's unit; one query."""
    if not org_unit_id:
        return ""
    unit_path = OrgUnit.objects.filter(pk=org_unit_id).values("path")[:1]
    row = (
        OrgUnit.objects.filter(kind=OrgKind.CITY)
        .annotate(unit_path=Subquery(unit_path))
        .filter(unit_path__startswith=F("path"))
        .order_by("-depth")
        .values_list("code", flat=True)
        .first()
    )
    return row or ""


def customer_facts(customer, *, at=None) -> CustomerFacts:
    """The facts about ``customer`` the rules see (three queries, four when the customer has live
    lines: the add-ons active on them are held like the lines' offers)."""
    at = at or timezone.now()
    today = timezone.localdate(at) if timezone.is_aware(at) else at.date()
    age = None
    if customer.customer_type == CustomerType.INDIVIDUAL:
        party = customer._state.fields_cache.get("party")
        if party is not None:
            birth = party.birth_date
        else:
            from telcrm.customers.models import Party

            birth = Party.objects.filter(pk=customer.party_id).values_list("birth_date", flat=True).first()
        age = _age(birth, today)
    held: list[str] = []
    live = 0
    first = None
    groups = (
        Subscription.objects.filter(customer_id=customer.pk)
        .values("offer_code", "status")
        .annotate(n=Count("id"), first=Min("activated_at"))
        .order_by()
    )
    for g in groups:
        if g["status"] in LIVE_LINES:
            live += g["n"]
            if g["offer_code"] and g["offer_code"] not in held:
                held.append(g["offer_code"])
        if g["first"] is not None and (first is None or g["first"] < first):
            first = g["first"]
    if live:  # the add-ons active on live lines are held too (a rule may require or exclude one)
        addons = (
            SubscriptionAddOn.objects.filter(
                subscription__customer_id=customer.pk,
                subscription__status__in=LIVE_LINES,
                status=AddOnStatus.ACTIVE,
            )
            .values_list("offer_code", flat=True)
            .distinct()
            .order_by()
        )
        held += [code for code in addons if code not in held]
    start = customer.tenure_start
    if start is None:
        start = first or getattr(customer, "created_at", None)
    if isinstance(start, dt.datetime):
        start = timezone.localdate(start) if timezone.is_aware(start) else start.date()
    return CustomerFacts(
        customer_type=customer.customer_type,
        value_tier=customer.value_tier or "",
        credit_level=int(customer.credit_level or 0),
        age=age,
        region=_region(customer.org_unit_id),
        live_lines=live,
        tenure_months=_months_between(start, today) if start else 0,
        held=sorted(held),
        status=customer.status,
    )


def _codes(cart) -> list[str]:
    out = []
    for item in cart or ():
        if isinstance(item, tuple | list) and item:
            item = item[0]
        code = item.code if isinstance(item, ProductOffering) else str(item or "").strip()
        if code and code not in out:
            out.append(code)
    return out


def access_technology(address) -> str:
    """The best way to install broadband at ``address`` (a dict of province, city, district, street
    or a customer's ``Address``): ``fibre``, ``fwa_5g`` or ``copper`` (coverage ``Technology`` codes,
    the first option of the coverage check); "" without an address or where nothing can be installed."""
    if not address:
        return ""
    from telcrm.resources.coverage.queries import installability

    result = installability(address)
    return result.options[0].technology if result.ok and result.options else ""


def _facts(
    cf: CustomerFacts,
    offering_code: str,
    offering_kind: str,
    cart: list[str],
    channel: str,
    technology: str = "",
) -> dict:
    return {
        "customer_type": cf.customer_type,
        "value_tier": cf.value_tier,
        "credit_level": cf.credit_level,
        "age": cf.age,
        "region": cf.region,
        "live_lines": cf.live_lines,
        "tenure_months": cf.tenure_months,
        "offering": offering_code,
        "offering_kind": offering_kind,
        "held": list(cf.held),
        "cart": list(cart),
        "channel": channel,
        "access_technology": technology,
    }


def facts_for(customer, offering, *, cart=(), channel: str = "counter", at=None, address=None) -> dict:
    """The facts the decision tables are evaluated on, with exactly the keys of :data:`FACT_KEYS`."""
    code = offering.code if isinstance(offering, ProductOffering) else str(offering)
    kind = offering.kind if isinstance(offering, ProductOffering) else _kind_of(code)
    cf = customer_facts(customer, at=at)
    return _facts(cf, code, kind, _codes(cart), _clean_channel(channel), access_technology(address))


def _kind_of(code: str) -> str:
    return (
        ProductOffering.objects.filter(code=code).order_by("-version").values_list("kind", flat=True).first()
        or ""
    )


# --- checks ---------------------------------------------------------------------------------------
class _Context:
    """What a batch of checks for one customer shares: facts, kinds of held/carted codes, bundles."""

    def __init__(
        self, customer, offerings: list[ProductOffering], cart: list[str], channel: str, at, address=None
    ):
        from .queries import offerings_by_code

        self.customer, self.cart, self.channel, self.at = customer, cart, channel, at
        self.facts = customer_facts(customer, at=at)
        self.technology = access_technology(address)
        base = set(self.facts.held) | set(cart)
        self.kinds: dict[str, str] = {}
        if base:
            for code, kind in (
                ProductOffering.objects.filter(code__in=base)
                .values_list("code", "kind")
                .order_by("code", "-version")
            ):
                self.kinds.setdefault(code, kind)
        bundles = [o.pk for o in offerings if o.is_bundle]
        self.members: dict[int, list[BundledOffering]] = {}
        self.member_versions: dict[str, ProductOffering] = {}
        if bundles:
            rows = list(BundledOffering.objects.filter(bundle_id__in=bundles).select_related("member"))
            for m in rows:
                self.members.setdefault(m.bundle_id, []).append(m)
            self.member_versions = offerings_by_code({m.member.code for m in rows}, at=at)


def _sale_reasons(o: ProductOffering, ctx: _Context) -> list[Reason]:
    out = []
    at = ctx.at
    if o.lifecycle_status == LifecycleStatus.DRAFT:
        out.append(Reason("not_active", _("%(name)s is not on sale yet.") % {"name": o.name}))
    elif o.lifecycle_status == LifecycleStatus.RETIRED:
        out.append(Reason("retired", _("%(name)s has been retired.") % {"name": o.name}))
    if o.valid_from is not None and o.valid_from > at:
        out.append(
            Reason(
                "not_yet_valid",
                _("On sale from %(date)s.") % {"date": timezone.localtime(o.valid_from).strftime("%Y-%m-%d")},
            )
        )
    if o.valid_to is not None and o.valid_to <= at:
        out.append(
            Reason(
                "expired",
                _("Sales ended on %(date)s.") % {"date": timezone.localtime(o.valid_to).strftime("%Y-%m-%d")},
            )
        )
    if o.channels and ctx.channel not in o.channels:
        labels = ", ".join(str(SalesChannel(c).label) for c in o.channels if c in SalesChannel.values)
        out.append(
            Reason("channel", _("Not sold in this channel; sold in: %(channels)s.") % {"channels": labels})
        )
    return out


def _addon_reasons(o: ProductOffering, ctx: _Context) -> list[Reason]:
    if o.kind != OfferingKind.ADD_ON:
        return []
    base = [*ctx.facts.held, *ctx.cart]
    for code in base:
        if code in (o.applies_to_codes or []) or ctx.kinds.get(code) in (o.applies_to_kinds or []):
            return []
    wanted = list(o.applies_to_codes or []) + [
        str(OfferingKind(k).label) for k in (o.applies_to_kinds or []) if k in OfferingKind.values
    ]
    return [
        Reason(
            "addon_needs_plan",
            _("This add-on goes with a plan the customer holds or buys now: %(plans)s.")
            % {"plans": ", ".join(wanted) or "—"},
        )
    ]


def _bundle_reasons(o: ProductOffering, ctx: _Context) -> list[Reason]:
    if not o.is_bundle:
        return []
    out = []
    members = ctx.members.get(o.pk, [])
    if not members:
        out.append(Reason("bundle_empty", _("This bundle has no member offerings.")))
    for m in members:
        current = ctx.member_versions.get(m.member.code)
        problem = ""
        if current is None or current.lifecycle_status != LifecycleStatus.ACTIVE:
            problem = _("retired")
        elif not current.valid_at(ctx.at):
            problem = _("outside its validity period")
        elif current.channels and ctx.channel not in current.channels:
            problem = _("not sold in this channel")
        if problem and not m.optional:
            out.append(
                Reason(
                    "bundle_member_unavailable",
                    _("Member %(code)s (%(name)s) cannot be sold: %(problem)s.")
                    % {"code": m.member.code, "name": m.member.name, "problem": problem},
                )
            )
    return out


def _rule_reasons(facts: dict, ctx: _Context) -> list[Reason]:
    out = []
    have = set(ctx.facts.held) | set(ctx.cart)
    for outcome in evaluate_rules(facts):
        effect = getattr(outcome, "effect", "")
        message = str(getattr(outcome, "message", "") or "")
        table = str(getattr(outcome, "table", "") or "")
        rule = str(getattr(outcome, "rule", "") or "")
        if effect == "deny":
            out.append(
                Reason(
                    "rule_deny", message or _("Refused by rule %(rule)s.") % {"rule": rule}, True, table, rule
                )
            )
        elif effect == "require":
            codes = [c for c in (getattr(outcome, "requires", None) or []) if c]
            if codes and not have.intersection(codes):
                text = message or _("Requires one of: %(codes)s.") % {"codes": ", ".join(codes)}
                out.append(Reason("rule_require", text, True, table, rule))
        elif effect == "warn":
            out.append(Reason("rule_warn", message, False, table, rule))
    return out


def _check_one(o: ProductOffering, ctx: _Context) -> Verdict:
    reasons: list[Reason] = []
    if ctx.facts.status != CustomerStatus.ACTIVE:
        reasons.append(Reason("customer_not_active", _("The customer is not active.")))
    reasons += _sale_reasons(o, ctx)
    reasons += _addon_reasons(o, ctx)
    reasons += _bundle_reasons(o, ctx)
    facts = _facts(ctx.facts, o.code, o.kind, ctx.cart, ctx.channel, ctx.technology)
    reasons += _rule_reasons(facts, ctx)
    return Verdict(ok=not any(r.blocking for r in reasons), reasons=reasons, offering=o)


def _clean_channel(channel: str) -> str:
    return channel if channel in SalesChannel.values else str(channel or "")


def check(customer, offering, *, cart=(), channel: str = "counter", at=None, address=None) -> Verdict:
    """Whether ``customer`` may buy ``offering`` (a version row or a code) in ``channel`` at ``at``,
    with ``cart`` (codes or offerings) bought at the same time and installed at ``address`` (when
    given); the reasons in the user's language."""
    from .queries import offerings_by_code

    at = at or timezone.now()
    cart_codes = _codes(cart)
    channel = _clean_channel(channel)
    if not isinstance(offering, ProductOffering):
        code = str(offering or "")
        found = offerings_by_code([code], at=at).get(code)
        if found is None:
            return Verdict(
                ok=False,
                reasons=[
                    Reason("not_on_sale", _("Offering %(offering)s is not on sale.") % {"offering": code})
                ],
            )
        offering = found
    ctx = _Context(customer, [offering], cart_codes, channel, at, address)
    return _check_one(offering, ctx)


def check_many(
    customer, offerings, *, cart=(), channel: str = "counter", at=None, address=None
) -> dict[int, Verdict]:
    """{offering id: Verdict} for many offering rows and one customer (the facts are read once)."""
    at = at or timezone.now()
    offerings = list(offerings)
    ctx = _Context(customer, offerings, _codes(cart), _clean_channel(channel), at, address)
    return {o.pk: _check_one(o, ctx) for o in offerings}


__all__ = [
    "FACT_KEYS",
    "CustomerFacts",
    "Reason",
    "Verdict",
    "access_technology",
    "check",
    "check_many",
    "customer_facts",
    "evaluate_rules",
    "facts_for",
]
