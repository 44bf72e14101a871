# ruff: noqa: F811  (the shop fixture is imported from acceptance_fixtures)
"""TMF637 product (the customers' lines) through the API: the TMF shape, filters, paging, the data scope
(lines of the customers in scope), registering and correcting a line, errors naming the attribute."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from telcrm.customers.models import Subscription
from telcrm.customers.testing import make_customer
from telcrm.customers.tests.test_tmf_api import tmf_error
from telcrm.orders import actions
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import count_queries, make_user
from telcrm.platform.tests._api_fixtures import client_as

from .acceptance_fixtures import shop  # noqa: F401

pytestmark = pytest.mark.django_db

PRODUCTS = "/tmf-api/productInventory/v4/product"
REQUIRED = {
    "billingAccount",
    "href",
    "id",
    "productCharacteristic",
    "productOffering",
    "productPrice",
    "relatedParty",
    "status",
}


def line(customer, msisdn: str, *, status="active", code="5G-128", **kw) -> Subscription:
    return Subscription.objects.create(
        customer=customer,
        account=customer.accounts.first(),
        msisdn=msisdn,
        iccid=kw.pop("iccid", ""),
        offer_code=code,
        offer_name=f"{code} 套餐",
        monthly_fee=kw.pop("monthly_fee", 128),
        status=status,
        org_unit=customer.org_unit,
        owner=customer.owner,
        **kw,
    )


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def lines(shop):
    return [
        line(shop.customer, "13905710001", iccid="89860012345678901234"),
        line(shop.customer, "13905710002", status="suspended", commitment_end=dt.date(2027, 6, 30)),
    ]


@pytest.fixture
def api(shop):
    return client_as(english(shop.clerk))


@pytest.fixture
def registrar(shop):
    """A user allowed to register and correct lines (an integration user's grant)."""
    user = english(make_user("inventory", "branch_manager", shop.carrier.branch))
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="customers", codename__in=["add_subscription", "change_subscription"]
        )
    )
    return client_as(user)


def register_payload(shop, msisdn="17030000001", **extra) -> dict:
    return {
        "status": "active",
        "relatedParty": [{"id": str(shop.customer.pk), "@referredType": "Customer"}],
        "productOffering": {"id": str(shop.plan.pk)},
        "productCharacteristic": [{"name": "MSISDN", "value": msisdn}],
        **extra,
    }


# --- GET ---------------------------------------------------------------------------------------------
def test_a_line_as_a_tmf_product(api, shop, lines):
    body = api.get(f"{PRODUCTS}/{lines[0].pk}").json()
    assert set(body) >= REQUIRED
    assert (body["@type"], body["status"], body["name"]) == ("Product", "active", "5G-128 套餐")
    assert body["href"] == f"http://testserver{PRODUCTS}/{lines[0].pk}"
    assert body["productSerialNumber"] == "13905710001"
    assert body["productCharacteristic"] == [
        {"name": "MSISDN", "valueType": "string", "value": "13905710001"},
        {"name": "ICCID", "valueType": "string", "value": "89860012345678901234"},
    ]
    assert body["productOffering"]["id"] == str(shop.plan.pk)  # the catalog's version on sale
    assert body["productOffering"]["@referredType"] == "ProductOffering"
    [fee] = body["productPrice"]
    assert (fee["priceType"], fee["recurringChargePeriod"]) == ("recurring", "month")
    assert fee["price"]["taxIncludedAmount"] == {"unit": "CNY", "value": 128.0}
    account = shop.customer.accounts.first()
    assert body["billingAccount"]["id"] == str(account.pk)
    assert body["billingAccount"]["href"].endswith(f"/accountManagement/v4/billingAccount/{account.pk}")
    [party] = body["relatedParty"]
    assert (party["id"], party["role"], party["@referredType"]) == (
        str(shop.customer.pk),
        "customer",
        "Customer",
    )
    assert body["productOrderItem"] == []
    suspended = api.get(f"{PRODUCTS}/{lines[1].pk}").json()
    assert suspended["status"] == "suspended"
    assert suspended["productTerm"] == [{"name": "commitment", "validFor": {"endDateTime": "2027-06-30"}}]


def test_an_offer_code_the_catalog_does_not_know_is_shown_as_given(api, shop):
    row = line(shop.customer, "13905710003", code="OLD-99")
    assert api.get(f"{PRODUCTS}/{row.pk}").json()["productOffering"] == {
        "id": "OLD-99",
        "name": "OLD-99 套餐",
        "@referredType": "ProductOffering",
    }


def test_the_orders_of_a_line_are_linked(api, shop, lines):
    order = actions.order_create(
        actor=shop.clerk, customer=shop.customer, order_type="suspend", subscription=lines[0]
    )
    actions.order_submit(actor=shop.clerk, order=order)
    [link] = api.get(f"{PRODUCTS}/{lines[0].pk}").json()["productOrderItem"]
    assert (link["productOrderId"], link["role"], link["@referredType"]) == (
        str(order.pk),
        "suspend",
        "ProductOrder",
    )
    assert link["productOrderHref"].endswith(f"/productOrderingManagement/v4/productOrder/{order.pk}")
    # the order shows the same item id for the line
    items = api.get(link["productOrderHref"]).json()["productOrderItem"]
    assert link["orderItemId"] in [i["id"] for i in items]


