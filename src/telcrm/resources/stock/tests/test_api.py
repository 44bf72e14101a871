"""The stock API (/api/v1/stock/): scoped lists and details per role, the order operations by ICCID /
IMEI, levels, transfers end to end, the error shape with fields, query counts."""

from __future__ import annotations

import pytest

from telcrm.platform.tests._api_fixtures import assert_error, client_as, results
from telcrm.resources.stock import actions
from telcrm.resources.stock.models import SimCard, Transfer
from telcrm.resources.stock.states import ItemState
from telcrm.resources.stock.testing import iccid_for, make_sims, make_terminals

pytestmark = pytest.mark.django_db
API = "/api/v1/stock"


@pytest.fixture
def stock(carrier):
    return {
        "hz": make_sims(carrier.branch, 4),
        "nb": make_sims(carrier.other_branch, 3),
        "phones": make_terminals(carrier.branch, 2),
    }


def test_lists_are_scoped(carrier, stock):
    hz = {s.iccid for s in stock["hz"]}
    nb = {s.iccid for s in stock["nb"]}
    assert {r["iccid"] for r in results(client_as(carrier["clerk"]).get(f"{API}/sims/"))} == hz
    assert {r["iccid"] for r in results(client_as(carrier["other_branch_manager"]).get(f"{API}/sims/"))} == nb
    assert {r["iccid"] for r in results(client_as(carrier["analyst"]).get(f"{API}/sims/"))} == hz | nb
    assert results(client_as(carrier["installer"]).get(f"{API}/sims/")) == []  # their team holds nothing
    for role in ("agent", "marketer", "service"):
        assert_error(client_as(carrier[role]).get(f"{API}/sims/"), 403)
    assert_error(client_as(None).get(f"{API}/sims/"), 401)


def test_detail_by_iccid_and_history(carrier, stock):
    sim = stock["hz"][0]
    client = client_as(carrier["clerk"])
    body = client.get(f"{API}/sims/{sim.iccid}/").json()
    assert (
        body["iccid"] == sim.iccid and body["state"] == "in_stock" and body["org_unit"]["code"] == "ZJ-HZ-01"
    )
    assert body["state_label"] and body["kind_label"]
    assert_error(client.get(f"{API}/sims/{stock['nb'][0].iccid}/"), 404)  # another branch
    assert_error(client.get(f"{API}/sims/{iccid_for(999_999_999)}/"), 404)
    client.post(f"{API}/sims/{sim.iccid}/allocate/", {"reference": "DD1"}, format="json")
    moves = results(client.get(f"{API}/sims/{sim.iccid}/movements/"))
    assert [m["move"] for m in moves] == ["allocate"] and moves[0]["actor"] == "clerk"


def test_filters(carrier, stock):
    client = client_as(carrier["admin"])
    target = stock["nb"][1]
    assert [r["iccid"] for r in results(client.get(f"{API}/sims/", {"q": target.imsi}))] == [target.iccid]
    got = results(client.get(f"{API}/sims/", {"org_unit": carrier.other_branch.pk}))
    assert len(got) == 3
    assert_error(client.get(f"{API}/sims/", {"state": "lost"}), 400, field="state")
    phones = results(client.get(f"{API}/terminals/", {"brand": "华为"}))
    assert len(phones) == 2 and phones[0]["price_fen"] == 599900


def test_order_operations_on_a_sim(carrier, stock):
    sim = stock["hz"][0]
    clerk = client_as(carrier["clerk"])
    body = clerk.post(f"{API}/sims/{sim.iccid}/allocate/", {"reference": "DD20260001"}, format="json").json()
    assert (body["state"], body["reference"]) == ("allocated", "DD20260001")
    item = assert_error(
        clerk.post(f"{API}/sims/{sim.iccid}/allocate/", {"reference": "DD2"}, format="json"),
        400,
        field="iccid",
    )
    assert item["code"] == "invalid_state"
    assert_error(
        clerk.post(
            f"{API}/sims/{sim.iccid}/activate/", {"msisdn": "123", "reference": "DD20260001"}, format="json"
        ),
        400,
        field="msisdn",
    )
    assert_error(
        clerk.post(f"{API}/sims/{sim.iccid}/release/", {"reference": "DD9"}, format="json"),
        400,
        field="reference",
    )
    body = clerk.post(
        f"{API}/sims/{sim.iccid}/activate/",
        {"msisdn": "13800138000", "reference": "DD20260001"},
        format="json",
    ).json()
    assert (body["state"], body["msisdn"]) == ("activated", "13800138000")
    other = stock["hz"][1]
    clerk.post(f"{API}/sims/{other.iccid}/allocate/", {}, format="json")
    assert clerk.post(f"{API}/sims/{other.iccid}/release/", {}, format="json").json()["state"] == "in_stock"
    assert_error(clerk.post(f"{API}/sims/{other.iccid}/faulty/", {"reason": "坏"}, format="json"), 403)
    manager = client_as(carrier["branch_manager"])
    assert (
        manager.post(f"{API}/sims/{other.iccid}/faulty/", {"reason": "坏卡"}, format="json").json()["state"]
        == "faulty"
    )
    assert (
        manager.post(f"{API}/sims/{other.iccid}/return/", {"reason": "退库"}, format="json").json()["state"]
        == "returned"
    )
    assert_error(
        client_as(carrier["installer"]).post(f"{API}/sims/{sim.iccid}/allocate/", {}, format="json"), 403
    )
    assert_error(
        client_as(carrier["other_clerk"]).post(
            f"{API}/sims/{stock['hz'][2].iccid}/allocate/", {}, format="json"
        ),
        404,
    )


