"""TMF666 Account Management: billing accounts (ours and kept as given), party/settlement/financial
accounts, and the bill-structure reference data."""

from __future__ import annotations

import pytest

from telcrm.customers.models import Account, BillPresentationMedia, PartyAccount, PartyAccountKind
from telcrm.customers.testing import make_customer
from telcrm.platform.models import AuditLog
from telcrm.platform.testing import count_queries
from telcrm.platform.tests._api_fixtures import client_as

from .test_tmf_api import english, tmf_error

BASE = "/tmf-api/accountManagement/v4/"
BILLING = BASE + "billingAccount"
RELATED = [{"@referredType": "Organization", "id": "6838", "name": "Richard Cole"}]


@pytest.fixture
def clerk(carrier):
    return english(carrier["clerk"])


@pytest.fixture
def api(clerk):
    return client_as(clerk)


@pytest.fixture
def admin(carrier):
    return client_as(english(carrier["admin"]))


# --- billing accounts ----------------------------------------------------------------------------------
def test_billing_account_for_an_unknown_party_is_kept_as_given(api, clerk):
    response = api.post(BILLING, {"name": "Home Account", "relatedParty": RELATED}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("ext-") and body["@type"] == "BillingAccount"
    assert response["Location"] == body["href"] == f"http://testserver{BILLING}/{body['id']}"
    assert body["relatedParty"] == RELATED and body["name"] == "Home Account"
    kept = PartyAccount.objects.get(kind=PartyAccountKind.BILLING)
    assert kept.owner == clerk and kept.org_unit == clerk.org_unit
    assert AuditLog.objects.filter(action="party_account.create", object_id=str(kept.pk)).exists()
    assert api.get(f"{BILLING}/{body['id']}").json()["name"] == "Home Account"
    assert [a["id"] for a in api.get(BILLING, {"name": "Home Account"}).json()] == [body["id"]]
    assert [a["id"] for a in api.get(BILLING, {"id": body["id"]}).json()] == [body["id"]]
    assert not Account.objects.exists()


def test_billing_account_of_our_customer_is_an_account(api, carrier, clerk):
    customer = make_customer(carrier.branch, owner=clerk, name="欧阳锋")
    for ref in (
        {"@referredType": "Customer", "id": str(customer.pk), "name": "欧阳锋"},
        {"@referredType": "Individual", "id": str(customer.party_id), "name": "欧阳锋"},
    ):
        payload = {"name": "白驼山庄", "relatedParty": [ref], "creditLimit": {"unit": "CNY", "value": 500}}
        response = api.post(BILLING, payload, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        account = Account.objects.get(pk=body["id"])
        assert account.customer == customer and account.account_no.startswith("A")
        assert body["relatedParty"][0]["id"] == str(customer.pk)
        assert body["relatedParty"][0]["@referredType"] == "Customer"
        assert body["creditLimit"] == {"unit": "CNY", "value": 500.0}
        assert body["description"] == account.account_no
    assert AuditLog.objects.filter(action="account.create").count() == 2
    listed = api.get(BILLING, {"relatedParty.id": str(customer.pk)})
    assert listed.status_code == 400  # not a filter we offer
    mine = api.get(BILLING, {"accountType": "individual"}).json()
    assert len(mine) == 3  # the default account of make_customer and the two above


def test_billing_account_list_pages_across_both_kinds(api, carrier, clerk):
    for name in ("甲", "乙"):
        make_customer(carrier.branch, owner=clerk, name=name)  # one Account each
    for n in range(3):
        api.post(BILLING, {"name": f"外部{n}", "relatedParty": RELATED}, format="json")
    everything = api.get(BILLING)
    assert everything["X-Total-Count"] == "5" and everything["X-Result-Count"] == "5"
    ids = [a["id"] for a in everything.json()]
    assert [i.startswith("ext-") for i in ids] == [False, False, True, True, True]
    page = api.get(BILLING, {"offset": 1, "limit": 2})
    assert [a["id"] for a in page.json()] == ids[1:3] and page["X-Result-Count"] == "2"
    page = api.get(BILLING, {"offset": 3, "limit": 5})
    assert [a["id"] for a in page.json()] == ids[3:]
    named = api.get(BILLING, {"fields": "name"}).json()
    assert all(set(a) == {"id", "href", "@type", "name"} for a in named)


def test_billing_account_list_query_count_does_not_grow_with_rows(api, carrier, clerk):
    make_customer(carrier.branch, owner=clerk, name="甲")
    api.post(BILLING, {"name": "外部", "relatedParty": RELATED}, format="json")
    api.get(BILLING)  # the user's permissions are loaded once
    with count_queries() as few:
        assert len(api.get(BILLING).json()) == 2
    for n in range(4):
        make_customer(carrier.branch, owner=clerk, name=f"乙{n}")
        api.post(BILLING, {"name": f"外部{n}", "relatedParty": RELATED}, format="json")
    with count_queries() as more:
        assert len(api.get(BILLING).json()) == 10
    assert len(more) == len(few)


def test_billing_account_patch(api, carrier, clerk):
    customer = make_customer(carrier.branch, owner=clerk, name="洪七公")
    account = customer.accounts.get()
    url = f"{BILLING}/{account.pk}"
    response = api.patch(url, {"name": "丐帮", "creditLimit": {"value": 300}}, format="json")
    assert response.status_code == 200, response.content
    account.refresh_from_db()
    assert account.name == "丐帮" and account.credit_limit == 300
    assert AuditLog.objects.filter(action="account.update", object_id=str(account.pk)).exists()
    body = tmf_error(api.patch(url, {"state": "closed"}, content_type="application/json"), 400)
    assert body["message"].startswith("state: ")
    body = tmf_error(api.patch(url, {"creditLimit": {"value": -1}}, format="json"), 400)
    assert body["message"].startswith("creditLimit.value: ")
    body = tmf_error(api.patch(url, {"creditLimit": {"value": 1, "unit": "USD"}}, format="json"), 400)
    assert body["message"].startswith("creditLimit.unit: ")
    kept = api.post(BILLING, {"name": "x", "relatedParty": RELATED}, format="json").json()
    response = api.patch(
        f"{BILLING}/{kept['id']}", '{"state": "suspended"}', content_type="application/merge-patch+json"
    )
    assert response.status_code == 200 and response.json()["state"] == "suspended"


def test_billing_accounts_outside_the_scope_are_404(api, carrier):
    ningbo = make_customer(carrier.other_branch, owner=carrier["other_clerk"], name="宁波客户")
    account = ningbo.accounts.get()
    tmf_error(api.get(f"{BILLING}/{account.pk}"), 404)
    tmf_error(api.patch(f"{BILLING}/{account.pk}", {"name": "x"}, format="json"), 404)
    other = client_as(carrier["other_clerk"])
    kept = other.post(BILLING, {"name": "宁波外部", "relatedParty": RELATED}, format="json").json()
    tmf_error(api.get(f"{BILLING}/{kept['id']}"), 404)
    assert api.get(BILLING).json() == []
    # A Customer reference outside the scope does not resolve: the account is kept as given.
    ref = [{"@referredType": "Customer", "id": str(ningbo.pk), "name": "宁波客户"}]
    body = api.post(BILLING, {"name": "y", "relatedParty": ref}, format="json").json()
    assert body["id"].startswith("ext-") and Account.objects.filter(customer=ningbo).count() == 1
    for unknown in ("a3d00424-24fe-43a1-b25d-45ace15de5e2", "ext-abc", "ext-999", "999"):
        tmf_error(api.get(f"{BILLING}/{unknown}"), 404)


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"relatedParty": RELATED}, "name"),
        ({"name": "x"}, "relatedParty"),
        ({"name": "x", "relatedParty": []}, "relatedParty"),
        ({"name": "x", "relatedParty": [{"name": "no id"}]}, "relatedParty[0].id"),
        ({"name": "x", "relatedParty": RELATED, "creditLimit": 5}, "creditLimit"),
        ({"name": "x", "relatedParty": RELATED, "creditLimit": {"value": "lots"}}, "creditLimit.value"),
        (
            {"name": "x", "relatedParty": RELATED, "creditLimit": {"value": 1, "unit": "yuan"}},
            "creditLimit.unit",
        ),
    ],
)
def test_bad_billing_accounts_are_400_naming_the_attribute(api, payload, field):
    body = tmf_error(api.post(BILLING, payload, format="json"), 400)
    assert body["message"].startswith(f"{field}: "), body


