"""TMF conventions (auth, errors, fields, paging, filters), TMF629 customer and TMF632 party."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from telcrm.customers.models import Customer, CustomerTmfData, Party, PartyKind
from telcrm.customers.testing import make_customer
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import count_queries, make_user
from telcrm.platform.tests._api_fixtures import bearer, client_as

CUSTOMERS = "/tmf-api/customerManagement/v4/customer"
INDIVIDUALS = "/tmf-api/party/v4/individual"
ORGANIZATIONS = "/tmf-api/party/v4/organization"
CTK_CUSTOMER = {"name": "Moon Football Club", "engagedParty": {"@referredType": "Organization", "id": "500"}}
GOOD_ID = "11010519491231002X"  # a resident ID with a correct check digit


def tmf_error(response, status: int) -> dict:
    """The response is a TMF Error (TMF630) with ``status``; returns the body."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert body["@type"] == "Error", body
    assert body["status"] == str(status)
    assert set(body) >= {"code", "reason", "message", "status"}
    assert body["code"] and body["reason"] and body["message"], body
    return body


def english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def clerk(carrier):
    return english(carrier["clerk"])


@pytest.fixture
def api(clerk):
    return client_as(clerk)


# --- authentication, permission, errors ---------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [CUSTOMERS, f"{CUSTOMERS}/1", INDIVIDUALS, ORGANIZATIONS, "/tmf-api/accountManagement/v4/billingAccount"],
)
def test_every_endpoint_needs_a_signed_in_user(carrier, url):
    response = APIClient().get(url, HTTP_ACCEPT_LANGUAGE="en")
    body = tmf_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Content-Language"] == "en"
    assert body["reason"] == "Authentication required"
    tmf_error(APIClient().post(url, CTK_CUSTOMER, format="json"), 401)


