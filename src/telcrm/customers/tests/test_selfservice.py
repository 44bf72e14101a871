"""Self-service update requests (CUS-8): signed expiring links, the customer's page, the API, staff links."""

from __future__ import annotations

import re
import time

import pytest
from django.core import signing
from django.urls import reverse

from telcrm.customers import selfservice
from telcrm.customers.models import ContactMedium, CustomerStatus, RequestStatus, UpdateRequest
from telcrm.customers.testing import make_customer
from telcrm.platform import parameters
from telcrm.platform.models import AuditLog, Parameter


@pytest.fixture
def customer(carrier):
    return make_customer(carrier.branch, name="张三", owner=carrier["clerk"], phone="13800138000")


def set_param(key: str, value) -> None:
    Parameter.objects.filter(key=key).update(value=value)
    parameters.invalidate()


def token_of(customer, *, days_ago: float) -> str:
    """A link signed ``days_ago`` days ago."""

    class PastSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time() - days_ago * 86400))

    return PastSigner(salt=selfservice.SALT).sign(str(customer.pk))


def form_url(token: str) -> str:
    return reverse("customer-selfservice", args=[token])


def api_url(token: str) -> str:
    return reverse("api-customer-selfservice-request", args=[token])


# --- the link -------------------------------------------------------------------------------------------
def test_link_opens_the_form_without_a_staff_login(customer, client):
    link = selfservice.selfservice_link(customer)
    assert link.startswith("/customers/self-service/")
    response = client.get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert "张*" in html and "张三" not in html  # the name, masked
    assert response["Referrer-Policy"] == "same-origin"  # the token never leaves in a Referer header
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_link_uses_the_public_address_parameter(customer):
    set_param("customers.selfservice_base_url", "https://self.example.cn/")
    assert selfservice.selfservice_link(customer).startswith(
        "https://self.example.cn/customers/self-service/"
    )


def test_expired_link_is_a_clear_410_and_writes_nothing(customer, client):
    token = token_of(customer, days_ago=8)  # parameter customers.selfservice_link_days is 7
    response = client.get(form_url(token))
    assert response.status_code == 410
    assert "已过期" in response.content.decode()
    response = client.post(form_url(token), {"email": "new@example.com"})
    assert response.status_code == 410
    assert not UpdateRequest.objects.exists()


def test_link_within_its_validity_works(customer, client):
    set_param("customers.selfservice_link_days", 10)
    assert client.get(form_url(token_of(customer, days_ago=8))).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature
        lambda t: str(int(t.split(":")[0]) + 1) + t[t.index(":") :],  # another customer's id
        lambda t: "garbage",
    ],
)
def test_tampered_link_is_a_clear_400_and_writes_nothing(customer, client, tamper):
    token = tamper(selfservice.selfservice_token(customer))
    response = client.get(form_url(token))
    assert response.status_code == 400
    assert "链接无效" in response.content.decode()
    assert client.post(form_url(token), {"email": "new@example.com"}).status_code == 400
    assert not UpdateRequest.objects.exists()


def test_link_of_a_closed_customer_is_no_longer_valid(customer, client):
    token = selfservice.selfservice_token(customer)
    customer.status = CustomerStatus.CLOSED
    customer.save(update_fields=["status"])
    assert client.get(form_url(token)).status_code == 400


