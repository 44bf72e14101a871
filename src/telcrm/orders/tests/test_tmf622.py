# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""TMF622 productOrder and cancelProductOrder through the API: an order taken and submitted by the
counter's actions, the TMF shape, errors naming the attribute, filters, paging and the data scope."""

from __future__ import annotations

import pytest
from django.utils import timezone

from telcrm.customers.models import BlacklistEntry, Subscription
from telcrm.customers.tests.test_tmf_api import tmf_error
from telcrm.orders import actions
from telcrm.orders.models import Order, OrderState, PaymentMethod
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import count_queries, make_user
from telcrm.platform.tests._api_fixtures import client_as

from .acceptance_fixtures import shop  # noqa: F401

pytestmark = pytest.mark.django_db

ORDERS = "/tmf-api/productOrderingManagement/v4/productOrder"
CANCELS = "/tmf-api/productOrderingManagement/v4/cancelProductOrder"
NUMBER = "13805710001"
REQUIRED = {"productOrderItem", "href", "id", "orderDate", "relatedParty", "state"}
CTK_ORDER = {
    "productOrderItem": [{"id": "123", "action": "add"}],
    "relatedParty": [{"id": "456-dd-df45", "@referredType": "Individual"}],
}


@pytest.fixture
def api(shop):
    shop.clerk.language = "en"
    shop.clerk.save(update_fields=["language"])
    return client_as(shop.clerk)


def new_line(shop, **extra) -> dict:
    return {
        "productOrderItem": [
            {
                "id": "1",
                "action": "add",
                "productOffering": {"id": str(shop.plan.pk)},
                "product": {
                    "productCharacteristic": [
                        {"name": "MSISDN", "value": NUMBER},
                        {"name": "ICCID", "value": shop.sims[0]},
                    ]
                },
            }
        ],
        "relatedParty": [{"id": str(shop.customer.pk), "@referredType": "Customer", "role": "customer"}],
        **extra,
    }


def line_of(shop, status="active") -> Subscription:
    return Subscription.objects.create(
        customer=shop.customer,
        account=shop.customer.accounts.first(),
        msisdn="13905710009",
        offer_code="5G-128",
        offer_name="5G-128 套餐",
        status=status,
        org_unit=shop.customer.org_unit,
        owner=shop.clerk,
    )


