"""A property test of the number state machine: random sequences of reserve, release, assign,
quarantine, freeze, unfreeze, expiry and cooling by different people, checked step by step against a
plain model of the rules. Whatever the sequence, the database agrees with the model, a refused step
changes nothing, and no number is ever held by two reservations or two customers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from telcrm.customers.testing import make_customer
from telcrm.platform.actions import parameter_update
from telcrm.platform.models import Parameter
from telcrm.resources import actions
from telcrm.resources.models import Number, NumberEvent

NUMBERS = 3
PEOPLE = ("clerk", "account_manager", "branch_manager", "admin")
REFS = ("", "ORD1", "ORD2")


@dataclass
class Model:
    state: str = "free"
    holder: str | None = None
    ref: str = ""
    customer: int | None = None


def _may_release(model: Model, who: str, ref: str) -> bool:
    # holder, the order holding it, a number administrator, or a manager whose scope covers the holder
    # (the branch manager's subtree holds the branch's clerk and account manager, not HQ's admin)
    return (
        who == model.holder
        or (bool(ref) and ref == model.ref)
        or who == "admin"
        or (who == "branch_manager" and model.holder != "admin")
    )


# who sees the customers (owned by the clerk): the clerk, the branch manager (subtree), the admin (all)
SEES_CUSTOMERS = ("clerk", "branch_manager", "admin")


@pytest.mark.django_db
def test_the_state_machine_agrees_with_its_model(pool, carrier, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        parameter_update(
            actor=carrier["admin"],
            parameter=Parameter.objects.get(key="resources.max_reservations_per_user"),
            value=10_000,
        )
    customers = [make_customer(carrier.branch, owner=carrier["clerk"], name=f"客户{i}") for i in range(2)]
    free = iter(
        Number.objects.filter(state="free", region=carrier.city)
        .order_by("msisdn")
        .values_list("msisdn", flat=True)
    )

    class NumberMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.numbers = [next(free) for _ in range(NUMBERS)]
            self.model = {m: Model() for m in self.numbers}
            self.events = 0

        def _try(self, fn, expected: bool, *args, **kwargs) -> None:
            try:
                fn(*args, **kwargs)
            except ValidationError:
                assert not expected, f"{fn.__name__}{args} refused although the model allows it"
                return
            assert expected, f"{fn.__name__}{args} succeeded although the model forbids it"
            self.events += 1

        @rule(i=st.integers(0, NUMBERS - 1), who=st.sampled_from(PEOPLE), ref=st.sampled_from(REFS),
              c=st.sampled_from([None, 0, 1]))  # fmt: skip
        def reserve(self, i, who, ref, c):
            m = self.numbers[i]
            model = self.model[m]
            customer = customers[c] if c is not None else None
            ok = model.state == "free" and (customer is None or who in SEES_CUSTOMERS)
            self._try(actions.number_reserve, ok, carrier[who], m, reference=ref, customer=customer)
            if ok:
                model.state, model.holder, model.ref = "reserved", who, ref
                model.customer = customer.pk if customer else None

        @rule(i=st.integers(0, NUMBERS - 1), who=st.sampled_from(PEOPLE), ref=st.sampled_from(REFS))
        def release(self, i, who, ref):
            m = self.numbers[i]
            model = self.model[m]
            ok = model.state == "reserved" and _may_release(model, who, ref)
            self._try(actions.number_release, ok, carrier[who], m, reference=ref)
            if ok:
                self.model[m] = Model()

        @rule(i=st.integers(0, NUMBERS - 1), who=st.sampled_from(SEES_CUSTOMERS), ref=st.sampled_from(REFS),
              c=st.sampled_from([0, 1]))  # fmt: skip
        def assign(self, i, who, ref, c):
            m = self.numbers[i]
            model = self.model[m]
            customer = customers[c]
            if model.state == "free":
                ok = True
            elif model.state == "reserved":
                order_ok = ref == model.ref if model.ref else _may_release(model, who, ref)
                ok = order_ok and model.customer in (None, customer.pk)
            else:
                ok = False
            self._try(actions.number_assign, ok, carrier[who], m, customer=customer, reference=ref)
            if ok:
                self.model[m] = Model(state="assigned", customer=customer.pk)

        @rule(i=st.integers(0, NUMBERS - 1), who=st.sampled_from(("clerk", "admin")))
        def quarantine(self, i, who):
            m = self.numbers[i]
            model = self.model[m]
            ok = model.state == "assigned"
            self._try(actions.number_quarantine, ok, carrier[who], m)
            if ok:
                model.state = "quarantined"

        @rule(i=st.integers(0, NUMBERS - 1))
        def freeze(self, i):
            m = self.numbers[i]
            ok = self.model[m].state in ("free", "quarantined")
            self._try(actions.number_freeze, ok, carrier["admin"], m, reason="hold")
            if ok:
                self.model[m] = Model(state="frozen")

        @rule(i=st.integers(0, NUMBERS - 1))
        def unfreeze(self, i):
            m = self.numbers[i]
            ok = self.model[m].state == "frozen"
            self._try(actions.number_unfreeze, ok, carrier["admin"], m)
            if ok:
                self.model[m] = Model()

        @rule()
        def time_passes_for_reservations(self):
            past = timezone.now() - dt.timedelta(seconds=1)
            Number.objects.filter(msisdn__in=self.numbers, state="reserved").update(reserved_until=past)
            actions.reservations_expire()
            for m, model in self.model.items():
                if model.state == "reserved":
                    self.model[m] = Model()
                    self.events += 1

        @rule()
        def time_passes_for_cooling(self):
            past = timezone.now() - dt.timedelta(seconds=1)
            Number.objects.filter(msisdn__in=self.numbers, state="quarantined").update(quarantine_until=past)
            actions.quarantine_finish()
            for m, model in self.model.items():
                if model.state == "quarantined":
                    self.model[m] = Model()
                    self.events += 1

        @invariant()
        def database_agrees_with_the_model(self):
            rows = {
                n.msisdn: n
                for n in Number.objects.filter(msisdn__in=self.numbers).select_related("reserved_by")
            }
            for m, model in self.model.items():
                n = rows[m]
                assert n.state == model.state, (m, n.state, model)
                assert (n.reserved_by.username if n.reserved_by else None) == model.holder
                assert n.reservation_ref == model.ref
                assert n.customer_id == model.customer
                assert (n.reserved_until is not None) == (model.state == "reserved")
            assert NumberEvent.objects.filter(number__msisdn__in=self.numbers).count() == self.events

    run_state_machine_as_test(
        NumberMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
