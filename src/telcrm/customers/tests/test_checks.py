"""order_eligibility: one answer with one reason for every rule; limits come from parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from telcrm.customers import actions
from telcrm.customers.checks import Check, order_eligibility
from telcrm.customers.models import Account, BlacklistEntry, Customer, Subscription
from telcrm.platform import parameters
from telcrm.platform.actions import parameter_update
from telcrm.platform.models import Parameter
from telcrm.platform.testing import count_queries

from ._domain_fixtures import register, resident_id

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def set_param(carrier, key, value):
    parameter_update(actor=carrier["admin"], parameter=Parameter.objects.get(key=key), value=value)
    parameters.invalidate()


@pytest.fixture
def verified(carrier):
    """A customer whose real name is verified, in the clerk's branch, with credit level 3."""
    return register(carrier["branch_manager"], id_doc_type="id_card", id_number=resident_id(), verify_id=True)


def lines(customer, n, status="active"):
    account = customer.accounts.first()
    for i in range(n):
        Subscription.objects.create(
            customer=customer,
            account=account,
            msisdn=f"139{customer.pk:04d}{i:04d}",
            offer_code="X",
            offer_name="X",
            status=status,
            org_unit=customer.org_unit,
        )


def blacklist(carrier, customer, effect, **kw):
    kw.setdefault("valid_from", TODAY)
    return actions.blacklist_add(
        actor=carrier["branch_manager"], customer=customer, reason_code="fraud", effect=effect, **kw
    )


def answer(customer, order_type="new_line") -> tuple[bool, str]:
    check = order_eligibility(customer, order_type=order_type)
    assert isinstance(check, Check) and check.reason  # always a reason in words
    return check.ok, check.code


def test_a_clean_verified_customer_may_order(verified):
    check = order_eligibility(verified)
    assert check == Check(True, "ok", check.reason) and bool(check)


def test_status_refuses(carrier, verified):
    manager = carrier["branch_manager"]
    actions.customer_update(actor=manager, customer=verified, status="suspended", reason="出国")
    assert answer(verified) == (False, "suspended")
    actions.customer_update(actor=manager, customer=verified, status="closed", reason="销户")
    assert answer(verified, "plan_change") == (False, "closed")
    other = register(manager)
    actions.customer_merge(actor=manager, survivor=register(manager), duplicate=other)
    ok, code = answer(other)
    assert (ok, code) == (False, "merged")
    assert Customer.objects.get(pk=other.pk).merged_into.customer_no in order_eligibility(other).reason


def test_block_all_refuses_every_order(carrier, verified):
    blacklist(carrier, verified, "block_all")
    for order_type in ("new_line", "plan_change", "termination", "sim_swap"):
        assert answer(verified, order_type) == (False, "blacklisted")


def test_block_new_refuses_new_business_and_warns_otherwise(carrier, verified):
    blacklist(carrier, verified, "block_new")
    for order_type in ("new_line", "add_on", "number_port", "broadband"):
        assert answer(verified, order_type) == (False, "blacklisted")
    assert answer(verified, "plan_change") == (True, "blacklist_warning")
    set_param(carrier, "customers.blacklist_block_new_order_types", ["new_line", "plan_change"])
    assert answer(verified, "plan_change") == (False, "blacklisted")
    assert answer(verified, "add_on") == (True, "blacklist_warning")


def test_warn_lets_the_order_through_with_a_warning(carrier, verified):
    blacklist(carrier, verified, "warn")
    check = order_eligibility(verified)
    assert (check.ok, check.code) == (True, "blacklist_warning")
    assert "通信诈骗" in check.reason or "fraud" in check.reason.lower()


def test_a_warning_gives_way_to_a_refusal(carrier, verified):
    blacklist(carrier, verified, "warn")
    Account.objects.filter(customer=verified).update(arrears=Decimal("50"))
    assert answer(verified) == (False, "arrears")


def test_blacklist_of_the_person_applies_to_a_second_customer_with_the_same_id(carrier):
    admin, manager = carrier["admin"], carrier["branch_manager"]
    number = resident_id()
    first = register(manager, id_doc_type="id_card", id_number=number, verify_id=True)
    blacklist(carrier, first, "block_all")
    second = register(
        admin,
        id_doc_type="id_card",
        id_number=number,
        verify_id=True,
        allow_duplicate=True,
        org_unit=carrier.branch,
    )
    assert answer(second) == (False, "blacklisted")
    with translation.override("zh-hans"):
        assert "其他客户" in order_eligibility(second).reason
    with translation.override("en"):
        assert "under another customer" in order_eligibility(second).reason


