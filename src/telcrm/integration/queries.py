"""Reads of the integration module, each within the user's data scope (the org unit of the change).

The lists are the error queue's: newest change first, filtered on indexed columns (state, topic or
adapter, then time), paginated by the caller. Counts per state read only the open states (a partial
index) and the last day of finished ones, never the whole history.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from telcrm.platform.errors import NotFoundInScope

from .models import OPEN_STATES, Command, Delivery, Event, SimulatedCall, State, Subscription

RECENT = timedelta(days=1)


def _states(state) -> list[str]:
    if not state:
        return []
    states = [state] if isinstance(state, str) else list(state)
    return [s for s in states if s in State.values]


def delivery_list(user, *, state=None, topic: str = "", subscription=None, event=None):
    qs = Delivery.objects.restrict(user).select_related("event", "subscription")
    states = _states(state)
    if states:
        qs = qs.filter(state__in=states)
    if topic:
        topic = topic.strip()
        qs = qs.filter(topic__startswith=topic[:-1]) if topic.endswith("*") else qs.filter(topic=topic)
    if subscription:
        qs = qs.filter(subscription_id=subscription)
    if event:
        qs = qs.filter(event_id=event)
    return qs.order_by("-updated_at", "-id")


def command_list(user, *, state=None, adapter: str = "", operation: str = "", aggregate=None):
    qs = Command.objects.restrict(user)
    states = _states(state)
    if states:
        qs = qs.filter(state__in=states)
    if adapter:
        qs = qs.filter(adapter=adapter)
    if operation:
        qs = qs.filter(operation=operation)
    if aggregate:
        qs = qs.filter(aggregate_type=aggregate[0], aggregate_id=str(aggregate[1]))
    return qs.order_by("-updated_at", "-id")


def delivery_get(user, pk) -> Delivery:
    try:
        return Delivery.objects.restrict(user).select_related("event", "subscription", "org_unit").get(pk=pk)
    except (Delivery.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def command_get(user, pk) -> Command:
    try:
        return Command.objects.restrict(user).select_related("org_unit", "actor").get(pk=pk)
    except (Command.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def event_list(user, *, aggregate=None, topic: str = ""):
    """Events in scope, newest first; ``aggregate`` = (type, id) narrows to one row's history."""
    qs = Event.objects.restrict(user)
    if aggregate:
        qs = qs.filter(aggregate_type=aggregate[0], aggregate_id=str(aggregate[1]))
    if topic:
        qs = qs.filter(topic=topic)
    return qs.order_by("-created_at", "-id")


def state_counts(user, *, now=None) -> dict[str, dict[str, int]]:
    """``{"deliveries": {state: n}, "commands": {state: n}}``: every open row, and the rows finished
    in the last day (``done`` / ``discarded``)."""
    since = (now or timezone.now()) - RECENT
    out = {}
    for name, model in (("deliveries", Delivery), ("commands", Command)):
        qs = model.objects.restrict(user).filter(
            Q(state__in=OPEN_STATES) | Q(state__in=(State.DONE, State.DISCARDED), updated_at__gte=since)
        )
        counts = dict(qs.values_list("state").annotate(n=Count("id")).order_by())
        out[name] = {s: counts.get(s, 0) for s in State.values}
    return out


def open_by(user, model, field: str) -> list[tuple[str, list[int]]]:
    """Open rows of ``model`` per ``field`` (topic / adapter): counts in the order of OPEN_STATES."""
    rows = (
        model.objects.restrict(user)
        .filter(state__in=OPEN_STATES)
        .values_list(field, "state")
        .annotate(n=Count("id"))
        .order_by(field)
    )
    out: dict[str, list[int]] = {}
    for key, state, n in rows:
        out.setdefault(key, [0] * len(OPEN_STATES))[OPEN_STATES.index(state)] = n
    return list(out.items())


def dead_count(user) -> int:
    return sum(m.objects.restrict(user).filter(state=State.DEAD).count() for m in (Delivery, Command))


def subscription_list(user, *, include_deleted: bool = False):
    qs = Subscription.objects.restrict(user).select_related("owner", "org_unit")
    if not include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    return qs.order_by("name", "id")


def open_per_subscription(user, ids) -> dict[int, int]:
    """Open deliveries per subscription id, for the subscriptions ``ids``."""
    rows = (
        Delivery.objects.restrict(user)
        .filter(subscription_id__in=ids, state__in=OPEN_STATES)
        .values_list("subscription_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def subscription_get(user, pk) -> Subscription:
    try:
        return Subscription.objects.restrict(user).select_related("owner", "org_unit").get(pk=pk)
    except (Subscription.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFoundInScope() from exc


def simulated_calls(*, adapter: str = ""):
    """What the built-in simulators received (their own table: carrier-wide, for the error queue's
    holders to compare with the commands)."""
    qs = SimulatedCall.objects.all()
    if adapter:
        qs = qs.filter(adapter=adapter)
    return qs.order_by("-created_at", "-id")
