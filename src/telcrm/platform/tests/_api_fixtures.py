"""Helpers shared by the REST API tests (imported by test_api_*.py)."""

from __future__ import annotations

from rest_framework.test import APIClient

from telcrm.platform.testing import PASSWORD

TOKEN_URL = "/api/v1/auth/token"


def issue_token(client: APIClient, username: str, password: str = PASSWORD):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def bearer(user) -> APIClient:
    """A client authenticated with a real bearer token of ``user`` (issued through the endpoint)."""
    client = APIClient()
    response = issue_token(client, user.username)
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client


def assert_error(response, status: int, *, field: str | None = None, code: str | None = None) -> dict:
    """The response is an error of the one API shape; returns the first matching item."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"errors"}, body
    assert body["errors"], body
    for item in body["errors"]:
        assert set(item) == {"field", "code", "message", "message_zh", "message_en"}, item
        assert item["message"] and item["message_zh"] and item["message_en"], item
    matching = [
        i
        for i in body["errors"]
        if (field is None or i["field"] == field) and (code is None or i["code"] == code)
    ]
    assert matching, body
    return matching[0]


def results(response) -> list[dict]:
    assert response.status_code == 200, (response.status_code, response.content)
    return response.json()["results"]


def client_as(user=None) -> APIClient:
    """An APIClient authenticated as ``user`` (forced; token tests use :func:`bearer`)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
