"""The demo network: elements for the demo cities, the demo customers' addresses installable, a full
element, one under maintenance, one planned; idempotent; reset."""

from __future__ import annotations

import io
import random

import pytest

from telcrm.customers.models import Address
from telcrm.customers.testing import make_customer
from telcrm.platform.demo import GENERATORS, autodiscover
from telcrm.resources.coverage import demo
from telcrm.resources.coverage.models import CoveredAddress, NetworkElement
from telcrm.resources.coverage.queries import installability

pytestmark = pytest.mark.django_db

STREETS = [f"文三路{n}号阳光花园{n % 30 + 1}幢2单元1{n % 9 + 1}01室" for n in range(200, 260)]


def _run():
    out = io.StringIO()
    demo.coverage_demo(stdout=out, customers=0, rng=random.Random(7))
    return out.getvalue()


def test_it_runs_after_the_customers():
    autodiscover()
    assert GENERATORS["coverage"].order > GENERATORS["customers"].order


def test_demo_network_and_customers_addresses(carrier):
    customer = make_customer(carrier.branch, owner=carrier["clerk"])
    for street in STREETS:
        Address.objects.create(
            customer=customer, province="浙江省", city="杭州市", district="西湖区", street=street
        )
    _run()
    codes = set(NetworkElement.objects.values_list("code", flat=True))
    assert {"HZ-XH-OLT01", "HZ-GS-OLT02", "HZ-QT-GNB01", "NB-JB-OLT01"} <= codes
    assert not any(c.startswith(("WZ-", "JH-")) for c in codes)  # cities the carrier fixture lacks
    assert NetworkElement.objects.get(code="HZ-QT-GNB01").status == "planned"
    full = NetworkElement.objects.get(code="HZ-GS-OLT02")
    assert full.ports_used == full.ports_total
    assert all(
        e.org_unit_id in (carrier.city.pk, carrier.other_city.pk) for e in NetworkElement.objects.all()
    )

    # the demo customers' addresses: installable as the stable hash decided (most of them)
    covered = [s for s in STREETS if demo._stable(f"杭州市西湖区{s}") < demo.CUSTOMER_COVERED]
    results = {
        s: installability({"province": "浙江省", "city": "杭州市", "district": "西湖区", "street": s})
        for s in STREETS
    }
    assert {s for s, r in results.items() if r.ok} == set(covered)
    assert len(covered) > len(STREETS) // 2
    assert installability({"city": "杭州", "district": "西湖区", "street": "文三路7号"}).ok  # numbers 1–60
    assert (
        installability({"city": "杭州", "district": "拱墅区", "street": "湖墅南路7号"}).reason_code
        == "no_free_ports"
    )


def test_running_twice_adds_nothing_and_reset_removes_it(carrier):
    first = _run()
    counts = NetworkElement.objects.count(), CoveredAddress.objects.count()
    assert counts[0] > 10 and counts[1] > 1000, first
    assert "0 new elements, 0 new covered addresses" in _run()
    assert (NetworkElement.objects.count(), CoveredAddress.objects.count()) == counts
    out = io.StringIO()
    demo.reset_coverage(stdout=out)
    assert not NetworkElement.objects.exists() and not CoveredAddress.objects.exists()
