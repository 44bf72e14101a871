"""No number is ever reserved or assigned twice, with many clerks racing for the same numbers.

Threads, each with its own database connection (Django opens one per thread), start together on a
barrier and all try the same numbers; the compare-and-set UPDATE lets exactly one win each number and
every other attempt gets the clear field error on ``number``. PostgreSQL only: SQLite serialises all
writers, so nothing would race (CI runs this on PostgreSQL).
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from telcrm.customers.testing import make_customer
from telcrm.platform.models import Parameter
from telcrm.platform.parameters import invalidate
from telcrm.platform.testing import make_user
from telcrm.resources import actions
from telcrm.resources.models import Number, NumberEvent

pytestmark = [
    pytest.mark.skipif(
        not settings.IS_POSTGRES,
        reason="needs PostgreSQL: SQLite serialises writing transactions, so threads cannot race",
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8
TARGETS = 12
LOSER_CODES = {"taken", "not_free"}


def _race(people, work) -> list:
    """Run ``work(person, rng)`` in one thread per person, started together; returns the errors."""
    barrier = threading.Barrier(len(people))
    errors = []

    def run(person, seed):
        try:
            barrier.wait(timeout=30)
            work(person, random.Random(seed))
        except Exception as exc:  # reported by the test; a thread cannot fail it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(p, i)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


@pytest.fixture
def clerks(pool, carrier):
    Parameter.objects.filter(key="resources.max_reservations_per_user").update(value=1000)
    invalidate()
    extra = [make_user(f"racer{i}", "clerk", carrier.branch) for i in range(THREADS - 4)]
    return [carrier["clerk"], carrier["account_manager"], carrier["branch_manager"], carrier["admin"], *extra]


def test_racing_reservations_give_each_number_to_exactly_one_clerk(pool, clerks):
    targets = list(
        Number.objects.filter(region=pool.hz.region).order_by("msisdn").values_list("msisdn", flat=True)
    )
    targets = targets[:TARGETS]
    won = defaultdict(list)
    lost = Counter()

    def work(person, rng):
        order = targets[:]
        rng.shuffle(order)
        for msisdn in order:
            try:
                actions.number_reserve(person, msisdn, reference=f"ORD-{person.username}")
            except ValidationError as exc:
                items = exc.error_dict.get("number", [])
                assert items and items[0].code in LOSER_CODES, exc
                assert msisdn in str(items[0].message % items[0].params), exc
                lost[items[0].code] += 1
            else:
                won[msisdn].append(person.username)

    assert _race(clerks, work) == []
    assert sorted(won) == sorted(targets)
    assert all(len(who) == 1 for who in won.values()), won  # zero double reservations
    assert sum(lost.values()) == TARGETS * (len(clerks) - 1)  # every loser got the clear error
    rows = {n.msisdn: n for n in Number.objects.filter(msisdn__in=targets).select_related("reserved_by")}
    for msisdn, (winner,) in won.items():
        assert rows[msisdn].state == "reserved" and rows[msisdn].reserved_by.username == winner
        assert rows[msisdn].reservation_ref == f"ORD-{winner}"
    assert NumberEvent.objects.filter(number__msisdn__in=targets, action="reserve").count() == TARGETS


def test_racing_assignments_and_reservations_never_give_a_number_twice(pool, carrier, clerks):
    customers = [make_customer(carrier.branch, owner=None, name=f"抢号客户{i}") for i in range(THREADS)]
    targets = list(
        Number.objects.filter(region=pool.hz.region, state="free")
        .order_by("-msisdn")
        .values_list("msisdn", flat=True)
    )[:TARGETS]
    outcomes = defaultdict(list)
    # people who see every customer: the branch manager (subtree) and the admin (all) assign, the rest reserve
    assigners = {carrier["branch_manager"].pk, carrier["admin"].pk}

    def work(person, rng):
        order = targets[:]
        rng.shuffle(order)
        for msisdn in order:
            try:
                if person.pk in assigners:
                    customer = rng.choice(customers)
                    actions.number_assign(person, msisdn, customer=customer)
                    outcomes[msisdn].append(("assign", customer.pk))
                else:
                    actions.number_reserve(person, msisdn)
                    outcomes[msisdn].append(("reserve", person.pk))
            except ValidationError as exc:
                items = exc.error_dict.get("number", [])
                assert items and items[0].code in LOSER_CODES, exc

    assert _race(clerks, work) == []
    assert sorted(outcomes) == sorted(targets)
    history = defaultdict(list)  # the order the database committed them in
    for msisdn, what in (
        NumberEvent.objects.filter(number__msisdn__in=targets)
        .order_by("id")
        .values_list("number__msisdn", "action")
    ):
        history[msisdn].append(what)
    for msisdn, done in outcomes.items():
        # zero double reservations and zero double assignments; a manager may assign a clerk's
        # reservation (the holder's manager may act for them), never the other way round
        assert history[msisdn] in (["reserve"], ["assign"], ["reserve", "assign"]), (msisdn, history[msisdn])
        assert sorted(kind for kind, _who in done) == sorted(history[msisdn])
    for n in Number.objects.filter(msisdn__in=targets):
        done = dict(outcomes[n.msisdn])
        if "assign" in done:
            assert (n.state, n.customer_id, n.reserved_by_id) == ("assigned", done["assign"], None)
        else:
            assert (n.state, n.reserved_by_id, n.customer_id) == ("reserved", done["reserve"], None)


def test_changing_a_rule_leaves_its_level_free(carrier):
    """A rule is locked alone, not with the level it is read with: an administrator changing the level
    meanwhile does not wait for the one changing the rule."""
    admin = carrier["admin"]
    level = actions.level_create(admin, code="vip", name="尊享", rank=50, price_fen=1)
    rule = actions.rule_create(admin, level=level, kind="tail", pattern="99")
    out: dict = {}

    def change_the_level() -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SET lock_timeout = '2s'")
            out["level"] = actions.level_update(admin, level.pk, name="尊享号")
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            out["error"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        actions.rule_update(admin, rule.pk, note="周年活动")
        thread = threading.Thread(target=change_the_level)
        thread.start()
        thread.join(timeout=60)
    assert "error" not in out, out
    assert out["level"].name == "尊享号"
