"""A line's inventory record registered and corrected by hand (customers.actions.line_records)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from telcrm.customers.actions.line_records import subscription_create, subscription_update
from telcrm.customers.models import CustomerStatus, Subscription
from telcrm.customers.testing import make_customer
from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(carrier):
    """A branch manager granted the inventory permissions (as an integration user would be)."""
    user = make_user("keeper", "branch_manager", carrier.branch)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="customers", codename__in=["add_subscription", "change_subscription"]
        )
    )
    return user


@pytest.fixture
def customer(carrier):
    return make_customer(carrier.branch, name="赵六", owner=carrier["clerk"])


def register(keeper, customer, **kw):
    kw.setdefault("msisdn", "13905710001")
    return subscription_create(
        actor=keeper, customer=customer, offer_code="5G-128", offer_name="5G畅享", **kw
    )


def codes(exc_info) -> dict[str, str]:
    return {field: errors[0].code for field, errors in exc_info.value.error_dict.items()}


def test_register_with_defaults_and_audit(keeper, customer):
    sub = register(keeper, customer, msisdn="139 0571 0001", monthly_fee="128.00")
    assert (sub.msisdn, sub.status, sub.monthly_fee) == ("13905710001", "active", Decimal("128.00"))
    assert sub.account == customer.accounts.first() and sub.activated_at is not None
    assert (sub.org_unit, sub.owner) == (customer.org_unit, customer.owner)
    assert AuditLog.objects.filter(action="subscription.create", object_id=str(sub.pk)).exists()
    pending = register(keeper, customer, msisdn="BB0571000001", status="pending")
    assert pending.activated_at is None


def test_register_reports_every_bad_field(keeper, customer, carrier):
    other = make_customer(carrier.branch, owner=carrier["clerk"])
    with pytest.raises(ValidationError) as exc:
        register(
            keeper,
            customer,
            msisdn="12345678901",
            iccid="123",
            monthly_fee="-1",
            status="terminated",
            account=other.accounts.first(),
            commitment_end="soon",
        )
    assert codes(exc) == {
        "msisdn": "invalid_mobile",
        "iccid": "invalid",
        "monthly_fee": "invalid",
        "status": "invalid_choice",
        "account": "invalid",
        "commitment_end": "invalid",
    }
    assert not Subscription.objects.exists()


def test_a_number_and_a_sim_are_on_one_live_line(keeper, customer):
    first = register(keeper, customer, iccid="89860012345678901234")
    with pytest.raises(ValidationError) as exc:
        register(keeper, customer, iccid="89860012345678901234")
    assert codes(exc) == {"msisdn": "in_use", "iccid": "in_use"}
    subscription_update(actor=keeper, subscription=first, status="terminated")
    assert register(keeper, customer, iccid="89860012345678901234").pk != first.pk


def test_permission_scope_and_open_customer(keeper, customer, carrier):
    with pytest.raises(AccessDenied):
        register(carrier["clerk"], customer)
    stranger = make_customer(carrier.other_branch)
    with pytest.raises(NotFoundInScope):
        register(keeper, stranger)
    customer.status = CustomerStatus.CLOSED
    customer.save()
    with pytest.raises(ValidationError) as exc:
        register(keeper, customer)
    assert codes(exc) == {"customer": "closed"}


def test_corrections_follow_the_status_moves(keeper, customer):
    sub = register(keeper, customer, msisdn="BB0571000002", status="pending")
    sub = subscription_update(
        actor=keeper, subscription=sub, status="active", commitment_end=dt.date(2027, 1, 31)
    )
    assert (
        sub.status == "active" and sub.activated_at is not None and sub.commitment_end == dt.date(2027, 1, 31)
    )
    with pytest.raises(ValidationError) as exc:
        subscription_update(actor=keeper, subscription=sub, status="pending")
    assert codes(exc) == {"status": "invalid_transition"}
    subscription_update(actor=keeper, subscription=sub, status="terminated")
    with pytest.raises(ValidationError) as exc:
        subscription_update(actor=keeper, subscription=sub, status="active")
    assert codes(exc) == {"status": "invalid_transition"}
    with pytest.raises(ValidationError) as exc:
        subscription_update(actor=keeper, subscription=sub, msisdn="13905719999")
    assert codes(exc) == {"msisdn": "read_only"}
    assert AuditLog.objects.filter(action="subscription.update", object_id=str(sub.pk)).count() == 2
