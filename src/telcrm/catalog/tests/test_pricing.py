"""Quotes (RES-3): list price, the group tariff that applies (own or the group's), net ≥ 0 for every
tariff kind, unapproved and expired tariffs ignored, a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telcrm.catalog import actions, pricing
from telcrm.catalog.models import GroupTariff, TariffStatus
from telcrm.customers.models import CustomerType
from telcrm.customers.testing import make_customer
from telcrm.platform.testing import count_queries

from ._fixtures import approved_tariff, category, group_customer, member_of, moment, offering

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(carrier):
    admin = carrier["admin"]
    cat5g = category(admin, "plans-5g")
    return {
        "5G": offering(admin, "5G-128", monthly=12800, categories=[cat5g]),
        "PHONE": offering(admin, "PHONE", kind="device", monthly=0, one_off=399900),
        "BB": offering(admin, "BB", kind="broadband", monthly=9900, one_off=10000),
        "cat": cat5g,
    }


def test_list_prices_without_a_customer(plans):
    q = pricing.quote(None, [("5G-128", 2), (plans["PHONE"], 1), ("BB", 1)])
    assert [
        (line.offering.code, line.one_off_fen, line.recurring_fen, line.discount_fen) for line in q.lines
    ] == [
        ("5G-128", 0, 25600, 0),
        ("PHONE", 399900, 0, 0),
        ("BB", 10000, 9900, 0),
    ]
    assert (q.one_off_fen, q.recurring_fen, q.net_fen) == (409900, 35500, 445400)


def test_a_group_tariff_applies_to_the_group_and_its_members(carrier, plans):
    group = group_customer(carrier)
    member = member_of(carrier, group)
    t = approved_tariff(carrier, group, offering_code="5G-128", kind="percent_off", value=20)
    for who in (group, member):
        line = pricing.quote(who, [("5G-128", 1)]).lines[0]
        assert (line.recurring_fen, line.discount_fen, line.net_recurring_fen) == (12800, 2560, 10240)
        assert line.tariff == t
    assert "member" in pricing.quote(member, [("5G-128", 1)]).lines[0].why.lower() or "成员" in (
        pricing.quote(member, [("5G-128", 1)]).lines[0].why
    )
    stranger = make_customer(carrier.branch, name="路人")
    assert pricing.quote(stranger, [("5G-128", 1)]).lines[0].tariff is None


def test_a_category_tariff_reaches_offerings_in_subcategories(carrier, plans):
    admin = carrier["admin"]
    mobile = category(admin, "mobile")
    actions.category_save(actor=admin, category=plans["cat"], parent=mobile)
    group = group_customer(carrier)
    approved_tariff(carrier, group, category=mobile, kind="amount_off_fen", value=1000)
    q = pricing.quote(group, [("5G-128", 1), ("BB", 1)])
    assert [line.discount_fen for line in q.lines] == [1000, 0]


def test_the_best_tariff_wins_and_one_off_charges_get_one_off_tariffs(carrier, plans):
    group = group_customer(carrier)
    approved_tariff(carrier, group, offering_code="5G-128", kind="percent_off", value=5)
    best = approved_tariff(carrier, group, offering_code="5G-128", kind="special_price_fen", value=9800)
    approved_tariff(
        carrier, group, offering_code="PHONE", kind="amount_off_fen", value=50000, charge="one_off"
    )
    q = pricing.quote(group, [("5G-128", 1), ("PHONE", 1)])
    assert q.lines[0].tariff == best and q.lines[0].net_recurring_fen == 9800
    assert q.lines[1].discount_one_off_fen == 50000 and q.lines[1].net_one_off_fen == 349900


def test_unapproved_expired_and_revoked_tariffs_are_ignored(carrier, plans):
    group = group_customer(carrier)
    pending = actions.tariff_create(
        actor=carrier["account_manager"],
        customer=group,
        name="待审批",
        offering_code="5G-128",
        kind="percent_off",
        value=50,
        valid_from=dt.date(2025, 1, 1),
    )
    assert pending.status == TariffStatus.PENDING
    ended = approved_tariff(
        carrier, group, offering_code="5G-128", kind="percent_off", value=30, valid_to=dt.date(2026, 12, 31)
    )
    GroupTariff.objects.filter(pk=ended.pk).update(valid_to=dt.date(2025, 12, 31))  # time has passed
    revoked = approved_tariff(carrier, group, offering_code="5G-128", kind="percent_off", value=40)
    actions.tariff_revoke(actor=carrier["admin"], tariff=revoked, note="协议终止")
    plan = plans["5G"]  # priced as a row: at a past moment its code was not on sale yet
    assert pricing.quote(group, [(plan, 1)], at=moment(2026, 6, 1)).lines[0].tariff is None
    # the expired one did apply while it was valid
    assert pricing.quote(group, [(plan, 1)], at=moment(2025, 6, 1)).lines[0].tariff == ended


def test_a_code_not_on_sale_names_items(plans):
    with pytest.raises(ValidationError) as exc:
        pricing.quote(None, [("NOPE", 1)])
    assert list(exc.value.error_dict) == ["items"]
    with pytest.raises(ValidationError) as exc:
        pricing.quote(None, [("5G-128", 0)])
    assert list(exc.value.error_dict) == ["items"]


def test_a_retired_version_is_quoted_as_it_was_sold(carrier, plans):
    admin = carrier["admin"]
    v1 = plans["5G"]
    v2 = actions.offering_update(actor=admin, offering=v1, name="新版")
    actions.price_update(actor=admin, price=v2.prices.get(), amount_fen=15800)
    actions.offering_activate(actor=admin, offering=v2)
    assert pricing.quote(None, [(v1, 1)]).lines[0].recurring_fen == 12800
    assert pricing.quote(None, [("5G-128", 1)]).lines[0].recurring_fen == 15800


def test_a_quote_is_a_fixed_number_of_queries(carrier, plans, django_assert_max_num_queries):
    admin = carrier["admin"]
    group = group_customer(carrier)
    member = member_of(carrier, group)
    approved_tariff(carrier, group, category=plans["cat"], kind="percent_off", value=10)
    codes = [offering(admin, f"X{i}", monthly=1000 * i, categories=[plans["cat"]]).code for i in range(1, 21)]
    with django_assert_max_num_queries(5):
        q = pricing.quote(member, [(c, 1) for c in codes])
    assert len(q.lines) == 20 and all(line.tariff is not None for line in q.lines)
    with count_queries() as small:
        pricing.quote(member, [(codes[0], 1)])
    with count_queries() as big:
        pricing.quote(member, [(c, 3) for c in codes])
    assert len(small) == len(big)


KINDS = st.sampled_from(["percent_off", "amount_off_fen", "special_price_fen"])


@settings(max_examples=200, deadline=None)
@given(
    kind=KINDS,
    value=st.integers(min_value=0, max_value=10**7),
    base=st.integers(min_value=0, max_value=10**7),
)
def test_discount_is_between_zero_and_the_list_price(kind, value, base):
    if kind == "percent_off":
        value = value % 101
    tariff = GroupTariff(kind=kind, value=value)
    off = pricing.tariff_discount(tariff, base)
    assert 0 <= off <= base
    net = base - off
    if kind == "special_price_fen":
        assert net == min(value, base)
    elif kind == "amount_off_fen":
        assert off == min(value, base)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=KINDS,
    value=st.integers(min_value=1, max_value=100),
    monthly=st.integers(min_value=100, max_value=10**6),
    qty=st.integers(min_value=1, max_value=5),
)
def test_net_is_list_minus_discount_and_never_negative(carrier, plans, kind, value, monthly, qty):
    group = make_customer(carrier.branch, name="属性集团", customer_type=CustomerType.GROUP)
    o = plans["5G"]
    o.prices.update(amount_fen=monthly)
    amount = value if kind == "percent_off" else value * 137
    GroupTariff.objects.create(
        customer=group,
        org_unit=carrier.branch,
        name="t",
        offering_code=o.code,
        kind=kind,
        value=amount,
        valid_from=dt.date(2020, 1, 1),
        status=TariffStatus.APPROVED,
    )
    q = pricing.quote(group, [(o.code, qty)])
    line = q.lines[0]
    assert line.net_fen == line.list_fen - line.discount_fen >= 0
    assert line.net_recurring_fen == line.recurring_fen - line.discount_recurring_fen >= 0
    assert q.net_fen == q.list_fen - q.discount_fen
    assert line.list_fen == monthly * qty
