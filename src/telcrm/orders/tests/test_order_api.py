# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""The order API: an order taken (and submitted) in one call, refusals naming the field in Chinese and
English with nothing left behind, cancel / retry / refund, and a scoped list of fixed query count."""

from __future__ import annotations

import pytest

from telcrm.orders.models import Order, OrderState
from telcrm.platform.testing import count_queries
from telcrm.resources.models import Number, NumberState

from .acceptance_fixtures import shop, verified_customer  # noqa: F401
from .lifecycle_fixtures import NUMBER, submitted, verify

pytestmark = pytest.mark.django_db

URL = "/api/v1/orders/"


def take(client, shop, *, customer=None, number=NUMBER, sim=0, submit=True, **extra):
    body = {
        "customer": (customer or shop.customer).pk,
        "order_type": "new_line",
        "offerings": [{"code": "5G-128"}],
        "number": number,
        "iccid": shop.sims[sim],
        "payments": [{"method": "account", "amount_fen": 1}],  # charged to the billing account
        "submit": submit,
        **extra,
    }
    return client.post(URL, body, content_type="application/json")


def test_an_order_taken_and_submitted_in_one_call(shop, client_for):
    response = take(client_for(shop.clerk), shop)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["order_type"], body["customer"]["id"]) == (
        "submitted",
        "new_line",
        shop.customer.pk,
    )
    assert body["process"] and body["order_no"].startswith("OD")
    assert [i["msisdn"] for i in body["items"] if i["msisdn"]] == [NUMBER]
    assert [p["method"] for p in body["payments"]] == ["account"]
    number = Number.objects.get(msisdn=NUMBER)
    assert (number.state, number.customer_id) == (NumberState.ASSIGNED, shop.customer.pk)


def test_a_number_taken_by_another_order_is_refused_by_name_and_nothing_is_left(shop, client_for):
    client = client_for(shop.clerk)
    assert take(client, shop, submit=False).status_code == 201
    other = verified_customer(shop.carrier, name="王五", id_number="330106199202021234")
    response = take(client, shop, customer=other, sim=1)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "number" and error["code"] in ("taken", "not_free")
    assert NUMBER in error["message_zh"] and NUMBER in error["message_en"]
    assert error["message_zh"] != error["message_en"]
    assert Order.objects.count() == 1  # the second order was not half-written


def test_input_errors_name_their_fields(shop, client_for):
    client = client_for(shop.clerk)
    response = client.post(
        URL, {"customer": shop.customer.pk, "order_type": "teleport"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["order_type"]
    response = take(client, shop, number="13999999999")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "number"
    response = take(client, shop, details={"colour": "red"})
    assert response.json()["errors"][0]["field"] == "details"
    assert not Order.objects.exists()


def test_cancel_and_refund_through_the_api(shop, client_for):
    client = client_for(shop.clerk)
    order = take(client, shop, payments=[{"method": "cash", "amount_fen": 1_000_000}]).json()
    assert order["state"] == "submitted", order
    response = client.post(
        f"{URL}{order['id']}/cancel", {"reason": "客户改主意"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "cancelled"
    assert (body["refund"]["state"], body["refund"]["amount_fen"]) == ("due", 1_000_000)
    response = client.post(
        f"{URL}{order['id']}/refund", {"reference": "RF-1"}, content_type="application/json"
    )
    assert response.json()["refund"]["state"] == "refunded"


def test_a_completed_order_cannot_be_cancelled_through_the_api(shop, run, client_for):
    order = submitted(shop)
    verify(shop, run, order)
    response = client_for(shop.clerk).post(
        f"{URL}{order.pk}/cancel", {"reason": "晚了"}, content_type="application/json"
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("order", "completed")
    assert "已竣工" in error["message_zh"] and "cannot be cancelled" in error["message_en"]


def test_retry_through_the_api(shop, run, set_param, client_for):
    set_param("integration.simulator_faults", {"network.activate_line": "reject"})
    order = submitted(shop)
    verify(shop, run, order)
    detail = client_for(shop.clerk).get(f"{URL}{order.pk}").json()
    assert detail["state"] == "failed" and detail["failure"]["element"] == "activate_line"
    assert client_for(shop.clerk).post(f"{URL}{order.pk}/retry").status_code == 403
    set_param("integration.simulator_faults", {})
    response = client_for(shop.carrier["backoffice"]).post(f"{URL}{order.pk}/retry")
    assert response.status_code == 200 and response.json()["state"] == OrderState.IN_PROGRESS


def test_the_list_is_scoped_and_its_query_count_fixed(shop, client_for):
    client = client_for(shop.clerk)
    take(client, shop, submit=False)
    client.get(URL)  # warm the session and the cached parameters
    with count_queries() as one:
        response = client.get(URL)
    assert [o["order_no"] for o in response.json()["results"]] == list(
        Order.objects.values_list("order_no", flat=True)
    )
    other = verified_customer(shop.carrier, name="王五", id_number="330106199202021234")
    take(client, shop, customer=other, number="13805710002", sim=1, submit=False)
    with count_queries() as two:
        assert len(client.get(URL).json()["results"]) == 2
    assert len(two) == len(one)
    assert client_for(shop.carrier["other_clerk"]).get(URL).json()["results"] == []
    assert client.get(URL, {"state": "submitted"}).json()["results"] == []
