"""Finished outbox rows are purged after integration.retention_days; the error queue never is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from telcrm.integration import actions, commands, events
from telcrm.integration.dispatch import dispatch_due
from telcrm.integration.models import Command, Delivery, Event, State
from telcrm.integration.tasks import purge
from telcrm.platform.models import AuditLog

pytestmark = pytest.mark.django_db


def test_purge_removes_only_what_is_finished_and_old(carrier, receiver, set_param):
    set_param("integration.retention_days", 7)
    set_param("integration.simulator_faults", {"network.resume_line": "reject"})
    actions.subscription_create(actor=carrier["admin"], name="w", callback=f"{receiver.url}/", topics=["*"])
    receiver.script = ["ok", "404"]
    with transaction.atomic():
        delivered = events.emit("customer.created", aggregate=("customers.customer", 1))
        dead_event = events.emit("customer.created", aggregate=("customers.customer", 2))
        done = commands.request("network", "suspend_line", {"msisdn": "1"}, key="k-done")
        dead = commands.request("network", "resume_line", {"msisdn": "1"}, key="k-dead")
    dispatch_due()
    assert Delivery.objects.get(event=dead_event).state == State.DEAD
    assert Command.objects.get(pk=dead.pk).state == State.DEAD
    assert actions.outbox_purge() == {"commands": 0, "events": 0}  # nothing old yet
    later = timezone.now() + timedelta(days=8)
    assert actions.outbox_purge(now=later) == {"commands": 1, "events": 1}
    assert not Command.objects.filter(pk=done.pk).exists() and Command.objects.filter(pk=dead.pk).exists()
    assert (
        not Event.objects.filter(pk=delivered.pk).exists() and Event.objects.filter(pk=dead_event.pk).exists()
    )
    assert AuditLog.objects.filter(action="outbox.purge").count() == 1
    assert purge.apply().get() == {"commands": 0, "events": 0}  # the beat task runs the same action