def test_bearer_token_works_and_a_bad_one_is_401(carrier):
    make_customer(carrier.branch, owner=carrier["clerk"], name="令狐冲")
    response = bearer(carrier["clerk"]).get(CUSTOMERS)
    assert response.status_code == 200
    assert [c["name"] for c in response.json()] == ["令狐冲"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer tc_not-a-token")
    tmf_error(client.get(CUSTOMERS), 401)


def test_anonymous_errors_follow_accept_language(carrier):
    chinese = tmf_error(APIClient().get(CUSTOMERS, HTTP_ACCEPT_LANGUAGE="zh-CN"), 401)
    english_ = tmf_error(APIClient().get(CUSTOMERS, HTTP_ACCEPT_LANGUAGE="en"), 401)
    assert chinese["message"] != english_["message"]


def test_a_user_without_customer_permissions_gets_403(carrier):
    nobody = make_user("nobody", None, carrier.branch)
    tmf_error(client_as(nobody).get(CUSTOMERS), 403)
    tmf_error(client_as(carrier["marketer"]).post(CUSTOMERS, CTK_CUSTOMER, format="json"), 403)


def test_unknown_paths_and_methods(api):
    body = tmf_error(api.get("/tmf-api/customerManagement/v4/nothing"), 404)
    assert body["code"] == "not_found"
    tmf_error(api.delete(f"{CUSTOMERS}/1"), 405)
    tmf_error(api.put(f"{CUSTOMERS}/1", CTK_CUSTOMER, format="json"), 405)


def test_malformed_json_is_400(api):
    response = api.post(CUSTOMERS, "{not json", content_type="application/json")
    tmf_error(response, 400)
    body = tmf_error(api.post(CUSTOMERS, [CTK_CUSTOMER], format="json"), 400)
    assert "JSON object" in body["message"]


# --- TMF629 customer: create ---------------------------------------------------------------------------
def test_create_customer_as_the_ctk_does(api, clerk):
    response = api.post(CUSTOMERS, CTK_CUSTOMER, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["href"]
    assert body["href"] == f"http://testserver{CUSTOMERS}/{body['id']}"
    assert isinstance(body["id"], str) and body["@type"] == "Customer"
    assert body["name"] == "Moon Football Club" and body["status"] == "active"
    assert body["engagedParty"] == {"@referredType": "Organization", "id": "500"}  # kept as given
    customer = Customer.objects.get(pk=body["id"])
    assert customer.customer_type == "enterprise" and customer.owner == clerk
    assert customer.customer_no.startswith("C")  # a real number from customer_create
    characteristics = {c["name"]: c["value"] for c in body["characteristic"]}
    assert characteristics["customerNumber"] == customer.customer_no
    assert [a["@referredType"] for a in body["account"]] == ["BillingAccount"]  # the default account
    assert CustomerTmfData.objects.get(customer=customer).engaged_party["id"] == "500"
    audit = AuditLog.objects.get(action="customer.create", object_id=str(customer.pk))
    assert audit.actor == clerk and audit.channel == "api"


def test_create_customer_with_contact_media_and_characteristics(api):
    payload = {
        "name": "张无忌",
        "engagedParty": {"@referredType": "Individual", "id": "ext-77", "name": "张无忌"},
        "contactMedium": [
            {"mediumType": "mobile", "characteristic": {"phoneNumber": "13812345678"}},
            {"mediumType": "email", "characteristic": {"emailAddress": "wuji@example.com"}},
            {
                "mediumType": "postalAddress",
                "characteristic": {"stateOrProvince": "浙江省", "city": "杭州市", "street1": "文三路 1 号"},
            },
        ],
        "characteristic": [{"name": "hobby", "value": "taiji"}],
        "relatedParty": [{"id": "9", "@referredType": "Organization", "role": "bill receiver"}],
    }
    body = api.post(CUSTOMERS, payload, format="json").json()
    customer = Customer.objects.get(pk=body["id"])
    assert customer.customer_type == "individual"
    media = {m["mediumType"]: m["characteristic"] for m in body["contactMedium"]}
    assert media["mobile"]["phoneNumber"] == "138****5678"  # masked, as everywhere in the API
    assert media["postalAddress"]["city"] == "杭州市"
    assert "emailAddress" in media["email"]
    assert {"name": "hobby", "value": "taiji"} in body["characteristic"]
    assert body["relatedParty"] == payload["relatedParty"]


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"engagedParty": {"@referredType": "Individual", "id": "1"}}, "name"),
        ({"name": "x"}, "engagedParty"),
        ({"name": "x", "engagedParty": {"id": "1"}}, "engagedParty.@referredType"),
        ({"name": "x", "engagedParty": {"@referredType": "Planet", "id": "1"}}, "engagedParty.@referredType"),
        ({"name": "x", "engagedParty": {"@referredType": "Individual"}}, "engagedParty.id"),
        (
            {
                **CTK_CUSTOMER,
                "contactMedium": [{"mediumType": "mobile", "characteristic": {"phoneNumber": "12345"}}],
            },
            "contactMedium[0].characteristic.phoneNumber",
        ),
        (
            {
                **CTK_CUSTOMER,
                "contactMedium": [
                    {"characteristic": {"phoneNumber": "13812345678"}},
                    {"characteristic": {"emailAddress": "not-an-address"}},
                ],
            },
            "contactMedium[1].characteristic.emailAddress",
        ),
        ({**CTK_CUSTOMER, "status": "closed"}, "status"),
        ({**CTK_CUSTOMER, "name": "x" * 201}, "name"),
    ],
)
def test_bad_input_is_400_naming_the_attribute(api, payload, field):
    body = tmf_error(api.post(CUSTOMERS, payload, format="json"), 400)
    assert body["message"].startswith(f"{field}: "), body
    assert not Customer.objects.exists()


def test_error_messages_speak_the_users_language(carrier):
    payload = {**CTK_CUSTOMER, "contactMedium": [{"characteristic": {"phoneNumber": "12345"}}]}
    zh = tmf_error(client_as(carrier["clerk"]).post(CUSTOMERS, payload, format="json"), 400)
    assert zh["reason"] == "输入无效"
    assert zh["message"].startswith("contactMedium[0].characteristic.phoneNumber：")
    zh = tmf_error(client_as(carrier["clerk"]).get(CUSTOMERS, {"colour": "red"}), 400)
    assert zh["message"].startswith("colour：不支持按此属性筛选")
    en = tmf_error(client_as(english(carrier["clerk"])).post(CUSTOMERS, payload, format="json"), 400)
    assert en["reason"] == "Invalid input"
    assert en["message"].startswith("contactMedium[0].characteristic.phoneNumber: ")


