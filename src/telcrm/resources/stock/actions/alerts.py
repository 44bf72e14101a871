"""Low-stock alerts: the scheduled check (Celery beat → tasks.check_low_stock) compares each branch's
available stock with its threshold (parameters stock.low_sim_threshold / stock.low_terminal_threshold,
per unit in stock.low_stock_overrides).

A breach opens one LowStockAlert and notifies the branch's stock managers once; later runs leave it
alone while the level stays low, and close it when the level is back. The next breach is a new alert
(and a new notification). A unique constraint allows one open alert per unit and item type, so two
overlapping runs cannot notify twice.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from telcrm.platform.actions import notify
from telcrm.platform.auditing import audit_write
from telcrm.platform.models import OrgKind, OrgUnit, User
from telcrm.platform.parameters import param

from ..models import LowStockAlert, SimCard, Terminal
from ..states import AVAILABLE, ItemType

MODELS = {ItemType.SIM: SimCard, ItemType.TERMINAL: Terminal}
DEFAULT_KEYS = {ItemType.SIM: "stock.low_sim_threshold", ItemType.TERMINAL: "stock.low_terminal_threshold"}


def thresholds() -> dict[str, object]:
    """{"default": {item type: n}, "units": {unit code: {item type: n}}} from the parameters."""
    overrides = param("stock.low_stock_overrides") or {}
    units = {}
    if isinstance(overrides, dict):
        for code, values in overrides.items():
            if isinstance(values, dict):
                units[str(code)] = {
                    t: int(v) for t, v in values.items() if t in MODELS and isinstance(v, int | float)
                }
    return {"default": {t: int(param(k)) for t, k in DEFAULT_KEYS.items()}, "units": units}


def threshold_for(table: dict, unit_code: str, item_type: str) -> int:
    return table["units"].get(unit_code, {}).get(item_type, table["default"][item_type])


def available_levels(unit_ids=None) -> dict[tuple[int, str], int]:
    """{(unit id, item type): items in stock} (units without stock are absent)."""
    out: dict[tuple[int, str], int] = {}
    for item_type, model in MODELS.items():
        qs = model.objects.dangerously_unscoped().filter(state=AVAILABLE)
        if unit_ids is not None:
            qs = qs.filter(org_unit_id__in=list(unit_ids))
        for unit_id, n in qs.order_by().values_list("org_unit_id").annotate(n=Count("id")):
            out[(unit_id, item_type)] = n
    return out


def stock_managers(unit: OrgUnit):
    """Active users at the unit (else at its parent) whose role may manage stock."""
    perm = Q(role__permissions__codename="manage_stock", role__permissions__content_type__app_label="stock")
    for target in (unit.pk, unit.parent_id):
        if target is None:
            continue
        users = list(User.objects.filter(perm, is_active=True, org_unit_id=target).distinct())
        if users:
            return users
    return []


def _notify(alert: LowStockAlert, unit: OrgUnit) -> int:
    link = reverse("stock-branch", args=[unit.pk])
    sent = 0
    for user in stock_managers(unit):
        with translation.override(user.language or None):
            notify(
                recipient=user,
                level="warning",
                title=str(
                    _("Low stock: %(type)s at %(unit)s")
                    % {"type": ItemType(alert.item_type).label, "unit": unit.display_name}
                ),
                body=str(
                    _("%(level)d in stock, below the threshold of %(threshold)d.")
                    % {"level": alert.level, "threshold": alert.threshold}
                ),
                link=link,
            )
        sent += 1
    return sent


@transaction.atomic
def low_stock_check(*, actor=None) -> dict[str, int]:
    """Open an alert (and notify) for each branch newly below its threshold; close those back above."""
    table = thresholds()
    branches = list(OrgUnit.objects.filter(kind=OrgKind.BRANCH, is_active=True))
    levels = available_levels([b.pk for b in branches])
    open_alerts = {
        (a.org_unit_id, a.item_type): a
        for a in LowStockAlert.objects.filter(closed_at__isnull=True, org_unit__kind=OrgKind.BRANCH)
    }
    now = timezone.now()
    opened = closed = notified = 0
    for unit in branches:
        for item_type in MODELS:
            threshold = threshold_for(table, unit.code, item_type)
            level = levels.get((unit.pk, item_type), 0)
            low = threshold > 0 and level < threshold
            alert = open_alerts.get((unit.pk, item_type))
            if low and alert is None:
                try:
                    with transaction.atomic():
                        alert = LowStockAlert.objects.create(
                            org_unit=unit,
                            item_type=item_type,
                            level=level,
                            threshold=threshold,
                            opened_at=now,
                        )
                except IntegrityError:  # another run opened it first; that run notifies
                    continue
                opened += 1
                notified += _notify(alert, unit)
                audit_write(
                    action="stock.low_stock_alert",
                    actor=actor,
                    obj=alert,
                    org_unit=unit,
                    after={"item_type": item_type, "level": level, "threshold": threshold},
                )
            elif (
                not low
                and alert is not None
                and LowStockAlert.objects.filter(pk=alert.pk, closed_at__isnull=True).update(
                    closed_at=now, closed_level=level
                )
            ):
                closed += 1
    return {"opened": opened, "closed": closed, "notified": notified}