# --- POST -------------------------------------------------------------------------------------------
def test_a_new_line_is_taken_and_submitted_through_the_counter_actions(api, shop):
    response = api.post(
        ORDERS, new_line(shop, externalId="SHOP-42", note=[{"text": "网上营业厅"}]), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= REQUIRED and response["Location"] == body["href"]
    assert body["href"] == f"http://testserver{ORDERS}/{body['id']}"
    assert (body["@type"], body["state"], body["category"]) == ("ProductOrder", "acknowledged", "new_line")
    assert body["externalId"] == "SHOP-42" and body["note"] == [{"text": "网上营业厅"}]
    order = Order.objects.get(pk=body["id"])
    assert (order.state, order.customer, order.created_by) == (
        OrderState.SUBMITTED,
        shop.customer,
        shop.clerk,
    )
    assert body["orderNumber"] == order.order_no
    [item] = body["productOrderItem"]  # our offering and number items are the client's one item
    assert (item["id"], item["action"], item["state"]) == ("1", "add", "acknowledged")
    assert item["productOffering"]["id"] == str(shop.plan.pk)
    assert item["productOffering"]["href"].endswith(
        f"/productCatalogManagement/v4/productOffering/{shop.plan.pk}"
    )
    characteristics = {c["name"]: c["value"] for c in item["product"]["productCharacteristic"]}
    assert characteristics == {"MSISDN": NUMBER, "ICCID": shop.sims[0]}
    prices = {p["priceType"]: p["price"]["taxIncludedAmount"] for p in body["orderTotalPrice"]}
    assert prices == {"oneTime": {"unit": "CNY", "value": 50.0}, "recurring": {"unit": "CNY", "value": 128.0}}
    party = body["relatedParty"][0]
    assert (party["id"], party["role"], party["@referredType"]) == (
        str(shop.customer.pk),
        "customer",
        "Customer",
    )
    # the one-off fee went on the customer's bill: a TMF client pays at no counter
    assert list(order.payments.values_list("method", "amount_fen")) == [(PaymentMethod.ACCOUNT, 5000)]
    audit = AuditLog.objects.get(action="order.submit", object_id=str(order.pk))
    assert audit.actor == shop.clerk and audit.channel == "api"
    assert api.get(body["href"]).json()["productOrderItem"] == body["productOrderItem"]


def test_the_kits_own_payload_is_refused_naming_the_customer(api, shop):
    body = tmf_error(api.post(ORDERS, CTK_ORDER, format="json"), 400)
    assert body["message"].startswith("relatedParty: Name the customer")
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("change", "attribute"),
    [
        (lambda p: p.pop("productOrderItem"), "productOrderItem"),
        (lambda p: p["productOrderItem"][0].pop("action"), "productOrderItem[0].action"),
        (lambda p: p["productOrderItem"][0].update(action="replace"), "productOrderItem[0].action"),
        (lambda p: p["productOrderItem"][0].update(quantity=0), "productOrderItem[0].quantity"),
        (
            lambda p: p["productOrderItem"][0]["productOffering"].update(id="999999"),
            "productOrderItem[0].productOffering.id",
        ),
        (lambda p: p["productOrderItem"][0]["product"].update(id="999999"), "productOrderItem[0].product.id"),
        (lambda p: p.update(category="upgrade"), "category"),
        (lambda p: p.update(channel=[{"id": "shop"}]), "channel"),
        (lambda p: p["productOrderItem"].append({"id": "1", "action": "noChange"}), "productOrderItem"),
    ],
)
def test_bad_input_is_400_naming_the_attribute(api, shop, change, attribute):
    payload = new_line(shop)
    change(payload)
    body = tmf_error(api.post(ORDERS, payload, format="json"), 400)
    assert body["message"].startswith(f"{attribute}:"), body
    assert not Order.objects.exists()


def test_the_counters_rules_refuse_with_the_attribute_and_write_nothing(api, shop):
    # no SIM card: order_submit's "iccid" is the item's characteristics
    payload = new_line(shop)
    payload["productOrderItem"][0]["product"]["productCharacteristic"].pop()
    body = tmf_error(api.post(ORDERS, payload, format="json"), 400)
    assert body["message"] == "productOrderItem[0].product.productCharacteristic: Choose the SIM card."
    # a SIM not in stock is named by its characteristic
    payload = new_line(shop)
    payload["productOrderItem"][0]["product"]["productCharacteristic"][1]["value"] = "89860000000000000000"
    body = tmf_error(api.post(ORDERS, payload, format="json"), 400)
    assert body["message"].startswith("productOrderItem[0].product.productCharacteristic[1].value:")
    assert not Order.objects.exists()
    assert shop.pool.number(NUMBER).state == "free"  # the reservation rolled back with the order


def test_a_blacklisted_customer_is_refused_with_the_reason(api, shop):
    BlacklistEntry.objects.create(
        customer=shop.customer,
        reason_code="fraud",
        effect="block_all",
        valid_from=timezone.localdate(),
        org_unit=shop.carrier.branch,
    )
    body = tmf_error(api.post(ORDERS, new_line(shop), format="json"), 400)
    assert body["message"].startswith("relatedParty: The order cannot be taken")
    assert body["code"] == "blacklisted"


def test_an_ineligible_offering_is_named(api, shop):
    from telcrm.catalog.tests._fixtures import offering

    draft = offering(shop.carrier["admin"], "OLD-PLAN", activate=False)
    payload = new_line(shop)
    payload["productOrderItem"][0]["productOffering"]["id"] = str(draft.pk)
    body = tmf_error(api.post(ORDERS, payload, format="json"), 400)
    assert body["message"].startswith("productOrderItem[0].productOffering.id: OLD-PLAN cannot be taken")


