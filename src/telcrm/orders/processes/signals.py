"""What the engine tells the module whose business a process moves (the order of an order process).

Each signal is sent inside the engine's transaction, with the instance locked, so a receiver's writes
commit or roll back with the change it hears about. ``sender`` is :class:`ProcessInstance`.

- ``instance_failed(instance)``: the instance went to ``failed`` — a step's error that retrying could
  not cure (a refusal, or retries used up). The engine keeps the failure even when a receiver raises
  (the receiver's writes are rolled back and the error logged).
- ``instance_retried(instance, actor)``: an operator set a failed instance running again.
- ``instance_cancelled(instance, actor, reason)``: the instance was cancelled (its open work orders
  with it). A receiver may refuse by raising ``ValidationError``: the cancellation is rolled back.
"""

from __future__ import annotations

from django.dispatch import Signal

instance_failed = Signal()
instance_retried = Signal()
instance_cancelled = Signal()