def test_engaged_party_that_is_one_of_ours_gives_its_data(api):
    party = api.post(
        INDIVIDUALS,
        {
            "familyName": "张",
            "givenName": "三丰",
            "individualIdentification": [{"identificationType": "id_card", "identificationId": GOOD_ID}],
        },
        format="json",
    ).json()
    ref = {"@referredType": "Individual", "id": party["id"]}
    body = api.post(CUSTOMERS, {"name": "张三丰", "engagedParty": ref}, format="json").json()
    customer = Customer.objects.select_related("party").get(pk=body["id"])
    assert str(customer.party_id) == party["id"]  # the same party, not a copy of it
    assert customer.party.family_name == "张" and customer.party.given_name == "三丰"
    assert customer.party.id_number.reveal_unaudited() == GOOD_ID
    assert body["engagedParty"]["id"] == party["id"]
    # a party is a live customer once: a second customer for it names the reference
    again = api.post(CUSTOMERS, {"name": "张三丰", "engagedParty": ref}, format="json")
    assert again.status_code == 400
    assert "engagedParty.id" in again.json()["message"]


# --- TMF629 customer: list, filters, fields, paging ----------------------------------------------------
@pytest.fixture
def three(carrier, clerk):
    return [make_customer(carrier.branch, owner=clerk, name=n) for n in ("郭靖", "黄蓉", "杨过")]


def test_list_with_counts_and_paging(api, three):
    response = api.get(CUSTOMERS)
    assert response.status_code == 200
    assert response["X-Total-Count"] == "3" and response["X-Result-Count"] == "3"
    assert [c["name"] for c in response.json()] == ["杨过", "黄蓉", "郭靖"]  # newest first
    for item in response.json():
        assert {"id", "href", "@type", "name", "engagedParty", "status", "lastUpdate"} <= set(item)
    page = api.get(CUSTOMERS, {"offset": 1, "limit": 1})
    assert [c["name"] for c in page.json()] == ["黄蓉"]
    assert page["X-Total-Count"] == "3" and page["X-Result-Count"] == "1"
    beyond = api.get(CUSTOMERS, {"offset": 10})
    assert beyond.json() == [] and beyond["X-Total-Count"] == "3" and beyond["X-Result-Count"] == "0"
    assert api.get(CUSTOMERS, {"limit": 0}).json() == []


@pytest.mark.parametrize("params", [{"offset": "-1"}, {"limit": "abc"}, {"offset": "1.5"}])
def test_bad_paging_is_400_naming_the_parameter(api, params):
    body = tmf_error(api.get(CUSTOMERS, params), 400)
    assert body["message"].startswith(f"{next(iter(params))}: ")


def test_attribute_filters(api, three):
    guo = three[0]
    by_id = api.get(CUSTOMERS, {"id": str(guo.pk)}).json()
    assert [c["id"] for c in by_id] == [str(guo.pk)]
    assert api.get(CUSTOMERS, {"id": "c2df1950-c17c-4576-9c22-e59073a4a86a"}).json() == []
    assert [c["name"] for c in api.get(CUSTOMERS, {"name": "黄蓉"}).json()] == ["黄蓉"]
    assert len(api.get(CUSTOMERS, {"id": f"{three[0].pk},{three[1].pk}"}).json()) == 2
    assert len(api.get(CUSTOMERS, {"status": "active"}).json()) == 3
    assert api.get(CUSTOMERS, {"status": "closed"}).json() == []
    assert len(api.get(CUSTOMERS, {"lastUpdate.gt": "2000-01-01T00:00:00Z"}).json()) == 3
    assert api.get(CUSTOMERS, {"lastUpdate.lt": "2000-01-01"}).json() == []
    assert [c["id"] for c in api.get(CUSTOMERS, {"engagedParty.id": str(guo.party_id)}).json()] == [
        str(guo.pk)
    ]


def test_unsupported_filters_and_bad_dates_are_400(api, three):
    body = tmf_error(api.get(CUSTOMERS, {"colour": "red"}), 400)
    assert body["message"].startswith("colour: ") and "name" in body["message"]
    body = tmf_error(api.get(CUSTOMERS, {"lastUpdate.gt": "yesterday"}), 400)
    assert body["message"].startswith("lastUpdate.gt: ")
    tmf_error(api.get(CUSTOMERS, {"name.gt": "a"}), 400)


