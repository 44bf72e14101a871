"""Classification (CUS-5): value tier, loyalty class and behaviour type from parameters, by hand and as
a job with progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from telcrm.customers import classification
from telcrm.customers.classification import classify, classify_all_start, classify_customer, current_rules
from telcrm.customers.models import (
    Account,
    BehaviourType,
    Customer,
    CustomerStatus,
    CustomerType,
    LoyaltyClass,
    Subscription,
    SubscriptionStatus,
    ValueTier,
)
from telcrm.customers.testing import make_customer
from telcrm.platform import actions as platform_actions
from telcrm.platform import jobs
from telcrm.platform.errors import AccessDenied, NotFoundInScope
from telcrm.platform.models import AuditLog, Job, JobStatus, Parameter

TODAY = dt.date(2025, 6, 15)


def person(customer_type=CustomerType.INDIVIDUAL, tenure_start=None, created_at=None):
    return SimpleNamespace(customer_type=customer_type, tenure_start=tenure_start, created_at=created_at)


def line(fee="58", status=SubscriptionStatus.ACTIVE, offer="4G58", activated=None, commitment_end=None):
    return SimpleNamespace(
        status=status,
        monthly_fee=Decimal(fee),
        offer_code=offer,
        activated_at=activated,
        commitment_end=commitment_end,
    )


def arrears(amount="0"):
    return SimpleNamespace(arrears=Decimal(amount))


def set_param(admin, key, value):
    platform_actions.parameter_update(actor=admin, parameter=Parameter.objects.get(key=key), value=value)
    from telcrm.platform import parameters

    parameters.invalidate()  # on_commit does not run inside the test transaction


# --- the rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fees, tier",
    [
        (["300"], ValueTier.VIP),
        (["200", "100"], ValueTier.VIP),
        (["299.99"], ValueTier.IMPORTANT),
        (["100"], ValueTier.IMPORTANT),
        (["99.99"], ValueTier.ORDINARY),
        ([], ValueTier.ORDINARY),
    ],
)
def test_value_tier_thresholds_for_individuals(db, fees, tier):
    assert classify(person(), [line(f) for f in fees], [], today=TODAY)["value_tier"] == tier


def test_suspended_and_terminated_lines_do_not_count_for_value(db):
    subs = [
        line("500", status=SubscriptionStatus.SUSPENDED),
        line("500", status=SubscriptionStatus.TERMINATED),
    ]
    assert classify(person(), subs, [], today=TODAY)["value_tier"] == ValueTier.ORDINARY


def test_enterprises_have_their_own_thresholds(db):
    subs = [line("3000")]
    assert classify(person(), subs, [], today=TODAY)["value_tier"] == ValueTier.VIP
    assert (
        classify(person(CustomerType.ENTERPRISE), subs, [], today=TODAY)["value_tier"] == ValueTier.IMPORTANT
    )
    assert (
        classify(person(CustomerType.GROUP), [line("10000")], [], today=TODAY)["value_tier"] == ValueTier.VIP
    )


@pytest.mark.parametrize(
    "start, owed, cls",
    [
        (dt.date(2020, 6, 15), "0", LoyaltyClass.LOYAL),  # 60 months
        (dt.date(2020, 6, 16), "0", LoyaltyClass.OLD),  # one day short of 60 months
        (dt.date(2020, 1, 1), "0.01", LoyaltyClass.OLD),  # loyal tenure but in arrears
        (dt.date(2024, 6, 15), "0", LoyaltyClass.OLD),  # 12 months
        (dt.date(2024, 6, 16), "0", LoyaltyClass.NEW),
    ],
)
def test_loyalty_from_tenure_and_arrears(db, start, owed, cls):
    result = classify(person(tenure_start=start), [line()], [arrears(owed)], today=TODAY)
    assert result["loyalty_class"] == cls


def test_without_lines_in_service_a_customer_is_potential(db):
    old = person(tenure_start=dt.date(2000, 1, 1))
    assert classify(old, [], [], today=TODAY)["loyalty_class"] == LoyaltyClass.POTENTIAL
    gone = [line(status=SubscriptionStatus.TERMINATED)]
    assert classify(old, gone, [], today=TODAY)["loyalty_class"] == LoyaltyClass.POTENTIAL
    assert classify(old, gone, [], today=TODAY)["behaviour_type"] == ""


def test_tenure_falls_back_to_first_activation_then_creation(db):
    activated = timezone.make_aware(dt.datetime(2019, 1, 1, 10))
    subs = [line(activated=activated), line(activated=None)]
    assert classify(person(), subs, [], today=TODAY)["loyalty_class"] == LoyaltyClass.LOYAL
    created = timezone.make_aware(dt.datetime(2024, 1, 1, 10))
    assert (
        classify(person(created_at=created), [line()], [], today=TODAY)["loyalty_class"] == LoyaltyClass.OLD
    )


def test_behaviour_types(db):
    future = TODAY + dt.timedelta(days=100)
    promo = [line(offer="PROMO-19"), line(offer="promo-9"), line(offer="4G58")]
    assert classify(person(), promo, [], today=TODAY)["behaviour_type"] == BehaviourType.PROFIT
    many = [line("100", offer="A"), line("60", offer="B"), line("50", offer="C")]
    assert classify(person(), many, [], today=TODAY)["behaviour_type"] == BehaviourType.LIGHTHOUSE
    cheap_many = [line("10", offer="A"), line("10", offer="B"), line("10", offer="C")]
    assert classify(person(), cheap_many, [], today=TODAY)["behaviour_type"] == BehaviourType.FOLLOWER
    contract = [line(commitment_end=future), line(commitment_end=TODAY - dt.timedelta(days=1))]
    assert classify(person(), contract, [], today=TODAY)["behaviour_type"] == BehaviourType.RATIONAL
    expired = [line(commitment_end=TODAY - dt.timedelta(days=1))]
    assert classify(person(), expired, [], today=TODAY)["behaviour_type"] == BehaviourType.FOLLOWER


def test_thresholds_are_parameters(carrier):
    admin = carrier["admin"]
    subs = [line("150")]
    assert classify(person(), subs, [], today=TODAY)["value_tier"] == ValueTier.IMPORTANT
    set_param(admin, "customers.vip_min_monthly_fee", "150")
    assert classify(person(), subs, [], today=TODAY)["value_tier"] == ValueTier.VIP
    set_param(admin, "customers.important_min_monthly_fee", "151")
    set_param(admin, "customers.vip_min_monthly_fee", "1000")
    assert classify(person(), subs, [], today=TODAY)["value_tier"] == ValueTier.ORDINARY

    tenure = person(tenure_start=dt.date(2023, 6, 15))  # 24 months
    assert classify(tenure, subs, [], today=TODAY)["loyalty_class"] == LoyaltyClass.OLD
    set_param(admin, "customers.loyal_min_tenure_months", 24)
    assert classify(tenure, subs, [], today=TODAY)["loyalty_class"] == LoyaltyClass.LOYAL
    set_param(admin, "customers.old_min_tenure_months", 36)
    set_param(admin, "customers.loyal_min_tenure_months", 48)
    assert classify(tenure, subs, [], today=TODAY)["loyalty_class"] == LoyaltyClass.NEW

    promo = [line(offer="XMAS-1"), line(offer="4G58")]
    assert classify(person(), promo, [], today=TODAY)["behaviour_type"] == BehaviourType.FOLLOWER
    set_param(admin, "customers.profit_offer_prefixes", "xmas, promo")
    assert classify(person(), promo, [], today=TODAY)["behaviour_type"] == BehaviourType.PROFIT
    assert current_rules().promo_prefixes == ("XMAS", "PROMO")


def test_parameters_are_registered_with_names_in_both_languages(db):
    for key in (
        "customers.vip_min_monthly_fee",
        "customers.loyal_min_tenure_months",
        "customers.old_min_tenure_months",
    ):
        p = Parameter.objects.get(key=key)
        assert p.name and p.name_en and p.description and p.description_en


# --- one customer -------------------------------------------------------------------------------------


def _with_lines(carrier, fee="500", owner=None, unit=None, n=1, **kw):
    unit = unit or carrier.branch
    owner = owner or carrier["clerk"]
    c = make_customer(unit, owner=owner, **kw)
    account = c.accounts.get()
    for i in range(n):
        Subscription.objects.create(
            customer=c,
            account=account,
            msisdn=f"139{c.pk:04d}{i:04d}",
            offer_code="4G",
            offer_name="4G",
            monthly_fee=Decimal(fee),
            org_unit=unit,
            activated_at=timezone.now() - dt.timedelta(days=40),
        )
    return c


def test_classify_customer_writes_audits_and_keeps_history(carrier):
    clerk = carrier["clerk"]
    c = _with_lines(carrier)
    assert c.value_tier == ValueTier.ORDINARY
    result = classify_customer(actor=clerk, customer=c)
    c.refresh_from_db()
    assert result.pk == c.pk
    assert (c.value_tier, c.loyalty_class, c.behaviour_type) == (
        ValueTier.VIP,
        LoyaltyClass.NEW,
        BehaviourType.FOLLOWER,
    )
    assert c.classified_at is not None
    log = AuditLog.objects.get(action="customer.classify", object_id=str(c.pk))
    assert log.before["value_tier"] == "ordinary" and log.after["value_tier"] == "vip"
    assert c.history.first().value_tier == ValueTier.VIP


def test_classify_customer_checks_permission_and_scope(carrier):
    other = _with_lines(carrier, owner=carrier["other_clerk"], unit=carrier.other_branch)
    with pytest.raises(NotFoundInScope):
        classify_customer(actor=carrier["clerk"], customer=other)
    with pytest.raises(AccessDenied):
        classify_customer(actor=carrier["marketer"], customer=other)  # may view, not change


# --- every customer, as a job ------------------------------------------------------------------------


def test_job_reclassifies_every_customer_in_scope_in_batches(carrier, monkeypatch):
    monkeypatch.setattr(classification, "BATCH", 2)
    manager = carrier["branch_manager"]
    vip = [_with_lines(carrier, "500") for _ in range(3)]
    ordinary = _with_lines(carrier, "10")
    potential = make_customer(carrier.branch, owner=carrier["clerk"])
    Customer.objects.filter(pk=potential.pk).update(loyalty_class=LoyaltyClass.POTENTIAL)
    outside = _with_lines(carrier, "500", owner=carrier["other_clerk"], unit=carrier.other_branch)
    merged = _with_lines(carrier, "500", status=CustomerStatus.MERGED)
    Account.objects.filter(customer=ordinary).update(arrears=Decimal("5"))

    steps = []
    original = jobs.Progress.step

    def record(self, n=1, message=None):
        steps.append(n)
        return original(self, n, message)

    monkeypatch.setattr(jobs.Progress, "step", record)
    job = classify_all_start(actor=manager)
    jobs.execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.progress_done, job.progress_total) == (5, 5)
    assert steps == [2, 2, 1]  # batches of BATCH
    assert job.result == {"checked": 5, "changed": 4}  # the potential customer stays potential
    for c in vip:
        c.refresh_from_db()
        assert c.value_tier == ValueTier.VIP and c.classified_at is not None
        assert c.history.first().history_user == manager
    outside.refresh_from_db()
    merged.refresh_from_db()
    assert outside.value_tier == ValueTier.ORDINARY  # not in the branch manager's scope
    assert merged.value_tier == ValueTier.ORDINARY  # merged customers are left alone
    assert AuditLog.objects.filter(action="customer.classify_all", actor=manager).exists()
    assert AuditLog.objects.filter(action="job.start", object_id=str(job.pk)).exists()


def test_second_run_changes_nothing(carrier):
    _with_lines(carrier, "500")
    admin = carrier["admin"]
    jobs.execute(classify_all_start(actor=admin).pk)
    job = classify_all_start(actor=admin)
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.result == {"checked": 1, "changed": 0}


def test_starting_the_job_needs_the_change_permission(carrier):
    with pytest.raises(AccessDenied):
        classify_all_start(actor=carrier["marketer"])
    assert not Job.objects.filter(kind="customers.classify").exists()


# --- classes set by hand ---------------------------------------------------------------------------


def test_a_class_set_by_hand_survives_automatic_classification(carrier, django_capture_on_commit_callbacks):
    from telcrm.customers.actions import customer_update

    manager = carrier["branch_manager"]
    c = _with_lines(carrier)  # the rules would make it VIP
    customer_update(actor=manager, customer=c, value_tier=ValueTier.IMPORTANT)
    c.refresh_from_db()
    assert c.classification_manual == ["value_tier"]
    classify_customer(actor=manager, customer=c)
    c.refresh_from_db()
    assert c.value_tier == ValueTier.IMPORTANT  # kept
    assert c.loyalty_class == LoyaltyClass.NEW  # the other classes are still automatic
    with django_capture_on_commit_callbacks(execute=True):
        job = classify_all_start(actor=manager)
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    c.refresh_from_db()
    assert c.value_tier == ValueTier.IMPORTANT


def test_releasing_hands_the_class_back_to_the_rules(carrier):
    from telcrm.customers.actions import customer_update

    manager = carrier["branch_manager"]
    c = _with_lines(carrier)
    customer_update(actor=manager, customer=c, value_tier=ValueTier.IMPORTANT)
    classification.classification_release(actor=manager, customer=c)
    c.refresh_from_db()
    assert c.classification_manual == [] and c.value_tier == ValueTier.VIP
    assert AuditLog.objects.filter(action="customer.classification_release", object_id=str(c.pk)).exists()
    with pytest.raises(AccessDenied):
        classification.classification_release(actor=carrier["clerk"], customer=c)
