"""TMF620 DELETE of productSpecification, category and catalog: 204 when nothing refers to the row,
409 (TMF Error body, naming the attribute) when something does, 403 without catalog.manage_catalog."""

from __future__ import annotations

import pytest

from telcrm.catalog import actions
from telcrm.catalog.models import Catalog, Category, ProductSpecification
from telcrm.platform.tests._api_fixtures import client_as

from .test_tmf620_api import CATALOGS, CATEGORIES, SPECS, english, on_sale, tmf_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(carrier):
    return english(carrier["admin"])


@pytest.fixture
def api(admin):
    return client_as(admin)


def test_a_specification_an_offering_uses_is_a_409_naming_it(api, admin):
    spec = actions.specification_save(actor=admin, code="SPEC-USED", name="在用", kind="mobile")
    on_sale(admin, "USES-IT", spec=spec)
    body = tmf_error(api.delete(f"{SPECS}/{spec.pk}"), 409)
    assert body["code"] == "in_use"
    assert body["message"].startswith("productOffering: Offerings USES-IT use this specification")
    assert ProductSpecification.objects.filter(pk=spec.pk).exists()


def test_a_category_with_offerings_or_sub_categories_is_a_409_naming_them(api, admin):
    root = actions.category_save(actor=admin, code="mobile", name="移动")
    child = actions.category_save(actor=admin, code="plans-5g", name="5G套餐", parent=root)
    on_sale(admin, "5G-128").categories.add(child)
    body = tmf_error(api.delete(f"{CATEGORIES}/{root.pk}"), 409)
    assert body["message"].startswith("subCategory: It has the sub-categories plans-5g")
    body = tmf_error(api.delete(f"{CATEGORIES}/{child.pk}"), 409)
    assert body["message"].startswith("productOffering: Offerings 5G-128 are in this category")
    assert Category.objects.count() == 2


def test_a_catalog_holding_categories_is_a_409_in_the_users_language(api, admin):
    root = actions.category_save(actor=admin, code="mobile", name="移动")
    catalog = actions.catalog_save(actor=admin, code="retail", name="个人目录", categories=[root])
    body = tmf_error(api.delete(f"{CATALOGS}/{catalog.pk}"), 409)
    assert body["message"].startswith("category: This catalog still holds the categories mobile")
    admin.language = "zh-hans"
    admin.save(update_fields=["language"])
    body = tmf_error(client_as(admin).delete(f"{CATALOGS}/{catalog.pk}"), 409)
    assert "该产品目录还包含类别 mobile" in body["message"]
    assert Catalog.objects.filter(pk=catalog.pk).exists()


def test_deleting_needs_manage_catalog(carrier, admin):
    spec = actions.specification_save(actor=admin, code="S1", name="5G line", kind="mobile")
    category = actions.category_save(actor=admin, code="mobile", name="移动")
    catalog = actions.catalog_save(actor=admin, code="retail", name="个人目录")
    clerk = client_as(carrier["clerk"])
    for url, pk in ((SPECS, spec.pk), (CATEGORIES, category.pk), (CATALOGS, catalog.pk)):
        tmf_error(clerk.delete(f"{url}/{pk}"), 403)
    assert ProductSpecification.objects.exists() and Category.objects.exists() and Catalog.objects.exists()
