"""Group tariffs (个性化资费和优惠): approval above the threshold parameter, never by the requester,
effective percentage of amounts and special prices, scope, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from telcrm.catalog import actions
from telcrm.catalog.models import GroupTariff, TariffStatus
from telcrm.customers.models import CustomerType
from telcrm.customers.testing import make_customer
from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.models import AuditLog, Notification, Parameter
from telcrm.platform.parameters import invalidate

from ._fixtures import category, group_customer, offering

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 1, 1)


@pytest.fixture
def plan(carrier):
    return offering(carrier["admin"], "ENT-158", monthly=15800)


@pytest.fixture
def group(carrier):
    return group_customer(carrier)


def request(carrier, customer, *, actor=None, **kw):
    kw.setdefault("name", "集团优惠")
    kw.setdefault("offering_code", "ENT-158")
    kw.setdefault("valid_from", DAY)
    return actions.tariff_create(actor=actor or carrier["account_manager"], customer=customer, **kw)


def set_threshold(value: str) -> None:
    Parameter.objects.filter(key="catalog.discount_approval_threshold_percent").update(value=value)
    invalidate()


def test_within_the_threshold_it_is_approved_on_submission(carrier, plan, group):
    t = request(carrier, group, kind="percent_off", value=10)  # default threshold 10%
    assert (t.status, t.needs_approval, t.effective_percent) == (
        TariffStatus.APPROVED,
        False,
        Decimal("10.00"),
    )
    assert t.approved_by is None and t.requested_by == carrier["account_manager"]
    assert AuditLog.objects.filter(action="catalog.tariff.create", object_id=str(t.pk)).exists()


def test_above_the_threshold_it_waits_and_the_requester_cannot_approve(carrier, plan, group):
    t = request(carrier, group, kind="percent_off", value=11)
    assert t.status == TariffStatus.PENDING and t.needs_approval
    # the branch manager above the customer's branch is told
    assert Notification.objects.filter(recipient=carrier["branch_manager"]).exists()
    with pytest.raises(AccessDenied):
        actions.tariff_approve(actor=carrier["account_manager"], tariff=t)  # no permission
    # a manager who requested it themselves may not approve it either
    own = request(carrier, group, actor=carrier["branch_manager"], kind="percent_off", value=30)
    with pytest.raises(AccessDenied):
        actions.tariff_approve(actor=carrier["branch_manager"], tariff=own)
    approved = actions.tariff_approve(actor=carrier["admin"], tariff=own, note="同意")
    assert (approved.status, approved.approved_by) == (TariffStatus.APPROVED, carrier["admin"])
    done = actions.tariff_approve(actor=carrier["branch_manager"], tariff=t)
    assert done.status == TariffStatus.APPROVED
    assert AuditLog.objects.filter(action="catalog.tariff.approve", object_id=str(t.pk)).exists()


def test_the_threshold_is_a_parameter(carrier, plan, group):
    set_threshold("25")
    assert request(carrier, group, kind="percent_off", value=20).status == TariffStatus.APPROVED
    set_threshold("0")
    assert request(carrier, group, kind="percent_off", value=1).status == TariffStatus.PENDING


def test_amounts_and_special_prices_count_as_their_percentage_of_the_list_price(carrier, plan, group):
    off = request(carrier, group, kind="amount_off_fen", value=1580)  # 10% of ¥158
    assert (off.effective_percent, off.status) == (Decimal("10.00"), TariffStatus.APPROVED)
    special = request(carrier, group, kind="special_price_fen", value=12800)  # ¥158 → ¥128: 18.99%
    assert (special.effective_percent, special.status) == (Decimal("18.99"), TariffStatus.PENDING)
    with pytest.raises(ValidationError) as exc:
        request(carrier, group, kind="special_price_fen", value=20000)
    assert [e.code for e in exc.value.error_dict["value"]] == ["not_lower"]


def test_a_category_tariff_is_judged_by_its_largest_discount(carrier, group):
    admin = carrier["admin"]
    cat = category(admin, "ent")
    offering(admin, "A", monthly=10000, categories=[cat])
    offering(admin, "B", monthly=5000, categories=[cat])
    t = request(carrier, group, offering_code="", category=cat, kind="amount_off_fen", value=1000)
    assert t.effective_percent == Decimal("20.00")  # ¥10 off ¥50


def test_rejecting_needs_a_note_and_a_rejected_tariff_can_be_changed_and_resubmitted(carrier, plan, group):
    t = request(carrier, group, kind="percent_off", value=30)
    with pytest.raises(ValidationError) as exc:
        actions.tariff_reject(actor=carrier["branch_manager"], tariff=t, note="")
    assert list(exc.value.error_dict) == ["note"]
    t = actions.tariff_reject(actor=carrier["branch_manager"], tariff=t, note="超出授权")
    assert t.status == TariffStatus.REJECTED
    with pytest.raises(ValidationError):
        actions.tariff_approve(actor=carrier["admin"], tariff=t)
    t = actions.tariff_update(actor=carrier["account_manager"], tariff=t, value=8)
    assert t.status == TariffStatus.DRAFT
    t = actions.tariff_submit(actor=carrier["account_manager"], tariff=t)
    assert t.status == TariffStatus.APPROVED


def test_only_enterprise_and_group_customers_in_scope(carrier, plan):
    person = make_customer(carrier.branch, name="个人客户", owner=carrier["account_manager"])
    with pytest.raises(ValidationError) as exc:
        request(carrier, person, kind="percent_off", value=5)
    assert [e.code for e in exc.value.error_dict["customer"]] == ["not_group"]
    far = make_customer(carrier.other_branch, name="宁波集团", customer_type=CustomerType.GROUP)
    with pytest.raises(ValidationError) as exc:
        request(carrier, far, kind="percent_off", value=5)
    assert list(exc.value.error_dict) == ["customer"]
    with pytest.raises(AccessDenied):
        request(carrier, far, actor=carrier["clerk"], kind="percent_off", value=5)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"kind": "percent_off", "value": 0}, {"value"}),
        ({"kind": "percent_off", "value": 101}, {"value"}),
        ({"kind": "cashback", "value": 5}, {"kind"}),
        ({"kind": "percent_off", "value": 5, "offering_code": ""}, {"offering_code"}),
        ({"kind": "percent_off", "value": 5, "offering_code": "NOPE"}, {"offering_code"}),
        ({"kind": "percent_off", "value": 5, "valid_to": dt.date(2025, 1, 1)}, {"valid_to"}),
        ({"kind": "percent_off", "value": 5, "valid_to": dt.date(2030, 1, 1)}, {"valid_to"}),
        ({"kind": "percent_off", "value": 5, "name": ""}, {"name"}),
    ],
)
def test_bad_input_names_the_field(carrier, plan, group, data, fields):
    with pytest.raises(ValidationError) as exc:
        request(carrier, group, **data)
    assert set(exc.value.error_dict) == fields


def test_managers_see_and_decide_only_in_their_scope(carrier, plan, group):
    t = request(carrier, group, kind="percent_off", value=30)
    with pytest.raises(NotFoundInScope):
        actions.tariff_approve(actor=carrier["other_branch_manager"], tariff=t)
    assert not GroupTariff.objects.restrict(carrier["other_branch_manager"]).filter(pk=t.pk).exists()
    assert GroupTariff.objects.restrict(carrier["branch_manager"]).filter(pk=t.pk).exists()


def test_revoking_and_expiring(carrier, plan, group):
    t = request(carrier, group, kind="percent_off", value=5, valid_to=dt.date(2026, 12, 31))
    with pytest.raises(ValidationError):
        actions.tariff_revoke(actor=carrier["admin"], tariff=t, note="")
    assert actions.tariffs_expire(today=dt.date(2027, 1, 1)) == 1
    t.refresh_from_db()
    assert t.status == TariffStatus.EXPIRED
