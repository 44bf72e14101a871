"""Fixtures of the process and work-order tests."""

from __future__ import annotations

from pathlib import Path

import pytest

BPMN_DIR = Path(__file__).resolve().parent.parent / "processes" / "bpmn"


def shipped(name: str) -> str:
    return (BPMN_DIR / f"{name}.bpmn").read_text(encoding="utf-8")


@pytest.fixture
def set_param(db):
    """set_param(key, value): change a system parameter for this test."""
    from telcrm.platform import parameters
    from telcrm.platform.models import Parameter

    def set_(key: str, value) -> None:
        assert Parameter.objects.filter(key=key).update(value=value) == 1, key
        parameters.invalidate()

    return set_


@pytest.fixture
def bo_team(carrier):
    """The Hangzhou back-office team (ZJ-HZ-BO1) the shipped processes queue verification to, with a
    handler in it."""
    from telcrm.platform.models import OrgKind
    from telcrm.platform.testing import make_unit, make_user

    team = make_unit("ZJ-HZ-BO1", "杭州后台工单班", OrgKind.TEAM, carrier.city, "Hangzhou back office")
    carrier.users["bo_handler"] = make_user("bo_handler", "backoffice", team)
    return team


@pytest.fixture
def publish(carrier):
    """publish(key, xml_or_shipped_name) → the active version of a new (or existing) definition."""
    from telcrm.orders import actions
    from telcrm.orders.models import ProcessDefinition

    def do(key: str, xml: str, name: str = "测试流程"):
        if not xml.lstrip().startswith("<"):
            xml = shipped(xml)
        admin = carrier["admin"]
        definition = ProcessDefinition.objects.filter(key=key).first()
        if definition is None:
            definition = actions.process_definition_create(actor=admin, key=key, name=name, bpmn_xml=xml)
            draft = definition.versions.get()
        else:
            draft = actions.process_draft_save(actor=admin, definition=definition, bpmn_xml=xml)
        return actions.process_version_publish(actor=admin, version=draft)

    return do


@pytest.fixture
def run(db):
    """run(instance) → advance it to where it waits (what the worker does after commit)."""
    from telcrm.orders.processes import engine

    def do(instance):
        result = engine.advance(instance)
        instance.refresh_from_db()
        return result

    return do
