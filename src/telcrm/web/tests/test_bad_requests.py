"""Malformed input anywhere is a 400 naming the field, never a 500; error pages are translated."""

import pytest


def test_nul_in_a_query_string_is_a_400_naming_the_field(carrier, client_for):
    response = client_for(carrier["admin"]).get("/users/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert "q" in response.content.decode() and "NUL" in response.content.decode()


def test_nul_in_a_form_field_is_a_400_and_nothing_is_written(carrier, client_for):
    from telcrm.platform.models import User

    client = client_for(carrier["admin"])
    response = client.post("/profile/", {"full_name": "x\x00y"})
    assert response.status_code == 400
    assert not User.objects.filter(full_name__contains="x").exists()


def test_nul_in_an_api_query_is_a_bilingual_json_400(carrier, client):
    client.force_login(carrier["admin"])
    response = client.get("/api/v1/users/", {"q": "\x00"})
    assert response.status_code == 400
    item = response.json()["errors"][0]
    assert item["field"] == "q" and item["code"] == "null_characters"
    assert item["message_zh"] != item["message_en"]


@pytest.mark.parametrize("path", ["/users/999999/", "/no-such-page/"])
def test_not_found_page_is_translated(carrier, client_for, path):
    response = client_for(carrier["admin"]).get(path)
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


def test_forbidden_page_is_translated(carrier, client_for):
    response = client_for(carrier["clerk"]).get("/parameters/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()
