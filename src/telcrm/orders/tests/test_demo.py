"""Demo processes: every shipped definition active, demo orders in the queues and finished, idempotent,
reset."""

from __future__ import annotations

import io
import random

import pytest
from django.db import transaction

from telcrm.orders import demo as orders_demo
from telcrm.orders.models import (
    InstanceState,
    ProcessDefinition,
    ProcessInstance,
    VersionState,
    WorkOrder,
    WorkOrderState,
)

pytestmark = pytest.mark.django_db
MINE = ("platform", "processes")  # the orders demo needs the carrier's units and users


def run() -> str:
    from telcrm.platform import context
    from telcrm.platform.demo import autodiscover

    out = io.StringIO()
    with context.acting(channel="command"):
        for gen in autodiscover():
            if gen.name in MINE:
                with transaction.atomic():
                    gen.fn(stdout=out, customers=0, rng=random.Random(f"7:{gen.name}"))
    return out.getvalue()


def test_demo_processes_and_orders():
    out = run()
    assert "processes: 9 definitions" in out
    assert set(ProcessDefinition.objects.values_list("key", flat=True)) == set(orders_demo.DEFINITIONS)
    for d in ProcessDefinition.objects.all():
        assert d.versions.get().state == VersionState.ACTIVE
    instances = ProcessInstance.objects.filter(business_key__startswith=orders_demo.DEMO_PREFIX)
    states = set(instances.values_list("state", flat=True))
    assert InstanceState.COMPLETED in states and InstanceState.WAITING in states
    assert InstanceState.FAILED not in states
    open_verify = WorkOrder.objects.filter(element_id="verify", state=WorkOrderState.OPEN)
    assert open_verify.exists() and all(wo.org_unit.code == "ZJ-HZ-BO1" for wo in open_verify)
    assert (
        WorkOrder.objects.filter(state=WorkOrderState.CLAIMED, assignee__username="backoffice").count() == 1
    )
    assert WorkOrder.objects.filter(element_id="dispatch", state=WorkOrderState.OPEN).exists()
    n = instances.count()
    assert "0 demo orders" in run() and instances.count() == n  # idempotent


def test_demo_reset():
    run()
    out = io.StringIO()
    with transaction.atomic():
        orders_demo.reset_orders(out)
    assert not ProcessDefinition.objects.filter(key__in=orders_demo.DEFINITIONS).exists()
    assert not ProcessInstance.objects.exists()
