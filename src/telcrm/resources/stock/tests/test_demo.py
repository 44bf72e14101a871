"""Demo stock: valid numbers at every demo branch, transfers in flight, one branch below its threshold
(alerted), the demo lines' cards recorded as activated; idempotent, topped up, reset."""

from __future__ import annotations

import io
import random

import pytest
from django.db import transaction
from django.db.models import Count
from stdnum import imei as stdnum_imei
from stdnum import luhn

from telcrm.customers.models import Subscription
from telcrm.platform.demo import DemoResetRefused
from telcrm.platform.models import OrgKind, OrgUnit
from telcrm.resources.stock import demo as stock_demo
from telcrm.resources.stock.models import (
    LowStockAlert,
    Movement,
    SimCard,
    StockBatch,
    Terminal,
    Transfer,
    TransferStatus,
)
from telcrm.resources.stock.states import ItemState

N = 300


MINE = ("platform", "customers", "stock")  # what the stock demo builds on


def run(customers: int = N) -> str:
    """``demo_data`` as the command runs it, limited to the platform, the customers and the stock (the
    other modules' generators are tested by their own tests)."""
    from telcrm.platform import context
    from telcrm.platform.demo import autodiscover

    out = io.StringIO()
    with context.acting(channel="command"):
        for gen in autodiscover():
            if gen.name in MINE:
                with transaction.atomic():
                    gen.fn(stdout=out, customers=customers, rng=random.Random(f"5:{gen.name}"))
    return out.getvalue()


@pytest.fixture
def demo(db):
    return run()


def test_every_branch_holds_valid_stock(demo):
    branches = OrgUnit.objects.filter(kind=OrgKind.BRANCH, code__startswith="ZJ-")
    held = dict(
        SimCard.objects.filter(state=ItemState.IN_STOCK).values_list("org_unit").annotate(n=Count("id"))
    )
    assert branches.exists() and all(held.get(b.pk, 0) > 0 for b in branches)
    assert Terminal.objects.values("org_unit").distinct().count() == branches.count()
    for iccid, imsi in SimCard.objects.values_list("iccid", "imsi"):
        assert luhn.is_valid(iccid) and len(iccid) in (19, 20) and iccid.startswith("89"), iccid
        assert len(imsi) == 15 and imsi.startswith("460"), imsi
    assert all(stdnum_imei.is_valid(i) for i in Terminal.objects.values_list("imei", flat=True))
    # every item has its history, starting with its receipt or activation
    assert not SimCard.objects.filter(movements__isnull=True).exists()
    assert not Terminal.objects.filter(movements__isnull=True).exists()


def test_demo_lines_cards_are_activated_with_their_numbers(demo):
    lines = Subscription.objects.dangerously_unscoped().exclude(iccid="")
    assert lines.exists()
    assert all(luhn.is_valid(i) for i in lines.values_list("iccid", flat=True))  # the customer demo's ICCIDs
    cards = {s.iccid: s for s in SimCard.objects.filter(iccid__in=lines.values("iccid"))}
    assert len(cards) == lines.count()
    for sub in lines:
        card = cards[sub.iccid]
        assert (card.state, card.msisdn, card.org_unit_id) == (
            ItemState.ACTIVATED,
            sub.msisdn,
            sub.org_unit_id,
        )


def test_transfers_in_flight_and_the_low_branch(demo):
    shipped = Transfer.objects.filter(status=TransferStatus.SHIPPED)
    assert shipped.count() >= 2
    assert shipped.filter(to_unit__code=stock_demo.LOW_BRANCH).exists()
    for t in shipped:
        assert set(SimCard.objects.filter(transfer=t).values_list("state", flat=True)) <= {
            ItemState.IN_TRANSIT
        }
    assert Transfer.objects.filter(status=TransferStatus.RECEIVED).exists()
    assert LowStockAlert.objects.filter(org_unit__code=stock_demo.LOW_BRANCH, item_type="sim").exists()


def test_idempotent_topped_up_and_reset(demo):
    before = (
        SimCard.objects.count(),
        Terminal.objects.count(),
        Movement.objects.count(),
        Transfer.objects.count(),
    )
    run()
    assert (
        SimCard.objects.count(),
        Terminal.objects.count(),
        Movement.objects.count(),
        Transfer.objects.count(),
    ) == before
    run(customers=N + 100)  # more customers: only their lines' cards are added
    lines = Subscription.objects.dangerously_unscoped().exclude(iccid="").count()
    assert SimCard.objects.filter(state=ItemState.ACTIVATED).count() == lines
    out = io.StringIO()
    from telcrm.platform.demo import GENERATORS

    stock_gen = GENERATORS["stock"]
    StockBatch.objects.create(
        org_unit=OrgUnit.objects.get(code="ZJ-HZ-B01"), item_type="sim", delivery_note="SH-1"
    )
    SimCard.objects.create(
        iccid="89860399999999999996", imsi="460039999999999", org_unit=OrgUnit.objects.get(code="ZJ-HZ-B01")
    )
    with pytest.raises(DemoResetRefused):
        stock_gen.reset(stdout=out)
    SimCard.objects.filter(iccid="89860399999999999996").delete()
    stock_gen.reset(stdout=out)
    assert not SimCard.objects.exists() and not Movement.objects.exists() and not Transfer.objects.exists()
