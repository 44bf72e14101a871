"""Announcing business changes (INT-2): the event outbox.

An action announces what it changed with :func:`emit`, **inside its own transaction.atomic()**::

    from telcrm.integration.events import emit

    @transaction.atomic
    def order_complete(*, actor, order):
        ...
        emit("order.completed", aggregate=order, payload={"orderNo": order.number}, actor=actor)

The event row, and one delivery per subscriber whose topics match, are written in that transaction:
if it rolls back, nothing was announced; once it commits, the dispatcher delivers each delivery at
least once (the event's ``event_id`` is the idempotency key receivers dedupe by).

Subscribers are webhooks and TMF hub listeners (``Subscription`` rows, see actions/subscriptions.py)
and code in this installation registered with :func:`subscribe`; a code subscriber runs in the
transaction that marks its delivery done, so its own writes happen exactly once.

Topics are ``<thing>.<what happened>`` in lower case (``customer.created``, ``order.completed``);
subscription patterns are a topic, ``<thing>.*`` or ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model
from django.utils import timezone

from telcrm.platform import context

from . import kick
from .models import Delivery, Event, Subscription

TOPIC_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
PATTERN_RE = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$")


@dataclass(frozen=True)
class CodeSubscriber:
    name: str
    pattern: str
    fn: Callable[[Event], None]


_SUBSCRIBERS: dict[str, CodeSubscriber] = {}
_PAYLOADS: dict[str, Callable[[Model], dict]] = {}


def topic_matches(pattern: str, topic: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return topic.startswith(pattern[:-1])
    return pattern == topic


def subscribe(pattern: str, name: str):
    """Decorator: call ``fn(event)`` for every event whose topic matches ``pattern``, in the
    transaction that marks the delivery done (raise to retry later). ``name`` (``"<app>.<what>"``) is
    stored with each delivery: keep it stable. Register at import time (from AppConfig.ready())."""
    if not PATTERN_RE.match(pattern):
        raise ValueError(f"not a topic pattern: {pattern!r}")

    def register(fn):
        _SUBSCRIBERS[name] = CodeSubscriber(name, pattern, fn)
        return fn

    return register


def code_subscriber(name: str) -> CodeSubscriber | None:
    return _SUBSCRIBERS.get(name)


def register_payload(model_label: str, builder: Callable[[Model], dict]) -> None:
    """The payload :func:`emit` uses for an aggregate of ``model_label`` (``"customers.customer"``)
    when the caller gives none."""
    _PAYLOADS[model_label] = builder


def _aggregate(aggregate) -> tuple[str, str, int | None]:
    if isinstance(aggregate, Model):
        return aggregate._meta.label_lower, str(aggregate.pk), getattr(aggregate, "org_unit_id", None)
    kind, pk = aggregate
    return str(kind), str(pk), None


def _receivers(topic: str):
    """The active subscriptions whose topics match, and a function giving those that receive an event
    of a unit (a subscription of a unit receives the events of its subtree; one without, all)."""
    subs = [
        s
        for s in Subscription.objects.filter(active=True, deleted_at__isnull=True).select_related("org_unit")
        if any(topic_matches(p, topic) for p in s.topics or ())
    ]
    paths: dict[int, str] = {}

    def for_unit(org_unit_id: int | None) -> list[Subscription]:
        if org_unit_id is None or not any(s.org_unit_id for s in subs):
            return subs
        if org_unit_id not in paths:
            from telcrm.platform.models import OrgUnit

            paths[org_unit_id] = (
                OrgUnit.objects.filter(pk=org_unit_id).values_list("path", flat=True).first() or ""
            )
        path = paths[org_unit_id]
        return [s for s in subs if s.org_unit_id is None or path.startswith(s.org_unit.path)]

    return for_unit


def emit(topic: str, *, aggregate, payload: dict | None = None, org_unit=None, actor=None) -> Event:
    """Announce ``topic`` about ``aggregate`` (a model instance, or ``(type, id)``) in the caller's
    transaction; returns the Event. ``payload`` defaults to the registered builder's for the
    aggregate's model (else ``{"id": …}``); ``org_unit`` (a unit or its id) to the aggregate's.

    Raises RuntimeError outside a transaction and ValueError for a malformed topic.
    """
    payloads = None if payload is None else [payload]
    return emit_many(topic, [aggregate], payloads=payloads, org_unit=org_unit, actor=actor)[0]


def emit_many(topic: str, aggregates, *, payloads=None, org_unit=None, actor=None) -> list[Event]:
    """:func:`emit` for many aggregates at once (a batch of imported customers): the events and their
    deliveries are written with a fixed number of statements, whatever their number."""
    if not TOPIC_RE.match(topic or "") or len(topic) > 64:
        raise ValueError(f"not a topic: {topic!r} (lower-case words joined by dots, e.g. customer.created)")
    kick.require_transaction("emit()")
    aggregates = list(aggregates)
    if payloads is not None and len(payloads) != len(aggregates):
        raise ValueError("emit_many: one payload per aggregate")
    if not aggregates:
        return []
    from telcrm.platform.bulk import insert_many

    fixed_unit = None
    if org_unit is not None:
        fixed_unit = org_unit.pk if isinstance(org_unit, Model) else int(org_unit)
    request_id = context.current().request_id or ""
    actor = actor if actor is not None and getattr(actor, "pk", None) else None
    now = timezone.now()
    events = []
    for n, aggregate in enumerate(aggregates):
        aggregate_type, aggregate_id, unit_id = _aggregate(aggregate)
        payload = payloads[n] if payloads is not None else None
        if payload is None:
            builder = _PAYLOADS.get(aggregate_type) if isinstance(aggregate, Model) else None
            payload = builder(aggregate) if builder is not None else {"id": aggregate_id}
        events.append(
            Event(
                topic=topic,
                aggregate_type=aggregate_type,
                aggregate_id=aggregate_id,
                payload=payload,
                org_unit_id=fixed_unit if fixed_unit is not None else unit_id,
                actor=actor,
                request_id=request_id,
                created_at=now,
            )
        )
    insert_many(events)
    receivers = _receivers(topic)
    handlers = [s for s in _SUBSCRIBERS.values() if topic_matches(s.pattern, topic)]
    deliveries = []
    for event in events:
        unit_id = event.org_unit_id
        deliveries += [
            Delivery(event=event, subscription=s, topic=topic, org_unit_id=unit_id, created_at=now)
            for s in receivers(unit_id)
        ]
        deliveries += [
            Delivery(event=event, handler=s.name, topic=topic, org_unit_id=unit_id, created_at=now)
            for s in handlers
        ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries, batch_size=1000)
        kick.on_commit()
    return events