# --- the request ----------------------------------------------------------------------------------------
def test_request_lands_pending_and_changes_the_customer_only_on_approval(carrier, customer, client):
    from telcrm.customers import actions

    token = selfservice.selfservice_token(customer)
    response = client.post(
        form_url(token),
        {
            "email": "zhang.san@example.com",
            "province": "浙江省",
            "city": "杭州市",
            "street": "文三路1号",
            "marketing_consent": "no",
            "do_not_disturb": "yes",
        },
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    assert "已收到您的申请" in response.content.decode()

    req = UpdateRequest.objects.get()
    assert req.status == RequestStatus.PENDING
    assert req.customer_id == customer.pk and req.org_unit_id == customer.org_unit_id
    assert req.source == "web"
    assert "zhang.san" not in str(req.changes)  # kept encrypted inside the request
    assert actions.update_request_preview(req)["email"] == "z***@example.com"
    assert req.changes["address"]["street"] == "文三路1号"
    assert req.changes["marketing_consent"] is False and req.changes["do_not_disturb"] is True
    assert "phone" not in req.changes  # left empty: not asked for
    assert not ContactMedium.objects.filter(customer=customer, kind="email").exists()

    actions.update_request_review(actor=carrier["branch_manager"], request=req, approve=True)

    req.refresh_from_db()
    assert req.status == RequestStatus.APPROVED
    assert ContactMedium.objects.filter(customer=customer, kind="email").exists()
    assert customer.addresses.filter(street="文三路1号").exists()


def test_invalid_values_are_named_on_the_form_and_nothing_is_written(customer, client):
    token = selfservice.selfservice_token(customer)
    response = client.post(form_url(token), {"email": "not-an-address", "phone": "123"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="email"' in html and 'data-field="phone"' in html
    assert not UpdateRequest.objects.exists()


def test_an_empty_form_asks_for_something_to_change(customer, client):
    response = client.post(form_url(selfservice.selfservice_token(customer)), {"marketing_consent": ""})
    assert response.status_code == 400
    assert "请至少填写一项" in response.content.decode()
    assert not UpdateRequest.objects.exists()


def test_partial_address_is_refused(customer, client):
    response = client.post(form_url(selfservice.selfservice_token(customer)), {"city": "杭州市"})
    assert response.status_code == 400
    assert 'data-field="street"' in response.content.decode()


def test_requests_are_rate_limited_per_customer(customer, client):
    set_param("customers.selfservice_max_requests", 2)
    token = selfservice.selfservice_token(customer)
    for i in range(2):
        assert client.post(form_url(token), {"email": f"a{i}@example.com"}).status_code == 200
    response = client.post(form_url(token), {"email": "a3@example.com"})
    assert response.status_code == 429
    assert UpdateRequest.objects.count() == 2
    assert (
        client.post(api_url(token), {"email": "a4@example.com"}, content_type="application/json").status_code
        == 429
    )


# --- the API ----------------------------------------------------------------------------------------------
def test_api_files_a_pending_request(customer, client):
    token = selfservice.selfservice_token(customer)
    address = {"province": "浙江省", "city": "杭州市", "street": "解放路9号"}
    response = client.post(
        api_url(token),
        {"phone": "13900139000", "do_not_disturb": True, "address": address},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["requested"] == ["address", "do_not_disturb", "phone"]
    req = UpdateRequest.objects.get(pk=body["id"])
    assert req.source == "app" and req.status == RequestStatus.PENDING


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda c: selfservice.selfservice_token(c)[:-2] + "xx", 400, "invalid"),
        (lambda c: token_of(c, days_ago=30), 410, "expired"),
    ],
)
def test_api_refuses_a_bad_link_in_the_error_shape(customer, client, make, status, code):
    response = client.post(
        api_url(make(customer)), {"email": "x@example.com"}, content_type="application/json"
    )
    assert response.status_code == status
    (error,) = response.json()["errors"]
    assert error["field"] == "token" and error["code"] == code
    assert error["message_zh"] and error["message_en"] and error["message_zh"] != error["message_en"]
    assert not UpdateRequest.objects.exists()


def test_api_names_the_bad_field(customer, client):
    token = selfservice.selfservice_token(customer)
    response = client.post(api_url(token), {"email": "nope"}, content_type="application/json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["email"]
    response = client.post(api_url(token), {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "empty"
    assert not UpdateRequest.objects.exists()


# --- staff hand out the link ----------------------------------------------------------------------------
def test_staff_get_a_link_for_a_customer_in_scope_and_it_is_audited(carrier, customer, client_for):
    client = client_for(carrier["clerk"])
    url = reverse("customer-selfservice-link", args=[customer.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://testserver/customers/self-service/" in html
    assert AuditLog.objects.filter(action=selfservice.LINK_ISSUED, object_id=str(customer.pk)).exists()
    link = re.search(r'value="([^"]+)" id="selfservice-link-input"', html).group(1)
    token = link.rsplit("/self-service/", 1)[1].strip("/")
    assert selfservice.customer_for_token(token) == customer
    # the 360 page asks with HTMX and gets the card alone
    partial = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="selfservice-link-input"' in partial and "<html" not in partial


def test_staff_outside_the_scope_get_404_and_without_permission_403(carrier, customer, client_for):
    url = reverse("customer-selfservice-link", args=[customer.pk])
    assert client_for(carrier["other_clerk"]).post(url).status_code == 404
    assert client_for(carrier["analyst"]).post(url).status_code == 403
    assert not AuditLog.objects.filter(action=selfservice.LINK_ISSUED).exists()


def test_the_form_works_with_csrf_checks_as_a_browser_sends_it(customer):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    url = form_url(selfservice.selfservice_token(customer))
    html = browser.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = browser.post(
        url, {"csrfmiddlewaretoken": token, "email": "b@example.com"}, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 200
    assert UpdateRequest.objects.count() == 1
