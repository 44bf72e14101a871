"""Invariants checked over many generated cases (hypothesis):

- the back-off: never shorter than the first wait (or the cap), never longer than the cap, never
  shrinking, at most doubling;
- the life of a command under any sequence of adapter outcomes: it ends done exactly when a success
  comes within the attempts and before a refusal, dead otherwise, after exactly that many attempts;
  the other side applies its key at most once; the completion handler runs once exactly when done.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telcrm.integration import commands
from telcrm.integration import dispatch as dispatcher
from telcrm.integration.adapters import PermanentError, RetryableError
from telcrm.integration.dispatch import dispatch_due, retry_delay
from telcrm.integration.models import State

OUTCOMES = ("ok", "retry", "lost_reply", "refuse")
DONE_CALLS: Counter = Counter()


@commands.completion_handler("tests.property")
def _done(command, result):
    DONE_CALLS[command.key] += 1


@given(base=st.integers(1, 3600), cap=st.integers(1, 86400), attempts=st.integers(1, 200))
def test_back_off_is_bounded_and_grows_by_at_most_double(base, cap, attempts):
    d = retry_delay(attempts, base=base, cap=cap)
    nxt = retry_delay(attempts + 1, base=base, cap=cap)
    assert timedelta(seconds=min(base, cap)) <= d <= timedelta(seconds=cap)
    assert d <= nxt <= 2 * d
    assert retry_delay(1, base=base, cap=cap) == timedelta(seconds=min(base, cap))


class Scripted:
    """An adapter whose every call takes the next scripted outcome; it applies a key once, like BOSS."""

    def __init__(self):
        self.script: list[str] = []
        self.applied: Counter = Counter()

    def call(self, operation, payload, *, key):
        outcome = self.script.pop(0) if self.script else "ok"
        if outcome in ("ok", "lost_reply") and not self.applied[key]:
            self.applied[key] += 1
        if outcome == "ok":
            return {"status": "active"}
        if outcome == "refuse":
            raise PermanentError("refused", code="refused")
        raise RetryableError(outcome, code=outcome)


def _expected(script: list[str], max_attempts: int) -> tuple[str, int]:
    for i, outcome in enumerate(script[:max_attempts], start=1):
        if outcome == "ok":
            return State.DONE, i
        if outcome == "refuse":
            return State.DEAD, i
    if len(script) < max_attempts:  # the scripted adapter answers "ok" once its script is used up
        return State.DONE, len(script) + 1
    return State.DEAD, max_attempts


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=st.lists(st.sampled_from(OUTCOMES), max_size=8), max_attempts=st.integers(1, 6))
def test_a_command_ends_as_its_outcomes_say(monkeypatch, set_param, script, max_attempts):
    set_param("integration.max_attempts", max_attempts)
    set_param("integration.retry_max_seconds", 60)
    adapter = Scripted()
    adapter.script = list(script)
    monkeypatch.setattr(dispatcher, "get_adapter", lambda system: adapter)
    key = f"p:{len(DONE_CALLS)}:{timezone.now().timestamp()}"
    with transaction.atomic():
        cmd = commands.request(
            "network", "resume_line", {"msisdn": "13800000000"}, key=key, on_done="tests.property"
        )
    now = timezone.now() + timedelta(seconds=1)
    for _ in range(20):
        if not dispatch_due(now=now):
            break
        cmd.refresh_from_db()
        if cmd.state == State.FAILED:
            assert cmd.next_attempt_at - now <= timedelta(seconds=60)
        now += timedelta(seconds=61)
    cmd.refresh_from_db()
    state, attempts = _expected(script, max_attempts)
    assert (cmd.state, cmd.attempts) == (state, attempts)
    assert adapter.applied[key] <= 1
    assert DONE_CALLS[key] == (1 if state == State.DONE else 0)
    if state == State.DONE:
        assert adapter.applied[key] == 1 and cmd.result == {"status": "active"}