# --- party, settlement and financial accounts ----------------------------------------------------------
@pytest.mark.parametrize(
    "resource,kind,related",
    [
        ("partyAccount", PartyAccountKind.PARTY, True),
        ("settlementAccount", PartyAccountKind.SETTLEMENT, True),
        ("financialAccount", PartyAccountKind.FINANCIAL, False),
    ],
)
def test_party_settlement_financial_accounts(api, resource, kind, related):
    url = BASE + resource
    payload = {"name": "Travel account", **({"relatedParty": RELATED} if related else {})}
    first, second = (api.post(url, payload, format="json") for _ in range(2))
    assert first.status_code == second.status_code == 201, first.content
    body = first.json()
    assert first["Location"] == body["href"]
    assert body["@type"] == resource[0].upper() + resource[1:]
    assert {"id", "href", "name", "relatedParty", "state", "lastModified"} <= set(body)
    assert PartyAccount.objects.filter(kind=kind).count() == 2
    assert api.get(url)["X-Total-Count"] == "2"
    assert [a["id"] for a in api.get(url, {"id": body["id"]}).json()] == [body["id"]]
    assert len(api.get(url, {"name": "Travel account"}).json()) == 2
    assert api.get(url, {"name": "nothing"}).json() == []
    assert set(api.get(url, {"fields": "name"}).json()[0]) == {"id", "href", "@type", "name"}
    tmf_error(api.get(f"{url}/b5ef2042-5a48-4b60-86a6-87b17a0b919d"), 404)
    patched = api.patch(f"{url}/{body['id']}", {"description": "差旅", "state": "inactive"}, format="json")
    assert patched.status_code == 200 and patched.json()["description"] == "差旅"
    if related:
        error = tmf_error(api.post(url, {"name": "x"}, format="json"), 400)
        assert error["message"].startswith("relatedParty: ")
    other_kind = "partyAccount" if resource != "partyAccount" else "settlementAccount"
    tmf_error(api.get(f"{BASE}{other_kind}/{body['id']}"), 404)


