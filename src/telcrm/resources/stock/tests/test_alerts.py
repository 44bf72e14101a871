"""Low-stock alerts: thresholds are parameters (per item type, per unit), the scheduled check notifies
the branch's stock managers once per breach, closes the alert when stock is back, and alerts again on
the next breach."""

from __future__ import annotations

import pytest

from telcrm.platform.models import Notification
from telcrm.platform.testing import make_user
from telcrm.resources.stock import actions, queries, tasks
from telcrm.resources.stock.models import LowStockAlert, SimCard
from telcrm.resources.stock.states import ItemState
from telcrm.resources.stock.testing import make_sims, make_terminals

pytestmark = pytest.mark.django_db


@pytest.fixture
def thresholds(set_param):
    set_param("stock.low_sim_threshold", 5)
    set_param("stock.low_terminal_threshold", 0)  # 0 = no alert for terminals


def test_one_alert_and_one_notification_per_breach(carrier, thresholds):
    mgr, other = carrier["branch_manager"], carrier["other_branch_manager"]
    make_sims(carrier.branch, 4)
    make_sims(carrier.other_branch, 8)
    first = actions.low_stock_check()
    assert first["opened"] == 1
    alert = LowStockAlert.objects.get()
    assert (alert.org_unit, alert.item_type, alert.level, alert.threshold) == (carrier.branch, "sim", 4, 5)
    notes = list(Notification.objects.all())
    assert [n.recipient for n in notes] == [mgr]  # the branch's stock manager, not the clerk or Ningbo's
    assert notes[0].link == f"/resources/stock/units/{carrier.branch.pk}/"
    # the next runs while still low: nothing new
    assert actions.low_stock_check() == {"opened": 0, "closed": 0, "notified": 0}
    assert tasks.check_low_stock() == {"opened": 0, "closed": 0, "notified": 0}  # the beat task
    assert Notification.objects.count() == 1 and not Notification.objects.filter(recipient=other).exists()
    # restocked: the alert closes
    make_sims(carrier.branch, 3)
    assert actions.low_stock_check()["closed"] == 1
    alert.refresh_from_db()
    assert alert.closed_at is not None and alert.closed_level == 7
    # a new breach is a new alert with a new notification
    for sim in SimCard.objects.filter(org_unit=carrier.branch)[:3]:
        actions.sim_allocate(carrier["clerk"], sim.iccid)
    assert actions.low_stock_check()["opened"] == 1
    assert LowStockAlert.objects.count() == 2 and Notification.objects.filter(recipient=mgr).count() == 2


def test_thresholds_per_unit_override_the_default(carrier, thresholds, set_param):
    make_sims(carrier.branch, 4)
    make_sims(carrier.other_branch, 8)
    make_terminals(carrier.branch, 1)
    set_param("stock.low_stock_overrides", {"ZJ-HZ-01": {"sim": 3, "terminal": 2}, "ZJ-NB-01": {"sim": 10}})
    actions.low_stock_check()
    open_ = set(
        LowStockAlert.objects.filter(closed_at__isnull=True).values_list("org_unit__code", "item_type")
    )
    assert open_ == {("ZJ-HZ-01", "terminal"), ("ZJ-NB-01", "sim")}


def test_live_low_stock_in_scope_and_badges(carrier, thresholds):
    make_sims(carrier.branch, 2)
    make_sims(carrier.other_branch, 2)
    mine = queries.low_stock(carrier["branch_manager"])
    assert [(r["unit"], r["item_type"], r["level"], r["threshold"]) for r in mine] == [
        (carrier.branch, "sim", 2, 5)
    ]
    assert {r["unit"] for r in queries.low_stock(carrier["admin"])} == {carrier.branch, carrier.other_branch}
    level = queries.unit_levels([carrier.branch])[0]
    assert level.sim_low and not level.terminal_low


def test_items_not_available_do_not_count(carrier, thresholds):
    make_sims(carrier.branch, 6, state=ItemState.ALLOCATED)
    make_sims(carrier.branch, 6, state=ItemState.IN_TRANSIT)
    actions.low_stock_check()
    assert LowStockAlert.objects.filter(org_unit=carrier.branch, level=0).exists()


def test_no_manager_at_the_branch_notifies_the_parent_units_managers(carrier, thresholds):
    city_mgr = make_user("city_mgr", "branch_manager", carrier.other_city)
    carrier["other_branch_manager"].is_active = False
    carrier["other_branch_manager"].save()
    make_sims(carrier.branch, 10)
    actions.low_stock_check()
    assert list(Notification.objects.values_list("recipient", flat=True)) == [city_mgr.pk]