def test_unknown_ids_are_404(api, lines):
    for pk in ("999999", "55a2163b-489e-4138-93e9-8becb24272f2"):
        tmf_error(api.get(f"{PRODUCTS}/{pk}"), 404)


def test_list_filters_fields_and_paging(api, shop, lines):
    response = api.get(PRODUCTS)
    assert [p["id"] for p in response.json()] == [str(lines[1].pk), str(lines[0].pk)]
    assert (response["X-Total-Count"], response["X-Result-Count"]) == ("2", "2")
    assert all(set(p) >= REQUIRED for p in response.json())

    def ids(**params):
        return [p["id"] for p in api.get(PRODUCTS, params).json()]

    assert ids(status="active") == [str(lines[0].pk)]
    assert ids(status="suspended,active") == [str(lines[1].pk), str(lines[0].pk)]
    assert ids(status="pendingActive") == []
    assert ids(id=str(lines[0].pk)) == [str(lines[0].pk)]
    assert ids(productSerialNumber="13905710002") == [str(lines[1].pk)]
    assert ids(**{"relatedParty.id": str(shop.customer.pk)}) == [str(lines[1].pk), str(lines[0].pk)]
    assert ids(**{"productOffering.id": str(shop.plan.pk)}) == [str(lines[1].pk), str(lines[0].pk)]
    assert ids(**{"productOffering.id": str(shop.plan2.pk)}) == []
    page = api.get(PRODUCTS, {"offset": 1, "limit": 1})
    assert [p["id"] for p in page.json()] == [str(lines[0].pk)]
    assert (page["X-Total-Count"], page["X-Result-Count"]) == ("2", "1")
    assert api.get(PRODUCTS, {"fields": "status"}).json()[0] == {
        "id": str(lines[1].pk),
        "href": f"http://testserver{PRODUCTS}/{lines[1].pk}",
        "@type": "Product",
        "status": "suspended",
    }
    body = tmf_error(api.get(PRODUCTS, {"isBundle": "true"}), 400)
    assert body["message"].startswith("isBundle: Filtering on this attribute is not supported")
    tmf_error(api.get(PRODUCTS, {"startDate.gt": "yesterday"}), 400)


def test_list_query_count_does_not_grow_with_lines(api, shop, lines):
    order = actions.order_create(
        actor=shop.clerk, customer=shop.customer, order_type="suspend", subscription=lines[0]
    )
    actions.order_submit(actor=shop.clerk, order=order)
    with count_queries() as few:
        assert api.get(PRODUCTS).status_code == 200
    for n in range(4):
        row = line(shop.customer, f"1390571100{n}", code="5G-198" if n % 2 else "5G-128")
        order = actions.order_create(
            actor=shop.clerk, customer=shop.customer, order_type="suspend", subscription=row
        )
        actions.order_submit(actor=shop.clerk, order=order)
    with count_queries() as many:
        assert len(api.get(PRODUCTS).json()) == 6
    assert len(many) == len(few)


def test_only_lines_of_customers_in_scope(shop, lines):
    other = make_user("clerk_nb", "clerk", shop.carrier.other_branch)
    client = client_as(other)
    assert client.get(PRODUCTS).json() == []
    tmf_error(client.get(f"{PRODUCTS}/{lines[0].pk}"), 404)
    theirs = make_customer(shop.carrier.other_branch, name="王五", owner=other)
    mine = line(theirs, "13905740001")
    assert [p["id"] for p in client.get(PRODUCTS).json()] == [str(mine.pk)]
    # a line follows its customer's scope, whoever owns the line row
    Subscription.objects.filter(pk=mine.pk).update(owner=shop.clerk, org_unit=shop.carrier.branch)
    assert [p["id"] for p in client.get(PRODUCTS).json()] == [str(mine.pk)]
    assert str(mine.pk) not in [p["id"] for p in client_as(shop.clerk).get(PRODUCTS).json()]


def test_reading_needs_the_customer_permission(shop, lines):
    nobody = make_user("nobody", None, shop.carrier.branch)
    tmf_error(client_as(nobody).get(PRODUCTS), 403)