def test_party_accounts_follow_the_data_scope(api, carrier):
    other = client_as(carrier["other_clerk"])
    body = other.post(BASE + "partyAccount", {"name": "宁波", "relatedParty": RELATED}, format="json").json()
    tmf_error(api.get(f"{BASE}partyAccount/{body['id']}"), 404)
    assert api.get(BASE + "partyAccount").json() == []
    manager = client_as(carrier["admin"])
    assert [a["id"] for a in manager.get(BASE + "partyAccount").json()] == [body["id"]]


# --- bill structure reference data ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "resource,payload",
    [
        ("billFormat", {"name": "Detailed invoice"}),
        ("billingCycleSpecification", {"name": "Monthly billing"}),
        ("billPresentationMedia", {"name": "Electronic", "description": "PDF by e-mail"}),
    ],
)
def test_reference_data(admin, api, resource, payload):
    url = BASE + resource
    seeded = api.get(url)
    assert seeded.status_code == 200 and int(seeded["X-Total-Count"]) >= 1  # migration 0003 seeds them
    tmf_error(api.post(url, payload, format="json"), 403)  # clerks read, administrators write
    response = admin.post(url, payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["href"] and body["name"] == payload["name"]
    assert [r["id"] for r in api.get(url, {"name": payload["name"]}).json()] == [body["id"]]
    assert [r["id"] for r in api.get(url, {"id": body["id"]}).json()] == [body["id"]]
    assert api.get(f"{url}/{body['id']}").json() == body
    tmf_error(api.get(f"{url}/2c1b90b0-fbe8-426d-a3b6-7ec785ff9d7c"), 404)
    renamed = admin.patch(f"{url}/{body['id']}", {"name": "改名"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "改名"
    assert AuditLog.objects.filter(object_id=body["id"], action__endswith=".update").exists()
    body = tmf_error(admin.post(url, {"description": "no name"}, format="json"), 400)
    assert body["message"].startswith("name: ")


def test_presentation_media_are_seeded(api):
    names = [m["name"] for m in api.get(BASE + "billPresentationMedia").json()]
    assert names == list(BillPresentationMedia.objects.order_by("id").values_list("name", flat=True))
    assert "纸质账单" in names and "电子邮件账单" in names


def test_billing_cycle_attributes(admin):
    payload = {
        "name": "Monthly billing",
        "frequency": "monthly",
        "billingDateShift": 20,
        "paymentDueDateOffset": 30,
        "validFor": {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-12-31T00:00:00Z"},
    }
    body = admin.post(BASE + "billingCycleSpecification", payload, format="json").json()
    assert body["frequency"] == "monthly" and body["billingDateShift"] == 20
    assert body["validFor"] == {
        "startDateTime": "2026-01-01T00:00:00.000Z",
        "endDateTime": "2026-12-31T00:00:00.000Z",
    }
    bad = {
        **payload,
        "validFor": {"startDateTime": "2026-12-31T00:00:00Z", "endDateTime": "2026-01-01T00:00:00Z"},
    }
    body = tmf_error(admin.post(BASE + "billingCycleSpecification", bad, format="json"), 400)
    assert body["message"].startswith("validFor.endDateTime: ")
    body = tmf_error(
        admin.post(BASE + "billingCycleSpecification", {**payload, "billingDateShift": 999}, format="json"),
        400,
    )
    assert body["message"].startswith("billingDateShift: ")
