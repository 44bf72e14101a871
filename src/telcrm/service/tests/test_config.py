"""Ticket categories and SLA targets as an administrator edits them: validation, audit, the page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from telcrm.platform.errors import AccessDenied
from telcrm.platform.models import AuditLog
from telcrm.service import actions
from telcrm.service.actions import routing
from telcrm.service.models import SlaTarget

pytestmark = pytest.mark.django_db


def test_category_save_validates_and_refuses_cycles(carrier, cat):
    admin = carrier["admin"]
    with pytest.raises(ValidationError) as exc:
        actions.ticket_category_save(actor=admin, code="Bad Code!", name="", calendar="nope")
    assert set(exc.value.error_dict) == {"code", "name", "calendar"}
    with pytest.raises(ValidationError) as exc:
        actions.ticket_category_save(
            actor=admin,
            category=cat["complaint"],
            code="complaint",
            name="投诉",
            parent=cat["complaint.network"],
        )
    assert exc.value.error_dict["parent"][0].code == "cycle"
    row = actions.ticket_category_save(
        actor=admin, code="complaint.5g", name="5G投诉", parent=cat["complaint"], default_team=carrier.city
    )
    assert row.parent == cat["complaint"] and AuditLog.objects.filter(action="ticket_category.save").exists()
    with pytest.raises(AccessDenied):
        actions.ticket_category_save(actor=carrier["service"], code="x", name="x")


def test_sla_targets_set_and_removed(carrier, cat):
    admin = carrier["admin"]
    with pytest.raises(ValidationError) as exc:
        actions.sla_targets_set(actor=admin, category=cat["suggestion"], targets={1: (60, 30), 2: (10, None)})
    assert {k: v[0].code for k, v in exc.value.error_dict.items()} == {"p1": "invalid", "p2": "incomplete"}
    actions.sla_targets_set(actor=admin, category=cat["suggestion"], targets={1: (10, 100), 3: (None, None)})
    assert routing.targets(cat["suggestion"], 1).resolution_minutes == 100
    actions.sla_targets_set(actor=admin, category=cat["complaint"], targets={1: (None, None)})
    assert not SlaTarget.objects.filter(category=cat["complaint"], priority=1).exists()


def test_category_pages(carrier, client_for, cat):
    client = client_for(carrier["admin"])
    r = client.get(reverse("ticket-category-list"))
    assert r.status_code == 200 and r.content.count(b'data-testid="category-row"') == len(cat)
    pk = cat["fault"].pk
    assert client.get(reverse("ticket-category-edit", args=[pk])).status_code == 200
    r = client.post(
        reverse("ticket-category-targets", args=[pk]), {"p1_response": "30", "p1_resolution": "10"}
    )
    assert r.status_code == 400 and b'data-field="p1"' in r.content
    r = client.post(
        reverse("ticket-category-targets", args=[pk]), {"p1_response": "10", "p1_resolution": "90"}
    )
    assert r.status_code == 302
    assert SlaTarget.objects.get(category_id=pk, priority=1).resolution_minutes == 90
    assert not SlaTarget.objects.filter(category_id=pk, priority=2).exists()  # left empty: removed
    r = client.post(reverse("ticket-category-new"), {"code": "care", "name": "关怀", "is_active": "on"})
    assert r.status_code == 302
    assert client_for(carrier["service"]).get(reverse("ticket-category-list")).status_code == 403
