"""Service-task handlers: the Python a BPMN service task runs, registered by name.

A service task names its handler in the BPMN
(``<spiffworkflow:serviceTaskOperator id="billing.open_account">``); the engine calls the handler
registered under that name::

    from telcrm.orders.processes.registry import StepContext, TransientError, service_task

    @service_task("billing.open_account", label="计费开户", label_en="Open the billing account")
    def open_account(step: StepContext) -> dict:
        ...  # call the billing adapter with step.idempotency_key
        return {"account_no": "..."}

A handler gets a :class:`StepContext` and returns a JSON-able dict (or None), which the process keeps
under the task's result variable. It runs inside the step's transaction: whatever it writes (an outbox
event, an order's state) commits together with the step, or not at all. A handler that calls another
system passes ``step.idempotency_key``, the same on every attempt of this step, so the other system
applies it once even when a crash makes the step run again. A handler raises :class:`TransientError`
when the other system is unavailable: the engine retries the step later with backoff.

Stand-ins (``stub=True``) record the call until the real handler is registered: a real registration
replaces a stand-in, a stand-in never replaces a real handler, two real ones for a name are an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class TransientError(Exception):
    """The step could not be done now (another system is down or busy): try again later."""


@dataclass(frozen=True)
class StepContext:
    """What a handler knows about the step it runs."""

    instance: Any  # the ProcessInstance (locked for the step)
    task_id: str  # SpiffWorkflow's id of this task: stable across attempts
    element_id: str  # the BPMN element id
    element_name: str
    operation: str  # the handler name
    params: dict  # the task's parameters, evaluated against the process data
    data: dict  # a copy of the process data at this step
    idempotency_key: str
    attempt: int = 1

    @property
    def subject(self):
        return self.instance.subject

    @property
    def business_key(self) -> str:
        return self.instance.business_key


@dataclass(frozen=True)
class Handler:
    name: str
    fn: Callable[[StepContext], dict | None]
    label: str = ""
    label_en: str = ""
    stub: bool = False
    params: tuple[str, ...] = field(default_factory=tuple)


HANDLERS: dict[str, Handler] = {}


def service_task(
    name: str, *, label: str = "", label_en: str = "", stub: bool = False, params: tuple[str, ...] = ()
):
    """Register ``fn(step) -> dict | None`` as the handler of service tasks naming ``name``."""
    if not NAME_RE.match(name):
        raise ImproperlyConfigured(f"service task handler name {name!r}: use dotted lower-case words")

    def register(fn):
        existing = HANDLERS.get(name)
        if existing is not None and existing.fn is not fn:
            if stub and not existing.stub:
                return fn  # the real handler is in already
            if not stub and not existing.stub:
                raise ImproperlyConfigured(f"two handlers for service task {name!r}")
        HANDLERS[name] = Handler(name, fn, label, label_en, stub, tuple(params))
        return fn

    return register


def handler_for(name: str) -> Handler | None:
    return HANDLERS.get(name)


def handlers() -> list[Handler]:
    return [HANDLERS[k] for k in sorted(HANDLERS)]
