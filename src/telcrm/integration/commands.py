"""Calls of other systems through the outbox (INT-3): billing and network commands.

A caller (the order process) asks for a call **inside its own transaction.atomic()**::

    from telcrm.integration import commands

    @commands.completion_handler("orders.network_done")
    def network_done(command, result):
        ...   # resume the order: runs in the transaction that marks the command done

    commands.request(
        "network", "activate_line", {"msisdn": "13800000000", "iccid": "8986…"},
        key=f"order:{order.number}:activate_line", on_done="orders.network_done", aggregate=order,
    )

The command row is written in the caller's transaction (rolled back with it); after commit the
dispatcher calls the adapter with ``key`` (the adapter applies one key once), stores the result and
calls the completion handler with it, in one transaction. A failure is retried with back-off
(parameters ``integration.retry_*``); after ``integration.max_attempts`` attempts, or at once when the
other system refuses, the command is *dead*: it waits in the error queue until an operator replays
it (it runs again) or discards it (the handler is then called with the command discarded and
``result`` None, so the waiting process can take its failure path).

Requesting the same ``key`` again (a process step running a second time after a crash) answers the
existing command; the same key with another operation or payload is a ValueError.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Model

from . import kick
from .adapters import INTERFACES
from .models import KEY_MAX, Command

_HANDLERS: dict[str, Callable[[Command, dict | None], None]] = {}


def completion_handler(name: str):
    """Decorator registering ``fn(command, result)`` under ``name`` (``"<app>.<what>"``, stable: it is
    stored with each command). ``command.state`` is ``done`` (``result``: the adapter's answer) or
    ``discarded`` (``result`` None). Raising rolls the completion back; the command is retried."""

    def register(fn):
        _HANDLERS[name] = fn
        return fn

    return register


def handler(name: str) -> Callable[[Command, dict | None], None] | None:
    return _HANDLERS.get(name)


def _json(value) -> object:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def request(
    adapter: str,
    operation: str,
    payload: dict,
    *,
    key: str,
    on_done: str | None = None,
    aggregate=None,
    org_unit=None,
    actor=None,
) -> Command:
    """Ask ``adapter`` ("billing" / "network") to run ``operation`` with ``payload`` (its keyword
    arguments) once for idempotency ``key``; returns the Command (``state``, later ``result``).

    ``aggregate`` (a model instance, or ``(type, id)``) links the command to what it is for (the
    order), and gives its ``org_unit`` (the error queue is scoped by it) unless one is passed.
    ValueError for an unknown adapter, operation or handler, arguments that do not fit the
    operation, or a key already used for another call; RuntimeError outside a transaction.
    """
    interface = INTERFACES.get(adapter)
    if interface is None:
        raise ValueError(f"unknown adapter {adapter!r}; known: {', '.join(INTERFACES)}")
    key = str(key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise ValueError(f"the idempotency key must have 1 to {KEY_MAX} characters")
    if not isinstance(payload, dict):
        raise ValueError("payload must be a dict of the operation's keyword arguments")
    interface.check_arguments(operation, payload, key=key)
    if on_done and on_done not in _HANDLERS:
        raise ValueError(f"no completion handler {on_done!r} is registered (commands.completion_handler)")
    kick.require_transaction("commands.request()")
    payload = _json(payload)

    existing = Command.objects.filter(adapter=adapter, key=key).first()
    if existing is not None:
        return _same(existing, operation, payload)
    aggregate_type = aggregate_id = ""
    unit_id = None
    if isinstance(aggregate, Model):
        aggregate_type, aggregate_id = aggregate._meta.label_lower, str(aggregate.pk)
        unit_id = getattr(aggregate, "org_unit_id", None)
    elif aggregate is not None:
        aggregate_type, aggregate_id = str(aggregate[0]), str(aggregate[1])
    if org_unit is not None:
        unit_id = org_unit.pk if isinstance(org_unit, Model) else int(org_unit)
    try:
        with transaction.atomic():
            command = Command.objects.create(
                adapter=adapter,
                operation=operation,
                key=key,
                payload=payload,
                on_done=on_done or "",
                aggregate_type=aggregate_type,
                aggregate_id=aggregate_id,
                org_unit_id=unit_id,
                actor=actor if actor is not None and getattr(actor, "pk", None) else None,
            )
    except IntegrityError:  # another transaction requested the same key a moment ago
        return _same(Command.objects.get(adapter=adapter, key=key), operation, payload)
    kick.on_commit()
    return command


def _same(command: Command, operation: str, payload) -> Command:
    if command.operation != operation or command.payload != payload:
        raise ValueError(
            f"key {command.key!r} was used for {command.adapter}.{command.operation} with other arguments"
        )
    return command


def get(adapter: str, key: str) -> Command | None:
    """The command of ``adapter`` for idempotency ``key`` (system read, not scoped), or None."""
    return Command.objects.filter(adapter=adapter, key=key).first()


def for_aggregate(aggregate) -> list[Command]:
    """The commands requested for ``aggregate`` (a model instance or ``(type, id)``), oldest first."""
    if isinstance(aggregate, Model):
        kind, pk = aggregate._meta.label_lower, str(aggregate.pk)
    else:
        kind, pk = str(aggregate[0]), str(aggregate[1])
    return list(Command.objects.filter(aggregate_type=kind, aggregate_id=pk).order_by("created_at", "id"))


def complete(command: Command, result: dict | None) -> None:
    """Call ``command``'s completion handler (the dispatcher and the discard action do, inside the
    transaction that records the outcome). LookupError when its handler is not registered."""
    if not command.on_done:
        return
    fn = _HANDLERS.get(command.on_done)
    if fn is None:
        raise LookupError(f"completion handler {command.on_done!r} is not registered")
    fn(command, result)
