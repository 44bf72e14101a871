"""Fixtures of the stock tests."""

from __future__ import annotations

import pytest


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
    """login(user) → a new test client signed in as ``user`` (one per user, unlike client_for)."""
    from django.test import Client

    def sign_in(user):
        client = Client()
        client.force_login(user)
        return client

    return sign_in