def test_terminal_operations(carrier, stock):
    phone = stock["phones"][0]
    clerk = client_as(carrier["clerk"])
    assert (
        clerk.post(f"{API}/terminals/{phone.imei}/allocate/", {"reference": "DD5"}, format="json").json()[
            "state"
        ]
        == "allocated"
    )
    body = clerk.post(f"{API}/terminals/{phone.imei}/sell/", {"reference": "DD5"}, format="json").json()
    assert body["state"] == "sold" and body["sold_at"]


def test_levels(carrier, stock, set_param):
    set_param("stock.low_sim_threshold", 4)
    set_param("stock.low_terminal_threshold", 2)
    rows = results(client_as(carrier["admin"]).get(f"{API}/levels/"))
    by_code = {r["org_unit"]["code"]: r for r in rows}
    assert by_code["ZJ-HZ-01"]["sim"]["in_stock"] == 4 and not by_code["ZJ-HZ-01"]["sim_low"]
    assert by_code["ZJ-NB-01"]["sim_low"] and by_code["ZJ-NB-01"]["sim_threshold"] == 4
    low = results(client_as(carrier["admin"]).get(f"{API}/levels/", {"low": "true"}))
    assert [r["org_unit"]["code"] for r in low] == ["ZJ-NB-01"]
    mine = results(client_as(carrier["branch_manager"]).get(f"{API}/levels/"))
    assert [r["org_unit"]["code"] for r in mine] == ["ZJ-HZ-01"]


def test_transfer_end_to_end(carrier, stock):
    hz = stock["hz"]
    sender, receiver = client_as(carrier["branch_manager"]), client_as(carrier["other_branch_manager"])
    created = sender.post(
        f"{API}/transfers/", {"to_unit": carrier.other_branch.pk, "note": "补货"}, format="json"
    )
    assert created.status_code == 201, created.content
    tid = created.json()["id"]
    assert created.json()["from_unit"]["code"] == "ZJ-HZ-01" and created.json()["status"] == "draft"
    bad = hz[0].iccid[:-1] + str((int(hz[0].iccid[-1]) + 1) % 10)
    item = assert_error(
        sender.post(f"{API}/transfers/{tid}/items/", {"codes": [bad]}, format="json"), 400, field="codes"
    )
    assert bad in item["message_en"] and item["code"] == "invalid"
    added = sender.post(
        f"{API}/transfers/{tid}/items/", {"codes": [f"{hz[0].iccid}-{hz[2].iccid}"]}, format="json"
    )
    assert added.status_code == 201 and added.json()["added"] == 3
    assert len(results(receiver.get(f"{API}/transfers/{tid}/items/"))) == 3
    assert_error(receiver.post(f"{API}/transfers/{tid}/ship/"), 403)
    assert sender.post(f"{API}/transfers/{tid}/ship/").json()["status"] == "shipped"
    assert_error(
        client_as(carrier["clerk"]).post(f"{API}/sims/{hz[0].iccid}/allocate/", {}, format="json"),
        400,
        field="iccid",
    )
    body = receiver.post(
        f"{API}/transfers/{tid}/receive/", {"codes": [hz[0].iccid, hz[1].iccid]}, format="json"
    ).json()
    assert (body["status"], body["received_count"], body["missing_count"]) == ("received", 2, 1)
    assert SimCard.objects.get(pk=hz[0].pk).org_unit == carrier.other_branch
    assert SimCard.objects.get(pk=hz[2].pk).state == ItemState.MISSING
    assert [t["id"] for t in results(receiver.get(f"{API}/transfers/", {"direction": "in"}))] == [tid]
    assert results(client_as(carrier["installer"]).get(f"{API}/transfers/")) == []
    assert_error(
        client_as(carrier["clerk"]).post(
            f"{API}/transfers/", {"to_unit": carrier.other_branch.pk}, format="json"
        ),
        403,
    )
    assert_error(
        sender.post(f"{API}/transfers/", {"to_unit": carrier.branch.pk}, format="json"), 400, field="to_unit"
    )
    assert Transfer.objects.count() == 1


def test_deliveries_list(carrier):
    actions.stock_receive(
        actor=carrier["branch_manager"],
        org_unit=carrier.branch,
        item_type="sim",
        rows=[{"iccid": iccid_for(5), "imsi": "460030000000005"}],
    )
    rows = results(client_as(carrier["clerk"]).get(f"{API}/deliveries/"))
    assert len(rows) == 1 and rows[0]["received_count"] == 1 and rows[0]["number"].startswith("RK")
    assert results(client_as(carrier["other_clerk"]).get(f"{API}/deliveries/")) == []


def test_unknown_stock_path_is_json_404(carrier):
    assert_error(client_as(carrier["clerk"]).get(f"{API}/nothing/here"), 404)


def test_list_query_count_is_fixed(carrier, django_assert_max_num_queries):
    make_sims(carrier.branch, 50)
    client = client_as(carrier["admin"])
    with django_assert_max_num_queries(8):
        assert len(results(client.get(f"{API}/sims/"))) == 50
    with django_assert_max_num_queries(10):
        results(client.get(f"{API}/levels/"))