def test_fields_projection_keeps_id_href_type(api, three):
    items = api.get(CUSTOMERS, {"fields": "name"}).json()
    assert all(set(i) == {"id", "href", "@type", "name"} for i in items)
    items = api.get(CUSTOMERS, {"fields": "href"}).json()
    assert all(set(i) == {"id", "href", "@type"} for i in items)
    items = api.get(CUSTOMERS, {"fields": "engagedParty.id,nonsense"}).json()
    assert all(set(i) == {"id", "href", "@type", "engagedParty"} for i in items)
    one = api.get(f"{CUSTOMERS}/{three[0].pk}", {"fields": "status"}).json()
    assert set(one) == {"id", "href", "@type", "status"}


def test_list_query_count_does_not_grow_with_rows(api, carrier, clerk, three):
    api.get(CUSTOMERS)  # the user's permissions are loaded once
    with count_queries() as few:
        api.get(CUSTOMERS)
    for n in range(5):
        make_customer(carrier.branch, owner=clerk, name=f"弟子{n}", phone="1390000000" + str(n))
    with count_queries() as more:
        assert len(api.get(CUSTOMERS).json()) == 8
    assert len(more) == len(few)


# --- TMF629 customer: retrieve, scope ------------------------------------------------------------------
def test_retrieve_and_404s(api, carrier, three):
    body = api.get(f"{CUSTOMERS}/{three[0].pk}").json()
    assert body["name"] == "郭靖" and body["engagedParty"]["@referredType"] == "Individual"
    assert body["engagedParty"]["href"].endswith(f"{INDIVIDUALS}/{three[0].party_id}")
    assert api.get(f"{CUSTOMERS}/{three[0].pk}/").status_code == 200  # trailing slash optional
    for unknown in ("c2df1950-c17c-4576-9c22-e59073a4a86a", "999999", "0", "9" * 30):
        tmf_error(api.get(f"{CUSTOMERS}/{unknown}"), 404)


def test_customers_outside_the_data_scope_are_404(carrier):
    ningbo = make_customer(carrier.other_branch, owner=carrier["other_clerk"], name="宁波客户")
    for user in (carrier["clerk"], carrier["branch_manager"]):  # own records; Hangzhou subtree
        client = client_as(user)
        tmf_error(client.get(f"{CUSTOMERS}/{ningbo.pk}"), 404)
        tmf_error(client.patch(f"{CUSTOMERS}/{ningbo.pk}", {"name": "x"}, format="json"), 404)
        assert client.get(CUSTOMERS, {"id": str(ningbo.pk)}).json() == []
    assert client_as(carrier["other_clerk"]).get(f"{CUSTOMERS}/{ningbo.pk}").status_code == 200
    assert Customer.objects.get(pk=ningbo.pk).name == "宁波客户"


# --- TMF629 customer: PATCH ----------------------------------------------------------------------------
@pytest.mark.parametrize("content_type", ["application/json", "application/merge-patch+json"])
def test_patch_name_with_json_and_merge_patch(api, three, content_type):
    url = f"{CUSTOMERS}/{three[0].pk}"
    response = api.patch(url, '{"name": "郭大侠"}', content_type=content_type)
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "郭大侠"
    customer = Customer.objects.select_related("party").get(pk=three[0].pk)
    assert customer.name == customer.party.name == "郭大侠"
    assert AuditLog.objects.filter(action="customer.update", object_id=str(customer.pk)).exists()


def test_patch_json_patch_media_type_is_415(api, three):
    response = api.patch(f"{CUSTOMERS}/{three[0].pk}", "[]", content_type="application/json-patch+json")
    tmf_error(response, 415)