def test_lifted_expired_and_future_entries_do_not_count(carrier, verified):
    entry = blacklist(carrier, verified, "block_all")
    actions.blacklist_lift(actor=carrier["branch_manager"], entry=entry, reason="误报")
    BlacklistEntry.objects.create(
        customer=verified,
        reason_code="fraud",
        effect="block_all",
        valid_from=TODAY - dt.timedelta(days=30),
        valid_to=TODAY - dt.timedelta(days=1),
        org_unit=verified.org_unit,
    )
    blacklist(carrier, verified, "block_new", valid_from=TODAY + dt.timedelta(days=1))
    assert answer(verified) == (True, "ok")


def test_real_name_is_required_for_a_new_line_only(carrier):
    c = register(carrier["branch_manager"], id_doc_type="id_card", id_number=resident_id())  # not verified
    assert answer(c) == (False, "real_name_required")
    assert answer(c, "plan_change") == (True, "ok")
    actions.real_name_verify(
        actor=carrier["branch_manager"],
        customer=c,
        id_doc_type="id_card",
        id_number=c.party.id_number.reveal_unaudited(),
    )
    assert answer(c) == (True, "ok")


def test_credit_below_the_parameter_refuses_a_new_line(carrier, verified):
    actions.credit_set(actor=carrier["branch_manager"], customer=verified, level=1, reason="欠费")
    assert answer(verified) == (False, "credit_too_low")
    assert answer(verified, "plan_change") == (True, "ok")
    set_param(carrier, "customers.min_credit_for_new_line", 1)
    assert answer(verified) == (True, "ok")


def test_arrears_above_the_parameter_refuse_any_order(carrier, verified):
    account = verified.accounts.first()
    second = actions.account_create(actor=carrier["branch_manager"], customer=verified, name="宽带")
    Account.objects.filter(pk=account.pk).update(arrears=Decimal("30"))
    Account.objects.filter(pk=second.pk).update(arrears=Decimal("30"))
    assert answer(verified, "plan_change") == (False, "arrears")
    assert "60.00" in order_eligibility(verified).reason
    set_param(carrier, "customers.max_arrears_for_order", "60")
    assert answer(verified, "plan_change") == (True, "ok")


def test_lines_per_id_number_count_every_customer_of_the_person(carrier):
    admin, manager = carrier["admin"], carrier["branch_manager"]
    number = resident_id()
    first = register(manager, id_doc_type="id_card", id_number=number, verify_id=True)
    second = register(
        admin,
        id_doc_type="id_card",
        id_number=number,
        verify_id=True,
        allow_duplicate=True,
        org_unit=carrier.branch,
    )
    lines(first, 3)
    lines(second, 1, status="suspended")
    lines(second, 2, status="terminated")
    assert answer(second) == (True, "ok")  # 4 held, terminated lines do not count
    lines(first, 1, status="pending")
    assert answer(second) == (False, "line_limit")
    assert answer(second, "number_port") == (False, "line_limit")
    assert answer(second, "plan_change") == (True, "ok")
    set_param(carrier, "customers.max_lines_per_id", 6)
    assert answer(first) == (True, "ok")


def test_lines_of_a_customer_without_id_count_on_the_customer(carrier):
    c = register(carrier["branch_manager"])
    set_param(carrier, "customers.real_name_order_types", [])
    lines(c, 5)
    assert answer(c) == (False, "line_limit")


def test_a_malformed_list_parameter_falls_back_to_the_default(carrier, verified):
    Parameter.objects.filter(key="customers.blacklist_block_new_order_types").update(value={"not": "a list"})
    parameters.invalidate()
    blacklist(carrier, verified, "block_new")
    assert answer(verified) == (False, "blacklisted")


def test_the_check_costs_a_fixed_number_of_queries(carrier, verified):
    lines(verified, 3)
    blacklist(carrier, verified, "warn")
    order_eligibility(verified)  # warm the parameter and dictionary caches
    with count_queries() as q:
        order_eligibility(verified)
    assert len(q) <= 4
