"""The API's base classes, error shape and the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation
from rest_framework import serializers
from rest_framework.test import APIClient

from telcrm.platform.api.base import InputError, ScopedViewSet, parse_input
from telcrm.platform.models import User

from ._api_fixtures import assert_error, client_as


# --- ScopedViewSet --------------------------------------------------------------------------------
def test_overriding_get_queryset_fails_at_class_creation():
    with pytest.raises(TypeError, match="scoped_queryset"):

        class Leaky(ScopedViewSet):
            def get_queryset(self):
                return User.objects.all()


def test_a_class_level_queryset_fails_at_class_creation():
    with pytest.raises(TypeError, match="scoped_queryset"):

        class Leaky(ScopedViewSet):
            queryset = User.objects.all()


def test_every_registered_viewset_gets_its_rows_from_scoped_queryset():
    from telcrm.platform.api.urls import router

    for _prefix, viewset, _basename in router.registry:
        assert issubclass(viewset, ScopedViewSet)
        assert "scoped_queryset" in viewset.__dict__, viewset
        assert viewset.get_queryset is ScopedViewSet.get_queryset


# --- parse_input ----------------------------------------------------------------------------------
class Sample(serializers.Serializer):
    count = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=3)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_parse_input_renders_each_error_in_both_languages(lang):
    with translation.override(lang), pytest.raises(InputError) as info:
        parse_input(Sample, {"count": "x", "name": "toolong"})
    items = {i["field"]: i for i in info.value.bilingual_items}
    assert set(items) == {"count", "name"}
    assert items["count"]["code"] == "invalid" and items["name"]["code"] == "max_length"
    for item in items.values():
        assert item["message_en"].isascii() and not item["message_zh"].isascii()
        assert item["message"] == item["message_en" if lang == "en" else "message_zh"]


def test_parse_input_returns_validated_data():
    assert parse_input(Sample, {"count": "3", "name": "abc"}) == {"count": 3, "name": "abc"}


@pytest.mark.django_db
def test_unknown_api_path_is_json_404():
    response = APIClient().get("/api/v1/users/abc/def", HTTP_ACCEPT_LANGUAGE="en")
    item = assert_error(response, 404, code="not_found")
    assert item["message"] == item["message_en"] != item["message_zh"]


@pytest.mark.django_db
def test_unsupported_method_is_405_in_the_error_shape(carrier):
    assert_error(
        client_as(carrier["admin"]).put(f"/api/v1/users/{carrier['clerk'].pk}", {}, format="json"), 405
    )
    assert_error(client_as(carrier["admin"]).delete("/api/v1/roles/"), 405)


@pytest.mark.django_db
def test_browser_session_works_too(carrier):
    client = APIClient()
    client.force_login(carrier["clerk"])
    assert client.get("/api/v1/me").json()["username"] == "clerk"


# --- OpenAPI --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_schema_generates_and_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    # --fail-on-warn turns every drf-spectacular warning (untyped field, enum clash, …) into an error.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/users/{id}/reveal/",
        "/api/v1/users/export/",
        "/api/v1/dictionaries/{code}/items/",
        "/api/v1/jobs/{id}/retry/",
        "/api/v1/audit/",
    ):
        assert f"  {path}:" in text, path
    assert "bearerAuth" in text


@pytest.mark.django_db
def test_schema_and_docs_endpoints_render(carrier):
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/users/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_a_concrete_view_without_a_scope_fails_at_class_creation():
    with pytest.raises(TypeError, match="scoped_queryset"):

        class Unscoped(ScopedViewSet):
            model = User
