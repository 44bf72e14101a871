"""A fault ticket starts a repair work order through the order processes (not a copy of them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from telcrm.orders.models import WorkOrder
from telcrm.orders.processes import engine
from telcrm.service import actions

pytestmark = pytest.mark.django_db
BPMN = Path(__file__).resolve().parent.parent / "processes" / "fault_repair.bpmn"


def publish(admin):
    from telcrm.orders import actions as orders

    definition = orders.process_definition_create(
        actor=admin, key="service.fault_repair", name="故障维修", bpmn_xml=BPMN.read_text(encoding="utf-8")
    )
    return orders.process_version_publish(actor=admin, version=definition.versions.get())


def test_fault_ticket_starts_a_repair_work_order(carrier, take, cat):
    svc = carrier["service"]
    fault = take(ticket_type="fault", category=cat["fault.broadband"], subject="宽带断网")
    for step in (actions.ticket_claim, actions.ticket_start):
        fault = step(actor=svc, ticket=fault)
    with pytest.raises(ValidationError) as exc:
        actions.ticket_start_work_order(actor=svc, ticket=fault)
    assert exc.value.error_dict["process"][0].code == "process"  # no such process yet
    publish(carrier["admin"])
    instance = actions.ticket_start_work_order(actor=svc, ticket=fault, note="光猫LOS红灯")
    engine.advance(instance)
    wo = WorkOrder.objects.get(instance=instance)
    assert wo.business_key == fault.ticket_no and wo.queue_role.code == "installer"
    assert wo.org_unit == carrier.city  # @city/INS1: the city itself when it has no INS1 team
    fault.refresh_from_db()
    assert fault.process == instance
    assert fault.events.filter(move="work_order").exists()
    with pytest.raises(ValidationError) as exc:
        actions.ticket_start_work_order(actor=svc, ticket=fault)
    assert exc.value.error_dict["process"][0].code == "running"
    complaint = take()
    with pytest.raises(ValidationError) as exc:
        actions.ticket_start_work_order(actor=svc, ticket=complaint)
    assert exc.value.error_dict["ticket_type"][0].code == "not_fault"
