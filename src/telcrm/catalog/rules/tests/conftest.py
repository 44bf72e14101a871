"""Fixtures of the rule tests: a clean engine per test, tables built from grids, publishing."""

from __future__ import annotations

import pytest

from telcrm.catalog.rules import engine


@pytest.fixture(autouse=True)
def _fresh_engine():
    engine.reset_local()
    yield
    engine.reset_local()


@pytest.fixture
def admin(carrier):
    return carrier["admin"]


@pytest.fixture
def publish(admin, django_capture_on_commit_callbacks):
    """publish(code, grid, kind=…) → the published version (on-commit work, the engine stamp, runs)."""
    from ._helpers import make_published

    def run(code, grid, *, kind="eligibility", actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            return make_published(actor or admin, code, grid, kind=kind)

    return run
