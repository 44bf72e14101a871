"""API tokens, lockout, throttling and the response language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from telcrm.platform import actions
from telcrm.platform.models import ApiToken, AuditLog, Parameter
from telcrm.platform.testing import PASSWORD

from ._api_fixtures import TOKEN_URL, assert_error, bearer, client_as, issue_token

pytestmark = pytest.mark.django_db


def test_token_issue_use_and_revoke(carrier):
    client = APIClient()
    response = issue_token(client, "clerk")
    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("tc_") and body["expires_at"]
    token = ApiToken.objects.get(user=carrier["clerk"])
    assert token.digest != body["token"] and body["token"] not in token.digest  # only the digest is stored
    assert AuditLog.objects.filter(action="auth.token_issued", actor=carrier["clerk"]).count() == 1

    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "clerk"

    assert client.delete(TOKEN_URL).status_code == 204
    assert not ApiToken.objects.filter(user=carrier["clerk"]).exists()
    assert AuditLog.objects.filter(action="auth.token_revoked", actor=carrier["clerk"]).count() == 1
    item = assert_error(client.get("/api/v1/me"), 401, field="__all__", code="authentication_failed")
    assert item["message_zh"] != item["message_en"]


def test_expired_token_is_rejected(carrier):
    client = bearer(carrier["clerk"])
    assert client.get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(user=carrier["clerk"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/me")
    assert_error(response, 401, code="authentication_failed")
    assert response["WWW-Authenticate"] == "Bearer"


def test_token_of_deactivated_user_is_rejected(carrier):
    client = bearer(carrier["clerk"])
    actions.user_update(actor=carrier["admin"], user=carrier["clerk"], is_active=False)
    assert_error(client.get("/api/v1/me"), 401, code="authentication_failed")


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer tc_not-a-token", "Token abc"])
def test_bad_authorization_headers_are_401(carrier, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/users/")
    assert_error(response, 401)


def test_no_credentials_is_401_not_403(carrier):
    item = assert_error(APIClient().get("/api/v1/users/"), 401, code="not_authenticated")
    assert item["message_zh"] != item["message_en"]


def test_wrong_password_is_400_naming_password_in_both_languages(carrier):
    response = issue_token(APIClient(), "clerk", "wrong-password")
    item = assert_error(response, 400, field="password", code="invalid_credentials")
    assert item["message_zh"] != item["message_en"]
    assert "password" in item["message_en"]
    assert not ApiToken.objects.exists()
    failed = AuditLog.objects.filter(action="auth.login_failed")
    assert failed.count() == 1 and failed.get().object_repr == "clerk"


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"username": "clerk"}, "password"),
        ({"password": PASSWORD}, "username"),
        ({"username": "clerk", "password": ""}, "password"),
        ({"username": {"a": 1}, "password": PASSWORD}, "username"),
        ({"username": "clerk", "password": ["x"]}, "password"),
    ],
)
def test_token_input_errors_are_bilingual(carrier, payload, field):
    item = assert_error(issue_token_raw(payload), 400, field=field)
    assert item["message_zh"] != item["message_en"]


def issue_token_raw(payload):
    return APIClient().post(TOKEN_URL, payload, format="json")


def test_lockout_after_threshold_even_with_right_password(carrier):
    actions.parameter_update(
        actor=carrier["admin"], parameter=Parameter.objects.get(key="auth.lockout_threshold"), value=3
    )
    client = APIClient()
    statuses = [issue_token(client, "clerk", "wrong-password").status_code for _ in range(3)]
    assert statuses[:2] == [400, 400]
    response = issue_token(client, "clerk", PASSWORD)
    item = assert_error(response, 403, field="username", code="locked")
    assert item["message_zh"] != item["message_en"]
    assert not ApiToken.objects.exists()
    assert AuditLog.objects.filter(action="auth.login_failed", object_repr="clerk").count() >= 3
    assert AuditLog.objects.filter(action="auth.locked_out", object_repr="clerk").exists()
    # Another account is not affected (lockout is per account).
    assert issue_token(client, "other_clerk").status_code == 200
    # An administrator's unlock lets the right password in again.
    actions.user_unlock(actor=carrier["admin"], user=carrier["clerk"])
    assert issue_token(client, "clerk").status_code == 200


def test_below_threshold_the_right_password_still_works(carrier):
    client = APIClient()
    for _ in range(4):  # default threshold is 5
        assert issue_token(client, "clerk", "wrong-password").status_code == 400
    assert issue_token(client, "clerk").status_code == 200


def test_token_endpoint_is_throttled(carrier, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "2/min"})
    client = APIClient()
    assert issue_token(client, "clerk", "wrong-password").status_code == 400
    assert issue_token(client, "clerk", "wrong-password").status_code == 400
    assert_error(issue_token(client, "clerk"), 429, code="throttled")


def test_revoke_needs_a_bearer_token(carrier):
    assert_error(APIClient().delete(TOKEN_URL), 401)
    session = APIClient()
    session.force_login(carrier["clerk"])
    assert_error(session.delete(TOKEN_URL), 401)


# --- me and language --------------------------------------------------------------------------------
def test_me_shows_role_scope_and_permissions(carrier):
    body = client_as(carrier["branch_manager"]).get("/api/v1/me").json()
    assert body["role"]["code"] == "branch_manager"
    assert body["org_unit"]["id"] == carrier.branch.pk
    assert body["data_scope"] == "subtree"
    assert "platform.reveal_pii" in body["permissions"]
    assert "platform.manage_platform" not in body["permissions"]
    assert body["language"] == "zh-hans"


def test_patch_me_language_switches_the_response_language(carrier):
    client = bearer(carrier["clerk"])
    assert client.get("/api/v1/me")["Content-Language"] == "zh-hans"
    response = client.patch("/api/v1/me", {"language": "en"}, format="json")
    assert response.status_code == 200 and response.json()["language"] == "en"
    assert response["Content-Language"] == "en"
    assert AuditLog.objects.filter(action="user.set_language", actor=carrier["clerk"]).exists()
    english = assert_error(client.get("/api/v1/users/999999999"), 404)
    assert english["message"] == english["message_en"] != english["message_zh"]
    # The user's own language wins over the header once authenticated.
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response["Content-Language"] == "en"
    assert_error(client.patch("/api/v1/me", {"language": "fr"}, format="json"), 400, field="language")


@pytest.mark.parametrize(
    "header,lang",
    [
        ("en-US,en;q=0.9", "en"),
        ("zh-CN", "zh-hans"),
        ("", "zh-hans"),
        ("fr-FR,de;q=0.5", "zh-hans"),
        ("de, en;q=0.1", "en"),
    ],
)
def test_anonymous_requests_follow_accept_language(carrier, header, lang):
    response = APIClient().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE=header)
    item = assert_error(response, 401)
    assert response["Content-Language"] == lang
    assert item["message"] == item["message_en" if lang == "en" else "message_zh"]


def test_successful_token_sign_in_resets_the_failure_count(carrier):
    client = APIClient()
    for _ in range(4):
        assert issue_token(client, "clerk", "wrong-password").status_code == 400
    assert issue_token(client, "clerk").status_code == 200
    for _ in range(4):  # counted from zero again: four more failures do not lock the account
        assert issue_token(client, "clerk", "wrong-password").status_code == 400
    assert issue_token(client, "clerk").status_code == 200
    carrier["clerk"].refresh_from_db()
    assert carrier["clerk"].last_login is not None
