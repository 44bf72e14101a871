"""The integration API: counts, the error queue in the caller's scope, replay and discard."""

from __future__ import annotations

import pytest
from django.db import transaction

from telcrm.integration import commands
from telcrm.integration.dispatch import dispatch_due
from telcrm.integration.models import State
from telcrm.platform.tests._api_fixtures import assert_error, bearer, client_as

pytestmark = pytest.mark.django_db

BASE = "/api/v1/integration/"


@pytest.fixture
def dead(carrier, set_param):
    set_param("integration.simulator_faults", {"billing.close_account": "reject"})
    with transaction.atomic():
        cmd = commands.request(
            "billing", "close_account", {"account_no": "A1"}, key="o:1:close", org_unit=carrier.branch
        )
    dispatch_due()
    set_param("integration.simulator_faults", {})
    return cmd


def test_list_retrieve_replay_with_a_token(carrier, dead):
    api = bearer(carrier["admin"])
    body = api.get(BASE + "commands", {"state": "dead"}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["key"], row["state"], row["error_code"], row["adapter"]) == (
        "o:1:close",
        "dead",
        "rejected",
        "billing",
    )
    assert api.get(BASE + f"commands/{dead.pk}").json()["payload"] == {"account_no": "A1"}
    counts = api.get(BASE + "counts").json()
    assert counts["commands"]["dead"] == 1 and counts["deliveries"]["dead"] == 0
    replayed = api.post(BASE + f"commands/{dead.pk}/replay")
    assert replayed.status_code == 200 and replayed.json()["state"] in ("pending", "done")
    assert api.get(BASE + "commands", {"state": "dead"}).json()["count"] == 0


def test_discard_needs_a_reason_and_the_permission(carrier, dead):
    api = client_as(carrier["admin"])
    assert_error(api.post(BASE + f"commands/{dead.pk}/discard", {}, format="json"), 400, field="reason")
    ok = api.post(BASE + f"commands/{dead.pk}/discard", {"reason": "closed by hand"}, format="json")
    assert ok.status_code == 200 and ok.json()["state"] == State.DISCARDED
    assert_error(api.post(BASE + f"commands/{dead.pk}/replay"), 400, field="state", code="invalid_state")


def test_scope_and_permissions(carrier, dead):
    assert_error(client_as(carrier["clerk"]).get(BASE + "commands"), 403)
    assert_error(client_as(carrier["clerk"]).get(BASE + "counts"), 403)
    # the Ningbo branch manager has no integration permissions; the Hangzhou back office sees its own
    back_office = client_as(carrier["backoffice"])
    assert back_office.get(BASE + "commands").json()["count"] == 1
    assert back_office.get(BASE + "deliveries").json()["count"] == 0
    dead.org_unit = carrier.other_branch
    dead.save(update_fields=["org_unit"])
    assert back_office.get(BASE + "commands").json()["count"] == 0
    assert_error(back_office.get(BASE + f"commands/{dead.pk}"), 404)
    assert_error(back_office.post(BASE + f"commands/{dead.pk}/replay"), 404)
    assert_error(client_as(carrier["admin"]).get(BASE + "commands", {"state": "lost"}), 400, field="state")


def test_the_schema_documents_the_api(carrier):
    schema = client_as(carrier["admin"]).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/integration/commands/{id}/replay/" in paths
    assert not any("/hub" in p for p in paths)  # the TMF hub follows the TMF spec, not our schema
