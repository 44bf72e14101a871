# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""The official TMF622 and TMF637 conformance kits (shared/tmf/TMF622, TMF637), run with newman through
scripts/ctk.py's wrapper against a live test server: two lines for TMF637's list, and for TMF622 our
own POST body built by scripts/ctk.py through the APIs (a customer, a line, an order suspending it).
Skipped when node/newman or the kits are not available; `make ctk` runs them too."""

from __future__ import annotations

import json
import shutil

import pytest
from rest_framework.test import APIClient
from scripts import ctk

from telcrm.customers.models import Subscription
from telcrm.platform.tests._api_fixtures import issue_token

from .acceptance_fixtures import shop  # noqa: F401


def _newman_available() -> bool:
    try:
        ctk.newman_command()
    except SystemExit:
        return False
    return shutil.which("node") is not None


@pytest.mark.parametrize(
    ("api", "prefix", "resource"),
    [
        ("TMF622", "productOrderingManagement/v4/", "productOrder"),
        ("TMF637", "productInventory/v4/", "product"),
    ],
)
def test_the_kits_are_registered_with_their_env_keys(api, prefix, resource):
    path, key, registered = ctk.KITS[api]
    assert registered == prefix
    source = ctk.SHARED / path
    if not source.exists():
        pytest.skip(f"{source} is not available")
    assert f"{{{{{key}}}}}{resource}" in json.dumps(json.loads(source.read_text())["item"])


def test_only_the_tmf622_wrapper_sends_our_body():
    official = {"info": {"name": "kit"}, "item": [{"name": "x"}]}
    ours = ctk.wrapper_collection(official, "TMF622", own_payload=True)
    script = "\n".join(ours["event"][0]["script"]["exec"])
    assert "telcrm_post_body" in script and "Authorization" in script
    assert ours["item"] == official["item"] and "own payload" in ours["info"]["description"]
    plain = "\n".join(ctk.wrapper_collection(official, "TMF629")["event"][0]["script"]["exec"])
    assert "telcrm_post_body" not in plain
    assert set(ctk.PAYLOADS) == {"TMF622"}


@pytest.fixture
def kit_data(transactional_db, shop):
    admin = shop.carrier["admin"]
    admin.is_superuser = True  # as the demo admin the CTK signs in with
    admin.save(update_fields=["is_superuser"])
    for n, status in enumerate(("active", "suspended")):
        Subscription.objects.create(
            customer=shop.customer,
            account=shop.customer.accounts.first(),
            msisdn=f"1390571000{n}",
            offer_code="5G-128",
            offer_name="5G-128 套餐",
            status=status,
            org_unit=shop.customer.org_unit,
            owner=shop.clerk,
        )
    return admin


@pytest.mark.parametrize(("api", "requests"), [("TMF622", 9), ("TMF637", 8)])
def test_the_official_kit_passes(kit_data, live_server, tmp_path, monkeypatch, api, requests):
    path = ctk.SHARED / ctk.KITS[api][0]
    if not path.exists():
        pytest.skip(f"{path} is not available")
    if not _newman_available():
        pytest.skip("node/newman is not installed (make setup)")
    response = issue_token(APIClient(), kit_data.username)
    assert response.status_code == 200, response.content
    monkeypatch.setattr(ctk, "OUT", tmp_path)  # reports stay out of var/ctk
    result = ctk.run_kit(api, live_server.url + "/", response.json()["token"])
    assert "error" not in result, result
    assert result["failed"] == 0 and result["requests_failed"] == 0, result["failures"]
    assert result["requests"] == requests and result["assertions"] > 30, result