def test_patch_status_needs_a_reason(api, three):
    url = f"{CUSTOMERS}/{three[0].pk}"
    body = tmf_error(api.patch(url, {"status": "suspended"}, format="json"), 400)
    assert body["message"].startswith("statusReason: ")
    response = api.patch(url, {"status": "suspended", "statusReason": "客户申请停机保号"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "suspended"


def test_patch_contact_media_and_references(api, three):
    url = f"{CUSTOMERS}/{three[0].pk}"
    payload = {
        "contactMedium": [
            {"mediumType": "mobile", "characteristic": {"phoneNumber": "13912345678"}},
            {"mediumType": "email", "characteristic": {"emailAddress": "jing@example.com"}},
        ],
        "relatedParty": [{"id": "42", "@referredType": "Organization"}],
        "engagedParty": {"id": "x-1", "@referredType": "Individual"},
        "characteristic": [{"name": "sect", "value": "桃花岛"}],
    }
    body = api.patch(url, payload, format="json").json()
    phones = [m["characteristic"].get("phoneNumber") for m in body["contactMedium"] if m["preferred"]]
    assert "139****5678" in phones
    assert body["relatedParty"] == payload["relatedParty"]
    assert body["engagedParty"] == payload["engagedParty"]
    assert {"name": "sect", "value": "桃花岛"} in body["characteristic"]
    # A GET → PATCH round trip sends the masked values back: nothing changes, nothing fails.
    again = api.patch(url, {"contactMedium": body["contactMedium"]}, format="json")
    assert again.status_code == 200, again.content
    bad = {"contactMedium": [{"characteristic": {"phoneNumber": "000"}}]}
    assert tmf_error(api.patch(url, bad, format="json"), 400)["message"].startswith(
        "contactMedium[0].characteristic.phoneNumber: "
    )


def test_patch_read_only_characteristic_is_400(api, three):
    url = f"{CUSTOMERS}/{three[0].pk}"
    body = tmf_error(
        api.patch(url, {"characteristic": [{"name": "customerNumber", "value": "C1"}]}, format="json"), 400
    )
    assert body["message"].startswith("characteristic[0].value: ")


# --- TMF632 party --------------------------------------------------------------------------------------
def test_create_individual_as_the_ctk_does(api, clerk):
    response = api.post(INDIVIDUALS, {"familyName": "Lamborgizzia", "givenName": "Jane"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["href"] == f"http://testserver{INDIVIDUALS}/{body['id']}"
    assert body["@type"] == "Individual" and body["status"] == "initialized"
    assert body["familyName"] == "Lamborgizzia" and body["givenName"] == "Jane"
    assert body["fullName"] == "Jane Lamborgizzia"
    party = Party.objects.get(pk=body["id"])
    assert party.kind == PartyKind.INDIVIDUAL and party.owner == clerk and not party.customers.exists()
    assert AuditLog.objects.filter(action="party.create", object_id=body["id"], channel="api").exists()
    listed = api.get(INDIVIDUALS, {"familyName": "Lamborgizzia"}).json()
    assert [p["id"] for p in listed] == [body["id"]]
    assert [p["id"] for p in api.get(INDIVIDUALS, {"givenName": "Jane"}).json()] == [body["id"]]
    assert api.get(ORGANIZATIONS, {"id": body["id"]}).json() == []  # an individual is no organisation


def test_individual_identification_is_validated_and_masked(api):
    bad = {
        "familyName": "张",
        "givenName": "三",
        "individualIdentification": [
            {"identificationType": "id_card", "identificationId": "110105194912310021"}
        ],
    }
    body = tmf_error(api.post(INDIVIDUALS, bad, format="json"), 400)
    assert body["message"].startswith("individualIdentification.identificationId: ")
    assert "check" in body["message"]
    good = {
        **bad,
        "individualIdentification": [{"identificationType": "nationalId", "identificationId": GOOD_ID}],
    }
    created = api.post(INDIVIDUALS, good, format="json").json()
    assert created["individualIdentification"] == [
        {"identificationType": "id_card", "identificationId": "110***********002X"}
    ]
    assert created["fullName"] == "张三"
    body = tmf_error(api.post(INDIVIDUALS, good, format="json"), 400)  # the same person twice
    assert body["message"].startswith("individualIdentification.identificationId: ")


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"givenName": "Jane"}, "familyName"),
        ({"familyName": "Doe", "givenName": "Jane", "status": "validated"}, "status"),
        ({"familyName": "Doe", "givenName": "Jane", "gender": "robot"}, "gender"),
        ({"familyName": "Doe", "givenName": "Jane", "birthDate": "someday"}, "birthDate"),
        ({"familyName": "Doe", "givenName": "Jane", "birthDate": "2999-01-01"}, "birthDate"),
    ],
)
def test_bad_individuals_are_400_naming_the_attribute(api, payload, field):
    body = tmf_error(api.post(INDIVIDUALS, payload, format="json"), 400)
    assert body["message"].startswith(f"{field}: "), body


