"""Fixtures of the ticket tests: the test carrier, a customer of the West Lake branch, categories."""

from __future__ import annotations

import pytest


@pytest.fixture
def set_param(db):
    from telcrm.platform import parameters
    from telcrm.platform.models import Parameter

    def set_(key: str, value) -> None:
        assert Parameter.objects.filter(key=key).update(value=value) == 1, key
        parameters.invalidate()

    return set_


@pytest.fixture
def customer(carrier):
    from telcrm.customers.testing import make_customer

    return make_customer(carrier.branch, name="王小明", owner=carrier["clerk"])


@pytest.fixture
def vip(carrier):
    from telcrm.customers.testing import make_customer

    return make_customer(carrier.branch, name="李贵宾", owner=carrier["clerk"], value_tier="vip")


@pytest.fixture
def cat(db):
    """code → TicketCategory (the seeded tree)."""
    from telcrm.service.models import TicketCategory

    return {c.code: c for c in TicketCategory.objects.all()}


@pytest.fixture
def take(carrier, customer, cat):
    """take(**overrides) → a new ticket taken by the agent (a complaint about the network, P3, phone)."""
    from telcrm.service import actions

    def do(**kw):
        args = {
            "actor": carrier["agent"],
            "customer": customer,
            "ticket_type": "complaint",
            "category": cat["complaint.network"],
            "channel": "phone",
            "subject": "信号差，通话经常中断",
            "description": "家中室内信号只有一格。",
            "priority": 3,
        }
        args.update(kw)
        return actions.ticket_create(**args)

    return do
