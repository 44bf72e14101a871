"""The demo catalog: every offer code the demo customers' lines carry resolves to a catalog offering; a
retired version and a retired plan; group tariffs; a second run adds nothing."""

from __future__ import annotations

import io

import pytest

from telcrm.catalog import demo, pricing, queries
from telcrm.catalog.models import GroupTariff, LifecycleStatus, ProductOffering, TariffStatus
from telcrm.customers.demo.data import GROUP_OFFERS, OFFERS
from telcrm.customers.models import Customer, CustomerType
from telcrm.customers.testing import make_customer

pytestmark = pytest.mark.django_db


def test_the_demo_catalog_covers_the_demo_lines_and_is_idempotent(carrier):
    admin = carrier["admin"]
    made = demo.build_catalog(admin)
    assert made == len(demo.OFFERINGS) + 1 + len(demo.BUNDLES)
    codes = {c for c, *_rest in OFFERS} | {c for c, *_rest in GROUP_OFFERS}
    versions = {o.code: o for o in ProductOffering.objects.filter(code__in=codes).order_by("version")}
    assert set(versions) == codes
    # the offer's monthly fee on the demo lines is the catalog's list price of its current version
    for code, _name, fee, *_rest in (*OFFERS, *GROUP_OFFERS):
        assert pricing.list_fen(versions[code])[1] == fee * 100, code
    assert versions["4G-FX-38"].lifecycle_status == LifecycleStatus.RETIRED  # still held by old lines
    old, new = ProductOffering.objects.filter(code="4G-FX-58").order_by("version")
    assert (old.lifecycle_status, new.lifecycle_status) == ("retired", "active")
    assert old.features["data_gb"] == 8 and new.features["data_gb"] == 10
    assert queries.offering("4G-FX-58", at=old.activated_at.replace(month=6)) == old
    home = queries.offering("HOME-169")
    assert {m.member.code for m in home.bundle_members.select_related("member")} == {
        "5G-CX-128",
        "BB-1000M",
        "QQH-18",
    }
    assert demo.build_catalog(admin) == 0
    assert ProductOffering.objects.filter(code="HOME-169").count() == 1


def test_demo_tariffs_for_the_demo_branch(carrier):
    demo.build_catalog(carrier["admin"])
    owner = carrier["account_manager"]
    groups = [
        make_customer(carrier.branch, name=f"集团{i}", customer_type=CustomerType.GROUP, owner=owner)
        for i in range(2)
    ]
    for i in range(2):
        make_customer(carrier.branch, name=f"企业{i}", customer_type=CustomerType.ENTERPRISE, owner=owner)
    person = make_customer(carrier.branch, name="员工", owner=carrier["clerk"])
    n = demo.build_tariffs(owner, carrier["branch_manager"], branch=carrier.branch.code, clerk="clerk")
    assert n == len(demo.TARIFFS)
    statuses = sorted(GroupTariff.objects.values_list("status", flat=True))
    assert statuses.count(TariffStatus.APPROVED) == 3 and statuses.count(TariffStatus.PENDING) == 2
    person = Customer.objects.get(pk=person.pk)
    assert person.parent == groups[0]  # an employee on the group's plan sees the group's price
    line = pricing.quote(person, [("5G-CX-128", 1)]).lines[0]
    assert line.tariff is not None and line.net_recurring_fen == 10880
    assert demo.build_tariffs(owner, carrier["branch_manager"], branch=carrier.branch.code) == 0


def test_reset_removes_the_demo_catalog(carrier):
    demo.build_catalog(carrier["admin"])
    demo.reset_catalog(stdout=io.StringIO())
    assert not ProductOffering.objects.exists()