def test_create_and_filter_organizations(api):
    payload = {"tradingName": "Coffee Do Brazil Fair Trade"}
    first = api.post(ORGANIZATIONS, payload, format="json")
    second = api.post(ORGANIZATIONS, payload, format="json")
    assert first.status_code == second.status_code == 201
    body = first.json()
    assert body["@type"] == "Organization" and body["tradingName"] == body["name"] == payload["tradingName"]
    found = api.get(ORGANIZATIONS, {"tradingName": payload["tradingName"]})
    assert found["X-Total-Count"] == "2"
    assert [o["id"] for o in api.get(ORGANIZATIONS, {"id": body["id"]}).json()] == [body["id"]]
    tmf_error(api.get(f"{ORGANIZATIONS}/933929cd-1761-44f5-96e7-e6e138d17b94"), 404)
    tmf_error(api.post(ORGANIZATIONS, {"name": "no trading name"}, format="json"), 400)
    licence = {
        **payload,
        "organizationIdentification": [{"identificationType": "business_license", "identificationId": "123"}],
    }
    body = tmf_error(api.post(ORGANIZATIONS, licence, format="json"), 400)
    assert body["message"].startswith("organizationIdentification.identificationId: ")


def test_patch_individual(api):
    created = api.post(INDIVIDUALS, {"familyName": "Doe", "givenName": "Jane"}, format="json").json()
    url = f"{INDIVIDUALS}/{created['id']}"
    body = api.patch(url, {"givenName": "John", "gender": "male"}, content_type="application/json").json()
    assert body["givenName"] == "John" and body["fullName"] == "John Doe" and body["gender"] == "male"
    merge = api.patch(
        url, '{"birthDate": "1990-01-31T00:00:00Z"}', content_type="application/merge-patch+json"
    )
    assert merge.status_code == 200 and merge.json()["birthDate"] == "1990-01-31"
    assert AuditLog.objects.filter(action="party.update", object_id=created["id"]).count() == 2


def test_party_of_a_customer_changes_through_the_customer(api, three):
    guo = three[0]
    body = api.get(f"{INDIVIDUALS}/{guo.party_id}").json()
    assert body["relatedParty"][0]["id"] == str(guo.pk) and body["relatedParty"][0]["role"] == "customer"
    response = api.patch(f"{INDIVIDUALS}/{guo.party_id}", {"fullName": "郭襄"}, format="json")
    assert response.status_code == 200, response.content
    assert Customer.objects.get(pk=guo.pk).name == "郭襄"
    assert AuditLog.objects.filter(action="customer.update", object_id=str(guo.pk)).exists()
    response = api.patch(
        f"{INDIVIDUALS}/{guo.party_id}", {"familyName": "杨", "givenName": "过"}, format="json"
    )
    assert response.json()["fullName"] == "杨过" and Customer.objects.get(pk=guo.pk).name == "杨过"
    body = tmf_error(api.patch(f"{INDIVIDUALS}/{guo.party_id}", {"nationality": "HKG"}, format="json"), 400)
    assert body["message"].startswith("nationality: ")


def test_party_list_query_count_does_not_grow_with_rows(api, carrier, clerk, three):
    api.get(INDIVIDUALS)  # the user's permissions are loaded once
    with count_queries() as few:
        assert len(api.get(INDIVIDUALS).json()) == 3
    for n in range(4):
        make_customer(carrier.branch, owner=clerk, name=f"弟子{n}")
        api.post(INDIVIDUALS, {"familyName": "Doe", "givenName": f"J{n}"}, format="json")
    with count_queries() as more:
        assert len(api.get(INDIVIDUALS).json()) == 11
    assert len(more) == len(few)


def test_parties_outside_the_data_scope_are_404(carrier, api):
    ningbo = make_customer(carrier.other_branch, owner=carrier["other_clerk"], name="宁波客户")
    tmf_error(api.get(f"{INDIVIDUALS}/{ningbo.party_id}"), 404)
    tmf_error(api.patch(f"{INDIVIDUALS}/{ningbo.party_id}", {"givenName": "x"}, format="json"), 404)
    assert api.get(INDIVIDUALS, {"id": str(ningbo.party_id)}).json() == []


def test_a_routed_tmf_resource_must_implement_its_hooks():
    from telcrm.customers.tmf.common import TmfViewSet

    with pytest.raises(TypeError, match="create_resource"):

        class Half(TmfViewSet):
            url_name = "tmf-half-detail"

            def to_tmf(self, obj):
                return {}

            def update_resource(self, obj, data):
                return obj
