"""Every transition of a number, every forbidden one, the database invariants, and the scheduled
expiry and cooling work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from telcrm.customers.testing import make_customer
from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.models import AuditLog
from telcrm.platform.parameters import param
from telcrm.resources import actions, tasks
from telcrm.resources.actions import _common
from telcrm.resources.models import Number, NumberEvent, NumberState

pytestmark = pytest.mark.django_db

HZ = "13805710012"  # a Hangzhou number of the pool fixture
NB = "13805740012"


def _field_error(exc_info, field="number") -> str:
    err = exc_info.value
    assert field in err.error_dict, err
    return err.error_dict[field][0].code


@pytest.fixture
def customer(carrier):
    return make_customer(carrier.branch, owner=carrier["clerk"], name="号码客户")


# --- free → reserved ------------------------------------------------------------------------------
def test_reserve_holds_the_number_for_the_configured_time(pool, carrier):
    clerk = carrier["clerk"]
    before = timezone.now()
    n = actions.number_reserve(clerk, HZ, reference="ORD1")
    assert n.state == NumberState.RESERVED and n.reserved_by == clerk and n.reservation_ref == "ORD1"
    minutes = param("resources.reservation_minutes")
    assert (
        before + dt.timedelta(minutes=minutes)
        <= n.reserved_until
        <= timezone.now() + dt.timedelta(minutes=minutes)
    )
    stored = pool.number(HZ)
    assert (stored.state, stored.reserved_by_id, stored.reserved_until) == (
        "reserved",
        clerk.pk,
        n.reserved_until,
    )
    event = NumberEvent.objects.get(number=stored)
    assert (event.action, event.from_state, event.to_state, event.actor, event.reference) == (
        "reserve",
        "free",
        "reserved",
        clerk,
        "ORD1",
    )
    audit = AuditLog.objects.get(action="number.reserve")
    # filed under the clerk's branch, so the branch manager's audit search shows it
    assert (
        audit.actor == clerk and audit.object_id == str(stored.pk) and audit.org_unit_id == carrier.branch.pk
    )


def test_reserve_with_minutes_and_customer(pool, carrier, customer):
    n = actions.number_reserve(carrier["clerk"], HZ, minutes=120, customer=customer)
    assert n.customer == customer
    assert n.reserved_until - timezone.now() > dt.timedelta(minutes=119)
    with pytest.raises(ValidationError) as exc:
        actions.number_reserve(carrier["clerk"], "13805710013", minutes=10**6)
    assert _field_error(exc, "minutes") == "out_of_range"
    with pytest.raises(ValidationError) as exc:
        actions.number_reserve(carrier["clerk"], "13805710013", reference="x" * 41)
    assert _field_error(exc, "reference") == "max_length"


def test_a_reserved_number_cannot_be_reserved_again_by_anyone(pool, carrier):
    actions.number_reserve(carrier["clerk"], HZ)
    for user in (carrier["clerk"], carrier["branch_manager"], carrier["admin"]):
        with pytest.raises(ValidationError) as exc:
            actions.number_reserve(user, HZ)
        assert _field_error(exc) == "not_free"
    assert Number.objects.filter(state="reserved").count() == 1


def test_the_loser_of_a_race_gets_the_taken_error(pool, carrier, monkeypatch):
    """The compare-and-set decides: a clerk who read the number as free before someone else's commit
    finds the UPDATE matching nothing and is told the number was just taken."""
    real_fetch = _common.fetch
    import telcrm.resources.actions.numbers as numbers_module

    def stale_fetch(actor, number):
        row = real_fetch(actor, number)
        Number.objects.filter(pk=row.pk).update(  # someone else, between our read and our UPDATE
            state="reserved",
            reserved_by=carrier["branch_manager"],
            reserved_until=timezone.now() + dt.timedelta(minutes=5),
        )
        return row

    monkeypatch.setattr(numbers_module, "fetch", stale_fetch)
    with pytest.raises(ValidationError) as exc:
        actions.number_reserve(carrier["clerk"], HZ)
    assert _field_error(exc) == "taken"
    assert not NumberEvent.objects.filter(
        number__msisdn=HZ
    ).exists()  # (the simulated winner rolled back too)


def test_reservations_per_person_are_limited(pool, carrier, django_capture_on_commit_callbacks):
    from telcrm.platform.actions import parameter_update
    from telcrm.platform.models import Parameter

    limit = Parameter.objects.get(key="resources.max_reservations_per_user")
    with django_capture_on_commit_callbacks(execute=True):
        parameter_update(actor=carrier["admin"], parameter=limit, value=2)
    actions.number_reserve(carrier["clerk"], "13805710001")
    actions.number_reserve(carrier["clerk"], "13805710002")
    with pytest.raises(ValidationError) as exc:
        actions.number_reserve(carrier["clerk"], "13805710003")
    assert _field_error(exc) == "too_many"
    actions.number_reserve(carrier["branch_manager"], "13805710003")  # the limit is per person


def test_permissions_and_regions(pool, carrier):
    with pytest.raises(AccessDenied):
        actions.number_reserve(carrier["analyst"], HZ)  # may look, not reserve
    with pytest.raises(NotFoundInScope):
        actions.number_reserve(carrier["clerk"], NB)  # a Ningbo number for a Hangzhou clerk
    with pytest.raises(NotFoundInScope):
        actions.number_reserve(carrier["clerk"], "13999999999")
    actions.number_reserve(carrier["other_clerk"], NB)
    actions.number_reserve(carrier["clerk"], "19805700001")  # province numbers: both cities


# --- reserved → free -------------------------------------------------------------------------------
def test_release_by_holder_order_or_manager_only(pool, carrier):
    clerk, other = carrier["clerk"], carrier["account_manager"]
    actions.number_reserve(clerk, HZ, reference="ORD9")
    with pytest.raises(ValidationError) as exc:
        actions.number_release(other, HZ)
    assert _field_error(exc) == "not_holder"
    actions.number_release(other, HZ, reference="ORD9")  # the order holding it (its reference)
    assert pool.number(HZ).state == "free"

    actions.number_reserve(clerk, HZ)
    actions.number_release(carrier["branch_manager"], HZ)  # the branch manager's subtree holds the clerk
    actions.number_reserve(clerk, HZ)
    actions.number_release(carrier["admin"], HZ)  # a number administrator
    n = actions.number_reserve(clerk, HZ)
    n = actions.number_release(clerk, HZ)
    assert (n.state, n.reserved_by, n.reserved_until, n.reservation_ref, n.customer) == (
        "free",
        None,
        None,
        "",
        None,
    )
    assert list(
        NumberEvent.objects.filter(number=n, action="release").values_list("actor__username", flat=True)
    ) == [
        "clerk",
        "admin",
        "branch_manager",
        "account_manager",
    ]


def test_release_of_a_number_that_is_not_reserved(pool, carrier):
    with pytest.raises(ValidationError) as exc:
        actions.number_release(carrier["clerk"], HZ)
    assert _field_error(exc) == "invalid_state"


# --- → assigned -------------------------------------------------------------------------------------
def test_assign_a_reservation_of_the_same_order(pool, carrier, customer):
    actions.number_reserve(carrier["clerk"], HZ, reference="ORD1", customer=customer)
    with pytest.raises(ValidationError) as exc:
        actions.number_assign(carrier["clerk"], HZ, customer=customer, reference="ORD2")
    assert _field_error(exc) == "reserved_elsewhere"
    other = make_customer(carrier.branch, owner=carrier["clerk"], name="另一位")
    with pytest.raises(ValidationError) as exc:
        actions.number_assign(carrier["clerk"], HZ, customer=other, reference="ORD1")
    assert _field_error(exc, "customer") == "other_customer"
    n = actions.number_assign(carrier["clerk"], HZ, customer=customer, reference="ORD1")
    assert (n.state, n.customer, n.reserved_by, n.reserved_until) == ("assigned", customer, None, None)
    event = NumberEvent.objects.get(number=n, action="assign")
    assert (event.from_state, event.customer, event.reference) == ("reserved", customer, "ORD1")


def test_assign_a_free_number_directly_and_never_twice(pool, carrier, customer):
    n = actions.number_assign(carrier["clerk"], HZ, customer=customer)
    assert n.state == "assigned"
    other = make_customer(carrier.branch, owner=carrier["clerk"], name="另一位")
    with pytest.raises(ValidationError) as exc:
        actions.number_assign(carrier["clerk"], HZ, customer=other)
    assert _field_error(exc) == "not_free"
    with pytest.raises(ValidationError) as exc:
        actions.number_reserve(carrier["clerk"], HZ)
    assert _field_error(exc) == "not_free"
    assert pool.number(HZ).customer == customer


def test_assign_needs_a_customer_in_scope(pool, carrier, customer):
    with pytest.raises(ValidationError) as exc:
        actions.number_assign(carrier["clerk"], HZ, customer=None)
    assert _field_error(exc, "customer") == "required"
    stranger = make_customer(carrier.other_branch, owner=carrier["other_clerk"], name="宁波")
    with pytest.raises(ValidationError) as exc:
        actions.number_assign(carrier["clerk"], HZ, customer=stranger)
    assert _field_error(exc, "customer") == "invalid"
    closed = make_customer(carrier.branch, owner=carrier["clerk"], name="已销户", status="closed")
    with pytest.raises(ValidationError) as exc:
        actions.number_assign(carrier["clerk"], HZ, customer=closed)
    assert _field_error(exc, "customer") == "inactive"


def test_an_expired_reservation_cannot_be_assigned(pool, carrier, customer):
    actions.number_reserve(carrier["clerk"], HZ)
    Number.objects.filter(msisdn=HZ).update(reserved_until=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        actions.number_assign(carrier["clerk"], HZ, customer=customer)
    assert _field_error(exc) == "expired"


def test_someone_elses_reservation_without_order_cannot_be_assigned(pool, carrier, customer):
    actions.number_reserve(carrier["account_manager"], HZ)
    with pytest.raises(ValidationError) as exc:
        actions.number_assign(carrier["clerk"], HZ, customer=customer)
    assert _field_error(exc) == "reserved_elsewhere"


# --- assigned → quarantined → free ------------------------------------------------------------------
def test_quarantine_then_cooling_ends_on_schedule(pool, carrier, customer):
    n = actions.number_assign(carrier["clerk"], HZ, customer=customer)
    with pytest.raises(AccessDenied):
        actions.number_quarantine(carrier["analyst"], HZ)
    n = actions.number_quarantine(carrier["clerk"], HZ, reason="销户")
    days = param("resources.quarantine_days")
    assert n.state == "quarantined" and n.customer == customer
    assert n.quarantine_until - timezone.now() > dt.timedelta(days=days - 1)
    with pytest.raises(ValidationError):
        actions.number_reserve(carrier["clerk"], HZ)
    assert actions.quarantine_finish() == 0  # not due yet
    assert actions.quarantine_finish(now=n.quarantine_until + dt.timedelta(seconds=1)) == 1
    n.refresh_from_db()
    assert (n.state, n.customer, n.quarantine_until) == ("free", None, None)
    event = NumberEvent.objects.filter(number=n).first()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "cool",
        "quarantined",
        "free",
        None,
    )
    assert AuditLog.objects.filter(action="number.cool", after__numbers=[HZ]).exists()


def test_quarantine_needs_an_assigned_number(pool, carrier):
    with pytest.raises(ValidationError) as exc:
        actions.number_quarantine(carrier["clerk"], HZ)
    assert _field_error(exc) == "invalid_state"


# --- frozen ---------------------------------------------------------------------------------------
def test_freeze_and_unfreeze(pool, carrier, customer):
    admin = carrier["admin"]
    with pytest.raises(AccessDenied):
        actions.number_freeze(carrier["clerk"], HZ, reason="x")
    with pytest.raises(ValidationError) as exc:
        actions.number_freeze(admin, HZ, reason="  ")
    assert _field_error(exc, "reason") == "required"
    n = actions.number_freeze(admin, HZ, reason="预留给VIP")
    assert (n.state, n.frozen_reason) == ("frozen", "预留给VIP")
    with pytest.raises(ValidationError):
        actions.number_reserve(carrier["clerk"], HZ)
    with pytest.raises(ValidationError):
        actions.number_assign(carrier["clerk"], HZ, customer=customer)
    with pytest.raises(ValidationError):
        actions.number_freeze(admin, HZ, reason="again")
    n = actions.number_unfreeze(admin, HZ)
    assert (n.state, n.frozen_reason) == ("free", "")
    with pytest.raises(ValidationError):
        actions.number_unfreeze(admin, HZ)


def test_a_cooling_number_can_be_frozen_but_not_an_assigned_or_reserved_one(pool, carrier, customer):
    admin = carrier["admin"]
    actions.number_reserve(carrier["clerk"], HZ)
    with pytest.raises(ValidationError):
        actions.number_freeze(admin, HZ, reason="x")
    actions.number_release(carrier["clerk"], HZ)
    actions.number_assign(carrier["clerk"], HZ, customer=customer)
    with pytest.raises(ValidationError):
        actions.number_freeze(admin, HZ, reason="x")
    actions.number_quarantine(carrier["clerk"], HZ)
    n = actions.number_freeze(admin, HZ, reason="纠纷")
    assert (n.state, n.customer, n.quarantine_until) == ("frozen", None, None)


# --- the scheduled expiry -------------------------------------------------------------------------
def test_expired_reservations_go_back_to_the_pool_in_batches(pool, carrier):
    numbers = [f"138057100{i:02d}" for i in range(20, 27)]
    for m in numbers:
        actions.number_reserve(carrier["admin"], m, reference="ORDX")
    actions.number_reserve(carrier["clerk"], HZ)  # not due
    past = timezone.now() - dt.timedelta(minutes=1)
    Number.objects.filter(msisdn__in=numbers).update(reserved_until=past)
    assert actions.reservations_expire(batch=3) == 7
    assert set(Number.objects.filter(msisdn__in=numbers).values_list("state", flat=True)) == {"free"}
    assert pool.number(HZ).state == "reserved"
    assert NumberEvent.objects.filter(action="expire", reference="ORDX").count() == 7
    assert AuditLog.objects.filter(action="number.expire").count() == 3  # one record per batch
    assert actions.reservations_expire() == 0


def test_the_celery_tasks_run_the_scheduled_actions(pool, carrier, customer):
    actions.number_reserve(carrier["clerk"], HZ)
    actions.number_assign(carrier["clerk"], "13805710013", customer=customer)
    actions.number_quarantine(carrier["clerk"], "13805710013")
    Number.objects.filter(msisdn=HZ).update(reserved_until=timezone.now() - dt.timedelta(seconds=1))
    Number.objects.filter(msisdn="13805710013").update(
        quarantine_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert tasks.expire_reservations.delay().get() == 1
    assert tasks.finish_quarantine.delay().get() == 1
    assert set(Number.objects.filter(msisdn__in=[HZ, "13805710013"]).values_list("state", flat=True)) == {
        "free"
    }


# --- the database holds the invariants itself ------------------------------------------------------
@pytest.mark.parametrize(
    "changes",
    [
        {"state": "reserved"},  # no holder, no expiry
        {"state": "reserved", "reserved_until": timezone.now()},  # no holder
        {"state": "assigned"},  # no customer
        {"state": "quarantined"},  # no customer, no end
        {"state": "frozen"},  # no reason
        {"reserved_until": timezone.now()},  # a free number with an expiry
        {"reservation_ref": "ORD"},  # a free number with a reference
        {"frozen_reason": "x"},  # a free number with a reason
        {"state": "sold"},
        {"msisdn": "2380571001"},
    ],
)
def test_check_constraints_refuse_impossible_rows(pool, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        Number.objects.filter(msisdn=HZ).update(**changes)


def test_check_constraints_need_the_customer_of_an_assigned_number(pool, carrier, customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Number.objects.filter(msisdn=HZ).update(state="free", customer=customer)
    Number.objects.filter(msisdn=HZ).update(state="assigned", customer=customer)  # the valid shape


def test_history_is_append_only(pool, carrier):
    actions.number_reserve(carrier["clerk"], HZ)
    event = NumberEvent.objects.get()
    with pytest.raises(RuntimeError):
        event.save()
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic():
        NumberEvent.objects.filter(pk=event.pk).update(note="rewritten")


def test_beat_runs_the_expiry_and_the_cooling():
    from django.conf import settings

    from telcrm.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"resources.expire_reservations", "resources.finish_quarantine"} <= scheduled
    assert {"resources.expire_reservations", "resources.finish_quarantine"} <= set(app.tasks)
