"""Demo pending installations (待装): a few broadband installations of Hangzhou customers, run through the
shipped broadband process by the demo users (runs after the processes).

The demo clerk starts them (business keys ``DEMO-I…``), the demo back office verifies and dispatches
them to the demo installer's team with appointment slots of today and the next days — four to the demo
installer (one of them already on site, one whose window is over without feedback, so the alerts and
the "late" filter have something to show), one left in the team's queue. Through the actions, so the
work orders, history and audit are what the UI would have made.

Idempotent: nothing is made when ``DEMO-I…`` installations exist. The processes' demo reset deletes
them with their process instances.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from telcrm.platform.demo import demo_generator

PREFIX = "DEMO-I"
COUNT = 5


def _user(username: str):
    from telcrm.platform.models import User

    return User.objects.filter(username=username, is_active=True).select_related("org_unit").first()


def _customers(team, count: int) -> list:
    """Customers of the team's city with a phone number, with their primary address if any."""
    from telcrm.customers.models import Customer

    from .actions.dispatch import resolve_unit

    city = resolve_unit("@city", team, {})
    return list(
        Customer.objects.filter(org_unit__path__startswith=city.path)
        .exclude(primary_phone="")
        .prefetch_related("addresses")
        .order_by("id")[:count]
    )


def _address(customer, n: int) -> str:
    address = next(iter(customer.addresses.all()), None) if customer is not None else None
    return str(address) if address is not None else f"浙江省杭州市西湖区文三路{100 + n}号"


def _slots(team, now) -> list:
    from .installation_slots import team_slots

    return [s for _day, row in team_slots(team, now=now) for s in row if s.bookable]


def make_installations(rng: random.Random) -> int:
    from . import actions
    from .actions import installations
    from .models import Installation, WorkOrder
    from .processes import engine

    clerk, backoffice, installer = _user("clerk"), _user("backoffice"), _user("installer")
    if None in (clerk, backoffice, installer) or installer.org_unit is None:
        return 0
    if Installation.objects.filter(business_key__startswith=PREFIX).exists():
        return 0
    team = installer.org_unit
    now = timezone.now()
    free = _slots(team, now)
    people = _customers(team, COUNT)
    made = []
    for n in range(COUNT):
        customer = people[n] if n < len(people) else None
        data = {"address": _address(customer, n), "customer_no": customer.customer_no if customer else ""}
        instance = actions.process_start(
            key="order.broadband", actor=clerk, data=data, business_key=f"{PREFIX}{n + 1:04d}", schedule=False
        )
        engine.advance(instance)
        verify = WorkOrder.objects.filter(instance=instance, element_id="verify").first()
        if verify is None:
            continue
        actions.work_order_complete(actor=backoffice, work_order=verify, note="资料齐全")
        engine.advance(instance)
        inst = Installation.objects.filter(instance=instance).first()
        if inst is None or not free:
            continue
        slot = free[min(n * 2, len(free) - 1)]
        installations.installation_dispatch(
            actor=backoffice,
            installation=inst,
            team=team,
            day=slot.day,
            window=slot.window.code,
            installer=installer if n < COUNT - 1 else None,
            note="已电话确认上门时间",
        )
        engine.advance(instance)
        made.append(inst)
    if made:
        installations.installation_arrive(actor=installer, installation=made[0])
    if len(made) > 1:
        _window_passed(made[1], now)
    return len(made)


def _window_passed(inst, now) -> None:
    """Move the appointment of ``inst`` to a window that ended two hours ago (what the overdue check and
    the "late" filter look for), as if it had been booked yesterday."""
    from .models import AppointmentState, InstallAppointment

    appt = InstallAppointment.objects.get(installation=inst, state=AppointmentState.BOOKED)
    ends = now - dt.timedelta(hours=2)
    InstallAppointment.objects.filter(pk=appt.pk).update(
        day=timezone.localtime(ends).date(), starts_at=ends - dt.timedelta(hours=2), ends_at=ends
    )


@demo_generator(order=65, name="installations")
def installations_demo(*, stdout, customers: int, rng: random.Random) -> None:
    made = make_installations(rng)
    stdout.write(f"  installations: {made} demo installations")
