"""Fixtures shared by every test package."""

from __future__ import annotations

import pytest


@pytest.fixture
def carrier(db):
    from telcrm.platform.testing import build_carrier

    return build_carrier()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from telcrm.platform import parameters
    from telcrm.platform.queries import config

    cache.clear()
    parameters.reset_local()
    config.reset_local()
    yield


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
