"""Fixtures of the acceptance tests: a verified customer, offerings, a number pool, SIMs in stock and
the shipped processes published."""

from __future__ import annotations

import pytest
from django.utils import timezone

from telcrm.catalog.tests._fixtures import offering
from telcrm.customers.testing import make_customer
from telcrm.resources.tests._fixtures import Pool


@pytest.fixture
def shop(carrier, bo_team):
    """Everything a counter needs: ``shop.customer``, ``shop.pool``, ``shop.sims`` (ICCIDs)."""
    from telcrm.orders.demo import load_definitions
    from telcrm.resources.stock.testing import make_sims

    admin = carrier["admin"]

    class Shop:
        pass

    s = Shop()
    s.carrier = carrier
    s.clerk = carrier["clerk"]
    s.plan = offering(admin, "5G-128", monthly=12800, one_off=5000)
    s.plan2 = offering(admin, "5G-198", monthly=19800)
    s.pool = Pool(carrier)
    s.sims = [sim.iccid for sim in make_sims(carrier.branch, 3)]
    load_definitions(admin)
    s.customer = verified_customer(carrier)
    return s


def verified_customer(
    carrier, *, name: str = "李四", id_number: str = "330106199001011234", owner=None, **fields
):
    owner = owner or carrier["clerk"]
    customer = make_customer(carrier.branch, name=name, owner=owner, id_number=id_number, **fields)
    party = customer.party
    party.id_verified_at = timezone.now()
    party.save()
    return customer
