"""Customer reads (CUS-2, CUS-4, CUS-7): list filters and sorts, get, the 360 view with a fixed query
count, duplicates, field history — all within the actor's data scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from telcrm.customers.models import (
    Account,
    Address,
    BlacklistEffect,
    BlacklistEntry,
    ContactMedium,
    ContactPerson,
    CreditChange,
    Customer,
    CustomerStatus,
    CustomerType,
    Interaction,
    LoyaltyClass,
    MediumKind,
    Party,
    PartyKind,
    Subscription,
    SubscriptionStatus,
    Tag,
    UpdateRequest,
    ValueTier,
)
from telcrm.customers.queries import (
    DuplicateReason,
    customer_360,
    customer_get,
    customer_history,
    customer_list,
    find_duplicates,
)
from telcrm.customers.search import build_search_text
from telcrm.customers.testing import make_customer
from telcrm.platform.errors import NotFoundInScope
from telcrm.platform.testing import count_queries

ID_A = "330106198505051234"


def searchable(unit, name="张三", **kw) -> Customer:
    c = make_customer(unit, name=name, **kw)
    c.search_text = build_search_text(name=name, customer_no=c.customer_no)
    Customer.objects.filter(pk=c.pk).update(search_text=c.search_text)
    return c


# --- list -----------------------------------------------------------------------------------------


def test_list_is_scoped_and_hides_merged_unless_asked(carrier):
    mine = searchable(carrier.branch, "张三", owner=carrier["clerk"])
    merged = searchable(carrier.branch, "张三", owner=carrier["clerk"], status=CustomerStatus.MERGED)
    searchable(carrier.other_branch, "张三", owner=carrier["other_clerk"])
    assert list(customer_list(carrier["clerk"])) == [mine]
    assert list(customer_list(carrier["clerk"], status=CustomerStatus.MERGED)) == [merged]
    assert customer_list(carrier["admin"]).count() == 2


def test_list_filters(carrier):
    unit, other, admin = carrier.branch, carrier.other_branch, carrier["admin"]
    vip_tag = Tag.objects.create(code="vip-care", name="贵宾关怀")
    a = searchable(unit, "张三", value_tier=ValueTier.VIP, loyalty_class=LoyaltyClass.LOYAL)
    a.tags.add(vip_tag)
    b = searchable(other, "李四公司", customer_type=CustomerType.ENTERPRISE)
    c = searchable(unit, "王五", status=CustomerStatus.SUSPENDED)
    assert list(customer_list(admin, q="zs")) == [a]
    assert list(customer_list(admin, q=a.customer_no)) == [a]
    assert list(customer_list(admin, q=a.accounts.get().account_no)) == [a]
    assert list(customer_list(admin, org_unit=other)) == [b]
    assert list(customer_list(admin, org_unit=carrier.city.pk)) == [c, a]  # subtree of Hangzhou
    assert list(customer_list(admin, customer_type=CustomerType.ENTERPRISE)) == [b]
    assert list(customer_list(admin, status=CustomerStatus.SUSPENDED)) == [c]
    assert list(customer_list(admin, value_tier=ValueTier.VIP)) == [a]
    assert list(customer_list(admin, loyalty_class=LoyaltyClass.LOYAL)) == [a]
    assert list(customer_list(admin, tag="vip-care")) == [a]
    today = timezone.localdate()
    assert customer_list(admin, created_from=today, created_to=today).count() == 3
    assert customer_list(admin, created_to=today - dt.timedelta(days=1)).count() == 0
    assert customer_list(admin, created_from=today + dt.timedelta(days=1)).count() == 0


def test_list_sorts_from_a_whitelist(carrier):
    admin = carrier["admin"]
    b = searchable(carrier.branch, "b")
    a = searchable(carrier.branch, "a")
    assert list(customer_list(admin, sort="name")) == [a, b]
    assert list(customer_list(admin, sort="-name")) == [b, a]
    assert list(customer_list(admin, sort="id")) == [b, a]
    assert list(customer_list(admin, sort="party__id_number")) == [a, b]  # not allowed: default -id


def test_list_page_costs_a_fixed_number_of_queries(carrier):
    admin = carrier["admin"]

    def page():
        with count_queries() as q:
            for c in customer_list(admin)[:25]:
                (str(c.org_unit), str(c.owner), str(c.account_manager), c.name)
        return len(q)

    searchable(carrier.branch, "张一", owner=carrier["clerk"], account_manager=carrier["account_manager"])
    one = page()
    for i in range(10):
        searchable(
            carrier.branch, f"张{i}", owner=carrier["clerk"], account_manager=carrier["account_manager"]
        )
    assert page() == one == 1


def test_get_is_scoped(carrier):
    mine = searchable(carrier.branch, owner=carrier["clerk"])
    other = searchable(carrier.other_branch, owner=carrier["other_clerk"])
    assert customer_get(carrier["clerk"], mine.pk) == mine
    with pytest.raises(NotFoundInScope):
        customer_get(carrier["clerk"], other.pk)
    with pytest.raises(NotFoundInScope):
        customer_get(carrier["clerk"], "nonsense")
    with pytest.raises(NotFoundInScope):
        customer_get(carrier["clerk"], 10**9)


# --- 360 --------------------------------------------------------------------------------------------


def _fill(customer, n: int, carrier):
    unit, clerk = carrier.branch, carrier["clerk"]
    now = timezone.now()
    account = customer.accounts.get()
    Account.objects.filter(pk=account.pk).update(balance=Decimal("10.50"), arrears=Decimal("3.00"))
    for i in range(n):
        Subscription.objects.create(
            customer=customer,
            account=account,
            msisdn=f"1380000{i:04d}",
            offer_code="4G58",
            offer_name="4G 58",
            monthly_fee=Decimal("58"),
            status=SubscriptionStatus.ACTIVE if i % 2 == 0 else SubscriptionStatus.TERMINATED,
            org_unit=unit,
        )
        Interaction.objects.create(
            customer=customer,
            channel="counter",
            kind="visit",
            summary=f"visit {i}",
            occurred_at=now - dt.timedelta(hours=i),
            org_unit=unit,
        )
        Account.objects.create(
            account_no=f"A9{customer.pk:04d}{i:04d}",
            customer=customer,
            name="x",
            org_unit=unit,
            arrears=Decimal("1.00"),
        )
        ContactMedium(customer=customer, kind=MediumKind.MOBILE, value=f"1370000{i:04d}").save()
        Address.objects.create(customer=customer, province="浙江", city="杭州", street=f"文一路{i}号")
        ContactPerson(customer=customer, name=f"联系人{i}").save()
        customer.tags.add(Tag.objects.get_or_create(code=f"t{i}", defaults={"name": f"t{i}"})[0])
        CreditChange.objects.create(
            customer=customer, level_before=3, level_after=4, reason="r", changed_by=clerk
        )
        UpdateRequest.objects.create(customer=customer, changes={"name": "x"}, org_unit=unit)
        BlacklistEntry.objects.create(
            customer=customer, reason_code="fraud", valid_from=timezone.localdate(), org_unit=unit
        )
        searchable(unit, f"成员{i}", owner=clerk, parent=customer)


def _render(data):
    """Touch everything a template would, so lazy relations would show up as queries."""
    for key in ("subscriptions",):
        for s in data[key]:
            str(s.account)
    for e in data["interactions"]:
        str(e.owner)
    for c in data["credit_changes"]:
        str(c.changed_by)
    for b in data["blacklist"]:
        str(b.org_unit), str(b.customer)
    c = data["customer"]
    str(c.party), str(c.org_unit), str(c.owner), str(c.account_manager), str(c.parent), str(c.merged_into)


def test_360_has_a_fixed_query_count_whatever_the_volume(carrier):
    clerk = carrier["clerk"]
    small = searchable(carrier.branch, "张小", owner=clerk)
    big = searchable(carrier.branch, "张大", owner=clerk)
    _fill(small, 1, carrier)
    _fill(big, 30, carrier)

    with count_queries() as q_small:
        _render(customer_360(clerk, small.pk))
    with count_queries() as q_big:
        data = customer_360(clerk, big.pk)
        _render(data)
    assert len(q_big) == len(q_small) <= 12
    assert len(data["subscriptions"]) == 20 and data["subscription_count"] == 30
    assert data["active_subscription_count"] == 15
    assert data["monthly_fee_total"] == Decimal("870.00")
    assert len(data["interactions"]) == 20 and data["interactions"][0].summary == "visit 0"
    assert data["account_count"] == 31 and data["arrears_total"] == Decimal("33.00")
    assert data["balance_total"] == Decimal("10.50")
    assert len(data["contact_media"]) == 30 and len(data["addresses"]) == 30
    assert len(data["contact_people"]) == 30 and len(data["tags"]) == 30
    assert len(data["credit_changes"]) == 10
    assert data["pending_request_count"] == 30 and len(data["update_requests"]) == 20
    assert data["member_count"] == 30
    assert len(data["blacklist"]) == 30 and data["blacklist_effect"] == BlacklistEffect.BLOCK_NEW


def test_360_blacklist_covers_the_person_and_only_active_entries(carrier):
    clerk = carrier["clerk"]
    c = searchable(carrier.branch, owner=clerk, id_number=ID_A)
    elsewhere = searchable(carrier.other_branch, owner=carrier["other_clerk"], id_number=ID_A)
    today = timezone.localdate()
    person = BlacklistEntry.objects.create(
        customer=elsewhere,
        id_number_bidx=elsewhere.party.id_number_bidx,
        reason_code="fraud",
        effect=BlacklistEffect.BLOCK_ALL,
        valid_from=today,
        org_unit=carrier.other_branch,
    )
    BlacklistEntry.objects.create(
        customer=c,
        reason_code="old",
        valid_from=today - dt.timedelta(days=30),
        valid_to=today - dt.timedelta(days=1),
        org_unit=carrier.branch,
    )
    BlacklistEntry.objects.create(
        customer=c, reason_code="lifted", valid_from=today, lifted_at=timezone.now(), org_unit=carrier.branch
    )
    BlacklistEntry.objects.create(
        customer=c, reason_code="future", valid_from=today + dt.timedelta(days=1), org_unit=carrier.branch
    )
    data = customer_360(clerk, c.pk)
    assert data["blacklist"] == [person]
    assert data["blacklist_effect"] == BlacklistEffect.BLOCK_ALL


def test_360_outside_scope_is_not_found(carrier):
    other = searchable(carrier.other_branch, owner=carrier["other_clerk"])
    with pytest.raises(NotFoundInScope):
        customer_360(carrier["clerk"], other.pk)
    assert customer_360(carrier["admin"], other.pk)["customer"] == other


def test_360_of_an_empty_customer(carrier):
    c = searchable(carrier.branch, owner=carrier["clerk"])
    data = customer_360(carrier["clerk"], c.pk)
    assert data["subscription_count"] == 0 and data["subscriptions"] == []
    assert data["monthly_fee_total"] == Decimal("0") and data["member_count"] == 0
    assert data["blacklist"] == [] and data["blacklist_effect"] == ""


# --- duplicates -----------------------------------------------------------------------------------


def test_duplicates_by_id_phone_and_name_with_address(carrier):
    admin = carrier["admin"]
    unit = carrier.branch
    me = searchable(unit, "张三", id_number=ID_A, phone="13811112222")
    Address.objects.create(customer=me, province="浙江", city="杭州市", street="文一西路 969 号")
    same_id = searchable(unit, "张叁", id_number=ID_A)
    same_phone = searchable(unit, "李四")
    ContactMedium(customer=same_phone, kind=MediumKind.MOBILE, value="13811112222").save()
    homophone = searchable(unit, "章三")  # same pinyin zhangsan, same street
    Address.objects.create(customer=homophone, province="浙江", city="杭州", street="文一西路969号")
    elsewhere = searchable(unit, "张三")  # same name, other street
    Address.objects.create(customer=elsewhere, province="浙江", city="杭州", street="莫干山路1号")
    merged = searchable(unit, "张三", id_number=ID_A, status=CustomerStatus.MERGED)

    found = find_duplicates(admin, me)
    assert [(c, str(r)) for c, r in found] == [
        (same_id, DuplicateReason.ID_NUMBER),
        (same_phone, DuplicateReason.PHONE),
        (homophone, DuplicateReason.NAME_ADDRESS),
    ]
    assert me not in [c for c, _ in found] and merged not in [c for c, _ in found]
    assert str(found[0][1].label) == str(DuplicateReason.ID_NUMBER.label)


def test_duplicates_respect_scope(carrier):
    mine = searchable(carrier.branch, "张三", owner=carrier["clerk"], id_number=ID_A)
    searchable(carrier.other_branch, "张三", owner=carrier["other_clerk"], id_number=ID_A)
    assert find_duplicates(carrier["clerk"], mine) == []
    assert len(find_duplicates(carrier["admin"], mine)) == 1


def test_duplicates_of_an_unsaved_customer(carrier):
    existing = searchable(carrier.branch, "张三", id_number=ID_A, phone="13811112222")
    Address.objects.create(customer=existing, province="浙江", city="杭州", street="文一路1号")
    party = Party(kind=PartyKind.INDIVIDUAL, name="张三", org_unit=carrier.branch)
    party.id_number = ID_A.lower()
    candidate = Customer(name="张三", party=party, org_unit=carrier.branch)
    candidate.primary_phone = "+86 138 1111 2222"
    assert find_duplicates(carrier["admin"], candidate) == [(existing, DuplicateReason.ID_NUMBER)]
    other_person = Customer(
        name="张三", party=Party(kind=PartyKind.INDIVIDUAL, name="张三"), org_unit=carrier.branch
    )
    assert find_duplicates(carrier["admin"], other_person, addresses=[("杭州市", "文一路 1 号")]) == [
        (existing, DuplicateReason.NAME_ADDRESS)
    ]
    assert find_duplicates(carrier["admin"], other_person, addresses=[("宁波", "文一路1号")]) == []


# --- history --------------------------------------------------------------------------------------


def test_history_lists_field_changes_with_who_and_masks(carrier):
    clerk, manager = carrier["clerk"], carrier["branch_manager"]
    c = searchable(carrier.branch, "张三", owner=clerk, phone="13812345678")
    c = Customer.objects.get(pk=c.pk)
    c.name = "张三丰"
    c.primary_phone = "13987654321"
    c.status = CustomerStatus.SUSPENDED
    c._history_user = clerk
    c.save()
    medium = ContactMedium(customer=c, kind=MediumKind.MOBILE, value="13700001111")
    medium._history_user = manager
    medium.save()
    address = Address(customer=c, province="浙江", city="杭州", street="文一路1号")
    address.save()
    address.street = "文二路2号"
    address._history_user = manager
    address.save()
    c.tags.add(Tag.objects.create(code="vip-care", name="贵宾关怀"))

    changes = customer_history(manager, c)
    with translation.override("en"):
        by_field = {str(ch.field): ch for ch in changes if ch.action == "~"}
        sections = [(ch, str(ch.section)) for ch in changes]
    assert (by_field["Name"].old, by_field["Name"].new, by_field["Name"].who) == ("张三", "张三丰", clerk)
    assert (by_field["Primary phone"].old, by_field["Primary phone"].new) == ("138****5678", "139****4321")
    assert str(by_field["Status"].new) == str(CustomerStatus.SUSPENDED.label)
    assert (by_field["Street"].old, by_field["Street"].new, by_field["Street"].who) == (
        "文一路1号",
        "文二路2号",
        manager,
    )
    assert by_field["Tags"].new == "贵宾关怀"
    added = [ch for ch, section in sections if ch.action == "+" and section.startswith("Contact medium")]
    assert added and added[0].new == "137****1111" and added[0].who == manager
    when, who, field, old, new = changes[0]  # unpacks as a 5-tuple, newest first
    assert (when, who, field, old, new) == (
        changes[0].when,
        changes[0].who,
        changes[0].field,
        changes[0].old,
        changes[0].new,
    )
    assert when == max(ch.when for ch in changes)
    text = repr([tuple(ch) for ch in changes])
    assert "13812345678" not in text and "13987654321" not in text and "13700001111" not in text


def test_history_is_scoped(carrier):
    other = searchable(carrier.other_branch, owner=carrier["other_clerk"])
    with pytest.raises(NotFoundInScope):
        customer_history(carrier["clerk"], other)
