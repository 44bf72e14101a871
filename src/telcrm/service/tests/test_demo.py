"""Demo tickets: a few per branch through the actions, some worked on, idempotent, reset."""

from __future__ import annotations

import io
import random

import pytest
from django.db import transaction

from telcrm.service.demo import MARKER
from telcrm.service.models import Ticket, TicketState

pytestmark = pytest.mark.django_db
MINE = ("platform", "customers", "service")


def run(names=MINE) -> str:
    from telcrm.platform import context
    from telcrm.platform.demo import autodiscover

    out = io.StringIO()
    with context.acting(channel="command"):
        for gen in autodiscover():
            if gen.name in names:
                with transaction.atomic():
                    gen.fn(stdout=out, customers=300, rng=random.Random(f"7:{gen.name}"))
    return out.getvalue()


def test_demo_tickets_idempotent_and_reset():
    out = run()
    assert "service:" in out and "6 worked on" in out
    demo = Ticket.objects.filter(description__endswith=MARKER)
    n = demo.count()
    assert n >= 3
    states = set(demo.values_list("state", flat=True))
    assert {TicketState.NEW, TicketState.PENDING_CUSTOMER, TicketState.RESOLVED, TicketState.CLOSED} <= states
    assert demo.filter(team__code="ZJ-CS1").exists()
    from telcrm.orders.models import ProcessDefinition

    assert ProcessDefinition.objects.filter(key="service.fault_repair").exists()
    run(("service",))
    assert demo.count() == n
    from telcrm.platform.demo import autodiscover

    gen = next(g for g in autodiscover() if g.name == "service")
    gen.reset(io.StringIO())
    assert not demo.exists()
