"""The official TMF620 conformance kit (shared/tmf/TMF620), run with newman through scripts/ctk.py's
wrapper against a live test server holding a small catalog (a bundle included, whose list entry the kit
checks differently). Skipped when node/newman or the kit is not available; `make ctk` runs it too."""

from __future__ import annotations

import json
import shutil

import pytest
from rest_framework.test import APIClient
from scripts import ctk

from telcrm.catalog import actions
from telcrm.platform.tests._api_fixtures import issue_token

API = "TMF620"


def _newman_available() -> bool:
    try:
        ctk.newman_command()
    except SystemExit:
        return False
    return shutil.which("node") is not None


def test_the_kit_is_registered_with_its_env_key():
    path, key, prefix = ctk.KITS[API]
    assert prefix == "productCatalogManagement/v4/"
    source = ctk.SHARED / path
    if not source.exists():
        pytest.skip(f"{source} is not available")
    assert f"{{{{{key}}}}}productOffering" in json.dumps(json.loads(source.read_text())["item"])


@pytest.fixture
def small_catalog(transactional_db, carrier):
    admin = carrier["admin"]
    spec = actions.specification_save(actor=admin, code="SPEC-5G", name="5G移动号码", kind="mobile")
    members = []
    for code, kind in (("5G-88", "plan"), ("BB-500M", "broadband")):
        offering = actions.offering_create(actor=admin, code=code, name=code, kind=kind, specification=spec)
        actions.price_create(
            actor=admin, offering=offering, name="月费", price_type="recurring", amount_fen=8800
        )
        members.append(actions.offering_activate(actor=admin, offering=offering))
    bundle = actions.offering_create(actor=admin, code="HOME-129", name="家庭融合", kind="bundle")
    for member in members:
        actions.bundle_member_add(actor=admin, bundle=bundle, member=member)
    actions.price_create(actor=admin, offering=bundle, name="月费", price_type="recurring", amount_fen=12900)
    actions.offering_activate(actor=admin, offering=bundle)
    actions.category_save(actor=admin, code="plans-5g", name="5G套餐")
    return admin


def test_the_official_kit_passes(small_catalog, live_server, tmp_path, monkeypatch):
    path = ctk.SHARED / ctk.KITS[API][0]
    if not path.exists():
        pytest.skip(f"{path} is not available")
    if not _newman_available():
        pytest.skip("node/newman is not installed (make setup)")
    response = issue_token(APIClient(), small_catalog.username)
    assert response.status_code == 200, response.content
    monkeypatch.setattr(ctk, "OUT", tmp_path)  # reports stay out of var/ctk
    result = ctk.run_kit(API, live_server.url + "/", response.json()["token"])
    assert "error" not in result, result
    assert result["failed"] == 0 and result["requests_failed"] == 0, result["failures"]
    assert result["requests"] == 47 and result["assertions"] > 400, result