# --- POST: a line registered ------------------------------------------------------------------------
def test_register_a_line_of_another_system(registrar, shop):
    response = registrar.post(
        PRODUCTS, register_payload(shop, startDate="2025-03-01T08:00:00Z"), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["href"] and set(body) >= REQUIRED
    sub = Subscription.objects.get(pk=body["id"])
    assert (sub.customer, sub.msisdn, sub.offer_code, sub.status) == (
        shop.customer,
        "17030000001",
        "5G-128",
        "active",
    )
    assert sub.account == shop.customer.accounts.first() and sub.monthly_fee == 128  # the customer's price
    assert (sub.org_unit, sub.owner) == (shop.customer.org_unit, shop.customer.owner)
    assert body["startDate"] == "2025-03-01T08:00:00.000Z"
    audit = AuditLog.objects.get(action="subscription.create", object_id=str(sub.pk))
    assert audit.channel == "api"


@pytest.mark.parametrize(
    ("change", "attribute"),
    [
        (lambda p: p.pop("status"), "status"),
        (lambda p: p.update(status="aborted"), "status"),
        (lambda p: p.pop("productOffering"), "productOffering"),
        (lambda p: p.update(productOffering={"id": "PO-1"}), "productOffering.id"),
        (
            lambda p: p.update(relatedParty=[{"id": "456-dd-df45", "@referredType": "Individual"}]),
            "relatedParty",
        ),
        (lambda p: p.update(productCharacteristic=[]), "productCharacteristic"),
        (
            lambda p: p["productCharacteristic"][0].update(value="12345678901"),
            "productCharacteristic[0].value",
        ),
        (lambda p: p.update(billingAccount={"id": "999999"}), "billingAccount.id"),
        (lambda p: p.update(startDate="someday"), "startDate"),
        (
            lambda p: p.update(
                productPrice=[{"priceType": "recurring", "price": {"taxIncludedAmount": {"value": -1}}}]
            ),
            "productPrice[0].price.taxIncludedAmount.value",
        ),
    ],
)
def test_register_bad_input_is_400_naming_the_attribute(registrar, shop, change, attribute):
    payload = register_payload(shop)
    change(payload)
    body = tmf_error(registrar.post(PRODUCTS, payload, format="json"), 400)
    assert body["message"].startswith(f"{attribute}:"), body
    assert not Subscription.objects.exists()


def test_register_refuses_a_number_held_or_in_our_pool(registrar, shop, lines):
    body = tmf_error(registrar.post(PRODUCTS, register_payload(shop, "13905710001"), format="json"), 400)
    assert body["message"] == "productCharacteristic[0].value: Another live line holds this number."
    body = tmf_error(registrar.post(PRODUCTS, register_payload(shop, "13805710001"), format="json"), 400)
    assert "is a number of our pool not assigned to this customer" in body["message"]
    assert Subscription.objects.count() == 2


def test_register_and_correct_need_their_permissions(api, registrar, shop, lines):
    tmf_error(api.post(PRODUCTS, register_payload(shop), format="json"), 403)
    tmf_error(api.patch(f"{PRODUCTS}/{lines[0].pk}", {"status": "suspended"}, format="json"), 403)
    tmf_error(registrar.delete(f"{PRODUCTS}/{lines[0].pk}"), 405)


# --- PATCH: the record corrected ----------------------------------------------------------------------
def test_correct_status_sim_and_commitment(registrar, shop, lines):
    url = f"{PRODUCTS}/{lines[0].pk}"
    response = registrar.patch(url, {"status": "suspended"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "suspended"
    patch = {
        "productCharacteristic": [
            {"name": "MSISDN", "value": "139 0571 0001"},  # unchanged
            {"name": "ICCID", "value": "89860012345678909999"},
        ],
        "productTerm": [{"validFor": {"endDateTime": "2028-01-31T00:00:00+08:00"}}],
    }
    body = registrar.patch(url, patch, content_type="application/merge-patch+json").json()
    assert {c["name"]: c["value"] for c in body["productCharacteristic"]}["ICCID"] == "89860012345678909999"
    assert body["productTerm"][0]["validFor"]["endDateTime"] == "2028-01-31"
    lines[0].refresh_from_db()
    assert (lines[0].status, lines[0].iccid) == ("suspended", "89860012345678909999")
    assert AuditLog.objects.filter(action="subscription.update", object_id=str(lines[0].pk)).count() == 2
    # GET → PATCH of the whole resource changes nothing
    before = registrar.get(url).json()
    assert registrar.patch(url, before, format="json").json() == before


def test_correction_errors(registrar, shop, lines):
    taken = {"productCharacteristic": [{"name": "ICCID", "value": "89860012345678901234"}]}
    body = tmf_error(registrar.patch(f"{PRODUCTS}/{lines[1].pk}", taken, format="json"), 400)
    assert body["message"] == "productCharacteristic[0].value: Another live line holds this SIM card."
    url = f"{PRODUCTS}/{lines[0].pk}"
    assert registrar.patch(url, {"status": "terminated"}, format="json").status_code == 200
    body = tmf_error(registrar.patch(url, {"status": "active"}, format="json"), 400)
    assert body["message"] == "status: A line that is Terminated cannot become Active."
    url = f"{PRODUCTS}/{lines[1].pk}"
    body = tmf_error(
        registrar.patch(url, {"productOffering": {"id": str(shop.plan2.pk)}}, format="json"), 400
    )
    assert body["message"].startswith("productOffering.id: Change the plan with a productOrder")
    msisdn = {"productCharacteristic": [{"name": "MSISDN", "value": "13905719999"}]}
    assert tmf_error(registrar.patch(url, msisdn, format="json"), 400)["code"] == "read_only"
    owner = {"relatedParty": [{"id": "999999", "@referredType": "Customer"}]}
    assert tmf_error(registrar.patch(url, owner, format="json"), 400)["message"].startswith("relatedParty:")