def test_modify_a_products_status_suspends_the_line(api, shop):
    line = line_of(shop)
    payload = {
        "productOrderItem": [
            {"id": "a", "action": "modify", "product": {"id": str(line.pk), "status": "suspended"}}
        ]
    }
    response = api.post(ORDERS, payload, format="json")  # no relatedParty: the product's owner
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["category"], body["state"]) == ("suspend", "acknowledged")
    [item] = body["productOrderItem"]
    assert item["product"]["id"] == str(line.pk) and item["product"]["status"] == "suspended"
    assert item["product"]["href"].endswith(f"/productInventory/v4/product/{line.pk}")
    assert Order.objects.get(pk=body["id"]).subscription == line


def test_delete_of_a_product_is_a_termination_and_category_can_say_it(api, shop):
    line = line_of(shop)
    payload = {"productOrderItem": [{"id": "1", "action": "delete", "product": {"id": str(line.pk)}}]}
    assert api.post(ORDERS, payload, format="json").json()["category"] == "termination"


def test_permissions(shop):
    tmf_error(client_as(shop.carrier["installer"]).post(ORDERS, new_line(shop), format="json"), 403)
    tmf_error(client_as(shop.carrier["marketer"]).get(ORDERS), 403)
    api = client_as(shop.clerk)
    tmf_error(api.patch(f"{ORDERS}/1", {"state": "cancelled"}, format="json"), 405)
    tmf_error(api.delete(f"{ORDERS}/1"), 405)


# --- GET ---------------------------------------------------------------------------------------------
def test_unknown_ids_are_404(api):
    for pk in ("999999", "f42b01d2-dba6-4442-a0fa-34e59639fd15"):
        tmf_error(api.get(f"{ORDERS}/{pk}"), 404)
        tmf_error(api.get(f"{CANCELS}/{pk}"), 404)


def test_a_counter_draft_is_pending_with_its_items_by_row_id(api, shop):
    order = actions.order_create(actor=shop.clerk, customer=shop.customer, order_type="new_line")
    item = actions.order_item_add(actor=shop.clerk, order=order, offering="5G-128")
    body = api.get(f"{ORDERS}/{order.pk}").json()
    assert body["state"] == "pending"
    assert [(i["id"], i["action"]) for i in body["productOrderItem"]] == [(str(item.pk), "add")]


def test_list_filters_fields_and_paging(api, shop):
    first = api.post(ORDERS, new_line(shop), format="json").json()
    draft = actions.order_create(actor=shop.clerk, customer=shop.customer, order_type="new_line")
    Order.objects.filter(pk=draft.pk).update(created_at=timezone.now() + timezone.timedelta(hours=1))
    response = api.get(ORDERS)
    assert response.status_code == 200
    assert [o["id"] for o in response.json()] == [str(draft.pk), first["id"]]
    assert (response["X-Total-Count"], response["X-Result-Count"]) == ("2", "2")
    assert all(set(o) >= REQUIRED for o in response.json())
    assert [o["id"] for o in api.get(ORDERS, {"id": first["id"]}).json()] == [first["id"]]
    assert [o["id"] for o in api.get(ORDERS, {"orderDate": first["orderDate"]}).json()] == [first["id"]]
    assert [o["id"] for o in api.get(ORDERS, {"state": "pending"}).json()] == [str(draft.pk)]
    assert [o["id"] for o in api.get(ORDERS, {"state": "acknowledged,pending"}).json()] == [
        str(draft.pk),
        first["id"],
    ]
    assert len(api.get(ORDERS, {"category": "suspend"}).json()) == 0
    assert [o["id"] for o in api.get(ORDERS, {"relatedParty.id": str(shop.customer.pk)}).json()] == [
        str(draft.pk),
        first["id"],
    ]
    page = api.get(ORDERS, {"offset": 1, "limit": 1})
    assert [o["id"] for o in page.json()] == [first["id"]]
    assert (page["X-Total-Count"], page["X-Result-Count"]) == ("2", "1")
    assert api.get(ORDERS, {"fields": "orderDate"}).json()[1] == {
        "id": first["id"],
        "href": first["href"],
        "@type": "ProductOrder",
        "orderDate": first["orderDate"],
    }
    body = tmf_error(api.get(ORDERS, {"priority": "1"}), 400)
    assert body["message"].startswith("priority: Filtering on this attribute is not supported")
    tmf_error(api.get(ORDERS, {"limit": "-1"}), 400)


