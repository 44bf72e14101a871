"""Deleting specifications, categories and catalogs: only while nothing refers to them, audited, with
a field error in both languages naming what still does; only with catalog.manage_catalog."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from telcrm.catalog import actions
from telcrm.catalog.models import Catalog, Category, ProductSpecification
from telcrm.platform.errors import AccessDenied, bilingual
from telcrm.platform.models import AuditLog

from ._fixtures import category, group_customer, offering

pytestmark = pytest.mark.django_db


def refusal(call) -> dict[str, dict]:
    """{field: {code, message_zh, message_en}} of the ValidationError ``call()`` raises."""
    with pytest.raises(ValidationError) as exc:
        call()
    return {i["field"]: i for i in bilingual(exc.value)}


def spec(admin, code: str = "SPEC-5G") -> ProductSpecification:
    return actions.specification_save(actor=admin, code=code, name="5G 号卡", kind="mobile")


# --- specifications -------------------------------------------------------------------------------
def test_an_unused_specification_is_deleted_and_audited(carrier):
    admin = carrier["admin"]
    s = spec(admin)
    actions.specification_delete(actor=admin, specification=s)
    assert not ProductSpecification.objects.filter(pk=s.pk).exists()
    log = AuditLog.objects.get(action="catalog.specification.delete", object_id=str(s.pk))
    assert log.before["code"] == "SPEC-5G"


def test_a_specification_any_offering_version_uses_is_kept(carrier):
    admin = carrier["admin"]
    s = spec(admin)
    old = offering(admin, "5G-RET", specification=s)
    actions.offering_retire(actor=admin, offering=old)  # a retired version still shows what was sold
    errors = refusal(lambda: actions.specification_delete(actor=admin, specification=s))
    assert list(errors) == ["offerings"] and errors["offerings"]["code"] == "in_use"
    assert (
        "5G-RET" in errors["offerings"]["message_en"]
        and "retire it instead" in errors["offerings"]["message_en"]
    )
    assert "5G-RET" in errors["offerings"]["message_zh"] and "不能删除" in errors["offerings"]["message_zh"]
    assert ProductSpecification.objects.filter(pk=s.pk).exists()
    assert not AuditLog.objects.filter(action="catalog.specification.delete").exists()


def test_a_refusal_names_a_few_codes_only(carrier):
    admin = carrier["admin"]
    s = spec(admin)
    for i in range(7):
        actions.offering_create(actor=admin, code=f"P{i}", name=f"P{i}", kind="plan", specification=s)
    message = refusal(lambda: actions.specification_delete(actor=admin, specification=s))["offerings"]
    assert "P0, P1, P2, P3, P4, …" in message["message_en"] and "P5" not in message["message_en"]


# --- categories -----------------------------------------------------------------------------------
def test_an_unused_category_is_deleted_and_audited(carrier):
    admin = carrier["admin"]
    root = category(admin, "mobile")
    leaf = category(admin, "plans-5g", parent=root)
    actions.category_delete(actor=admin, category=leaf)
    actions.category_delete(actor=admin, category=root)  # its only child went first
    assert not Category.objects.exists()
    assert AuditLog.objects.filter(action="catalog.category.delete").count() == 2


def test_a_category_with_offerings_children_catalogs_or_tariffs_is_kept(carrier):
    admin = carrier["admin"]
    root = category(admin, "mobile")
    category(admin, "plans-5g", parent=root)
    offering(admin, "5G-128", categories=[root])
    actions.catalog_save(actor=admin, code="retail", name="个人目录", categories=[root])
    actions.tariff_create(
        actor=carrier["account_manager"],
        customer=group_customer(carrier),
        name="集团优惠",
        category=root,
        kind="percent_off",
        value=5,
        valid_from=dt.date(2025, 1, 1),
    )
    errors = refusal(lambda: actions.category_delete(actor=admin, category=root))
    assert {f: e["code"] for f, e in errors.items()} == {
        "offerings": "in_use",
        "children": "has_children",
        "catalogs": "in_catalog",
        "group_tariffs": "in_use",
    }
    assert "5G-128" in errors["offerings"]["message_en"]
    assert "plans-5g" in errors["children"]["message_en"] and "plans-5g" in errors["children"]["message_zh"]
    assert "retail" in errors["catalogs"]["message_en"]
    assert (
        "(1)" in errors["group_tariffs"]["message_en"] and "集团资费" in errors["group_tariffs"]["message_zh"]
    )
    assert Category.objects.filter(pk=root.pk).exists()


# --- catalogs -------------------------------------------------------------------------------------
def test_an_empty_catalog_is_deleted_and_one_with_categories_is_kept(carrier):
    admin = carrier["admin"]
    root = category(admin, "mobile")
    empty = actions.catalog_save(actor=admin, code="empty", name="空目录")
    full = actions.catalog_save(actor=admin, code="retail", name="个人目录", categories=[root])
    actions.catalog_delete(actor=admin, catalog=empty)
    assert not Catalog.objects.filter(pk=empty.pk).exists()
    assert AuditLog.objects.filter(action="catalog.catalog.delete", object_id=str(empty.pk)).exists()
    errors = refusal(lambda: actions.catalog_delete(actor=admin, catalog=full))
    assert list(errors) == ["categories"] and errors["categories"]["code"] == "not_empty"
    assert "mobile" in errors["categories"]["message_en"] and "mobile" in errors["categories"]["message_zh"]
    # emptied, it goes
    actions.catalog_save(actor=admin, catalog=full, categories=[])
    actions.catalog_delete(actor=admin, catalog=full)
    assert not Catalog.objects.exists()


# --- permission -----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["clerk", "branch_manager", "account_manager"])
def test_deleting_needs_manage_catalog(carrier, role):
    admin, user = carrier["admin"], carrier[role]
    s, c = spec(admin), category(admin, "mobile")
    k = actions.catalog_save(actor=admin, code="retail", name="个人目录")
    with pytest.raises(AccessDenied):
        actions.specification_delete(actor=user, specification=s)
    with pytest.raises(AccessDenied):
        actions.category_delete(actor=user, category=c)
    with pytest.raises(AccessDenied):
        actions.catalog_delete(actor=user, catalog=k)
    assert ProductSpecification.objects.exists() and Category.objects.exists() and Catalog.objects.exists()


# --- the screens ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "list_name,delete_name,make",
    [
        ("catalog-specification-list", "catalog-specification-delete", lambda admin: spec(admin)),
        ("catalog-category-list", "catalog-category-delete", lambda admin: category(admin, "mobile")),
    ],
)
def test_the_list_deletes_with_confirmation(client_for, carrier, list_name, delete_name, make):
    admin = carrier["admin"]
    row = make(admin)
    client = client_for(admin)
    url = reverse(delete_name, args=[row.pk])
    html = client.get(reverse(list_name)).content.decode()
    assert f'action="{url}"' in html and "return confirm(" in html
    assert client.get(url).status_code == 405  # a POST only
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(list_name)
    assert not type(row).objects.filter(pk=row.pk).exists()


def test_a_refused_delete_shows_why_and_keeps_the_row(client_for, carrier):
    admin = carrier["admin"]
    admin.language = "en"
    admin.save(update_fields=["language"])
    s = spec(admin)
    offering(admin, "5G-128", specification=s)
    response = client_for(admin).post(reverse("catalog-specification-delete", args=[s.pk]), follow=True)
    html = response.content.decode()
    assert "Offerings 5G-128 use this specification" in html
    assert ProductSpecification.objects.filter(pk=s.pk).exists()


def test_the_screens_refuse_a_role_without_manage_catalog(client_for, carrier):
    admin = carrier["admin"]
    s, c = spec(admin), category(admin, "mobile")
    client = client_for(carrier["clerk"])
    assert client.post(reverse("catalog-specification-delete", args=[s.pk])).status_code == 403
    assert client.post(reverse("catalog-category-delete", args=[c.pk])).status_code == 403
    assert ProductSpecification.objects.filter(pk=s.pk).exists() and Category.objects.filter(pk=c.pk).exists()
