"""customer_merge moves everything of the duplicate to the survivor; customer_unmerge puts exactly
that back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from telcrm.customers import actions
from telcrm.customers.models import (
    Account,
    Address,
    BlacklistEntry,
    ContactMedium,
    ContactPerson,
    Customer,
    Interaction,
    Merge,
    Subscription,
    Tag,
    UpdateRequest,
)
from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.models import AuditLog

from ._domain_fixtures import error_codes, register, resident_id

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
ADDRESS = {"province": "浙江省", "city": "杭州市", "street": "文三路1号"}


def refused(fn, **kw) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        fn(**kw)
    return error_codes(info.value)


def owned(customer) -> dict[str, set[int]]:
    """Ids of every row hanging off ``customer``, by kind."""
    return {
        "media": set(ContactMedium.objects.filter(customer=customer).values_list("pk", flat=True)),
        "addresses": set(Address.objects.filter(customer=customer).values_list("pk", flat=True)),
        "people": set(ContactPerson.objects.filter(customer=customer).values_list("pk", flat=True)),
        "accounts": set(Account.objects.filter(customer=customer).values_list("pk", flat=True)),
        "lines": set(Subscription.objects.filter(customer=customer).values_list("pk", flat=True)),
        "interactions": set(Interaction.objects.filter(customer=customer).values_list("pk", flat=True)),
        "blacklist": set(BlacklistEntry.objects.filter(customer=customer).values_list("pk", flat=True)),
        "requests": set(UpdateRequest.objects.filter(customer=customer).values_list("pk", flat=True)),
        "members": set(Customer.objects.filter(parent=customer).values_list("pk", flat=True)),
        "tags": set(customer.tags.values_list("pk", flat=True)),
    }


def primary_flags(customer) -> dict[int, bool]:
    rows = [*ContactMedium.objects.filter(customer=customer), *Address.objects.filter(customer=customer)]
    return {(r._meta.model_name, r.pk): r.is_primary for r in rows}


@pytest.fixture
def pair(carrier):
    """Two enterprise records of the same company in the branch, each with rows of every kind."""
    am, manager = carrier["account_manager"], carrier["branch_manager"]
    vip, student = Tag.objects.create(code="vip", name="VIP"), Tag.objects.create(code="gov", name="政府")
    group = register(am, customer_type="group", name="某集团")
    keep = register(
        am, customer_type="enterprise", name="某公司", phone="13900000001", tags=[vip], address=ADDRESS
    )
    dup = register(
        am, customer_type="enterprise", name="某公司（重复）", phone="13900000002", email="dup@example.com",
        address={**ADDRESS, "street": "文二路2号"}, tags=[vip, student],
    )  # fmt: skip
    Customer.objects.filter(pk=dup.pk).update(tenure_start=TODAY - dt.timedelta(days=3650))
    actions.contact_person_save(actor=am, customer=dup, name="王经理")
    Subscription.objects.create(
        customer=dup,
        account=dup.accounts.get(),
        msisdn="13900000002",
        offer_code="X",
        offer_name="X",
        org_unit=dup.org_unit,
    )
    actions.interaction_record(actor=am, customer=dup, channel="counter", kind="visit", summary="来访")
    actions.blacklist_add(actor=manager, customer=dup, reason_code="arrears", effect="warn", valid_from=TODAY)
    actions.update_request_submit(customer=dup, changes={"email": "new@example.com"})
    member = register(am, customer_type="enterprise", name="子公司")
    Customer.objects.filter(pk=member.pk).update(parent=dup)
    Customer.objects.filter(pk=dup.pk).update(customer_type="group")
    return keep, Customer.objects.get(pk=dup.pk), group


def test_merge_moves_every_row_and_marks_the_duplicate(carrier, pair):
    keep, dup, _group = pair
    manager = carrier["branch_manager"]
    had, lost = owned(keep), owned(dup)
    flags_keep = primary_flags(keep)
    merge = actions.customer_merge(actor=manager, survivor=keep, duplicate=dup)
    now = owned(keep)
    for kind in had:
        assert now[kind] == had[kind] | lost[kind], kind
    assert all(not ids for kind, ids in owned(dup).items() if kind != "tags")
    dup.refresh_from_db()
    keep.refresh_from_db()
    assert dup.status == "merged" and dup.merged_into == keep
    assert merge.moved["customers.contactmedium"] == sorted(lost["media"])
    assert merge.moved["customers.customer"] == sorted(lost["members"])
    # the survivor keeps its own primaries; the duplicate's become secondary where they clash
    assert {k for k, primary in primary_flags(keep).items() if primary} >= {
        k for k, primary in flags_keep.items() if primary
    }
    assert Address.objects.filter(customer=keep, is_primary=True).count() == 1
    assert ContactMedium.objects.filter(customer=keep, kind="mobile", is_primary=True).count() == 1
    assert ContactMedium.objects.get(customer=keep, kind="email").is_primary  # the only e-mail stays primary
    assert keep.primary_phone.reveal_unaudited() == "13900000001"
    assert keep.tenure_start == TODAY - dt.timedelta(days=3650)
    assert AuditLog.objects.filter(action="customer.merge", object_id=str(keep.pk)).exists()
    assert AuditLog.objects.filter(action="customer.merged_into", object_id=str(dup.pk)).exists()


def test_unmerge_restores_exactly_what_was_moved(carrier, pair):
    keep, dup, _group = pair
    before_keep, before_dup = owned(keep), owned(dup)
    flags = {**primary_flags(keep), **primary_flags(dup)}
    tenure = keep.tenure_start
    merge = actions.customer_merge(actor=carrier["branch_manager"], survivor=keep, duplicate=dup)
    later = actions.interaction_record(
        actor=carrier["branch_manager"], customer=keep, channel="phone", kind="call", summary="合并后来电"
    )
    with pytest.raises(AccessDenied):
        actions.customer_unmerge(actor=carrier["branch_manager"], merge=merge)
    actions.customer_unmerge(actor=carrier["admin"], merge=merge)
    after_keep = owned(keep)
    assert after_keep == {**before_keep, "interactions": before_keep["interactions"] | {later.pk}}
    assert owned(dup) == before_dup
    assert {**primary_flags(keep), **primary_flags(dup)} == flags
    dup.refresh_from_db()
    keep.refresh_from_db()
    assert dup.status == "active" and dup.merged_into is None
    assert keep.tenure_start == tenure
    assert dup.primary_phone.reveal_unaudited() == "13900000002"
    merge.refresh_from_db()
    assert merge.reverted_by == carrier["admin"] and merge.reverted_at is not None
    assert refused(actions.customer_unmerge, actor=carrier["admin"], merge=merge) == {"merge": ["reverted"]}
    assert AuditLog.objects.filter(action__in=["customer.unmerge", "customer.unmerged"]).count() == 2


def test_unmerge_after_a_later_merge_of_the_survivor_is_refused(carrier):
    manager = carrier["branch_manager"]
    a, b, c = register(manager), register(manager), register(manager)
    first = actions.customer_merge(actor=manager, survivor=b, duplicate=a)
    actions.customer_merge(actor=manager, survivor=c, duplicate=b)
    assert refused(actions.customer_unmerge, actor=carrier["admin"], merge=first) == {
        "merge": ["merged_later"]
    }


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("same", {"duplicate": ["same"]}),
        ("types", {"duplicate": ["type_mismatch"]}),
        ("ids", {"duplicate": ["different_person"]}),
        ("keep_unregistered", {"survivor": ["keep_registered"]}),
        ("closed_survivor", {"survivor": ["closed"]}),
        ("merged_duplicate", {"duplicate": ["merged"]}),
    ],
)
def test_merge_rules(carrier, setup, expected):
    m = carrier["branch_manager"]
    keep, dup = register(m), register(m)
    if setup == "same":
        dup = keep
    elif setup == "types":
        dup = register(m, customer_type="enterprise", name="公司")
    elif setup == "ids":
        keep = register(m, id_doc_type="id_card", id_number=resident_id())
        dup = register(m, id_doc_type="id_card", id_number=resident_id())
    elif setup == "keep_unregistered":
        dup = register(m, id_doc_type="id_card", id_number=resident_id())
    elif setup == "closed_survivor":
        actions.customer_update(actor=m, customer=keep, status="closed", reason="销户")
    elif setup == "merged_duplicate":
        actions.customer_merge(actor=m, survivor=register(m), duplicate=dup)
    assert refused(actions.customer_merge, actor=m, survivor=keep, duplicate=dup) == expected
    assert Merge.objects.filter(survivor=keep).count() == 0


def test_merge_needs_the_permission_and_both_customers_in_scope(carrier):
    clerk, manager = carrier["clerk"], carrier["branch_manager"]
    keep, dup = register(clerk), register(clerk)
    with pytest.raises(AccessDenied):
        actions.customer_merge(actor=clerk, survivor=keep, duplicate=dup)
    foreign = register(carrier["other_clerk"])
    with pytest.raises(NotFoundInScope):
        actions.customer_merge(actor=manager, survivor=keep, duplicate=foreign)
    assert Customer.objects.get(pk=foreign.pk).status == "active"


def test_same_person_registered_twice_can_be_merged(carrier):
    manager = carrier["branch_manager"]
    number = resident_id()
    keep = register(manager, id_doc_type="id_card", id_number=number)
    dup = register(
        carrier["admin"],
        id_doc_type="id_card",
        id_number=number,
        allow_duplicate=True,
        org_unit=carrier.branch,
    )
    actions.customer_merge(actor=manager, survivor=keep, duplicate=dup)
    assert Customer.objects.get(pk=dup.pk).status == "merged"


def test_rows_follow_the_survivors_unit_and_go_back_on_unmerge(carrier):
    admin = carrier["admin"]
    keep = register(admin, org_unit=carrier.branch)
    dup = register(admin, org_unit=carrier.other_branch)
    account = dup.accounts.get()
    merge = actions.customer_merge(actor=admin, survivor=keep, duplicate=dup)
    assert Account.objects.get(pk=account.pk).org_unit == carrier.branch
    actions.customer_unmerge(actor=admin, merge=merge)
    assert Account.objects.get(pk=account.pk).org_unit == carrier.other_branch


def test_a_module_registers_its_rows_to_move(carrier, monkeypatch):
    from telcrm.customers.actions import merge as merge_module

    monkeypatch.setattr(merge_module, "MERGE_RELATIONS", list(merge_module.MERGE_RELATIONS))
    calls = []
    merge_module.register_merge_relation("customers.CreditChange", "customer")
    merge_module.register_merge_relation("customers.CreditChange", "customer")  # idempotent
    calls.append(merge_module.MERGE_RELATIONS.count(("customers.CreditChange", "customer")))
    m = carrier["branch_manager"]
    keep, dup = register(m), register(m)
    change = actions.credit_set(actor=m, customer=dup, level=4, reason="良好")
    merge = actions.customer_merge(actor=m, survivor=keep, duplicate=dup)
    assert calls == [1] and change.__class__.objects.get(pk=change.pk).customer_id == keep.pk
    assert merge.moved["customers.creditchange"] == [change.pk]
