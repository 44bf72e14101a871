"""Catalog UI: the three menu pages per role, the clerk's browse page with prices and verdicts, the
product manager's offering flow, group tariff request and approval, scope, fixed query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from telcrm.catalog import actions
from telcrm.catalog.models import GroupTariff, ProductOffering, TariffStatus
from telcrm.customers.testing import make_customer

from ._fixtures import approved_tariff, category, group_customer, member_of, offering

pytestmark = pytest.mark.django_db
ROLES = ("admin", "analyst", "branch_manager", "clerk", "backoffice", "installer", "agent", "service",
         "account_manager", "marketer")  # fmt: skip


@pytest.fixture
def catalog(carrier):
    admin = carrier["admin"]
    cat = category(admin, "plans-5g")
    plan = offering(admin, "5G-128", monthly=12800, categories=[cat], name="5G畅享128")
    bb = offering(admin, "BB-1000", kind="broadband", monthly=15900, name="千兆宽带")
    iptv = offering(admin, "IPTV", kind="add_on", monthly=1500, activate=False, name="魔百和")
    actions.offering_update(actor=admin, offering=iptv, applies_to_kinds=["broadband"])
    actions.offering_activate(actor=admin, offering=iptv)
    return {"plan": plan, "bb": bb, "cat": cat}


@pytest.mark.parametrize("role", ROLES)
def test_menu_pages_per_role(client_for, carrier, catalog, role):
    client = client_for(carrier[role])
    expected = {
        "catalog-browse": 200,
        "catalog-offering-list": 200 if role == "admin" else 403,
        "catalog-discount-list": 200 if role in ("admin", "branch_manager", "account_manager") else 403,
    }
    got = {name: client.get(reverse(name)).status_code for name in expected}
    assert got == expected


def test_anonymous_users_are_sent_to_sign_in(client, catalog):
    for name in ("catalog-browse", "catalog-offering-list", "catalog-discount-list"):
        assert client.get(reverse(name)).status_code == 302


def test_browse_shows_group_price_and_refusals_for_a_member(client_for, carrier, catalog):
    group = group_customer(carrier)
    person = member_of(carrier, group, name="王集团员工")
    approved_tariff(carrier, group, category=catalog["cat"], kind="percent_off", value=15, name="集团85折")
    client = client_for(carrier["clerk"])
    html = client.get(reverse("catalog-browse") + f"?customer={person.pk}").content.decode()
    assert "王集团员工" in html
    assert "集团85折" in html and "¥108.80" in html  # 15% off ¥128
    assert 'data-testid="verdict-refused"' in html  # the IPTV add-on without broadband
    assert 'data-code="addon_needs_plan"' in html
    # filtered by kind through HTMX: only the results part comes back
    part = client.get(
        reverse("catalog-browse") + f"?customer={person.pk}&kind=add_on", HTTP_HX_REQUEST="true"
    )
    text = part.content.decode()
    assert "魔百和" in text and "千兆宽带" not in text and "<html" not in text


def test_browse_ignores_a_customer_outside_the_scope(client_for, carrier, catalog):
    far = make_customer(carrier.other_branch, name="宁波客户", owner=carrier["other_clerk"])
    html = (
        client_for(carrier["clerk"]).get(reverse("catalog-browse") + f"?customer={far.pk}").content.decode()
    )
    assert "宁波客户" not in html and 'data-testid="verdict' not in html


def test_browse_is_a_fixed_number_of_queries(client_for, carrier, catalog, django_assert_max_num_queries):
    person = make_customer(carrier.branch, name="客户甲", owner=carrier["clerk"])
    client = client_for(carrier["clerk"])
    url = reverse("catalog-browse") + f"?customer={person.pk}"
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for i in range(15):
        offering(carrier["admin"], f"MORE-{i}", categories=[catalog["cat"]])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_customer_picker_uses_the_scoped_customer_search(client_for, carrier, catalog):
    make_customer(carrier.branch, name="陈小明", owner=carrier["clerk"])
    make_customer(carrier.other_branch, name="陈大明", owner=carrier["other_clerk"])
    html = client_for(carrier["clerk"]).get(reverse("catalog-customer-pick") + "?q=陈").content.decode()
    assert "陈小明" in html and "陈大明" not in html


def test_a_product_manager_creates_prices_activates_and_re_versions(client_for, carrier, catalog):
    client = client_for(carrier["admin"])
    r = client.post(reverse("catalog-offering-create"), {"code": "NEW-1", "name": "新套餐", "kind": "plan"})
    new = ProductOffering.objects.get(code="NEW-1")
    assert r.status_code == 302 and r["Location"] == reverse("catalog-offering-detail", args=[new.pk])
    page = client.get(r["Location"]).content.decode()
    assert 'data-testid="activation-problems"' in page
    # activating without a price fails with the reason shown, and the draft stays a draft
    client.post(reverse("catalog-offering-lifecycle", args=[new.pk, "activate"]))
    new.refresh_from_db()
    assert new.lifecycle_status == "draft"
    bad = client.post(
        reverse("catalog-price-create", args=[new.pk]),
        {"name": "月费", "price_type": "recurring", "amount": "-1"},
    )
    assert bad.status_code == 200 and 'data-field="amount"' in bad.content.decode()
    client.post(
        reverse("catalog-price-create", args=[new.pk]),
        {"name": "月费", "price_type": "recurring", "amount": "99.50", "valid_from": "2026-01-01"},
    )
    assert new.prices.get().amount_fen == 9950
    client.post(reverse("catalog-offering-lifecycle", args=[new.pk, "activate"]))
    new.refresh_from_db()
    assert new.lifecycle_status == "active"
    r = client.post(
        reverse("catalog-offering-edit", args=[new.pk]), {"name": "新套餐 二版", "kind": "plan", "sort": "0"}
    )
    v2 = ProductOffering.objects.get(code="NEW-1", version=2)
    assert (
        r["Location"] == reverse("catalog-offering-detail", args=[v2.pk]) and v2.lifecycle_status == "draft"
    )
    new.refresh_from_db()
    assert new.name == "新套餐"


def test_price_gap_errors_appear_under_the_field(client_for, carrier, catalog):
    o = offering(carrier["admin"], "GAP", activate=False)
    r = client_for(carrier["admin"]).post(
        reverse("catalog-price-create", args=[o.pk]),
        {"name": "二期", "price_type": "recurring", "amount": "10", "valid_from": "2027-01-01"},
    )
    html = r.content.decode()
    assert r.status_code == 200 and 'data-field="valid_from"' in html and "重叠" in html


def test_other_roles_cannot_write_the_catalog(client_for, carrier, catalog):
    for role in ("clerk", "branch_manager"):
        client = client_for(carrier[role])
        assert (
            client.post(
                reverse("catalog-offering-create"), {"code": "X", "name": "X", "kind": "plan"}
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("catalog-offering-lifecycle", args=[catalog["plan"].pk, "retire"])
            ).status_code
            == 403
        )


def test_a_group_tariff_is_requested_and_approved_through_the_pages(client_for, carrier, catalog):
    group = group_customer(carrier)
    am = client_for(carrier["account_manager"])
    page = am.get(reverse("catalog-discount-create") + f"?customer={group.pk}").content.decode()
    assert group.name in page
    r = am.post(
        reverse("catalog-discount-create"),
        {
            "customer": group.pk,
            "name": "集团8折",
            "target": "offering",
            "offering_code": "5G-128",
            "kind": "percent_off",
            "charge": "recurring",
            "value": "20",
            "valid_from": "2026-01-01",
            "save": "submit",
        },
    )
    tariff = GroupTariff.objects.get(name="集团8折")
    assert r.status_code == 302 and tariff.status == TariffStatus.PENDING
    # the requester has no approval permission; the branch manager decides
    assert am.post(reverse("catalog-discount-decide", args=[tariff.pk, "approve"])).status_code == 403
    mgr = client_for(carrier["branch_manager"])
    assert (
        'data-testid="decision-card"'
        in mgr.get(reverse("catalog-discount-detail", args=[tariff.pk])).content.decode()
    )
    mgr.post(reverse("catalog-discount-decide", args=[tariff.pk, "approve"]), {"note": "同意"})
    tariff.refresh_from_db()
    assert (tariff.status, tariff.approved_by) == (TariffStatus.APPROVED, carrier["branch_manager"])
    # outside the scope: not found
    other = client_for(carrier["other_branch_manager"])
    assert other.get(reverse("catalog-discount-detail", args=[tariff.pk])).status_code == 404
    assert tariff.name not in other.get(reverse("catalog-discount-list")).content.decode()


def test_bad_tariff_input_shows_field_errors(client_for, carrier, catalog):
    group = group_customer(carrier)
    r = client_for(carrier["account_manager"]).post(
        reverse("catalog-discount-create"),
        {
            "customer": group.pk,
            "name": "错误",
            "target": "offering",
            "offering_code": "5G-128",
            "kind": "percent_off",
            "charge": "recurring",
            "value": "150",
            "valid_from": "2026-01-01",
            "valid_to": "2025-01-01",
            "save": "submit",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200 and 'data-field="value"' in html and 'data-field="valid_to"' in html


def test_discount_list_is_paginated_and_a_fixed_number_of_queries(
    client_for, carrier, catalog, django_assert_max_num_queries
):
    group = group_customer(carrier)
    for i in range(3):
        approved_tariff(carrier, group, offering_code="5G-128", kind="percent_off", value=5, name=f"T{i}")
    client = client_for(carrier["branch_manager"])
    client.get(reverse("catalog-discount-list"))
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("catalog-discount-list"))
    for i in range(10):
        approved_tariff(carrier, group, offering_code="5G-128", kind="percent_off", value=5, name=f"U{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("catalog-discount-list"))
    assert dt.date  # the module is used by the fixtures' dates


@pytest.mark.parametrize(
    "name", ["catalog-offering-list", "catalog-specification-list", "catalog-category-list"]
)
def test_admin_lists_are_a_fixed_number_of_queries(
    client_for, carrier, catalog, name, django_assert_max_num_queries
):
    client = client_for(carrier["admin"])
    admin = carrier["admin"]
    actions.specification_save(actor=admin, code="S-FIRST", name="规格", kind="mobile")
    client.get(reverse(name))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse(name))
    for i in range(8):
        cat = category(admin, f"c{i}", parent=catalog["cat"])
        actions.specification_save(actor=admin, code=f"S{i}", name=f"规格{i}", kind="mobile")
        offering(admin, f"N{i}", one_off=100, categories=[cat, catalog["cat"]])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(name)).status_code == 200
