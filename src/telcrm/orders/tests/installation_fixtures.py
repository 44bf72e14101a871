"""Fixtures of the pending-installation tests: the shipped broadband process published, a customer with a
phone number, and ``site.start()`` — a broadband order verified and waiting at the dispatch step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

PHONE = "13905710001"


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


class Site:
    def __init__(self, carrier, run):
        from telcrm.customers.testing import make_customer

        self.carrier = carrier
        self.run = run
        self.team = carrier.team
        self.installer = carrier["installer"]
        self.backoffice = carrier["backoffice"]
        self.customer = make_customer(carrier.branch, name="王小明", owner=carrier["clerk"], phone=PHONE)
        self.n = 0

    def start(self, *, address: str = "杭州市西湖区文三路1号"):
        """A broadband process past verification, its installation waiting for dispatch."""
        from telcrm.orders import actions
        from telcrm.orders.models import Installation, WorkOrder

        self.n += 1
        instance = actions.process_start(
            key="order.broadband",
            actor=self.carrier["clerk"],
            data={"address": address, "customer_no": self.customer.customer_no},
            business_key=f"KD{self.n:04d}",
            schedule=False,
        )
        self.run(instance)
        verify = WorkOrder.objects.get(instance=instance, element_id="verify")
        actions.work_order_complete(actor=self.backoffice, work_order=verify)
        self.run(instance)
        return Installation.objects.get(instance=instance)

    def dispatch(self, inst, *, day=None, window: str = "am1", installer="me", team=None):
        """Dispatch ``inst`` to the team's slot (day, window), to the installer (``None``: to the queue);
        the process runs on to the installation work order."""
        from telcrm.orders.actions import installations

        installations.installation_dispatch(
            actor=self.backoffice,
            installation=inst,
            team=team or self.team,
            day=day or tomorrow(),
            window=window,
            installer=self.installer if installer == "me" else installer,
        )
        self.run(inst.instance)
        inst.refresh_from_db()
        return inst

    def booked(self, **kw):
        return self.dispatch(self.start(), **kw)


@pytest.fixture
def site(carrier, publish, run):
    publish("order.broadband", "broadband")
    return Site(carrier, run)
