"""Announcing business changes (INT-2) from any module's actions.

Every action that changes business data announces it in its own transaction::

    from telcrm.platform.events import emit

    emit("customer.created", aggregate=customer, actor=actor)

The outbox that stores the announcement (and delivers it once the transaction commits) belongs to the
integration app, which sits at the edge of the system; it registers itself here when Django starts
(``register_outbox``), so the business modules below it announce without depending on it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_outbox: Callable | None = None


def register_outbox(emit_many: Callable) -> None:
    """``emit_many(topic, aggregates, *, payloads, org_unit, actor) -> list`` stores announcements."""
    global _outbox
    _outbox = emit_many


def emit_many(topic: str, aggregates, *, payloads=None, org_unit=None, actor=None) -> list:
    """Announce ``topic`` about each of ``aggregates`` (model instances or ``(type, id)`` pairs) in
    the caller's transaction; ``payloads`` (one per aggregate) default to the outbox's builder for the
    aggregate's model. Returns the stored events."""
    if _outbox is None:
        raise ImproperlyConfigured("No event outbox is installed: add telcrm.integration to INSTALLED_APPS.")
    return _outbox(topic, aggregates, payloads=payloads, org_unit=org_unit, actor=actor)


def emit(topic: str, *, aggregate, payload: dict | None = None, org_unit=None, actor=None):
    """Announce ``topic`` about ``aggregate`` in the caller's transaction; returns the stored event."""
    payloads = None if payload is None else [payload]
    return emit_many(topic, [aggregate], payloads=payloads, org_unit=org_unit, actor=actor)[0]
