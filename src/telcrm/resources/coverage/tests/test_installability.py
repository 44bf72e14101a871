"""installability(address): covered, not covered, full, under maintenance, planned; options best
first; the building rules; customers' Address rows; the number of queries."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings

from telcrm.customers.models import Address
from telcrm.customers.testing import make_customer
from telcrm.platform.testing import count_queries
from telcrm.resources.coverage.queries import Installability, Option, installability, installability_many

from ._fixtures import cover, element, set_ports
from .test_normalize import spelled

pytestmark = pytest.mark.django_db

ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "street": "文三路88号"}


def test_a_covered_address_is_installable_with_its_options_best_first(carrier):
    olt = element(carrier, code="HZ-XH-OLT01", ports_total=100, max_bandwidth_mbps=1000)
    cell = element(carrier, code="HZ-XH-GNB01", kind="cell_5g", ports_total=10, max_bandwidth_mbps=500)
    cover(carrier, olt)
    cover(carrier, cell, max_bandwidth_mbps=300)
    set_ports(olt, 40)
    result = installability(ADDRESS)
    assert isinstance(result, Installability)
    assert result.ok and result.reason == "" and result.reason_code == ""
    assert result.options == [
        Option("fibre", 1000, 60, "HZ-XH-OLT01"),
        Option("fwa_5g", 300, 10, "HZ-XH-GNB01"),
    ]
    technology, bandwidth, free, code = result.options[0]  # a plain tuple for the order module
    assert (technology, bandwidth, free, code) == ("fibre", 1000, 60, "HZ-XH-OLT01")


def test_variants_of_the_address_find_the_same_coverage(carrier):
    cover(carrier, element(carrier, code="HZ-XH-OLT01"), "文三路88号", building="阳光花园")
    for address in (
        {
            "province": "浙江",
            "city": "杭州",
            "district": "西湖",
            "street": "文三路８８号阳光花园3幢2单元101室",
        },
        {"city": "杭州市", "street": "西湖区文三路 88 阳光花园 3号楼"},
        {
            "province": "浙江省",
            "city": "杭州",
            "district": "西湖区",
            "street": "文三路88",
            "building": "阳光花园",
        },
    ):
        assert installability(address).ok, address


def test_not_covered(carrier):
    cover(carrier, element(carrier), "文三路88号")
    for address in (
        {**ADDRESS, "street": "文三路89号"},
        {**ADDRESS, "city": "宁波市"},
        {**ADDRESS, "district": "拱墅区"},
        {"city": "", "street": ""},
        {},
    ):
        result = installability(address)
        assert not result.ok and result.options == [] and result.reason_code == "not_covered", address
    result = installability({**ADDRESS, "street": "文三路89号"})
    assert result.reason_zh == "无覆盖：网络尚未覆盖该地址。"
    assert result.reason_en == "Not covered: the network does not reach this address."
    with translation.override("en"):
        assert str(result.reason) == result.reason_en


def test_covered_but_every_element_is_full(carrier):
    olt = element(carrier, ports_total=5)
    cover(carrier, olt)
    set_ports(olt, 5)
    result = installability(ADDRESS)
    assert not result.ok and result.reason_code == "no_free_ports"
    assert result.reason_en.startswith("Covered, but no free ports")
    assert [(m.element_code, m.free_ports, m.usable) for m in result.matches] == [(olt.code, 0, False)]


def test_covered_but_the_element_is_under_maintenance(carrier):
    cover(carrier, element(carrier, status="maintenance"))
    result = installability(ADDRESS)
    assert not result.ok and result.reason_code == "maintenance"
    assert "maintenance" in result.reason_en and "维护" in result.reason_zh


def test_a_full_element_beside_one_under_maintenance_says_no_free_ports(carrier):
    full = element(carrier, ports_total=1)
    cover(carrier, full)
    set_ports(full, 1)
    cover(carrier, element(carrier, kind="cell_5g", status="maintenance"))
    assert installability(ADDRESS).reason_code == "no_free_ports"


def test_one_usable_element_is_enough(carrier):
    full = element(carrier, ports_total=1)
    cover(carrier, full)
    set_ports(full, 1)
    cover(carrier, element(carrier, kind="cell_5g", code="HZ-GNB"), max_bandwidth_mbps=300)
    result = installability(ADDRESS)
    assert result.ok and [o.element_code for o in result.options] == ["HZ-GNB"]
    assert len(result.matches) == 2  # the full one is still reported


def test_planned_and_retired_elements_do_not_cover(carrier):
    from telcrm.resources.coverage.actions import element_retire

    cover(carrier, element(carrier, status="planned"))
    assert installability(ADDRESS).reason_code == "not_covered"
    gone = element(carrier)
    cover(carrier, gone)
    element_retire(actor=carrier["admin"], element=gone)
    assert installability(ADDRESS).reason_code == "not_covered"


def test_a_retired_covered_address_no_longer_counts(carrier):
    from telcrm.resources.coverage.actions import covered_address_retire

    row = cover(carrier, element(carrier))
    assert installability(ADDRESS).ok
    covered_address_retire(actor=carrier["admin"], address=row)
    assert not installability(ADDRESS).ok


def test_building_level_coverage(carrier):
    olt = element(carrier)
    cover(carrier, olt, "文三路88号", building="阳光花园1幢")
    assert installability({**ADDRESS, "street": "文三路88号阳光花园1幢2单元301室"}).ok
    other = installability({**ADDRESS, "street": "文三路88号阳光花园12幢2单元301室"})
    assert not other.ok and other.nearby == ["阳光花园1幢"]  # a hint: which buildings are covered
    assert installability({**ADDRESS, "street": "文三路88号"}).nearby == ["阳光花园1幢"]


def test_the_most_specific_record_of_an_element_gives_the_bandwidth(carrier):
    dslam = element(carrier, kind="dslam", max_bandwidth_mbps=100)
    cover(carrier, dslam, "文三路88号", max_bandwidth_mbps=50)
    cover(carrier, dslam, "文三路88号", building="阳光花园1幢", max_bandwidth_mbps=20)
    result = installability({**ADDRESS, "street": "文三路88号阳光花园1幢"})
    assert [(o.element_code, o.max_bandwidth_mbps) for o in result.options] == [(dslam.code, 20)]


def test_a_customers_address_row_is_accepted(carrier):
    cover(carrier, element(carrier), "文三路88号")
    customer = make_customer(carrier.branch, owner=carrier["clerk"])
    row = Address.objects.create(
        customer=customer, province="浙江省", city="杭州市", district="西湖区", street="文三路88号阳光花园3幢"
    )
    assert installability(row).ok


def test_one_query_per_check_and_one_for_many(carrier):
    olt = element(carrier)
    for n in range(1, 30):
        cover(carrier, olt, f"文三路{n}号")
    with count_queries() as one:
        assert installability(ADDRESS | {"street": "文三路7号"}).ok
    assert len(one) == 1
    addresses = [ADDRESS | {"street": f"文三路{n}号"} for n in range(1, 40)]
    with count_queries() as many:
        results = installability_many(addresses)
    assert len(many) == 1
    assert [r.ok for r in results] == [n < 30 for n in range(1, 40)]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=spelled())
def test_any_spelling_of_a_covered_address_is_installable(carrier, pair):
    canonical, variant = pair
    with transaction.atomic():
        el = element(carrier)
        cover(carrier, el, canonical[3], province=canonical[0], city=canonical[1], district=canonical[2])
        names = ("province", "city", "district", "street", "building")
        result = installability(dict(zip(names, variant, strict=True)))
        assert result.ok and [o.element_code for o in result.options] == [el.code]
        transaction.set_rollback(True)
