"""Demo pending installations: the demo installer has booked installations (one on site, one late), one
waits in the team's queue; idempotent; the processes' reset removes them."""

from __future__ import annotations

import io
import random

import pytest
from django.db import transaction
from django.utils import timezone

from telcrm.orders import demo as orders_demo
from telcrm.orders import installation_queries as queries
from telcrm.orders.models import Installation, InstallState

pytestmark = pytest.mark.django_db
MINE = ("platform", "processes", "installations")


def run() -> str:
    from telcrm.platform import context
    from telcrm.platform.demo import autodiscover

    out = io.StringIO()
    with context.acting(channel="command"):
        for gen in autodiscover():
            if gen.name in MINE:
                with transaction.atomic():
                    gen.fn(stdout=out, customers=0, rng=random.Random(f"7:{gen.name}"))
    return out.getvalue()


def test_demo_installations():
    from telcrm.platform.models import User

    assert "installations: 5 demo installations" in run()
    installer = User.objects.get(username="installer")
    mine = list(queries.my_installations(installer))
    assert len(mine) == 4 and all(i.team == installer.org_unit for i in mine)
    assert [i.state for i in mine].count(InstallState.ON_SITE) == 1
    starts = [i.appointment.starts_at for i in mine]
    assert starts == sorted(starts)  # by appointment
    late = queries.mark_late(mine, timezone.now())
    assert sum(i.late for i in late) == 1
    assert len(queries.team_open_installations(installer)) == 1
    assert "installations: 0 demo installations" in run()  # idempotent
    with transaction.atomic():
        orders_demo.reset_orders(io.StringIO())
    assert not Installation.objects.exists()
