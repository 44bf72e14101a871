"""Personalised tariffs and discounts for group customers (个性化资费和优惠, RES-3 / GRP-3).

A tariff is bound to one enterprise or group customer (and applies to its members too), targets one
offering code (every version) or a category, and is a percentage off, an amount off, or a special
price of the monthly fee (or of the one-off charge). Submitting it computes the discount as a
percentage of the list price; above parameter ``catalog.discount_approval_threshold_percent`` it
waits for a branch manager or an administrator other than the requester, at or below it is approved
at once. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from telcrm.customers.models import Customer, CustomerStatus, CustomerType
from telcrm.platform.actions import access
from telcrm.platform.auditing import audit_write
from telcrm.platform.errors import AccessDenied, NotFoundInScope, field_error
from telcrm.platform.parameters import param

from .. import parameters
from ..models import (
    Category,
    GroupTariff,
    LifecycleStatus,
    ProductOffering,
    TariffCharge,
    TariffKind,
    TariffStatus,
)
from ._common import (
    APPROVE,
    REQUEST,
    Errors,
    clean_choice,
    clean_day,
    clean_int,
    clean_long_text,
    clean_text,
    pk_of,
    require_perm,
    snapshot,
)

GROUP_TYPES = (CustomerType.ENTERPRISE, CustomerType.GROUP)
EDITABLE = (TariffStatus.DRAFT, TariffStatus.REJECTED)
TARIFF_FIELDS = (
    "name",
    "offering_code",
    "category",
    "kind",
    "charge",
    "value",
    "valid_from",
    "valid_to",
    "reason",
)


def category_and_descendants(category_id: int) -> set[int]:
    """Ids of a category and every category below it (the tree is small: one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    out, todo = set(), [category_id]
    while todo:
        node = todo.pop()
        if node in out:
            continue
        out.add(node)
        todo.extend(children.get(node, ()))
    return out


def covered_offerings(tariff: GroupTariff) -> list[ProductOffering]:
    """The active offerings a tariff applies to, with their prices prefetched."""
    qs = ProductOffering.objects.filter(lifecycle_status=LifecycleStatus.ACTIVE)
    if tariff.offering_code:
        qs = qs.filter(code=tariff.offering_code)
    else:
        qs = qs.filter(categories__in=category_and_descendants(tariff.category_id)).distinct()
    return list(qs.prefetch_related("prices"))


def effective_percent(tariff: GroupTariff, *, at=None) -> Decimal | None:
    """The discount of ``tariff`` as a percentage of the list price (the largest over what it covers);
    None when nothing it covers has a price of its charge."""
    from ..pricing import list_fen, tariff_discount

    if tariff.kind == TariffKind.PERCENT_OFF:
        return Decimal(tariff.value).quantize(Decimal("0.01"))
    at = at or timezone.now()
    best = None
    for offering in covered_offerings(tariff):
        one_off, recurring = list_fen(offering, at)
        base = recurring if tariff.charge == TariffCharge.RECURRING else one_off
        if base <= 0:
            continue
        pct = (Decimal(tariff_discount(tariff, base)) * 100 / Decimal(base)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        best = pct if best is None else max(best, pct)
    return best


def _clean_target(errs: Errors, tariff: GroupTariff, data: dict) -> None:
    if "offering_code" in data:
        code = data["offering_code"] or ""
        code = code.strip() if isinstance(code, str) else ""
        if code and not ProductOffering.objects.filter(code=code).exists():
            errs.add("offering_code", _("No offering has this code."), "unknown")
        tariff.offering_code = code
    if "category" in data:
        value = data["category"]
        found = None
        if isinstance(value, Category):
            found = value
        elif value not in (None, ""):
            text = str(value)
            found = (
                Category.objects.filter(pk=int(text)).first()
                if text.isdigit()
                else Category.objects.filter(code=text).first()
            )
            if found is None:
                errs.add("category", _("Choose a category from the list."), "invalid")
        tariff.category = found
    if tariff.offering_code and tariff.category_id:
        errs.add("category", _("Choose either one offering or one category, not both."), "both")
    elif not tariff.offering_code and not tariff.category_id and "category" not in errs:
        errs.add("offering_code", _("Choose the offering or the category the tariff applies to."), "required")


def _clean(errs: Errors, tariff: GroupTariff, data: dict) -> None:
    for key in sorted(set(data) - set(TARIFF_FIELDS)):
        errs.add(key, _("This field cannot be changed here."), "read_only")
    if "name" in data:
        tariff.name = clean_text(errs, data["name"], "name", max_length=100, required=True)
    if "reason" in data:
        tariff.reason = clean_long_text(errs, data["reason"], "reason", max_length=2000)
    _clean_target(errs, tariff, data)
    if "kind" in data:
        tariff.kind = clean_choice(errs, data["kind"], "kind", TariffKind)
    if "charge" in data:
        tariff.charge = clean_choice(
            errs, data["charge"], "charge", TariffCharge, required=False, default=TariffCharge.RECURRING
        )
    if "value" in data:
        value = clean_int(errs, data["value"], "value", min_value=0, max_value=10**10)
        tariff.value = value if value is not None else tariff.value
    if tariff.value is not None and "value" not in errs and tariff.kind:
        if tariff.kind == TariffKind.PERCENT_OFF and not 1 <= tariff.value <= 100:
            errs.add("value", _("A percentage off is between 1 and 100."), "range")
        elif tariff.kind == TariffKind.AMOUNT_OFF and tariff.value < 1:
            errs.add("value", _("Enter an amount above zero."), "range")
    if "valid_from" in data:
        tariff.valid_from = clean_day(errs, data["valid_from"], "valid_from")
        if tariff.valid_from is None and "valid_from" not in errs:
            errs.add("valid_from", _("Enter the first day the tariff applies."), "required")
    if "valid_to" in data:
        tariff.valid_to = clean_day(errs, data["valid_to"], "valid_to")
    if tariff.valid_from and tariff.valid_to:
        if tariff.valid_to < tariff.valid_from:
            errs.add(
                "valid_to", _("The end of the validity period must not be before its start."), "period_order"
            )
        else:
            months = int(param(parameters.TARIFF_MAX_MONTHS))
            limit = _add_months(tariff.valid_from, months)
            if tariff.valid_to > limit:
                errs.add(
                    "valid_to",
                    _("A group tariff lasts at most %(months)s months (until %(limit)s)."),
                    "too_long",
                    months=months,
                    limit=limit.isoformat(),
                )


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _customer(actor, customer) -> Customer:
    try:
        found = access(Customer.objects.all(), actor, pk_of(customer))
    except NotFoundInScope as exc:  # said on the field, like any other bad choice
        raise field_error("customer", _("Choose a customer within your data scope."), "invalid") from exc
    if found.customer_type not in GROUP_TYPES:
        raise field_error("customer", _("Group tariffs are for enterprise and group customers."), "not_group")
    if found.status != CustomerStatus.ACTIVE:
        raise field_error("customer", _("This customer is not active."), "inactive")
    return found


def _assess(errs: Errors, tariff: GroupTariff) -> None:
    """Effective percentage and whether it needs approval; errors when there is nothing to discount."""
    pct = effective_percent(tariff)
    if pct is None:
        field = "offering_code" if tariff.offering_code else "category"
        errs.add(
            field,
            _("Nothing this tariff covers has a %(charge)s on sale to discount."),
            "no_price",
            charge=TariffCharge(tariff.charge).label,
        )
        return
    if tariff.kind == TariffKind.SPECIAL_PRICE and pct <= 0:
        errs.add("value", _("The special price is not below the list price."), "not_lower")
        return
    tariff.effective_percent = pct
    threshold = Decimal(str(param(parameters.DISCOUNT_APPROVAL_THRESHOLD)))
    tariff.needs_approval = pct > threshold


def _submit(actor, tariff: GroupTariff) -> None:
    errs = Errors()
    _assess(errs, tariff)
    if tariff.valid_to is not None and tariff.valid_to < timezone.localdate():
        errs.add("valid_to", _("The validity period has ended already."), "expired")
    errs.raise_if_any()
    now = timezone.now()
    tariff.requested_by = actor
    tariff.requested_at = now
    tariff.owner = actor
    if tariff.needs_approval:
        tariff.status = TariffStatus.PENDING
        tariff.approved_by = None
        tariff.decided_at = None
    else:
        tariff.status = TariffStatus.APPROVED
        tariff.approved_by = None
        tariff.decided_at = now
        tariff.decision_note = ""


def _notify_approvers(tariff: GroupTariff) -> None:
    """Tell the managers who may approve a pending tariff (branch managers above it, administrators)."""
    from django.db.models import Q

    from telcrm.platform.actions import notify
    from telcrm.platform.models import OrgUnit, User

    unit = OrgUnit.objects.filter(pk=tariff.org_unit_id).first()
    if unit is None:
        return
    ancestors = [int(seg) for seg in unit.path.split(".") if seg]
    managers = (
        User.objects.filter(is_active=True)
        .filter(Q(role__code="branch_manager", org_unit_id__in=ancestors) | Q(role__code="admin"))
        .exclude(pk=tariff.requested_by_id)[:20]
    )
    from django.urls import reverse

    for user in managers:
        notify(
            recipient=user,
            title=str(_("Group tariff waiting for approval: %(name)s") % {"name": tariff.name}),
            body=str(tariff.customer.name),
            link=reverse("catalog-discount-detail", args=[tariff.pk]),
        )


@transaction.atomic
def tariff_create(*, actor, customer, submit: bool = True, **data) -> GroupTariff:
    """Request a group tariff for an enterprise/group customer in the actor's scope.

    With ``submit`` (the default) it is submitted at once: approved when its discount is at or below
    the threshold, else waiting for approval; without, it stays a draft.
    """
    require_perm(actor, REQUEST)
    errs = Errors()
    found = errs.run(_customer, actor, customer)
    for key in ("name", "kind", "value", "valid_from"):
        data.setdefault(key, "" if key != "value" else None)
    tariff = GroupTariff(
        customer=found,
        org_unit_id=found.org_unit_id if found else None,
        owner=actor,
        status=TariffStatus.DRAFT,
        requested_by=actor,
    )
    _clean(errs, tariff, data)
    errs.raise_if_any()
    if submit:
        _submit(actor, tariff)
    else:
        with errs.collect():
            _assess(errs, tariff)
        errs.raise_if_any()
    tariff.save()
    audit_write(action="catalog.tariff.create", actor=actor, obj=tariff, after=snapshot(tariff))
    if tariff.status == TariffStatus.PENDING:
        _notify_approvers(tariff)
    return tariff


def _lock(actor, tariff, perm: str) -> GroupTariff:
    require_perm(actor, perm)
    return access(GroupTariff.objects.select_related("customer"), actor, pk_of(tariff), for_update=True)


@transaction.atomic
def tariff_update(*, actor, tariff, **data) -> GroupTariff:
    """Change a draft or rejected tariff (it becomes a draft again)."""
    row = _lock(actor, tariff, REQUEST)
    if row.status not in EDITABLE:
        raise field_error(
            "status",
            _("Only a draft or rejected tariff can be changed (this one is %(status)s)."),
            "not_editable",
            status=row.get_status_display(),
        )
    before = snapshot(row)
    errs = Errors()
    _clean(errs, row, data)
    if not errs.errors:
        with errs.collect():
            _assess(errs, row)
    errs.raise_if_any()
    row.status = TariffStatus.DRAFT
    row.save()
    audit_write(action="catalog.tariff.update", actor=actor, obj=row, before=before, after=snapshot(row))
    return row


@transaction.atomic
def tariff_submit(*, actor, tariff) -> GroupTariff:
    """Submit a draft: approved at once at or below the threshold, else waiting for a manager."""
    row = _lock(actor, tariff, REQUEST)
    if row.status not in EDITABLE:
        raise field_error(
            "status",
            _("Only a draft or rejected tariff can be submitted (this one is %(status)s)."),
            "not_editable",
            status=row.get_status_display(),
        )
    before = snapshot(row)
    _submit(actor, row)
    row.save()
    audit_write(action="catalog.tariff.submit", actor=actor, obj=row, before=before, after=snapshot(row))
    if row.status == TariffStatus.PENDING:
        _notify_approvers(row)
    return row


def _decide(actor, tariff, *, status: str, note: str, action: str, require_note: bool) -> GroupTariff:
    row = _lock(actor, tariff, APPROVE)
    if row.status != TariffStatus.PENDING:
        raise field_error(
            "status",
            _("Only a tariff waiting for approval can be decided (this one is %(status)s)."),
            "not_pending",
            status=row.get_status_display(),
        )
    if row.requested_by_id == actor.pk:
        raise AccessDenied(_("You requested this tariff; another manager must decide on it."))
    errs = Errors()
    note = clean_long_text(errs, note, "note", max_length=2000)
    if require_note and not note:
        errs.add("note", _("Say why."), "required")
    if status == TariffStatus.APPROVED and row.valid_to is not None and row.valid_to < timezone.localdate():
        errs.add("status", _("The validity period has ended already."), "expired")
    errs.raise_if_any()
    before = snapshot(row)
    row.status = status
    row.approved_by = actor
    row.decided_at = timezone.now()
    row.decision_note = note
    row.save()
    audit_write(action=action, actor=actor, obj=row, before=before, after=snapshot(row))
    from telcrm.platform.actions import notify

    if row.requested_by_id:
        notify(
            recipient=row.requested_by,
            title=str(
                (
                    _("Group tariff approved: %(name)s")
                    if status == TariffStatus.APPROVED
                    else _("Group tariff rejected: %(name)s")
                )
                % {"name": row.name}
            ),
            body=note,
            link=_detail_link(row),
        )
    return row


def _detail_link(row) -> str:
    from django.urls import reverse

    return reverse("catalog-discount-detail", args=[row.pk])


@transaction.atomic
def tariff_approve(*, actor, tariff, note: str = "") -> GroupTariff:
    """Approve a pending tariff (catalog.approve_discount; never the requester)."""
    return _decide(
        actor,
        tariff,
        status=TariffStatus.APPROVED,
        note=note,
        action="catalog.tariff.approve",
        require_note=False,
    )


@transaction.atomic
def tariff_reject(*, actor, tariff, note: str = "") -> GroupTariff:
    """Reject a pending tariff, saying why."""
    return _decide(
        actor,
        tariff,
        status=TariffStatus.REJECTED,
        note=note,
        action="catalog.tariff.reject",
        require_note=True,
    )


@transaction.atomic
def tariff_revoke(*, actor, tariff, note: str = "") -> GroupTariff:
    """End an approved tariff before its time (catalog.approve_discount)."""
    row = _lock(actor, tariff, APPROVE)
    if row.status != TariffStatus.APPROVED:
        raise field_error(
            "status",
            _("Only an approved tariff can be revoked (this one is %(status)s)."),
            "not_approved",
            status=row.get_status_display(),
        )
    errs = Errors()
    note = clean_long_text(errs, note, "note", max_length=2000)
    if not note:
        errs.add("note", _("Say why."), "required")
    errs.raise_if_any()
    before = snapshot(row)
    row.status = TariffStatus.REVOKED
    row.decision_note = note
    row.decided_at = timezone.now()
    row.save()
    audit_write(action="catalog.tariff.revoke", actor=actor, obj=row, before=before, after=snapshot(row))
    return row


@transaction.atomic
def tariffs_expire(*, today: dt.date | None = None) -> int:
    """Mark approved tariffs whose last day has passed as expired (scheduled; no actor)."""
    today = today or timezone.localdate()
    rows = list(
        GroupTariff.objects.dangerously_unscoped()
        .select_for_update()
        .filter(status=TariffStatus.APPROVED, valid_to__lt=today)
    )
    for row in rows:
        before = snapshot(row, ["status"])
        row.status = TariffStatus.EXPIRED
        row.save(update_fields=["status", "updated_at"])
        audit_write(
            action="catalog.tariff.expire", actor=None, obj=row, before=before, after={"status": row.status}
        )
    return len(rows)
