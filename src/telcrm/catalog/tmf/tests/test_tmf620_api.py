"""TMF620 Product Catalog Management v4: contract, mapping, permissions (our tests; the kit checks little)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from telcrm.catalog import actions
from telcrm.catalog.models import (
    Catalog,
    Category,
    ProductOffering,
    ProductOfferingPrice,
    ProductSpecification,
)
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import count_queries, make_user
from telcrm.platform.tests._api_fixtures import bearer, client_as

BASE = "/tmf-api/productCatalogManagement/v4/"
SPECS = BASE + "productSpecification"
OFFERINGS = BASE + "productOffering"
PRICES = BASE + "productOfferingPrice"
CATEGORIES = BASE + "category"
CATALOGS = BASE + "catalog"
RESOURCES = (CATALOGS, CATEGORIES, SPECS, OFFERINGS, PRICES)
CTK_OFFERING = {
    "name": "aProductOffering",
    "productSpecification": {
        "id": "9881",
        "href": "https://mycsp.com:8080/tmf-api/productCatalogManagement/v4/productSpecification/9881",
        "version": "1.1",
        "name": "Robotics999",
        "@referredType": "DeviceSpecification",
    },
}
CTK_PRICE = {"name": "Recurring Charge for Business Firewall", "isBundle": False, "priceType": "recurring"}
REQUIRED = {"href", "id", "lastUpdate", "lifecycleStatus", "name"}


def tmf_error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert body["@type"] == "Error" and body["status"] == str(status), body
    assert body["code"] and body["reason"] and body["message"], body
    return body


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def admin(carrier):
    return english(carrier["admin"])


@pytest.fixture
def api(admin):
    return client_as(admin)


def created(response) -> dict:
    assert response.status_code == 201, (response.status_code, response.content)
    body = response.json()
    assert response["Location"] == body["href"]
    assert isinstance(body["id"], str) and body["href"].endswith("/" + body["id"])
    return body


def on_sale(admin, code: str, *, spec=None, monthly: int = 12800, kind: str = "plan") -> ProductOffering:
    """An active offering made through the catalog actions, with a monthly fee in fen."""
    offering = actions.offering_create(
        actor=admin, code=code, name=f"{code} 套餐", kind=kind, specification=spec
    )
    actions.price_create(
        actor=admin, offering=offering, name="月费", price_type="recurring", amount_fen=monthly
    )
    return actions.offering_activate(actor=admin, offering=offering)


# --- authentication and permissions --------------------------------------------------------------------
@pytest.mark.parametrize("url", RESOURCES)
def test_every_resource_needs_a_signed_in_user(carrier, url):
    response = APIClient().get(url, HTTP_ACCEPT_LANGUAGE="en")
    tmf_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"
    tmf_error(APIClient().post(url, {"name": "x"}, format="json"), 401)
    tmf_error(APIClient().delete(f"{url}/1"), 401)


def test_reading_needs_view_catalog_and_writing_manage_catalog(carrier, admin):
    spec = actions.specification_save(actor=admin, code="S1", name="5G line", kind="mobile")
    draft = actions.offering_create(actor=admin, code="D1", name="草稿", kind="plan")
    nobody = make_user("nobody", None, carrier.branch)
    for url in RESOURCES:
        tmf_error(client_as(nobody).get(url), 403)
    clerk = client_as(carrier["clerk"])  # every role reads the catalog; only the admin manages it
    assert clerk.get(SPECS).status_code == 200
    assert clerk.get(f"{OFFERINGS}/{draft.pk}").status_code == 200
    tmf_error(clerk.post(SPECS, {"name": "x"}, format="json"), 403)
    tmf_error(clerk.patch(f"{SPECS}/{spec.pk}", {"name": "x"}, format="json"), 403)
    tmf_error(clerk.delete(f"{OFFERINGS}/{draft.pk}"), 403)
    tmf_error(client_as(carrier["branch_manager"]).post(OFFERINGS, CTK_OFFERING, format="json"), 403)
    assert ProductOffering.objects.filter(pk=draft.pk).exists()
    assert ProductSpecification.objects.get(pk=spec.pk).name == "5G line"


def test_bearer_token_works(carrier, admin):
    response = bearer(admin).post(PRICES, CTK_PRICE, format="json")
    assert response.status_code == 201


def test_unknown_ids_paths_and_methods(api, admin):
    for url in RESOURCES:
        body = tmf_error(api.get(f"{url}/279edf2b-0130-4c8f-8277-f81daa05d87d"), 404)
        assert body["code"] == "not_found"
        tmf_error(api.get(f"{url}/999999"), 404)
        tmf_error(api.patch(f"{url}/999999", {"name": "x"}, format="json"), 404)
        tmf_error(api.delete(f"{url}/999999"), 404)
    tmf_error(api.get(BASE + "importJob"), 404)
    tmf_error(api.put(f"{PRICES}/1", CTK_PRICE, format="json"), 405)


# --- productSpecification -------------------------------------------------------------------------------
def test_specification_as_the_kit_posts_it(api, admin):
    body = created(api.post(SPECS, {"name": "Cisco Firepower NGFW"}, format="json"))
    assert set(body) >= REQUIRED and body["@type"] == "ProductSpecification"
    spec = ProductSpecification.objects.get(pk=body["id"])
    assert body["productNumber"] == spec.code and spec.code.startswith("PS-")  # a generated code
    assert spec.kind == "service" and body["lifecycleStatus"] == "Active" and body["isBundle"] is False
    assert (
        AuditLog.objects.get(action="catalog.specification.create", object_id=str(spec.pk)).channel == "api"
    )


def test_specification_attributes_round_trip(api):
    payload = {
        "name": "光纤宽带",
        "productNumber": "SPEC-FTTH",
        "kind": "broadband",
        "brand": "Huawei",
        "lifecycleStatus": "In design",
        "productSpecCharacteristic": [
            {
                "name": "速率",
                "valueType": "string",
                "productSpecCharacteristicValue": [{"value": "500M"}, {"value": "1000M"}],
            }
        ],
    }
    body = created(api.post(SPECS, payload, format="json"))
    assert body["productNumber"] == "SPEC-FTTH" and body["kind"] == "broadband" and body["brand"] == "Huawei"
    assert body["lifecycleStatus"] == "In design"
    values = body["productSpecCharacteristic"][0]["productSpecCharacteristicValue"]
    assert [v["value"] for v in values] == ["500M", "1000M"]
    # GET → change → PATCH the whole resource back: only the change is written
    again = api.patch(f"{SPECS}/{body['id']}", {**body, "brand": "ZTE"}, format="json")
    assert again.status_code == 200, again.content
    assert (
        again.json()["brand"] == "ZTE"
        and again.json()["productSpecCharacteristic"] == body["productSpecCharacteristic"]
    )
    body = tmf_error(api.patch(f"{SPECS}/{body['id']}", {"productNumber": "OTHER"}, format="json"), 400)
    assert body["message"].startswith("productNumber: ")


@pytest.mark.parametrize(
    "payload,field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "x", "kind": "spaceship"}, "kind"),
        ({"name": "x", "lifecycleStatus": "Rejected"}, "lifecycleStatus"),
        ({"name": "x", "productNumber": "has space"}, "productNumber"),
        (
            {"name": "x", "productSpecCharacteristic": [{"valueType": "string"}]},
            "productSpecCharacteristic[0].name",
        ),
    ],
)
def test_bad_specification_input_names_the_attribute(api, payload, field):
    body = tmf_error(api.post(SPECS, payload, format="json"), 400)
    assert body["message"].startswith(f"{field}: "), body
    assert not ProductSpecification.objects.exists()


# --- productOffering ------------------------------------------------------------------------------------
def test_offering_as_the_kit_posts_patches_and_deletes_it(api, admin):
    body = created(api.post(OFFERINGS, CTK_OFFERING, format="json"))
    assert set(body) >= REQUIRED and body["@type"] == "ProductOffering"
    assert body["productSpecification"] == CTK_OFFERING["productSpecification"]  # kept as given
    assert body["lifecycleStatus"] == "In design" and body["version"] == "1" and body["isSellable"] is False
    offering = ProductOffering.objects.get(pk=body["id"])
    assert offering.code.startswith("PO-") and offering.specification is None and offering.kind == "plan"
    assert api.get(f"{OFFERINGS}/{body['id']}").json()["productSpecification"]["id"] == "9881"
    # PATCH with plain JSON (as the kit sends it) and with merge-patch+json
    patched = api.patch(f"{OFFERINGS}/{body['id']}", {"name": "anotherProductOffering"}, format="json")
    assert patched.status_code == 200 and patched.json()["name"] == "anotherProductOffering"
    merged = api.patch(
        f"{OFFERINGS}/{body['id']}",
        '{"description": "merge patch"}',
        content_type="application/merge-patch+json",
    )
    assert merged.status_code == 200, merged.content
    assert merged.json()["description"] == "merge patch" and merged.json()["name"] == "anotherProductOffering"
    assert merged.json()["id"] == body["id"]  # a draft changes in place
    tmf_error(
        api.patch(
            f"{OFFERINGS}/{body['id']}", '[{"op": "replace"}]', content_type="application/json-patch+json"
        ),
        415,
    )
    deleted = api.delete(f"{OFFERINGS}/{body['id']}")
    assert deleted.status_code == 204 and not deleted.content
    tmf_error(api.get(f"{OFFERINGS}/{body['id']}"), 404)
    assert AuditLog.objects.filter(action="catalog.offering.delete", channel="api").exists()


def test_offering_linked_to_our_specification_gets_its_kind(api, admin):
    spec = actions.specification_save(actor=admin, code="SPEC-FTTH", name="光纤", kind="broadband")
    body = created(
        api.post(OFFERINGS, {"name": "千兆宽带", "productSpecification": {"id": str(spec.pk)}}, format="json")
    )
    assert body["kind"] == "broadband"
    assert body["productSpecification"]["id"] == str(spec.pk)
    assert body["productSpecification"]["href"].endswith(f"/productSpecification/{spec.pk}")
    offering = ProductOffering.objects.get(pk=body["id"])
    assert offering.specification == spec and "tmf" not in offering.extra
    # switching to a reference we do not know keeps it, and back again drops it
    api.patch(f"{OFFERINGS}/{body['id']}", {"productSpecification": {"id": "ext-1"}}, format="json")
    offering.refresh_from_db()
    assert offering.specification is None and offering.extra["tmf"]["productSpecification"] == {"id": "ext-1"}


def test_a_full_offering_life_through_the_api(api, admin):
    """Price first, then the offering that uses it, activated; a change makes version 2; retire."""
    cat = actions.category_save(actor=admin, code="plans-5g", name="5G套餐")
    price = created(
        api.post(PRICES, {**CTK_PRICE, "name": "月费", "price": {"unit": "CNY", "value": 128}}, format="json")
    )
    body = created(
        api.post(
            OFFERINGS,
            {
                "name": "5G畅享 128",
                "code": "5G-CX-128",
                "category": [{"id": str(cat.pk)}],
                "channel": [{"id": "counter"}],
                "productOfferingTerm": [{"name": "commitment", "duration": {"amount": 1, "units": "year"}}],
                "productOfferingPrice": [{"id": price["id"]}],
                "lifecycleStatus": "Active",
            },
            format="json",
        )
    )
    assert body["lifecycleStatus"] == "Active" and body["isSellable"] is True and body["code"] == "5G-CX-128"
    assert [p["id"] for p in body["productOfferingPrice"]] == [price["id"]]
    assert body["category"][0]["id"] == str(cat.pk) and body["channel"][0]["id"] == "counter"
    assert body["productOfferingTerm"][0]["duration"] == {"amount": 12, "units": "month"}
    assert api.get(f"{PRICES}/{price['id']}").json()["lifecycleStatus"] == "Active"  # follows the offering
    # the price of a version on sale cannot change or go (409 says why)
    tmf_error(api.patch(f"{PRICES}/{price['id']}", {"price": {"value": 1}}, format="json"), 400)
    conflict = tmf_error(api.delete(f"{PRICES}/{price['id']}"), 409)
    assert conflict["message"].startswith("lifecycleStatus: ")
    # a version on sale is not deleted: 409 naming lifecycleStatus
    conflict = tmf_error(api.delete(f"{OFFERINGS}/{body['id']}"), 409)
    assert conflict["message"].startswith("lifecycleStatus: ") and "draft" in conflict["message"]
    # sending the resource back unchanged changes nothing (no new version)
    same = api.patch(f"{OFFERINGS}/{body['id']}", body, format="json")
    assert same.status_code == 200 and same.json()["id"] == body["id"]
    assert ProductOffering.objects.filter(code="5G-CX-128").count() == 1
    # changing the version on sale makes version 2 (a draft), returned by the PATCH
    v2 = api.patch(f"{OFFERINGS}/{body['id']}", {"name": "5G畅享 128（新）"}, format="json").json()
    assert v2["id"] != body["id"] and v2["version"] == "2" and v2["lifecycleStatus"] == "In design"
    assert v2["code"] == "5G-CX-128" and len(v2["productOfferingPrice"]) == 1
    assert api.get(f"{OFFERINGS}/{body['id']}").json()["name"] == "5G畅享 128"  # v1 as it was sold
    launched = api.patch(f"{OFFERINGS}/{v2['id']}", {"lifecycleStatus": "Launched"}, format="json").json()
    assert launched["lifecycleStatus"] == "Active"
    assert api.get(f"{OFFERINGS}/{body['id']}").json()["lifecycleStatus"] == "Retired"
    retired = api.patch(
        f"{OFFERINGS}/{v2['id']}", {"lifecycleStatus": "Obsolete", "statusReason": "停售"}, format="json"
    ).json()
    assert retired["lifecycleStatus"] == "Retired" and retired["isSellable"] is False
    audit = AuditLog.objects.filter(action="catalog.offering.retire", object_id=v2["id"]).get()
    assert audit.channel == "api" and audit.actor == admin
    body = tmf_error(api.patch(f"{OFFERINGS}/{v2['id']}", {"name": "x"}, format="json"), 400)
    assert body["message"].startswith("lifecycleStatus: ")


def test_activation_problems_name_the_attribute(api):
    draft = created(api.post(OFFERINGS, {"name": "无价格"}, format="json"))
    body = tmf_error(
        api.patch(f"{OFFERINGS}/{draft['id']}", {"lifecycleStatus": "Active"}, format="json"), 400
    )
    assert body["message"].startswith("productOfferingPrice: ")
    assert ProductOffering.objects.get(pk=draft["id"]).lifecycle_status == "draft"
    # a POST asking for Active that cannot be activated leaves nothing behind (one transaction)
    tmf_error(api.post(OFFERINGS, {"name": "无价格", "lifecycleStatus": "Active"}, format="json"), 400)
    assert ProductOffering.objects.count() == 1


def test_bundle_members(api, admin):
    line = on_sale(admin, "5G-88")
    broadband = on_sale(admin, "BB-500M", kind="broadband")
    price = created(api.post(PRICES, {**CTK_PRICE, "price": {"value": "129.00"}}, format="json"))
    body = created(
        api.post(
            OFFERINGS,
            {
                "name": "家庭融合 129",
                "isBundle": True,
                "bundledProductOffering": [
                    {"id": str(line.pk)},
                    {
                        "id": str(broadband.pk),
                        "bundledProductOfferingOption": {
                            "numberRelOfferLowerLimit": 0,
                            "numberRelOfferUpperLimit": 1,
                        },
                    },
                ],
                "productOfferingPrice": [{"id": price["id"]}],
            },
            format="json",
        )
    )
    assert body["kind"] == "bundle" and body["isBundle"] is True
    members = {m["id"]: m for m in body["bundledProductOffering"]}
    assert set(members) == {str(line.pk), str(broadband.pk)}
    option = members[str(broadband.pk)]["bundledProductOfferingOption"]
    assert option["numberRelOfferLowerLimit"] == 0 and option["numberRelOfferUpperLimit"] == 1
    assert members[str(line.pk)]["lifecycleStatus"] == "Active"
    # PATCH the member list: the missing member goes
    patched = api.patch(
        f"{OFFERINGS}/{body['id']}", {"bundledProductOffering": [{"id": str(line.pk)}]}, format="json"
    )
    assert [m["id"] for m in patched.json()["bundledProductOffering"]] == [str(line.pk)]
    body = tmf_error(
        api.patch(f"{OFFERINGS}/{body['id']}", {"bundledProductOffering": [{"id": "424242"}]}, format="json"),
        400,
    )
    assert body["message"].startswith("bundledProductOffering: ")


@pytest.mark.parametrize(
    "payload,field",
    [
        ({}, "name"),
        ({"name": "x", "kind": "spaceship"}, "kind"),
        ({"name": "x", "category": [{"id": "abc"}]}, "category[0].id"),
        ({"name": "x", "category": [{"id": "99999"}]}, "category"),
        ({"name": "x", "channel": [{"id": "pigeon"}]}, "channel"),
        ({"name": "x", "validFor": {"startDateTime": "soon"}}, "validFor.startDateTime"),
        (
            {"name": "x", "validFor": {"startDateTime": "2026-02-01", "endDateTime": "2026-01-01"}},
            "validFor.endDateTime",
        ),
        ({"name": "x", "productOfferingPrice": [{"id": "88888"}]}, "productOfferingPrice"),
        ({"name": "x", "productSpecification": {"name": "no id"}}, "productSpecification.id"),
        ({"name": "x", "code": "bad code!"}, "code"),
    ],
)
def test_bad_offering_input_names_the_attribute(api, payload, field):
    body = tmf_error(api.post(OFFERINGS, payload, format="json"), 400)
    assert body["message"].startswith(f"{field}: "), body
    assert not ProductOffering.objects.exists()


def test_a_price_of_another_offering_is_not_taken(api, admin):
    other = on_sale(admin, "OTHER")
    theirs = other.prices.get()
    body = tmf_error(
        api.post(OFFERINGS, {"name": "x", "productOfferingPrice": [{"id": str(theirs.pk)}]}, format="json"),
        400,
    )
    assert body["message"].startswith("productOfferingPrice: ")


# --- lists: filters, fields, paging, query counts -------------------------------------------------------
@pytest.fixture
def catalog_rows(admin):
    spec = actions.specification_save(actor=admin, code="SPEC-5G", name="5G line", kind="mobile")
    rows = [on_sale(admin, f"P{n}", spec=spec, monthly=1000 * (n + 1)) for n in range(3)]
    rows.append(actions.offering_create(actor=admin, code="DRAFT-1", name="草稿套餐", kind="plan"))
    return spec, rows


def test_offering_list_filters_fields_and_paging(api, catalog_rows):
    spec, rows = catalog_rows
    response = api.get(OFFERINGS)
    assert response.status_code == 200
    assert response["X-Total-Count"] == "4" and response["X-Result-Count"] == "4"
    for item in response.json():
        assert (set(item) >= REQUIRED and "productSpecification" in item) or item["code"] == "DRAFT-1"
    page = api.get(OFFERINGS, {"offset": 1, "limit": 2})
    assert page["X-Total-Count"] == "4" and page["X-Result-Count"] == "2" and len(page.json()) == 2
    assert api.get(OFFERINGS, {"offset": 10}).json() == []
    assert [o["code"] for o in api.get(OFFERINGS, {"lifecycleStatus": "In design"}).json()] == ["DRAFT-1"]
    assert len(api.get(OFFERINGS, {"lifecycleStatus": "Active"}).json()) == 3
    assert len(api.get(OFFERINGS, {"lifecycleStatus": "active,draft"}).json()) == 4
    assert [o["id"] for o in api.get(OFFERINGS, {"id": str(rows[1].pk)}).json()] == [str(rows[1].pk)]
    assert [o["code"] for o in api.get(OFFERINGS, {"name": "P2 套餐"}).json()] == ["P2"]
    assert len(api.get(OFFERINGS, {"productSpecification.id": str(spec.pk)}).json()) == 3
    assert len(api.get(OFFERINGS, {"isBundle": "false"}).json()) == 4
    assert api.get(OFFERINGS, {"isBundle": "true"}).json() == []
    assert len(api.get(OFFERINGS, {"lastUpdate.gt": "2000-01-01T00:00:00Z"}).json()) == 4
    one = api.get(OFFERINGS, {"id": str(rows[0].pk)}).json()[0]
    assert len(api.get(OFFERINGS, {"lastUpdate": one["lastUpdate"]}).json()) >= 1
    projected = api.get(OFFERINGS, {"fields": "name,lifecycleStatus"}).json()
    assert all(set(o) == {"id", "href", "@type", "name", "lifecycleStatus"} for o in projected)
    assert set(api.get(f"{OFFERINGS}/{rows[0].pk}", {"fields": "href"}).json()) == {"id", "href", "@type"}
    body = tmf_error(api.get(OFFERINGS, {"colour": "red"}), 400)
    assert body["message"].startswith("colour: ") and "lifecycleStatus" in body["message"]
    tmf_error(api.get(OFFERINGS, {"limit": "-1"}), 400)


@pytest.mark.parametrize("url", RESOURCES)
def test_every_list_has_counts_and_takes_fields(api, catalog_rows, url):
    response = api.get(url, {"fields": "id"})
    assert response.status_code == 200
    assert response["X-Total-Count"] == response["X-Result-Count"] == str(len(response.json()))
    assert all(set(item) == {"id", "href", "@type"} for item in response.json())
    assert api.get(url, {"lifecycleStatus": "Retired", "name": "none"}).json() == []


def test_lists_do_not_grow_queries_with_rows(api, admin, catalog_rows):
    cat = actions.category_save(actor=admin, code="c1", name="类别")
    actions.catalog_save(actor=admin, code="cl1", name="目录", categories=[cat])
    few = {}
    for url in RESOURCES:
        with count_queries() as queries:
            api.get(url)
        few[url] = len(queries)
    spec, _rows = catalog_rows
    for n in range(4):
        on_sale(admin, f"MORE{n}", spec=spec)
        sub = actions.category_save(actor=admin, code=f"sub{n}", name=f"子类{n}", parent=cat)
        actions.catalog_save(actor=admin, code=f"cl-more{n}", name=f"目录{n}", categories=[cat, sub])
        actions.specification_save(actor=admin, code=f"S-MORE{n}", name=f"规格{n}", kind="device")
    for url in RESOURCES:
        with count_queries() as queries:
            assert len(api.get(url).json()) > 1
        assert len(queries) == few[url], url


# --- productOfferingPrice -------------------------------------------------------------------------------
def test_price_as_the_kit_posts_patches_and_deletes_it(api):
    body = created(api.post(PRICES, CTK_PRICE, format="json"))
    assert (
        set(body) >= REQUIRED and body["priceType"] == "recurring" and body["@type"] == "ProductOfferingPrice"
    )
    assert body["price"] == {"unit": "CNY", "value": 0.0} and body["recurringChargePeriodType"] == "month"
    assert body["lifecycleStatus"] == "In design"
    assert [p["id"] for p in api.get(PRICES, {"priceType": "recurring"}).json()] == [body["id"]]
    assert api.get(PRICES, {"priceType": "oneTime"}).json() == []
    patched = api.patch(f"{PRICES}/{body['id']}", {"name": "Renamed"}, format="json")
    assert patched.status_code == 200 and patched.json()["name"] == "Renamed"
    assert api.delete(f"{PRICES}/{body['id']}").status_code == 204
    tmf_error(api.get(f"{PRICES}/{body['id']}"), 404)


def test_price_money_in_yuan_stored_in_fen(api):
    body = created(
        api.post(
            PRICES,
            {"name": "安装费", "priceType": "oneTime", "price": {"unit": "CNY", "value": 99.9}},
            format="json",
        )
    )
    row = ProductOfferingPrice.objects.get(pk=body["id"])
    assert row.amount_fen == 9990 and row.price_type == "one_off"
    assert body["price"] == {"unit": "CNY", "value": 99.9} and body["priceType"] == "oneTime"
    usage = created(
        api.post(
            PRICES,
            {
                "name": "套餐外流量",
                "priceType": "usage",
                "price": {"value": 3},
                "unitOfMeasure": {"amount": 1024, "units": "mb"},
            },
            format="json",
        )
    )
    assert usage["unitOfMeasure"] == {"amount": 1024, "units": "MB"}
    row = ProductOfferingPrice.objects.get(pk=usage["id"])
    assert (row.usage_unit, row.unit_amount, row.amount_fen) == ("MB", 1024, 300)


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"name": "x", "priceType": "recurring", "price": {"unit": "CNY", "value": -1}}, "price.value"),
        ({"name": "x", "priceType": "recurring", "price": {"value": 1.234}}, "price.value"),
        ({"name": "x", "priceType": "recurring", "price": {"value": "abc"}}, "price.value"),
        ({"name": "x", "priceType": "recurring", "price": {"unit": "USD", "value": 1}}, "price.unit"),
        ({"name": "x", "priceType": "discount"}, "priceType"),
        ({"name": "x"}, "priceType"),
        ({"priceType": "recurring"}, "name"),
        ({"name": "x", "priceType": "usage"}, "unitOfMeasure.units"),
        (
            {"name": "x", "priceType": "usage", "unitOfMeasure": {"amount": 0, "units": "MB"}},
            "unitOfMeasure.amount",
        ),
        (
            {"name": "x", "priceType": "recurring", "recurringChargePeriodType": "week"},
            "recurringChargePeriodType",
        ),
        (
            {"name": "x", "priceType": "recurring", "recurringChargePeriodLength": 3},
            "recurringChargePeriodLength",
        ),
        ({"name": "x", "priceType": "recurring", "isBundle": True}, "isBundle"),
        ({"name": "x", "priceType": "recurring", "lifecycleStatus": "Active"}, "lifecycleStatus"),
        (
            {
                "name": "x",
                "priceType": "recurring",
                "validFor": {"startDateTime": "2026-02-01", "endDateTime": "2026-01-01"},
            },
            "validFor.endDateTime",
        ),
    ],
)
def test_bad_price_input_names_the_attribute(api, payload, field):
    body = tmf_error(api.post(PRICES, payload, format="json"), 400)
    assert body["message"].startswith(f"{field}: "), body
    assert not ProductOfferingPrice.objects.exists()


def test_error_messages_speak_the_users_language(carrier):
    payload = {"name": "x", "priceType": "recurring", "price": {"value": -1}}
    zh = tmf_error(client_as(carrier["admin"]).post(PRICES, payload, format="json"), 400)
    assert zh["reason"] == "输入无效" and zh["message"].startswith("price.value：")
    en = tmf_error(client_as(english(carrier["admin"])).post(PRICES, payload, format="json"), 400)
    assert en["message"].startswith("price.value: ")


# --- category and catalog -------------------------------------------------------------------------------
def test_category_tree_and_catalog(api, admin):
    root = created(api.post(CATEGORIES, {"name": "移动套餐", "code": "mobile"}, format="json"))
    assert root["isRoot"] is True and "parentId" not in root and root["code"] == "mobile"
    child = created(api.post(CATEGORIES, {"name": "5G套餐", "parentId": root["id"]}, format="json"))
    assert child["isRoot"] is False and child["parentId"] == root["id"]
    assert Category.objects.get(pk=child["id"]).code.startswith("CAT-")
    assert [c["id"] for c in api.get(f"{CATEGORIES}/{root['id']}").json()["subCategory"]] == [child["id"]]
    assert [c["id"] for c in api.get(CATEGORIES, {"parentId": root["id"]}).json()] == [child["id"]]
    assert [c["id"] for c in api.get(CATEGORIES, {"isRoot": "true"}).json()] == [root["id"]]
    offering = on_sale(admin, "5G-1")
    offering.categories.add(Category.objects.get(pk=child["id"]))
    refs = api.get(f"{CATEGORIES}/{child['id']}").json()["productOffering"]
    assert [r["id"] for r in refs] == [str(offering.pk)]
    assert [o["id"] for o in api.get(OFFERINGS, {"category.id": child["id"]}).json()] == [str(offering.pk)]
    assert api.get(OFFERINGS, {"category.id": root["id"]}).json() == []
    # a cycle, an unknown parent and a root with a parent are refused, naming the attribute
    body = tmf_error(api.patch(f"{CATEGORIES}/{root['id']}", {"parentId": child["id"]}, format="json"), 400)
    assert body["message"].startswith("parentId: ")
    body = tmf_error(api.post(CATEGORIES, {"name": "x", "parentId": "4242"}, format="json"), 400)
    assert body["message"].startswith("parentId: ")
    body = tmf_error(
        api.post(CATEGORIES, {"name": "x", "isRoot": True, "parentId": root["id"]}, format="json"), 400
    )
    assert body["message"].startswith("isRoot: ")
    moved = api.patch(f"{CATEGORIES}/{child['id']}", {"isRoot": True}, format="json").json()
    assert moved["isRoot"] is True and "parentId" not in moved

    catalog = created(
        api.post(
            CATALOGS,
            {"name": "个人产品目录", "catalogType": "retail", "category": [{"id": root["id"]}]},
            format="json",
        )
    )
    assert catalog["catalogType"] == "retail" and [c["id"] for c in catalog["category"]] == [root["id"]]
    assert Catalog.objects.get(pk=catalog["id"]).code.startswith("CL-")
    patched = api.patch(
        f"{CATALOGS}/{catalog['id']}",
        {"category": [{"id": root["id"]}, {"id": child["id"]}], "lifecycleStatus": "Retired"},
        format="json",
    ).json()
    assert len(patched["category"]) == 2 and patched["lifecycleStatus"] == "Retired"
    assert [c["id"] for c in api.get(CATALOGS, {"lifecycleStatus": "Retired"}).json()] == [catalog["id"]]
    body = tmf_error(api.post(CATALOGS, {"name": "x", "category": [{"id": "4242"}]}, format="json"), 400)
    assert body["message"].startswith("category: ")
    tmf_error(api.post(CATALOGS, {"catalogType": "x"}, format="json"), 400)


@pytest.mark.parametrize(
    "url,audited",
    [
        (SPECS, "catalog.specification.delete"),
        (CATEGORIES, "catalog.category.delete"),
        (CATALOGS, "catalog.catalog.delete"),
    ],
)
def test_delete_of_specifications_categories_and_catalogs(api, url, audited):
    body = created(api.post(url, {"name": "无人使用"}, format="json"))
    response = api.delete(f"{url}/{body['id']}")
    assert response.status_code == 204, response.content
    tmf_error(api.get(f"{url}/{body['id']}"), 404)
    assert AuditLog.objects.filter(action=audited, object_id=body["id"], channel="api").exists()


def test_a_specification_in_use_is_not_deleted(api, admin):
    spec = actions.specification_save(actor=admin, code="SPEC-USED", name="在用", kind="mobile")
    on_sale(admin, "USES-IT", spec=spec)
    tmf_error(api.delete(f"{SPECS}/{spec.pk}"), 409)
    assert ProductSpecification.objects.filter(pk=spec.pk).exists()
