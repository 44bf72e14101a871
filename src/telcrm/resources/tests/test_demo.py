"""The demo number pool: levels, ranges per region, every demo line's number in the pool as assigned
(or cooling off), no free number equal to a live line, reservations and holds; idempotent; reset."""

from __future__ import annotations

import io
import random

import pytest
from django.db.models import Count

from telcrm.customers.models import Subscription
from telcrm.platform.demo import GENERATORS, autodiscover
from telcrm.resources import demo
from telcrm.resources.models import Number, NumberEvent, NumberLevel, NumberRange

pytestmark = pytest.mark.django_db

# 100-number blocks instead of 10,000, so the test stays quick
SMALL = tuple((region, prefix + "00", brand, note) for region, prefix, brand, note in demo.RANGES)


def generate(customers: int = 300) -> str:
    autodiscover()
    out = io.StringIO()
    for name in ("platform", "customers", "numbers"):
        GENERATORS[name].fn(stdout=out, customers=customers, rng=random.Random(f"5:{name}"))
    return out.getvalue()


@pytest.fixture
def small_ranges(monkeypatch):
    monkeypatch.setattr(demo, "RANGES", SMALL)


def test_the_demo_pool(small_ranges):
    out = generate()
    assert "numbers: 4 new levels, 11 new ranges with 1,100 numbers" in out
    assert set(NumberLevel.objects.values_list("code", flat=True)) == {
        "diamond",
        "gold",
        "silver",
        "ordinary",
    }
    assert NumberLevel.objects.get(code="ordinary").is_default
    assert NumberRange.objects.count() == 11
    assert set(NumberRange.objects.values_list("region__kind", flat=True)) == {"city", "province"}
    # every demo line's number is in the pool, with its customer
    lines = Subscription.objects.dangerously_unscoped()
    live = dict(lines.filter(status__in=demo.LIVE_LINES).values_list("msisdn", "customer_id"))
    gone = set(lines.exclude(status__in=demo.LIVE_LINES).values_list("msisdn", flat=True)) - set(live)
    pool = {n.msisdn: n for n in Number.objects.filter(msisdn__in=[*live, *gone])}
    assert set(pool) == set(live) | gone
    for msisdn, customer_id in live.items():
        assert (pool[msisdn].state, pool[msisdn].customer_id) == ("assigned", customer_id)
    assert all(pool[m].state == "quarantined" and pool[m].quarantine_until for m in gone)
    assert not Number.objects.filter(state="free", msisdn__in=list(live)).exists()
    # a line's number sits in its customer's city
    sample = lines.select_related("org_unit").filter(status="active").first()
    assert Number.objects.get(msisdn=sample.msisdn).region_id == sample.org_unit.parent_id
    states = dict(Number.objects.values_list("state").annotate(n=Count("id")))
    assert states["free"] > 900 and states["reserved"] >= 20 and states["frozen"] >= 4
    assert NumberEvent.objects.filter(action="reserve").count() == states["reserved"]
    assert Number.objects.filter(state="reserved", reserved_by__username="clerk").exists()


def test_the_demo_is_idempotent_and_takes_new_lines_from_the_pool(small_ranges):
    generate(customers=200)
    before = Number.objects.count()
    assert "0 new levels, 0 new ranges" in generate(customers=200)
    assert Number.objects.count() == before
    # a new line (a customers' top-up) that took a free number of a range: assigned on the next run
    free = Number.objects.filter(state="free", range__isnull=False).first()
    line = Subscription.objects.dangerously_unscoped().filter(status="active").first()
    line.pk = None
    line.msisdn = free.msisdn
    line.save()
    out = generate(customers=200)
    assert "1 taken from the pool" in out
    free.refresh_from_db()
    assert (free.state, free.customer_id) == ("assigned", line.customer_id)


def test_reset_deletes_the_demo_numbers(small_ranges):
    generate(customers=100)
    out = io.StringIO()
    demo.reset_numbers(stdout=out)
    assert "deleted" in out.getvalue()
    assert not NumberRange.objects.exists() and not Number.objects.exists()
    assert NumberLevel.objects.count() == 4  # levels are configuration and stay