def test_list_query_count_does_not_grow_with_orders(api, shop):
    actions.order_create(actor=shop.clerk, customer=shop.customer, order_type="new_line")
    with count_queries() as few:
        assert api.get(ORDERS).status_code == 200
    for _n in range(3):
        order = actions.order_create(actor=shop.clerk, customer=shop.customer, order_type="new_line")
        actions.order_item_add(actor=shop.clerk, order=order, offering="5G-128")
    with count_queries() as many:
        assert len(api.get(ORDERS).json()) == 4
    assert len(many) == len(few)


def test_orders_outside_the_scope_are_not_seen(api, shop):
    body = api.post(ORDERS, new_line(shop), format="json").json()
    other = make_user("clerk_nb", "clerk", shop.carrier.other_branch, language="en")
    client = client_as(other)
    assert client.get(ORDERS).json() == []
    tmf_error(client.get(f"{ORDERS}/{body['id']}"), 404)
    # nor can another clerk order for a customer outside their scope
    refused = tmf_error(client.post(ORDERS, new_line(shop), format="json"), 400)
    assert refused["message"].startswith("relatedParty:")


# --- cancelProductOrder --------------------------------------------------------------------------------
def test_cancel_a_draft(api, shop):
    order = actions.order_create(actor=shop.clerk, customer=shop.customer, order_type="new_line")
    response = api.post(
        CANCELS, {"productOrder": {"id": str(order.pk)}, "cancellationReason": "客户改主意"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["id"], body["state"], body["@type"]) == (str(order.pk), "done", "CancelProductOrder")
    assert body["productOrder"]["id"] == str(order.pk) and body["cancellationReason"] == "客户改主意"
    assert response["Location"] == body["href"] == f"http://testserver{CANCELS}/{order.pk}"
    assert api.get(f"{ORDERS}/{order.pk}").json()["state"] == "cancelled"
    assert [c["id"] for c in api.get(CANCELS).json()] == [str(order.pk)]
    assert api.get(CANCELS, {"productOrder.id": str(order.pk)}).json()[0]["id"] == str(order.pk)


def test_cancel_errors(api, shop):
    body = tmf_error(api.post(CANCELS, {"productOrder": {"id": "999999"}}, format="json"), 400)
    assert body["message"].startswith("productOrder.id:")
    tmf_error(api.post(CANCELS, {}, format="json"), 400)
    order = actions.order_create(actor=shop.clerk, customer=shop.customer, order_type="new_line")
    actions.order_abandon(actor=shop.clerk, order=order)
    again = {"productOrder": {"id": str(order.pk)}, "cancellationReason": "重复"}
    conflict = tmf_error(api.post(CANCELS, again, format="json"), 409)
    assert conflict["message"].startswith("productOrder.id:") and conflict["code"] == "cancelled"


def test_cancel_a_submitted_order_needs_a_reason(api, shop):
    submitted = api.post(ORDERS, new_line(shop), format="json").json()
    body = tmf_error(api.post(CANCELS, {"productOrder": {"id": submitted["id"]}}, format="json"), 400)
    assert body["message"].startswith("cancellationReason:")
    cancel = {"productOrder": {"id": submitted["id"]}, "cancellationReason": "客户撤单"}
    response = api.post(CANCELS, cancel, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "done"
    order = api.get(f"{ORDERS}/{submitted['id']}").json()
    assert (order["state"], order["cancellationReason"]) == ("cancelled", "客户撤单")
