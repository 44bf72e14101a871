"""Fixtures of the integration tests: a scripted BOSS / webhook receiver on a local port, parameters.

``boss`` is an HTTP+XML server (stdlib http.server in a thread, telcrm/integration/testing.py) that
behaves like a carrier's BOSS: it applies each idempotency key once and answers the stored result for
a repeated key, and it fails on purpose as scripted — ``boss.script = ["500", "timeout_after_apply",
"bad_xml_after_apply", "ok"]`` takes one step per request (then "ok"). It counts what arrived and what
it applied per key.
"""

from __future__ import annotations

import pytest

from telcrm.integration.testing import adapter_settings, boss_server, webhook_server


@pytest.fixture
def set_param(db):
    """set_param(key, value): change a system parameter for this test (and drop the cached values)."""
    from telcrm.platform import parameters
    from telcrm.platform.models import Parameter

    def set_(key: str, value) -> None:
        assert Parameter.objects.filter(key=key).update(value=value) == 1, key
        parameters.invalidate()

    return set_


@pytest.fixture
def login(db):
    """login(user) → a new test client signed in as ``user``."""
    from django.test import Client

    def sign_in(user):
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def boss(settings):
    """A scripted HTTP+XML BOSS; the billing and network adapters point at it (0.3 s read timeout)."""
    server = boss_server()
    settings.INTEGRATION_ADAPTERS = adapter_settings(server)
    yield server
    server.close()


@pytest.fixture
def receiver(settings):
    """A scripted webhook receiver (steps: an HTTP status such as "500", "timeout", or "ok")."""
    server = webhook_server()
    settings.INTEGRATION_WEBHOOK_ALLOW_PRIVATE = True
    settings.INTEGRATION_WEBHOOK_TIMEOUTS = (1.0, 0.3)
    yield server
    server.close()


@pytest.fixture
def clock():
    """A settable clock for the dispatcher: ``clock.now``, ``clock.advance(seconds)``."""
    from datetime import timedelta

    from django.utils import timezone

    class Clock:
        def __init__(self):
            self.now = timezone.now() + timedelta(seconds=5)  # rows written during the test are due

        def advance(self, seconds: float):
            self.now += timedelta(seconds=seconds)
            return self.now

    return Clock()
